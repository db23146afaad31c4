/* SPDX-License-Identifier: MIT */
/* History and staged scans: inputs, driver, provenance and progress put together; see history.h. */
#include "engine/history.h"

#include "engine/driver.h"
#include "engine/progress.h"
#include "engine/provenance.h"
#include "source/input_history.h"
#include "source/input_staged.h"

#include <stdlib.h>

int lh_history_scan(const struct lh_detector *d, const char *repo_path,
                    const struct lh_scan_opts *o, struct lh_findings *out, struct lh_scan_stats *st)
{
    struct lh_input_env env;
    struct lh_driver_opts dopts = {.archive = o->archive};
    struct lh_input *in = NULL;
    struct lh_progress tick;
    size_t first = out->count;
    /* a range, a date or a push: only some commits, not every ref and object */
    bool selective = o->range || o->since > 0 || o->push;
    struct lh_git_range_req select = {
        .range = o->range,
        .since = o->since,
        .push = o->push,
        .push_remote = o->push_remote,
        .fallback = o->range_fallback,
        .notice = o->notice,
        .notice_payload = o->warn_payload,
    };
    lh_scan_env(&env, o, st);
    int rc = lh_input_history_new(&in, repo_path, selective ? &select : NULL, o->all_objects, &env);
    if (rc < 0) {
        return rc;
    }
    lh_progress_start(&tick, o->progress, o->progress_payload, st, o->progress_interval);
    rc = lh_driver_run(d, &in, 1, &dopts, out);
    if (rc == 0 && o->blob_filter && o->blob_filter->add_known) {
        /* what the blobs left out yielded when they were scanned: attributed alike */
        rc = o->blob_filter->add_known(out, o->blob_filter->payload);
    }
    if (rc == 0) {
        atomic_store(&st->phase, LH_PHASE_REPORT);
        rc = lh_provenance_attribute(out, first, lh_input_history_view(in), &env);
    }
    lh_progress_stop(&tick);
    lh_input_free(in);
    return rc;
}

struct lh_staged {
    struct lh_input *in;
};

int lh_history_staged_open(struct lh_staged **out, const char *repo_path, bool scan_binary)
{
    struct lh_staged *s = calloc(1, sizeof(*s));
    *out = s;
    if (!s) {
        return lh_error_oom();
    }
    return lh_input_staged_open(&s->in, repo_path, scan_binary);
}

void lh_history_staged_free(struct lh_staged *s)
{
    if (s) {
        lh_input_free(s->in);
        free(s);
    }
}

int lh_history_staged_scan(struct lh_staged *s, const struct lh_detector *d,
                           const struct lh_scan_opts *o, struct lh_findings *out,
                           struct lh_scan_stats *st)
{
    struct lh_input_env env;
    struct lh_driver_opts dopts = {.archive = o->archive};
    lh_scan_env(&env, o, st);
    s->in->env = &env;
    int rc = lh_driver_run(d, &s->in, 1, &dopts, out);
    s->in->env = NULL; /* env lives on this stack frame */
    return rc;
}

int lh_history_staged(const struct lh_detector *d, const char *repo_path,
                      const struct lh_scan_opts *o, struct lh_findings *out,
                      struct lh_scan_stats *st)
{
    struct lh_staged *s = NULL;
    int rc = lh_history_staged_open(&s, repo_path, o->scan_binary);
    if (rc == 0) {
        rc = lh_history_staged_scan(s, d, o, out, st);
    }
    lh_history_staged_free(s);
    return rc;
}
