/* SPDX-License-Identifier: MIT */
/*
 * Scanning a session's input: files and directories, git history or the staged changes,
 * into the session's finding list and the report summary. The staged changes are listed
 * on a second thread while the session builds its detector (libgit2's initialisation and
 * the index diff need no rules), so the pre-commit path pays for the slower of the two,
 * not their sum. A git error that names what the caller gave (not a repository, an unknown
 * revision, a bare repository) is LH_EUSAGE.
 */
#include "audit/audit.h"
#include "engine/image.h"
#include "session/session_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lh_session_prepare {
    const char *repo;
    bool scan_binary;
    struct lh_staged *staged;
    int rc;
    char err[1024]; /* the thread's error message (messages are thread-local) */
    pthread_t thread;
    bool started;
};

static const char *repository(const struct lh_session_input *in)
{
    return in->npaths ? in->paths[0] : ".";
}

/* Not a repository, an unknown revision: what the user named is wrong. */
static int usage_if_not_found(int rc)
{
    return rc == LH_ENOTFOUND ? LH_EUSAGE : rc;
}

static void *prepare_main(void *arg)
{
    struct lh_session_prepare *p = arg;
    p->rc = lh_history_staged_open(&p->staged, p->repo, p->scan_binary);
    if (p->rc < 0) {
        snprintf(p->err, sizeof(p->err), "%s", lh_error_get());
    }
    return NULL;
}

int lh_session_input_start(struct lh_session_prepare **out, struct lh_session *s)
{
    *out = NULL;
    if (!s->in || s->in->kind != LH_INPUT_STAGED) {
        return 0;
    }
    struct lh_session_prepare *p = calloc(1, sizeof(*p));
    if (!p) {
        return lh_error_oom();
    }
    p->repo = repository(s->in);
    p->scan_binary = s->o->scan_binary;
    p->started = pthread_create(&p->thread, NULL, prepare_main, p) == 0;
    if (!p->started) {
        prepare_main(p);
    }
    *out = p;
    return 0;
}

int lh_session_input_finish(struct lh_session_prepare *p, struct lh_session *s)
{
    if (!p) {
        return 0;
    }
    if (p->started) {
        pthread_join(p->thread, NULL);
    }
    s->staged = p->staged;
    int rc = p->rc;
    if (rc < 0) {
        lh_error_set("%s", p->err);
    }
    free(p);
    return rc < 0 ? usage_if_not_found(rc) : 0;
}

/* The inputs' warnings and notices reach the caller's callbacks with the caller's payload. */
static void on_warn(const char *msg, void *payload)
{
    const struct lh_session *s = payload;
    if (s->o->warn) {
        s->o->warn(msg, s->o->payload);
    }
}

static void on_notice(const char *msg, void *payload)
{
    lh_session_note(payload, "note: %s", msg);
}

/* The run's summary from the stats every scan shares; unit: "files" or "blobs". */
static void from_stats(struct lh_report_summary *sum, const struct lh_scan_stats *st,
                       const char *unit)
{
    sum->files = atomic_load(&st->scanned);
    sum->bytes = atomic_load(&st->bytes);
    sum->skipped_binary = atomic_load(&st->skipped_binary);
    sum->skipped_large = atomic_load(&st->skipped_large);
    sum->skipped_other = atomic_load(&st->skipped_other);
    sum->errors = atomic_load(&st->errors);
    sum->unit = unit;
}

