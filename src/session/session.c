/* SPDX-License-Identifier: MIT */
/*
 * A scanning session's life: open (project, baseline, revocation settings, rules, detector),
 * run (scan, suppression, baseline, report, revocation, verdict) and free; see session.h.
 * The input is scanned by session_input.c, the baseline handled by session_baseline.c and
 * revocation by session_revoke.c.
 */
#include "session/session.h"

#include "audit/audit.h"
#include "report/multi.h"
#include "session/project.h"
#include "session/session_int.h"
#include "util/clock.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void lh_session_opts_init(struct lh_session_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->format = "text";
    o->min_confidence = LH_CONF_LOW;
    o->fail_on = LH_CONF_LOW;
    o->max_decode_depth = LH_SESSION_DECODE_DEPTH;
    lh_archive_limits_default(&o->archive);
}

void lh_session_opts_dispose(struct lh_session_opts *o)
{
    lh_strlist_dispose(&o->rule_paths);
    lh_strlist_dispose(&o->enable);
    lh_strlist_dispose(&o->disable);
    lh_strlist_dispose(&o->file_enable);
    lh_strlist_dispose(&o->file_disable);
    lh_strlist_dispose(&o->exclude);
    lh_strlist_dispose(&o->revoke_urls);
    lh_strlist_dispose(&o->reports);
}

static void report_line(lh_warn_fn fn, void *payload, const char *fmt, va_list ap)
{
    char msg[4096];
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    fn(msg, payload);
}

void lh_session_warn(const struct lh_session *s, const char *fmt, ...)
{
    if (!s->o->warn) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    report_line(s->o->warn, s->o->payload, fmt, ap);
    va_end(ap);
}

void lh_session_note(const struct lh_session *s, const char *fmt, ...)
{
    if (!s->o->note) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    report_line(s->o->note, s->o->payload, fmt, ap);
    va_end(ap);
}

/*
 * Enables or disables the rules matching each glob. A glob that matches nothing is an error:
 * a usage error on the command line (file NULL), a configuration error in the file.
 */
static int select_rules(struct lh_ruleset *rs, const struct lh_strlist *globs, bool enable,
                        const char *file)
{
    for (size_t i = 0; i < globs->count; i++) {
        if (lh_ruleset_select(rs, globs->items[i], enable)) {
            continue;
        }
        if (file) {
            lh_error_set("%s: %s: '%s' matches no rule", file,
                         enable ? "enable_rules" : "disable_rules", globs->items[i]);
            return LH_EINVAL;
        }
        lh_error_set("--%s-rule '%s' matches no rule", enable ? "enable" : "disable",
                     globs->items[i]);
        return LH_EUSAGE;
    }
    return 0;
}

