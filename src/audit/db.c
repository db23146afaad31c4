/* SPDX-License-Identifier: MIT */
/* The scan database's schema, connections and transactions; see db.h. */
#include "audit/db.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const SCHEMA =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS rulesets(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
    " created_at TEXT);"
    "CREATE TABLE IF NOT EXISTS repositories(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " url TEXT, last_scanned_at TEXT, ruleset INTEGER, complete INTEGER NOT NULL DEFAULT 0,"
    " refs INTEGER NOT NULL DEFAULT 0, blobs INTEGER NOT NULL DEFAULT 0,"
    " blobs_scanned INTEGER NOT NULL DEFAULT 0, findings INTEGER NOT NULL DEFAULT 0,"
    " errors INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS refs(repo INTEGER NOT NULL REFERENCES repositories(id)"
    " ON DELETE CASCADE, name TEXT NOT NULL, tip TEXT NOT NULL, PRIMARY KEY(repo, name))"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS blobs(blob BLOB NOT NULL, ruleset INTEGER NOT NULL,"
    " findings INTEGER NOT NULL, PRIMARY KEY(blob, ruleset)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS blob_findings(blob BLOB NOT NULL, ruleset INTEGER NOT NULL,"
    " rule_id TEXT NOT NULL, rule_name TEXT, provider TEXT, validator TEXT, path TEXT,"
    " line INTEGER, col INTEGER, end_line INTEGER, end_col INTEGER, offset INTEGER,"
    " length INTEGER, confidence INTEGER, invalid INTEGER, suppressed_by INTEGER,"
    " decoded TEXT, secret TEXT NOT NULL, fingerprint TEXT NOT NULL, redacted TEXT,"
    " meta_key TEXT, meta_value TEXT);"
    "CREATE INDEX IF NOT EXISTS blob_findings_blob ON blob_findings(blob, ruleset);"
    "CREATE TABLE IF NOT EXISTS findings(repo INTEGER NOT NULL REFERENCES repositories(id)"
    " ON DELETE CASCADE, secret TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " rule_id TEXT NOT NULL, rule_name TEXT, provider TEXT, validator TEXT, confidence INTEGER,"
    " invalid INTEGER, suppressed_by INTEGER, path TEXT, line INTEGER, col INTEGER,"
    " end_line INTEGER, end_col INTEGER, decoded TEXT, redacted TEXT, meta_key TEXT,"
    " meta_value TEXT, commit_id TEXT, date TEXT, author TEXT, message TEXT, blob TEXT,"
    " refs TEXT);"
    "CREATE INDEX IF NOT EXISTS findings_repo ON findings(repo);"
    "CREATE INDEX IF NOT EXISTS findings_secret ON findings(secret);"
    "CREATE INDEX IF NOT EXISTS findings_fingerprint ON findings(fingerprint);"
    "CREATE TABLE IF NOT EXISTS secrets(id TEXT PRIMARY KEY, rule_id TEXT, fingerprint TEXT,"
    " redacted TEXT, first_seen TEXT, status TEXT NOT NULL DEFAULT 'open', note TEXT,"
    " updated_at TEXT);";

int lh_audit_db_fail(sqlite3 *db, const char *what)
{
    lh_error_set("%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
    return LH_EIO;
}

int lh_audit_db_exec(sqlite3 *db, const char *sql, const char *what)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        lh_error_set("%s: %s", what, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return LH_EIO;
    }
    return 0;
}

int lh_audit_db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql)
{
    if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return lh_audit_db_fail(db, "scan database");
    }
    return 0;
}

int lh_audit_db_begin(sqlite3 *db)
{
    return lh_audit_db_exec(db, "BEGIN IMMEDIATE", "scan database: cannot start a write");
}

int lh_audit_db_commit(sqlite3 *db)
{
    return lh_audit_db_exec(db, "COMMIT", "scan database: cannot commit");
}

void lh_audit_db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
}

const char *lh_audit_db_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

void lh_audit_db_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The schema version of an opened database (0: no meta table, a new file). */
static int schema_version(sqlite3 *db, const char *path, int *version)
{
    sqlite3_stmt *st = NULL;
    *version = 0;
    int prc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema'", -1, &st, NULL);
    if (prc != SQLITE_OK) {
        /* no meta table: empty (new) or someone else's database */
        sqlite3_stmt *any = NULL;
        int n = 0;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &any, NULL) ==
                SQLITE_OK &&
            sqlite3_step(any) == SQLITE_ROW) {
            n = sqlite3_column_int(any, 0);
        } else {
            sqlite3_finalize(any);
            lh_error_set("'%s' is not a leakhound scan database: %s", path, sqlite3_errmsg(db));
            return LH_EUSAGE;
        }
        sqlite3_finalize(any);
        if (n) {
            lh_error_set("'%s' is not a leakhound scan database", path);
            return LH_EUSAGE;
        }
        return 0;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return 0;
}

int lh_audit_db_open(sqlite3 **out, const char *path, bool create)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    *out = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        lh_error_set("cannot open the scan database '%s': %s", path,
                     db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return LH_EIO;
    }
    sqlite3_busy_timeout(db, LH_AUDIT_DB_BUSY_MS);
    sqlite3_extended_result_codes(db, 1);
    int version = 0;
    int rc = lh_audit_db_exec(db,
                              "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              " PRAGMA foreign_keys=ON;",
                              "cannot open the scan database");
    if (rc < 0) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s", lh_error_get());
        sqlite3_close(db);
        /* a file that is no SQLite database at all fails here */
        lh_error_set("'%s' is not a leakhound scan database (%s)", path, msg);
        return LH_EUSAGE;
    }
    rc = schema_version(db, path, &version);
    if (rc == 0 && version > LH_AUDIT_DB_SCHEMA) {
        lh_error_set("the scan database '%s' has schema %d; this leakhound reads up to %d", path,
                     version, LH_AUDIT_DB_SCHEMA);
        rc = LH_EUSAGE;
    }
    if (rc == 0 && version == 0) {
        if (!create) {
            lh_error_set("'%s' is not a leakhound scan database (it is empty)", path);
            rc = LH_EUSAGE;
        } else {
            rc = lh_audit_db_begin(db);
            rc = rc ? rc : lh_audit_db_exec(db, SCHEMA, "cannot create the scan database");
            rc = rc ? rc
                    : lh_audit_db_exec(db, "INSERT OR IGNORE INTO meta VALUES('schema','1')",
                                       "cannot create the scan database");
            rc = rc ? rc : lh_audit_db_commit(db);
            if (rc < 0) {
                lh_audit_db_rollback(db);
            }
        }
    }
    if (rc < 0) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void lh_audit_db_close(sqlite3 *db)
{
    sqlite3_close(db);
}

int lh_audit_db_ruleset_id(sqlite3 *db, const char *hash, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    lh_audit_db_now(now);
    int rc = lh_audit_db_prepare(db, &st,
                                 "INSERT OR IGNORE INTO rulesets(hash, created_at)"
                                 " VALUES(?1, ?2)");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lh_audit_db_fail(db, "scan database");
        sqlite3_finalize(st);
    }
    if (rc == 0) {
        rc = lh_audit_db_prepare(db, &st, "SELECT id FROM rulesets WHERE hash = ?1");
    }
    if (rc == 0) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *id = sqlite3_column_int64(st, 0);
        } else {
            rc = lh_audit_db_fail(db, "scan database");
        }
        sqlite3_finalize(st);
    }
    return rc;
}