/* History into a scan database: the audit of one repository (audit/audit.h). */
static int history_audit(struct lh_session *s, const struct lh_scan_opts *ho,
                         struct lh_report_summary *sum)
{
    const struct lh_session_opts *o = s->o;
    char settings[256];
    lh_session_audit_settings(settings, sizeof(settings), o);
    struct lh_audit_opts ao = {
        .db_path = o->audit_db,
        .rules = s->rs,
        .detector = s->det,
        .settings = settings,
        .scan = ho,
        .tool_version = o->tool_version,
    };
    struct lh_audit *a = NULL;
    struct lh_audit_repo_stats st;
    memset(&st, 0, sizeof(st));
    int rc = lh_audit_open(&a, &ao);
    if (rc == 0) {
        rc = lh_audit_repo_findings(a, repository(s->in), o->repo_name, &s->findings, &st);
    }
    lh_audit_close(a);
    from_stats(sum, &st.scan, "blobs");
    sum->incremental = true;
    sum->skipped_known = st.blobs_skipped;
    if (rc == 0 && st.unchanged) {
        lh_session_note(s,
                        "note: '%s' is unchanged since its last audit with these rules: "
                        "findings read from the scan database",
                        st.name);
    }
    return rc;
}

static int history(struct lh_session *s, const struct lh_scan_opts *ho,
                   struct lh_report_summary *sum)
{
    const struct lh_session_input *in = s->in;
    struct lh_scan_stats st = {0};
    int rc = 0;
    if (s->o->audit_db) {
        rc = history_audit(s, ho, sum);
    } else {
        char *path = NULL;
        struct lh_audit_opts ao = {0};
        if (lh_audit_is_remote(repository(in))) {
            rc = lh_audit_mirror(&path, NULL, repository(in), &ao);
        }
        rc = rc ? rc : lh_history_scan(s->det, path ? path : repository(in), ho, &s->findings, &st);
        free(path);
        from_stats(sum, &st, "blobs");
    }
    if (in->progress_done) {
        in->progress_done(in->progress_payload);
    }
    return rc;
}

int lh_session_input_scan(struct lh_session *s, struct lh_report_summary *sum)
{
    const struct lh_session_opts *o = s->o;
    const struct lh_session_input *in = s->in;
    memset(sum, 0, sizeof(*sum));
    if (in->kind == LH_INPUT_PATHS) {
        const char *dot[] = {"."};
        struct lh_scan_stats st = {0};
        struct lh_scan_opts so = {
            .threads = o->threads,
            .max_file_size = o->max_file_size,
            .follow_symlinks = o->follow_symlinks,
            .scan_binary = o->scan_binary,
            .exclude = &o->exclude,
            .archive = &o->archive,
            .warn = on_warn,
            .warn_payload = s,
        };
        int rc = lh_scan_paths(s->det, in->npaths ? in->paths : dot, in->npaths ? in->npaths : 1,
                               &so, &s->findings, &st);
        from_stats(sum, &st, "files");
        return rc;
    }
    if (in->kind == LH_INPUT_IMAGE) {
        struct lh_scan_stats st = {0};
        struct lh_image_opts io = {
            .limits = &o->archive,
            .scan_binary = o->scan_binary,
            .warn = on_warn,
            .warn_payload = s,
        };
        int rc = lh_image_scan(s->det, in->paths[0], &io, &s->findings, &st);
        from_stats(sum, &st, "files");
        return rc == LH_EINVAL ? LH_EIO : rc; /* a broken image is unreadable input */
    }
    struct lh_scan_stats st = {0};
    struct lh_scan_opts ho = {
        .threads = o->threads,
        .max_file_size = o->max_file_size,
        .scan_binary = o->scan_binary,
        .all_objects = in->all_objects,
        .range = in->range,
        .range_fallback = in->range_fallback,
        .since = in->since,
        .push = in->push,
        .push_remote = in->push_remote,
        .notice = on_notice,
        .exclude = &o->exclude,
        .archive = &o->archive,
        .warn = on_warn,
        .warn_payload = s,
        .progress = in->progress,
        .progress_payload = in->progress_payload,
    };
    int rc = 0;
    if (in->kind == LH_INPUT_HISTORY) {
        rc = history(s, &ho, sum);
    } else {
        ho.threads = 0;
        rc = lh_history_staged_scan(s->staged, s->det, &ho, &s->findings, &st);
        from_stats(sum, &st, "files");
    }
    return rc < 0 ? usage_if_not_found(rc) : 0;
}
