/* SPDX-License-Identifier: MIT */
/*
 * The resumable organisation run; see run.h. Workers take the next repository from a
 * shared index and call lh_audit_repo, which is safe to call concurrently; everything after
 * it (the run row, the counters, the caller's callback) happens under one mutex, so the run
 * tables see one writer from this process and the callback never interleaves. The run
 * tables are touched through this module's own SQLite connection with a busy timeout, as
 * the audit's connections and other processes (shards writing into one database) write
 * too.
 */
#include "org/run.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUSY_MS 60000

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS org_runs ("
    " id INTEGER PRIMARY KEY,"
    " scope TEXT NOT NULL,"
    " ruleset_hash TEXT NOT NULL,"
    " repositories INTEGER NOT NULL,"
    " started_at TEXT NOT NULL,"
    " finished_at TEXT);"
    "CREATE INDEX IF NOT EXISTS org_runs_scope ON org_runs(scope, ruleset_hash);"
    "CREATE TABLE IF NOT EXISTS org_run_repos ("
    " run_id INTEGER NOT NULL REFERENCES org_runs(id),"
    " name TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('done', 'failed')),"
    " blobs_scanned INTEGER NOT NULL,"
    " findings INTEGER NOT NULL,"
    " secrets INTEGER NOT NULL,"
    " error TEXT,"
    " finished_at TEXT NOT NULL,"
    " PRIMARY KEY (run_id, name));";

struct run {
    const struct lh_org_list *l;
    const struct lh_org_run_opts *o;
    struct lh_org_run_result *res;
    sqlite3 *db;
    unsigned char *skip; /* per list entry: finished by the interrupted run */
    size_t next;         /* next list index to take (under mu) */
    size_t total, done;
    int failure; /* a run-table write failed: stop taking repositories */
    char failure_msg[512];
    pthread_mutex_t mu;
};

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int db_fail(const struct run *r, const char *what)
{
    lh_error_set("scan database '%s': cannot %s: %s", r->o->db_path, what, sqlite3_errmsg(r->db));
    return LH_EIO;
}

static void note(const struct run *r, const char *fmt, ...) LH_PRINTF(2, 3);

static void note(const struct run *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (!r->o->note) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->o->note(msg, r->o->payload);
}

/* Finds an unfinished run of this scope and ruleset, or starts one. */
static int begin(struct run *r, const char *hash)
{
    sqlite3_stmt *st = NULL;
    int rc = 0;
    int64_t id = 0;
    if (!r->o->restart) {
        if (sqlite3_prepare_v2(r->db,
                               "SELECT id, started_at FROM org_runs WHERE scope = ?1 AND "
                               "ruleset_hash = ?2 AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
                               -1, &st, NULL) != SQLITE_OK) {
            return db_fail(r, "read the org runs");
        }
        sqlite3_bind_text(st, 1, r->o->scope, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            note(r, "resuming the interrupted run %lld of %s (started %s)", (long long)id,
                 r->o->scope, (const char *)sqlite3_column_text(st, 1));
        } else if (s != SQLITE_DONE) {
            rc = db_fail(r, "read the org runs");
        }
        sqlite3_finalize(st);
        st = NULL;
        if (rc < 0) {
            return rc;
        }
    }
    if (id == 0) {
        char ts[32];
        now_iso(ts);
        if (sqlite3_prepare_v2(r->db,
                               "INSERT INTO org_runs (scope, ruleset_hash, repositories, "
                               "started_at) VALUES (?1, ?2, ?3, ?4)",
                               -1, &st, NULL) != SQLITE_OK) {
            return db_fail(r, "record the org run");
        }
        sqlite3_bind_text(st, 1, r->o->scope, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)r->l->count);
        sqlite3_bind_text(st, 4, ts, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = db_fail(r, "record the org run");
        }
        sqlite3_finalize(st);
        r->res->run_id = sqlite3_last_insert_rowid(r->db);
        return rc;
    }
    r->res->run_id = id;
    r->res->resumed = true;
    return 0;
}

static int by_name(const void *key, const void *item)
{
    return strcmp(key, ((const struct lh_org_repo *)item)->name);
}

/* Marks what the resumed run finished, and counts its findings. */
static int load_done(struct run *r)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT name, findings, secrets FROM org_run_repos WHERE run_id = ?1 "
                           "AND status = 'done'",
                           -1, &st, NULL) != SQLITE_OK) {
        return db_fail(r, "read the org run");
    }
    sqlite3_bind_int64(st, 1, r->res->run_id);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        /* the list is sorted by name (lh_org_list_sort) */
        const struct lh_org_repo *hit =
            name ? bsearch(name, r->l->items, r->l->count, sizeof(*r->l->items), by_name) : NULL;
        if (!hit) {
            continue; /* gone from the listing, or filtered out this time */
        }
        size_t i = (size_t)(hit - r->l->items);
        if (!r->skip[i]) {
            size_t f = (size_t)sqlite3_column_int64(st, 1);
            r->skip[i] = 1;
            r->res->resumed_done++;
            r->res->findings += f;
            r->res->secrets += (size_t)sqlite3_column_int64(st, 2);
            r->res->repos_with_findings += f > 0;
        }
    }
    int rc = s == SQLITE_DONE ? 0 : db_fail(r, "read the org run");
    sqlite3_finalize(st);
    return rc;
}