int lh_session_load_rules(struct lh_ruleset **out, const struct lh_session_opts *o)
{
    struct lh_ruleset *rs = NULL;
    *out = NULL;
    int rc = lh_ruleset_new(&rs);
    if (rc == 0 && !o->no_builtin) {
        rc = lh_ruleset_load_builtin(rs);
    }
    for (size_t i = 0; rc == 0 && i < o->rule_paths.count; i++) {
        rc = lh_ruleset_load_path(rs, o->rule_paths.items[i]);
    }
    if (rc < 0 && rc != LH_EIO && rc != LH_ENOMEM) {
        rc = LH_EINVAL;
    }
    const char *file = o->file_name ? o->file_name : "config";
    rc = rc ? rc : select_rules(rs, &o->file_enable, true, file);
    rc = rc ? rc : select_rules(rs, &o->file_disable, false, file);
    rc = rc ? rc : select_rules(rs, &o->enable, true, NULL);
    rc = rc ? rc : select_rules(rs, &o->disable, false, NULL);
    if (rc < 0) {
        lh_ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

int lh_session_build_detector(struct lh_detector **out, const struct lh_ruleset *rs,
                              const struct lh_session_opts *o)
{
    struct lh_detect_opts dopts = {0};
    dopts.matcher.use_cache = !o->no_cache;
    dopts.inline_allow = !o->no_inline_allow;
    dopts.inline_allow_unconfirmed = o->no_inline_allow_confirmed;
    dopts.keep_invalid = o->show_invalid;
    dopts.max_per_blob = o->max_findings;
    dopts.matcher.match_limit = o->match_limit;
    dopts.matcher.depth_limit = o->depth_limit;
    dopts.matcher.eager_compile = o->eager_compile;
    dopts.decode_depth = o->max_decode_depth;
    return lh_detector_new(out, rs, &dopts);
}

void lh_session_audit_settings(char *out, size_t cap, const struct lh_session_opts *o)
{
    snprintf(out, cap,
             "inline=%d inline_confirmed=%d invalid=%d max=%zu match=%u depth=%u decode=%zu",
             !o->no_inline_allow, !o->no_inline_allow_confirmed, o->show_invalid, o->max_findings,
             o->match_limit, o->depth_limit, o->max_decode_depth);
}

/* Whether the input covers the project root, so that stale baseline entries are real. */
static bool covers_project(const struct lh_session *s)
{
    const struct lh_session_input *in = s->in;
    if (in->kind == LH_INPUT_HISTORY) {
        return !in->range && !in->since && !in->push; /* the whole history */
    }
    if (in->kind != LH_INPUT_PATHS) {
        return false;
    }
    const char *dot[] = {"."};
    const char *const *paths = in->npaths ? in->paths : dot;
    size_t n = in->npaths ? in->npaths : 1;
    bool full = false;
    for (size_t i = 0; s->project_root && i < n && !full; i++) {
        if (!strcmp(paths[i], "-")) {
            continue; /* stdin never makes a scan full */
        }
        char *real = realpath(paths[i], NULL);
        full = real && !strcmp(real, s->project_root);
        free(real);
    }
    return full;
}

static int check_dests(const struct lh_session_opts *o);

/* Where the project is, and what is known from that (SARIF prefix, repository name). */
static int locate(struct lh_session *s)
{
    const struct lh_session_opts *o = s->o;
    const struct lh_session_input *in = s->in;
    /* an image is not part of the project around it: the project is the current one */
    bool remote = in->kind == LH_INPUT_HISTORY && in->npaths && lh_audit_is_remote(in->paths[0]);
    const char *start =
        in->kind != LH_INPUT_IMAGE && !remote && in->npaths && strcmp(in->paths[0], "-")
            ? in->paths[0]
            : ".";
    bool in_git = false;
    s->project_root = lh_project_root(start, o->file_dir, &in_git);
    s->full_scan = !remote && covers_project(s);
    if (in->kind == LH_INPUT_PATHS) {
        s->uri_prefix = lh_project_uri_prefix();
    }
    /* the repository's name is read from its config only when an output carries it (the
     * text format and a pre-commit hook's run do not pay for it) */
    bool wanted = !o->no_report && (strcmp(o->format ? o->format : "text", "text") != 0 ||
                                    o->reports.count || lh_session_revoke_enabled(s));
    if (o->repo_name) {
        s->repo_name = strdup(o->repo_name);
        return s->repo_name ? 0 : lh_error_oom();
    }
    if (remote) {
        /* the repository's name as the audit names it (its URL's path) */
        return lh_audit_remote_name(&s->repo_name, in->paths[0]);
    }
    if (in_git && wanted) {
        s->repo_name = lh_project_repo_name(s->project_root);
    }
    return 0;
}

int lh_session_open(struct lh_session **out, const struct lh_session_opts *o,
                    const struct lh_session_input *in)
{
    struct lh_session *s = calloc(1, sizeof(*s));
    *out = s;
    if (!s) {
        return lh_error_oom();
    }
    s->o = o;
    s->in = in;
    s->t0 = lh_clock_now();
    lh_findings_init(&s->findings);
    lh_baseline_init(&s->baseline);
    struct lh_session_prepare *prep = NULL;
    int rc = lh_session_input_start(&prep, s);
    if (rc == 0 && in && in->kind != LH_INPUT_NONE) {
        rc = o->no_report ? 0 : check_dests(o);
        rc = rc ? rc : locate(s);
        rc = rc ? rc : lh_session_baseline_open(s);
    }
    rc = rc ? rc : lh_session_revoke_check(s);
    rc = rc ? rc : lh_session_load_rules(&s->rs, o);
    rc = rc ? rc : lh_session_build_detector(&s->det, s->rs, o);
    if (prep) {
        /* joined whatever happened above; its error comes after the session's own */
        char err[1024];
        snprintf(err, sizeof(err), "%s", lh_error_get());
        int prc = lh_session_input_finish(prep, s);
        if (rc < 0) {
            lh_error_set("%s", err);
        } else {
            rc = prc;
        }
    }
    return rc;
}

int lh_session_scan(struct lh_session *s, struct lh_report_summary *sum)
{
    LH_ASSERT(s->in && s->in->kind != LH_INPUT_NONE);
    int rc = lh_session_input_scan(s, sum);
    if (rc < 0) {
        return rc;
    }
    lh_findings_sort(&s->findings);
    for (size_t i = 0; i < s->findings.count; i++) {
        struct lh_finding *f = &s->findings.items[i];
        if (!f->invalid && !f->suppressed && f->confidence < s->o->min_confidence) {
            f->suppressed = true;
            f->suppressed_by = LH_SUPP_CONFIDENCE;
        }
    }
    sum->seconds = lh_clock_now() - s->t0;
    return 0;
}

/* The run's outputs: the format to the output (or the stream) first, then each report. */
static int build_dests(struct lh_report_dest **out, size_t *n, const struct lh_session_opts *o)
{
    struct lh_report_dest *d = calloc(o->reports.count + 1, sizeof(*d));
    *out = d;
    *n = 0;
    if (!d) {
        return lh_error_oom();
    }
    d[0].ops = lh_report_find(o->format ? o->format : "text");
    LH_ASSERT(d[0].ops != NULL);
    *n = 1;
    if (o->output && strcmp(o->output, "-") != 0) {
        d[0].path = strdup(o->output);
        if (!d[0].path) {
            return lh_error_oom();
        }
    }
    for (size_t i = 0; i < o->reports.count; i++) {
        int rc = lh_report_dest_parse(&d[i + 1], o->reports.items[i]);
        if (rc < 0) {
            return rc;
        }
        *n = i + 2;
    }
    return 0;
}

static void free_dests(struct lh_report_dest *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++) {
        lh_report_dest_dispose(&d[i]);
    }
    free(d);
}

/* Whether the outputs can coexist (one report on the stream, no file named twice). */
static int check_dests(const struct lh_session_opts *o)
{
    struct lh_report_dest *d = NULL;
    size_t n = 0;
    int rc = build_dests(&d, &n, o);
    if (rc == 0) {
        rc = lh_report_dests_check(d, n);
    }
    free_dests(d, n);
    return rc;
}

/* Writes every output; one that fails does not stop the others. */
static int write_reports(struct lh_session *s, const struct lh_report_summary *sum)
{
    const struct lh_session_opts *o = s->o;
    struct lh_report_dest *d = NULL;
    size_t n = 0;
    int rc = build_dests(&d, &n, o);
    struct lh_report_ctx ctx = {
        .show_secrets = o->show_secrets,
        .show_invalid = o->show_invalid,
        .show_suppressed = o->show_suppressed,
        .uri_prefix = s->uri_prefix,
        .repo_name = s->repo_name,
        .color = o->color,
        .rules = s->rs,
        .summary = sum,
        .tool_version = o->tool_version,
        .step_summary = o->step_summary,
        .head_commit = o->head_commit,
    };
    char first[1024] = "";
    size_t failed = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (lh_report_dest_write(&d[i], o->stream ? o->stream : stdout, &s->findings, &ctx) < 0) {
            if (!failed++) {
                snprintf(first, sizeof(first), "%s", lh_error_get());
            }
        }
        if (!strcmp(d[i].ops->name, "github")) {
            ctx.step_summary = NULL; /* one job summary per run */
        }
    }
    free_dests(d, n);
    if (rc == 0 && failed) {
        lh_error_set("%s%s", first, failed > 1 ? " (and more outputs could not be written)" : "");
        rc = LH_EIO;
    }
    return rc;
}

