/* SPDX-License-Identifier: MIT */
/*
 * An organisation audit run: the enumerated repositories audited N at a time into the scan
 * database (audit/audit.h: one lh_audit_repo call per repository), recorded as a run so
 * that an interrupted one resumes. The run lives in two tables this module creates in the
 * scan database itself (CREATE TABLE IF NOT EXISTS, beside the audit's tables, through its
 * own connection): org_runs (one row per run: its scope, the ruleset hash, when it started
 * and finished) and org_run_repos (one row per repository the run finished or failed). A
 * run is identified by its scope (provider, API root, organisation, shard) and the ruleset
 * hash; the next invocation with the same identity continues the latest unfinished run and
 * skips the repositories it finished. A run with failures stays unfinished, so running the
 * same command again retries exactly those and what was never reached. A repository row is
 * written only after lh_audit_repo returned, so a repository that was being audited when
 * the process died is audited again (and the audit itself skips the blobs it committed).
 * Nothing here prints: each finished repository is reported to a callback, serialised.
 */
#ifndef LH_ORG_RUN_H
#define LH_ORG_RUN_H

#include "audit/audit.h"
#include "org/org.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One repository finished (or failed) by this invocation. */
struct lh_org_run_event {
    size_t done;  /* this is the done-th of `total` finished by this invocation (1-based) */
    size_t total; /* repositories this invocation audits (the list minus resumed ones) */
    const struct lh_org_repo *repo;
    const struct lh_audit_repo_stats *st; /* as far as the audit came */
    int rc;                               /* 0, or the audit's negative code */
    const char *error;                    /* rc < 0: its one-line message */
};

typedef void (*lh_org_run_fn)(const struct lh_org_run_event *ev, void *payload);

struct lh_org_run_opts {
    struct lh_audit *audit; /* borrowed, open */
    const char *db_path;    /* the audit's database file (the run tables go there too) */
    const char *scope;      /* "github https://api.github.com acme 1/4": what identifies a run */
    size_t jobs;            /* repositories audited at once (>= 1) */
    bool restart;           /* ignore an unfinished run: start a new one */
    lh_org_run_fn on_repo;  /* may be NULL; called with a lock held, one at a time */
    lh_org_note_fn note;    /* "resuming run 3 ...": may be NULL */
    void *payload;          /* for both */
};

struct lh_org_run_result {
    int64_t run_id;
    bool resumed;         /* an unfinished run was continued */
    size_t repositories;  /* in the list */
    size_t resumed_done;  /* finished by the interrupted run: not audited again */
    size_t audited;       /* audited now without error */
    size_t failed;        /* audited now with an error */
    size_t blobs_scanned; /* by this invocation */
    size_t blobs_skipped; /* already in the database with the same ruleset */
    size_t findings;      /* open occurrences in the run's repositories (resumed ones included) */
    size_t secrets;       /* sum of per-repository distinct open secrets (resumed ones included) */
    size_t object_errors; /* unreadable objects (st->errors) */
    size_t repos_with_findings;
    size_t triaged;         /* findings left out of `findings`: triaged in the database (this
                             * invocation's repositories) */
    size_t triaged_secrets; /* their distinct secrets */
};

/*
 * Audits every repository of l (in list order, o->jobs at a time, each through
 * lh_audit_repo with its clone URL and full name) into the database, skipping what an
 * interrupted run of the same scope and ruleset finished. A failing repository is
 * counted and reported, and the run goes on. Returns 0 when the run could be recorded
 * (failures are in *out), LH_EIO when the run tables cannot be read or written (message
 * names the database), LH_ENOMEM. Blocks until every started audit returned.
 */
int lh_org_run(struct lh_org_run_result *out, const struct lh_org_list *l,
               const struct lh_org_run_opts *o) LH_WUR;

#endif
