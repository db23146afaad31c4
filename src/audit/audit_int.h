/* SPDX-License-Identifier: MIT */
/*
 * The state of an audit and of one repository's run, shared by audit.c (the flow: mirror,
 * refs, scan) and store.c (the database side: the blob filter, batches, findings read back
 * and the final store). Internal to src/audit.
 */
#ifndef LH_AUDIT_AUDIT_INT_H
#define LH_AUDIT_AUDIT_INT_H

#include "audit/audit.h"
#include "audit/db.h"
#include "source/git.h"

#include <pthread.h>

struct lh_audit {
    const struct lh_audit_opts *o;
    char *db_path;
    char *cache_dir;
    char hash[LH_SHA256_HEX_LEN + 1];
    int64_t ruleset;   /* the hash's id in the database */
    unsigned delay_ms; /* LEAKHOUND_TEST_SCAN_DELAY_MS: tests kill a run mid-scan */
    bool git_ref;      /* holds a libgit2 reference (lh_git_global_init) until closed */
};

/* One repository's audit. */
struct lh_audit_run {
    struct lh_audit *a;
    sqlite3 *db;
    int64_t repo;
    const char *name;
    const char *url; /* without credentials */
    struct lh_git_tips tips;
    /* the blob filter */
    struct lh_blob_filter filter;
    sqlite3_stmt *known_st;
    uint8_t (*with)[20]; /* blobs left out that had findings: read back after the scan */
    size_t nwith, awith;
    /* batches of scanned blobs, written by whichever worker fills one */
    pthread_mutex_t lock;
    uint8_t (*pending)[20];
    size_t npending, apending;
    struct lh_findings *out; /* the run's findings: those of pending blobs are in it */
    unsigned char *written;  /* per finding index: stored with its blob */
    size_t nwritten;
    size_t watermark; /* findings below are all written */
    double last_flush;
    size_t blobs_stored;
    size_t known_blobs;  /* the last complete audit's blob count (unchanged check) */
    size_t known_errors; /* ...and what it could not read */
};

/* store.c */
int lh_audit_run_begin(struct lh_audit_run *r) LH_WUR; /* statements, filter */
void lh_audit_run_end(struct lh_audit_run *r);
int lh_audit_run_flush(struct lh_audit_run *r) LH_WUR; /* the last batch */
/* After provenance: the repository's occurrences, secrets, refs and its row. */
int lh_audit_run_store(struct lh_audit_run *r, const struct lh_findings *l, size_t first,
                       const struct lh_audit_repo_stats *st, bool complete) LH_WUR;
/* Unchanged since its last complete audit: appends its stored occurrences to out. */
int lh_audit_run_load(struct lh_audit_run *r, struct lh_findings *out, size_t *n) LH_WUR;
/*
 * Suppresses the findings l[first..] whose secret is triaged in the database (a status other
 * than `open`: false-positive, revoked, accepted), so a weekly audit reports only what is
 * still open; --show-suppressed lists them with their status.
 */
int lh_audit_run_triage(struct lh_audit_run *r, struct lh_findings *l, size_t first) LH_WUR;
/* Whether the refs and ruleset match the last complete audit. */
int lh_audit_run_unchanged(struct lh_audit_run *r, bool *same) LH_WUR;

/* A finding of rules with the row's columns (shared with the report readers). */
struct lh_finding;

#endif