int lh_session_run(struct lh_session *s, struct lh_outcome *out)
{
    memset(out, 0, sizeof(*out));
    int rc = lh_session_scan(s, &out->summary);
    if (rc < 0) {
        return rc;
    }
    out->stale = lh_session_baseline_apply(s, s->full_scan);
    out->summary.seconds = lh_clock_now() - s->t0;
    lh_report_summary_line(out->summary_line, sizeof(out->summary_line), &s->findings,
                           &out->summary, s->o->show_invalid);
    for (size_t i = 0; i < s->findings.count; i++) {
        const struct lh_finding *f = &s->findings.items[i];
        if (!f->invalid && !f->suppressed) {
            out->reported++;
            out->failing += f->confidence >= s->o->fail_on;
        }
    }
    out->verdict = out->summary.errors ? LH_OUTCOME_INCOMPLETE
                   : out->failing      ? LH_OUTCOME_FINDINGS
                                       : LH_OUTCOME_CLEAN;
    if (!s->o->no_report) {
        rc = write_reports(s, &out->summary);
        lh_session_note(s, "%s", out->summary_line);
        if (rc < 0) {
            return rc; /* and no revocation: the run is failing */
        }
    }
    /* after the report: delivery may wait on HTTP */
    return lh_session_revoke_run(s, out);
}

const struct lh_ruleset *lh_session_rules(const struct lh_session *s)
{
    return s->rs;
}

const struct lh_detector *lh_session_detector(const struct lh_session *s)
{
    return s->det;
}

struct lh_findings *lh_session_findings(struct lh_session *s)
{
    return &s->findings;
}

const char *lh_session_project_root(const struct lh_session *s)
{
    return s->project_root;
}

void lh_session_free(struct lh_session *s)
{
    if (!s) {
        return;
    }
    lh_history_staged_free(s->staged);
    lh_findings_dispose(&s->findings);
    lh_detector_free(s->det);
    lh_ruleset_free(s->rs);
    lh_baseline_dispose(&s->baseline);
    free(s->baseline_path);
    free(s->project_root);
    free(s->uri_prefix);
    free(s->repo_name);
    free(s->revoke_dir);
    free(s);
}
