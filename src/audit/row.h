/* SPDX-License-Identifier: MIT */
/*
 * Findings as rows of the scan database and back: the columns of blob_findings (what a blob
 * yielded) and of findings (an occurrence: the same plus repository, commit, author, date,
 * message, blob and refs). A finding read back has no raw secret (secret NULL, redacted
 * set). Its rule is the loaded rule of that id, or, for readers without the rules (reports,
 * merge), a stand-in rule made from the row (id, name, provider, validator) in `stubs`.
 * Internal to src/audit.
 */
#ifndef LH_AUDIT_ROW_H
#define LH_AUDIT_ROW_H

#include "finding/finding.h"
#include "rules/ruleset.h"

#include <sqlite3.h>
#include <stdint.h>

#define LH_AUDIT_ROW_COLS                                                                          \
    "rule_id, rule_name, provider, validator, path, line, col, end_line, end_col, confidence,"     \
    " invalid, suppressed_by, decoded, secret, fingerprint, redacted, meta_key, meta_value"

#define LH_AUDIT_ROW_BLOB_INSERT                                                                   \
    "INSERT INTO blob_findings(blob, ruleset, offset, length, " LH_AUDIT_ROW_COLS ")"              \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"     \
    " ?19, ?20, ?21, ?22)"

#define LH_AUDIT_ROW_BLOB_SELECT                                                                   \
    "SELECT " LH_AUDIT_ROW_COLS " FROM blob_findings WHERE blob = ?1 AND ruleset = ?2"

#define LH_AUDIT_ROW_OCC_COLS                                                                      \
    LH_AUDIT_ROW_COLS ", commit_id, date, author, message, blob, refs, repo"

#define LH_AUDIT_ROW_OCC_INSERT                                                                    \
    "INSERT INTO findings(" LH_AUDIT_ROW_OCC_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"   \
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"

#define LH_AUDIT_ROW_OCC_SELECT "SELECT " LH_AUDIT_ROW_OCC_COLS " FROM findings"

/* Number of columns of LH_AUDIT_ROW_COLS (the occurrence columns follow them). */
#define LH_AUDIT_ROW_NCOLS 18

/* Binds f to an insert of blob_findings (the statement is reset by the caller). */
int lh_audit_row_bind_blob_finding(sqlite3_stmt *st, const struct lh_finding *f,
                                   const uint8_t blob[20], int64_t ruleset) LH_WUR;
/* Binds f to an insert of findings for repository repo. */
int lh_audit_row_bind_occurrence(sqlite3_stmt *st, const struct lh_finding *f, int64_t repo) LH_WUR;

/*
 * Reads the current row of a LH_AUDIT_ROW_BLOB_SELECT into *f (zeroed first; dispose it).
 * rules: where rules are found by id. Returns 0, 1 (no such rule: *f is empty) or LH_ENOMEM.
 */
int lh_audit_row_blob_finding(struct lh_finding *f, sqlite3_stmt *st, const uint8_t blob[20],
                              const struct lh_ruleset *rules) LH_WUR;

/*
 * Reads the current row of a LH_AUDIT_ROW_OCC_SELECT into *f, provenance included. rules
 * may be NULL; stubs (may be NULL) receives stand-in rules for ids rules lacks. Returns 0, 1
 * (no rule) or LH_ENOMEM.
 */
int lh_audit_row_occurrence(struct lh_finding *f, sqlite3_stmt *st, const struct lh_ruleset *rules,
                            struct lh_ruleset *stubs) LH_WUR;

#endif
