/* SPDX-License-Identifier: MIT */
/*
 * The session's state, shared by its files (session.c: open, run and close; session_input.c:
 * scanning the input; session_baseline.c: the baseline; session_revoke.c: revocation). Not
 * for use outside src/session.
 */
#ifndef LH_SESSION_SESSION_INT_H
#define LH_SESSION_SESSION_INT_H

#include "finding/baseline.h"
#include "session/session.h"

#include <stdarg.h>

struct lh_session {
    const struct lh_session_opts *o;
    const struct lh_session_input *in;
    struct lh_ruleset *rs;
    struct lh_detector *det;
    struct lh_findings findings;
    double t0;
    char *project_root; /* real path (see lh_project_root) */
    bool full_scan;     /* the input covers the project root: stale entries are real */
    char *uri_prefix;   /* SARIF: cwd relative to the work tree's root, or NULL */
    char *repo_name;    /* o->repo_name, or the origin URL when a report carries it */
    /* baseline */
    struct lh_baseline baseline;
    char *baseline_path;    /* the baseline read, or NULL when there is none */
    bool baseline_confined; /* named by an untrusted configuration: see baseline_confine */
    /* staged input, opened at open time */
    struct lh_staged *staged;
    /* revocation */
    char *revoke_dir;
};

/* Reports a formatted warning through o->warn (nothing without one). */
void lh_session_warn(const struct lh_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ...and a note through o->note. */
void lh_session_note(const struct lh_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* session_input.c: opens what must be opened early (the staged changes, on a thread). */
struct lh_session_prepare;
int lh_session_input_start(struct lh_session_prepare **out, struct lh_session *s) LH_WUR;
/* Joins it; the staged listing goes to s->staged. Returns the listing's result. */
int lh_session_input_finish(struct lh_session_prepare *p, struct lh_session *s) LH_WUR;
/* Scans the input into s->findings and fills *sum. */
int lh_session_input_scan(struct lh_session *s, struct lh_report_summary *sum) LH_WUR;

/* session_baseline.c: finds and loads the baseline at open time. */
int lh_session_baseline_open(struct lh_session *s) LH_WUR;
/*
 * Applies the baseline to the sorted findings: suppresses what entries in force match,
 * warns about expired entries that matched and, when warn_stale, about stale ones. Returns
 * the number of stale entries.
 */
size_t lh_session_baseline_apply(struct lh_session *s, bool warn_stale);

/* session_revoke.c: checks the settings at open time; runs after the report. */
int lh_session_revoke_check(struct lh_session *s) LH_WUR;
int lh_session_revoke_run(struct lh_session *s, struct lh_outcome *out) LH_WUR;
/* Whether revocation is on (the command line or a trusted file). */
bool lh_session_revoke_enabled(const struct lh_session *s);

#endif