/* Records one repository's end (under mu). */
static int record(struct run *r, const struct lh_org_repo *repo,
                  const struct lh_audit_repo_stats *st, const char *error)
{
    sqlite3_stmt *q = NULL;
    char ts[32];
    now_iso(ts);
    if (sqlite3_prepare_v2(r->db,
                           "INSERT OR REPLACE INTO org_run_repos (run_id, name, status, "
                           "blobs_scanned, findings, secrets, error, finished_at) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &q, NULL) != SQLITE_OK) {
        return db_fail(r, "record a repository of the org run");
    }
    sqlite3_bind_int64(q, 1, r->res->run_id);
    sqlite3_bind_text(q, 2, repo->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, error ? "failed" : "done", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)st->blobs_scanned);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)st->findings);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)st->secrets);
    if (error) {
        sqlite3_bind_text(q, 7, error, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(q, 7);
    }
    sqlite3_bind_text(q, 8, ts, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : db_fail(r, "record a repository of the org run");
    sqlite3_finalize(q);
    return rc;
}

static void *worker(void *arg)
{
    struct run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->next < r->l->count && r->skip[r->next]) {
            r->next++;
        }
        size_t i = r->next < r->l->count && !r->failure ? r->next++ : r->l->count;
        pthread_mutex_unlock(&r->mu);
        if (i >= r->l->count) {
            return NULL;
        }
        const struct lh_org_repo *repo = &r->l->items[i];
        struct lh_audit_repo_stats st;
        memset(&st, 0, sizeof(st));
        lh_error_clear();
        int rc = lh_audit_repo(r->o->audit, repo->clone_url, repo->name, &st);
        char err[1024] = "";
        if (rc < 0) {
            snprintf(err, sizeof(err), "%s", lh_error_get()[0] ? lh_error_get() : "failed");
        }
        pthread_mutex_lock(&r->mu);
        struct lh_org_run_result *res = r->res;
        if (rc < 0) {
            res->failed++;
        } else {
            /* triaged secrets (false positives, revoked, accepted) are not open findings */
            st.findings -= st.triaged;
            st.secrets -= st.triaged_secrets;
            res->audited++;
            res->findings += st.findings;
            res->secrets += st.secrets;
            res->repos_with_findings += st.findings > 0;
            res->triaged += st.triaged;
            res->triaged_secrets += st.triaged_secrets;
        }
        res->blobs_scanned += st.blobs_scanned;
        res->blobs_skipped += st.blobs_skipped;
        res->object_errors += st.errors;
        if (!r->failure) {
            int wrc = record(r, repo, &st, rc < 0 ? err : NULL);
            if (wrc < 0) {
                r->failure = wrc;
                snprintf(r->failure_msg, sizeof(r->failure_msg), "%s", lh_error_get());
            }
        }
        r->done++;
        if (r->o->on_repo) {
            struct lh_org_run_event ev = {r->done, r->total, repo, &st, rc, rc < 0 ? err : NULL};
            r->o->on_repo(&ev, r->o->payload);
        }
        pthread_mutex_unlock(&r->mu);
    }
}

static int finish(struct run *r)
{
    sqlite3_stmt *st = NULL;
    char ts[32];
    now_iso(ts);
    if (sqlite3_prepare_v2(r->db, "UPDATE org_runs SET finished_at = ?1 WHERE id = ?2", -1, &st,
                           NULL) != SQLITE_OK) {
        return db_fail(r, "finish the org run");
    }
    sqlite3_bind_text(st, 1, ts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, r->res->run_id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(r, "finish the org run");
    sqlite3_finalize(st);
    return rc;
}

static int run_workers(struct run *r)
{
    size_t jobs = r->o->jobs ? r->o->jobs : 1;
    if (jobs > r->total) {
        jobs = r->total ? r->total : 1;
    }
    pthread_t *t = calloc(jobs, sizeof(*t));
    if (!t) {
        return lh_error_oom();
    }
    size_t started = 0;
    int rc = 0;
    for (; started < jobs; started++) {
        if (pthread_create(&t[started], NULL, worker, r) != 0) {
            break;
        }
    }
    if (started == 0) {
        lh_error_set("cannot start a thread for the org run");
        rc = LH_ERROR;
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
    }
    free(t);
    return rc;
}

int lh_org_run(struct lh_org_run_result *out, const struct lh_org_list *l,
               const struct lh_org_run_opts *o)
{
    struct run r;
    memset(out, 0, sizeof(*out));
    memset(&r, 0, sizeof(r));
    r.l = l;
    r.o = o;
    r.res = out;
    out->repositories = l->count;
    int rc = 0;
    if (pthread_mutex_init(&r.mu, NULL) != 0) {
        return lh_error_oom();
    }
    r.skip = calloc(l->count + 1, 1);
    if (!r.skip) {
        rc = lh_error_oom();
        goto out;
    }
    if (sqlite3_open_v2(o->db_path, &r.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        rc = db_fail(&r, "open it");
        goto out;
    }
    sqlite3_busy_timeout(r.db, BUSY_MS);
    if (sqlite3_exec(r.db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(&r, "create the org run tables");
        goto out;
    }
    rc = begin(&r, lh_audit_ruleset_hash(o->audit));
    if (rc == 0 && out->resumed) {
        rc = load_done(&r);
    }
    if (rc < 0) {
        goto out;
    }
    if (out->resumed_done) {
        note(&r,
             "%zu of %zu repositories were finished by the interrupted run: not audited "
             "again",
             out->resumed_done, l->count);
    }
    r.total = l->count - out->resumed_done;
    if (r.total) {
        /* concurrent audits are safe: the lh_audit holds libgit2 for the whole run */
        rc = run_workers(&r);
    }
    if (rc == 0 && r.failure) {
        lh_error_set("%s", r.failure_msg);
        rc = r.failure;
    }
    if (rc == 0 && out->failed == 0) {
        rc = finish(&r);
    }
out:
    if (r.db) {
        sqlite3_close(r.db);
    }
    free(r.skip);
    pthread_mutex_destroy(&r.mu);
    return rc;
}
