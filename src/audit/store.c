/* SPDX-License-Identifier: MIT */
/*
 * The database side of one repository's audit (audit_int.h): the blob filter (known blobs
 * by (id, ruleset), batches of scanned blobs committed with their findings by the worker
 * that fills a batch, the findings of known blobs read back before provenance), the final
 * store of the repository's occurrences, secrets, refs and row, and the unchanged check.
 */
#include "audit/audit_int.h"
#include "audit/row.h"
#include "util/clock.h"
#include "util/encode.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH_BLOBS 1024
#define BATCH_SECONDS 1.0

static int hex_to_raw(uint8_t out[20], const char *hex)
{
    if (!hex || strlen(hex) != 40) {
        return -1;
    }
    for (size_t i = 0; i < 20; i++) {
        int hi = lh_hex_digit((uint8_t)hex[2 * i]);
        int lo = lh_hex_digit((uint8_t)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

static int push_id(uint8_t (**arr)[20], size_t *n, size_t *alloc, const uint8_t id[20])
{
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 256;
        uint8_t(*p)[20] = realloc(*arr, na * sizeof(**arr));
        if (!p) {
            return lh_error_oom();
        }
        *arr = p;
        *alloc = na;
    }
    memcpy((*arr)[(*n)++], id, 20);
    return 0;
}

static bool filter_known(const uint8_t id[20], void *payload)
{
    struct lh_audit_run *r = payload;
    sqlite3_stmt *st = r->known_st;
    sqlite3_bind_blob(st, 1, id, 20, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_int64 findings = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    /*
     * Reset at once: a statement left on its row keeps a read transaction open on this
     * connection, and in WAL mode the next BEGIN IMMEDIATE (flush_locked) then fails with
     * SQLITE_BUSY_SNAPSHOT, without waiting, whenever another audit has committed meanwhile.
     */
    sqlite3_reset(st);
    if (s != SQLITE_ROW) {
        return false; /* unknown (or unreadable: scanning again is the safe side) */
    }
    if (findings > 0 && push_id(&r->with, &r->nwith, &r->awith, id) < 0) {
        return false; /* out of memory: scan it again rather than lose its findings */
    }
    return true;
}

/* Writes the pending blobs and their findings in one transaction; r->lock held. */
static int flush_locked(struct lh_audit_run *r)
{
    if (!r->npending) {
        return 0;
    }
    qsort(r->pending, r->npending, 20, cmp_id);
    size_t *counts = calloc(r->npending, sizeof(*counts));
    if (!counts) {
        return lh_error_oom();
    }
    sqlite3_stmt *bf = NULL;
    sqlite3_stmt *bl = NULL;
    int rc = lh_audit_db_begin(r->db);
    rc = rc ? rc : lh_audit_db_prepare(r->db, &bf, LH_AUDIT_ROW_BLOB_INSERT);
    rc = rc ? rc
            : lh_audit_db_prepare(r->db, &bl,
                                  "INSERT OR REPLACE INTO blobs(blob, ruleset, findings)"
                                  " VALUES(?1, ?2, ?3)");
    struct lh_findings *l = r->out;
    pthread_mutex_lock(&l->lock);
    if (rc == 0 && r->nwritten < l->count) {
        unsigned char *w = realloc(r->written, l->count);
        if (!w) {
            rc = lh_error_oom();
        } else {
            memset(w + r->nwritten, 0, l->count - r->nwritten);
            r->written = w;
            r->nwritten = l->count;
        }
    }
    for (size_t i = r->watermark; rc == 0 && i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        uint8_t id[20];
        if (r->written[i] || hex_to_raw(id, f->prov.blob) < 0) {
            continue;
        }
        uint8_t(*hit)[20] = bsearch(id, r->pending, r->npending, 20, cmp_id);
        if (!hit) {
            continue; /* its blob is still being scanned */
        }
        counts[hit - r->pending]++;
        rc = lh_audit_row_bind_blob_finding(bf, f, id, r->a->ruleset);
        if (rc == 0 && sqlite3_step(bf) != SQLITE_DONE) {
            rc = lh_audit_db_fail(r->db, "cannot store findings");
        }
        sqlite3_reset(bf);
        r->written[i] = 1;
    }
    while (r->watermark < r->nwritten && r->written[r->watermark]) {
        r->watermark++;
    }
    pthread_mutex_unlock(&l->lock);
    for (size_t i = 0; rc == 0 && i < r->npending; i++) {
        sqlite3_bind_blob(bl, 1, r->pending[i], 20, SQLITE_STATIC);
        sqlite3_bind_int64(bl, 2, r->a->ruleset);
        sqlite3_bind_int64(bl, 3, (sqlite3_int64)counts[i]);
        if (sqlite3_step(bl) != SQLITE_DONE) {
            rc = lh_audit_db_fail(r->db, "cannot store scanned blobs");
        }
        sqlite3_reset(bl);
    }
    sqlite3_finalize(bf);
    sqlite3_finalize(bl);
    free(counts);
    rc = rc ? rc : lh_audit_db_commit(r->db);
    if (rc < 0) {
        lh_audit_db_rollback(r->db);
        return rc;
    }
    r->blobs_stored += r->npending;
    r->npending = 0;
    r->last_flush = lh_clock_now();
    return 0;
}

static int filter_scanned(const uint8_t id[20], void *payload)
{
    struct lh_audit_run *r = payload;
    if (r->a->delay_ms) {
        usleep(r->a->delay_ms * 1000u);
    }
    pthread_mutex_lock(&r->lock);
    int rc = push_id(&r->pending, &r->npending, &r->apending, id);
    if (rc == 0 &&
        (r->npending >= BATCH_BLOBS || lh_clock_now() - r->last_flush >= BATCH_SECONDS)) {
        rc = flush_locked(r);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

int lh_audit_run_flush(struct lh_audit_run *r)
{
    pthread_mutex_lock(&r->lock);
    int rc = flush_locked(r);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* After the read: the last batch, then what the blobs left out held. */
static int filter_add_known(struct lh_findings *out, void *payload)
{
    struct lh_audit_run *r = payload;
    int rc = lh_audit_run_flush(r);
    sqlite3_stmt *st = NULL;
    rc = rc ? rc : lh_audit_db_prepare(r->db, &st, LH_AUDIT_ROW_BLOB_SELECT);
    for (size_t i = 0; rc == 0 && i < r->nwith; i++) {
        sqlite3_bind_blob(st, 1, r->with[i], 20, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, r->a->ruleset);
        int s;
        while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
            struct lh_finding f;
            rc = lh_audit_row_blob_finding(&f, st, r->with[i], r->a->o->rules);
            if (rc == 1) {
                rc = 0; /* a rule no longer loaded cannot be: the ruleset hash is the same */
                continue;
            }
            rc = rc ? rc : lh_findings_push(out, &f);
            lh_finding_dispose(&f);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int lh_audit_run_begin(struct lh_audit_run *r)
{
    pthread_mutex_init(&r->lock, NULL);
    r->last_flush = lh_clock_now();
    r->filter = (struct lh_blob_filter){
        .known = filter_known,
        .scanned = filter_scanned,
        .add_known = filter_add_known,
        .payload = r,
    };
    int rc = lh_audit_db_prepare(r->db, &r->known_st,
                                 "SELECT findings FROM blobs WHERE blob = ?1 AND ruleset = ?2");
    if (rc == 0) {
        sqlite3_bind_int64(r->known_st, 2, r->a->ruleset);
    }
    /* the repository's row, made when new (its id is stable from here) */
    sqlite3_stmt *st = NULL;
    rc = rc ? rc
            : lh_audit_db_prepare(r->db, &st,
                                  "INSERT INTO repositories(name, url) VALUES(?1, ?2)"
                                  " ON CONFLICT(name) DO UPDATE SET url = excluded.url");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->url, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0
                                             : lh_audit_db_fail(r->db, "cannot store repository");
        sqlite3_finalize(st);
        st = NULL;
    }
    rc = rc ? rc : lh_audit_db_prepare(r->db, &st, "SELECT id FROM repositories WHERE name = ?1");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            r->repo = sqlite3_column_int64(st, 0);
        } else {
            rc = lh_audit_db_fail(r->db, "cannot store repository");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

void lh_audit_run_end(struct lh_audit_run *r)
{
    if (r->known_st || r->last_flush > 0) {
        pthread_mutex_destroy(&r->lock);
    }
    sqlite3_finalize(r->known_st);
    free(r->with);
    free(r->pending);
    free(r->written);
}

int lh_audit_run_unchanged(struct lh_audit_run *r, bool *same)
{
    *same = false;
    sqlite3_stmt *st = NULL;
    int rc = lh_audit_db_prepare(r->db, &st,
                                 "SELECT ruleset, complete, blobs, errors FROM repositories"
                                 " WHERE id = ?1");
    if (rc < 0) {
        return rc;
    }
    sqlite3_bind_int64(st, 1, r->repo);
    bool candidate = sqlite3_step(st) == SQLITE_ROW &&
                     sqlite3_column_int64(st, 0) == r->a->ruleset && sqlite3_column_int(st, 1) == 1;
    r->known_blobs = candidate ? (size_t)sqlite3_column_int64(st, 2) : 0;
    r->known_errors = candidate ? (size_t)sqlite3_column_int64(st, 3) : 0;
    sqlite3_finalize(st);
    if (!candidate) {
        return 0;
    }
    rc =
        lh_audit_db_prepare(r->db, &st, "SELECT name, tip FROM refs WHERE repo = ?1 ORDER BY name");
    if (rc < 0) {
        return rc;
    }
    sqlite3_bind_int64(st, 1, r->repo);
    size_t i = 0;
    bool eq = true;
    while (eq && sqlite3_step(st) == SQLITE_ROW) {
        char hex[GIT_OID_HEXSZ + 1];
        if (i >= r->tips.count) {
            eq = false;
            break;
        }
        lh_git_hex(hex, &r->tips.items[i].id);
        eq = !strcmp(lh_audit_db_text(st, 0), r->tips.items[i].name) &&
             !strcmp(lh_audit_db_text(st, 1), hex);
        i++;
    }
    sqlite3_finalize(st);
    *same = eq && i == r->tips.count;
    return 0;
}

/* The static string for a triage status read from the database; NULL for `open`. */
static const char *triage_status(const char *s)
{
    static const char *const known[] = {"false-positive", "revoked", "accepted"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (!strcmp(s, known[i])) {
            return known[i];
        }
    }
    return NULL;
}

int lh_audit_run_triage(struct lh_audit_run *r, struct lh_findings *l, size_t first)
{
    sqlite3_stmt *st = NULL;
    int rc = lh_audit_db_prepare(r->db, &st,
                                 "SELECT s.status FROM findings f JOIN secrets s ON s.id = f.secret"
                                 " WHERE f.fingerprint = ?1 AND s.status <> 'open' LIMIT 1");
    for (size_t i = first; rc == 0 && i < l->count; i++) {
        struct lh_finding *f = &l->items[i];
        if (f->invalid || f->suppressed) {
            continue;
        }
        sqlite3_bind_text(st, 1, f->fingerprint, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            f->triage = triage_status(lh_audit_db_text(st, 0));
            f->suppressed = f->triage != NULL;
            f->suppressed_by = f->triage ? LH_SUPP_TRIAGE : LH_SUPP_NONE;
        } else if (step != SQLITE_DONE) {
            rc = lh_audit_db_fail(r->db, "cannot read triage");
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

int lh_audit_run_load(struct lh_audit_run *r, struct lh_findings *out, size_t *n)
{
    sqlite3_stmt *st = NULL;
    *n = 0;
    int rc = lh_audit_db_prepare(r->db, &st, LH_AUDIT_ROW_OCC_SELECT " WHERE repo = ?1");
    if (rc < 0) {
        return rc;
    }
    sqlite3_bind_int64(st, 1, r->repo);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        struct lh_finding f;
        rc = lh_audit_row_occurrence(&f, st, r->a->o->rules, NULL);
        if (rc == 1) {
            rc = 0;
            continue;
        }
        rc = rc ? rc : lh_findings_push(out, &f);
        lh_finding_dispose(&f);
        *n += rc == 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static int store_refs(struct lh_audit_run *r)
{
    sqlite3_stmt *st = NULL;
    int rc = lh_audit_db_prepare(r->db, &st, "DELETE FROM refs WHERE repo = ?1");
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, r->repo);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lh_audit_db_fail(r->db, "cannot store refs");
    }
    sqlite3_finalize(st);
    st = NULL;
    rc =
        rc ? rc : lh_audit_db_prepare(r->db, &st, "INSERT OR REPLACE INTO refs VALUES(?1, ?2, ?3)");
    for (size_t i = 0; rc == 0 && i < r->tips.count; i++) {
        char hex[GIT_OID_HEXSZ + 1];
        lh_git_hex(hex, &r->tips.items[i].id);
        sqlite3_bind_int64(st, 1, r->repo);
        sqlite3_bind_text(st, 2, r->tips.items[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = lh_audit_db_fail(r->db, "cannot store refs");
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int store_occurrences(struct lh_audit_run *r, const struct lh_findings *l, size_t first)
{
    sqlite3_stmt *del = NULL;
    sqlite3_stmt *ins = NULL;
    sqlite3_stmt *sec = NULL;
    char now[32];
    lh_audit_db_now(now);
    int rc = lh_audit_db_prepare(r->db, &del, "DELETE FROM findings WHERE repo = ?1");
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, r->repo);
        rc =
            sqlite3_step(del) == SQLITE_DONE ? 0 : lh_audit_db_fail(r->db, "cannot store findings");
    }
    rc = rc ? rc : lh_audit_db_prepare(r->db, &ins, LH_AUDIT_ROW_OCC_INSERT);
    rc = rc ? rc
            : lh_audit_db_prepare(r->db, &sec,
                                  "INSERT OR IGNORE INTO secrets(id, rule_id, fingerprint,"
                                  " redacted, first_seen) VALUES(?1, ?2, ?3, ?4, ?5)");
    for (size_t i = first; rc == 0 && i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        rc = lh_audit_row_bind_occurrence(ins, f, r->repo);
        if (rc == 0 && sqlite3_step(ins) != SQLITE_DONE) {
            rc = lh_audit_db_fail(r->db, "cannot store findings");
        }
        sqlite3_reset(ins);
        if (rc < 0 || f->invalid) {
            continue; /* a validator rejected it: no secret to triage */
        }
        char red[64];
        lh_finding_redact(red, sizeof(red), f);
        sqlite3_bind_text(sec, 1, f->secret_sha256, -1, SQLITE_STATIC);
        sqlite3_bind_text(sec, 2, f->rule->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(sec, 3, f->fingerprint, -1, SQLITE_STATIC);
        sqlite3_bind_text(sec, 4, red, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(sec, 5, now, -1, SQLITE_STATIC);
        if (sqlite3_step(sec) != SQLITE_DONE) {
            rc = lh_audit_db_fail(r->db, "cannot store secrets");
        }
        sqlite3_reset(sec);
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(sec);
    return rc;
}

int lh_audit_run_store(struct lh_audit_run *r, const struct lh_findings *l, size_t first,
                       const struct lh_audit_repo_stats *st, bool complete)
{
    char now[32];
    lh_audit_db_now(now);
    int rc = lh_audit_db_begin(r->db);
    if (rc == 0 && !st->unchanged) {
        rc = store_occurrences(r, l, first);
        rc = rc ? rc : store_refs(r);
    }
    sqlite3_stmt *up = NULL;
    rc = rc ? rc
            : lh_audit_db_prepare(r->db, &up,
                                  st->unchanged
                                      ? "UPDATE repositories SET last_scanned_at = ?2,"
                                        " complete = complete WHERE id = ?1"
                                      : "UPDATE repositories SET last_scanned_at = ?2,"
                                        " ruleset = ?3, complete = ?4, refs = ?5, blobs = ?6,"
                                        " blobs_scanned = ?7, findings = ?8, errors = ?9"
                                        " WHERE id = ?1");
    if (rc == 0) {
        sqlite3_bind_int64(up, 1, r->repo);
        sqlite3_bind_text(up, 2, now, -1, SQLITE_STATIC);
        if (!st->unchanged) {
            sqlite3_bind_int64(up, 3, r->a->ruleset);
            sqlite3_bind_int(up, 4, complete);
            sqlite3_bind_int64(up, 5, (sqlite3_int64)st->refs);
            sqlite3_bind_int64(up, 6, (sqlite3_int64)st->blobs_total);
            sqlite3_bind_int64(up, 7, (sqlite3_int64)st->blobs_scanned);
            sqlite3_bind_int64(up, 8, (sqlite3_int64)st->findings);
            sqlite3_bind_int64(up, 9, (sqlite3_int64)st->errors);
        }
        rc = sqlite3_step(up) == SQLITE_DONE ? 0
                                             : lh_audit_db_fail(r->db, "cannot store repository");
    }
    sqlite3_finalize(up);
    rc = rc ? rc : lh_audit_db_commit(r->db);
    if (rc < 0) {
        lh_audit_db_rollback(r->db);
    }
    return rc;
}
