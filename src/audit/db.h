/* SPDX-License-Identifier: MIT */
/*
 * The scan database (SQLite): schema, connections and transactions. Tables:
 *   meta(key, value)                      schema version, organisation
 *   rulesets(id, hash)                    ruleset hashes seen, by small id
 *   repositories(id, name, url, ...)      one per audited repository (url without credentials)
 *   refs(repo, name, tip)                 the refs of the last complete audit
 *   blobs(blob, ruleset, findings)        blobs scanned with a ruleset (raw 20-byte ids)
 *   blob_findings(blob, ruleset, ...)     what those blobs yielded, before provenance
 *   findings(repo, secret, ...)           occurrences with provenance, per repository
 *   secrets(id, ..., status, note, ...)   one per secret (SHA-256), with its triage
 * Raw secrets are never stored. Every connection runs in WAL mode with a busy timeout, so
 * readers never wait and writers (one at a time, BEGIN IMMEDIATE) queue; a transaction is
 * all or nothing, so a killed writer loses only its open batch. Internal to src/audit.
 */
#ifndef LH_AUDIT_DB_H
#define LH_AUDIT_DB_H

#include "util/error.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define LH_AUDIT_DB_SCHEMA 1

/* How long a connection waits for another writer (ms). */
#define LH_AUDIT_DB_BUSY_MS 120000

/*
 * Opens path (creating the file and its schema when create; the directory must exist) with
 * its own connection. Returns 0, LH_EIO (cannot open: the message names path), LH_EUSAGE (not
 * a leakhound scan database, or a newer schema). *out is set on success only.
 */
int lh_audit_db_open(sqlite3 **out, const char *path, bool create) LH_WUR;
void lh_audit_db_close(sqlite3 *db);

/* Runs SQL without results; LH_EIO with the message "<what>: <sqlite message>". */
int lh_audit_db_exec(sqlite3 *db, const char *sql, const char *what) LH_WUR;

/* BEGIN IMMEDIATE (waiting for other writers), COMMIT, ROLLBACK (never fails). */
int lh_audit_db_begin(sqlite3 *db) LH_WUR;
int lh_audit_db_commit(sqlite3 *db) LH_WUR;
void lh_audit_db_rollback(sqlite3 *db);

/* Prepares a statement; LH_EIO with the message on failure. */
int lh_audit_db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql) LH_WUR;

/* Records "<what>: <sqlite message>" and returns LH_EIO. */
int lh_audit_db_fail(sqlite3 *db, const char *what) LH_WUR;

/* The id of a ruleset hash, inserted when new. */
int lh_audit_db_ruleset_id(sqlite3 *db, const char *hash, int64_t *id) LH_WUR;

/* UTC now as ISO 8601 ("2026-12-06T10:00:00Z") into out[32]. */
void lh_audit_db_now(char out[32]);

/* sqlite3_column_text as a C string ("" for NULL). */
const char *lh_audit_db_text(sqlite3_stmt *st, int col);

#endif
