/* SPDX-License-Identifier: MIT */
/* Triage of a secret in the scan database; see export.h. */
#include "audit/db.h"
#include "audit/export.h"

#include <stdio.h>
#include <string.h>

bool lh_audit_triage_status_valid(const char *status)
{
    return status && (!strcmp(status, "open") || !strcmp(status, "false-positive") ||
                      !strcmp(status, "revoked") || !strcmp(status, "accepted"));
}

/* The secret id for an id or a fingerprint; LH_ENOTFOUND when neither is known. */
static int resolve(sqlite3 *db, const char *id, char out[65])
{
    sqlite3_stmt *st = NULL;
    int rc = lh_audit_db_prepare(db, &st,
                                 "SELECT id FROM secrets WHERE id = ?1 UNION ALL"
                                 " SELECT secret FROM findings WHERE fingerprint = ?1 UNION ALL"
                                 " SELECT id FROM secrets WHERE fingerprint = ?1 LIMIT 1");
    if (rc < 0) {
        return rc;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, 65, "%s", lh_audit_db_text(st, 0));
    } else {
        lh_error_set("no secret with id or fingerprint '%s' in the scan database", id);
        rc = LH_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return rc;
}

int lh_audit_triage(const char *db_path, const char *id, const char *status, const char *note,
                    char *secret_id)
{
    if (!lh_audit_triage_status_valid(status)) {
        lh_error_set("triage status '%s' is not open, false-positive, revoked or accepted",
                     status ? status : "");
        return LH_EUSAGE;
    }
    size_t n = strlen(id);
    bool hex = n == 32 || n == 64;
    for (size_t i = 0; hex && i < n; i++) {
        hex = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
    }
    if (!hex) {
        lh_error_set("'%s' is neither a secret id (64 hex digits) nor a fingerprint (32)", id);
        return LH_EUSAGE;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char sid[65] = "";
    char now[32];
    lh_audit_db_now(now);
    int rc = lh_audit_db_open(&db, db_path, false);
    rc = rc ? rc : lh_audit_db_begin(db);
    rc = rc ? rc : resolve(db, id, sid);
    rc = rc ? rc
            : lh_audit_db_prepare(db, &st,
                                  "INSERT INTO secrets(id, status, note, updated_at)"
                                  " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET"
                                  " status = excluded.status, note = CASE WHEN ?5 THEN"
                                  " excluded.note ELSE note END, updated_at = excluded.updated_at");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
        if (note && *note) {
            sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(st, 3);
        }
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, note != NULL);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lh_audit_db_fail(db, "cannot store the triage");
    }
    sqlite3_finalize(st);
    rc = rc ? rc : lh_audit_db_commit(db);
    if (rc < 0 && db) {
        lh_audit_db_rollback(db);
    }
    lh_audit_db_close(db);
    if (rc == 0 && secret_id) {
        snprintf(secret_id, 65, "%s", sid);
    }
    return rc;
}
