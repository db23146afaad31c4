/* SPDX-License-Identifier: MIT */
/*
 * What is read back out of a scan database: reports (the audit model of docs/audit.md as
 * json or as the HTML page of report/html.h, one occurrence per line as jsonl, SARIF), triage of a
 * secret, and the merge of several databases or JSONL files into one. None of this needs the rules:
 * findings carry their rule's id, name, provider and validator in the database.
 */
#ifndef LH_AUDIT_EXPORT_H
#define LH_AUDIT_EXPORT_H

#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The schema name of the json report (the audit model). */
#define LH_AUDIT_SCHEMA "leakhound-audit/1"

struct lh_audit_report_opts {
    const char *db_path;      /* required */
    const char *format;       /* "json", "jsonl", "sarif" or "html" (the json model rendered) */
    const char *repository;   /* only this repository's; NULL: all */
    const char *tool_version; /* tool.version, SARIF's driver version */
    const char *out_name;     /* the output's name for messages (html), or NULL */
};

/*
 * Writes the report to out. Secrets a validator rejected and findings allowed inline are
 * left out (as `history` leaves them out). *nopen (may be NULL) receives the number of
 * secrets whose triage status is open. Returns 0, LH_EUSAGE (unknown format, no such
 * repository), LH_EUSAGE also for what is no scan database, LH_EIO (cannot read it or write out).
 */
int lh_audit_report(FILE *out, const struct lh_audit_report_opts *o, size_t *nopen) LH_WUR;

/* Triage statuses: "open", "false-positive", "revoked", "accepted". */
bool lh_audit_triage_status_valid(const char *status);

/*
 * Sets the triage status (and note: NULL keeps the old one, "" clears it) of the secret
 * named by id: its id (SHA-256 hex) or the fingerprint of any occurrence. secret_id (65
 * bytes, may be NULL) receives the id. Returns 0, LH_ENOTFOUND (no such secret: the message
 * names id), LH_EUSAGE (bad status, not a scan database), LH_EIO.
 */
int lh_audit_triage(const char *db_path, const char *id, const char *status, const char *note,
                    char *secret_id) LH_WUR;

struct lh_audit_merge_stats {
    size_t inputs;
    size_t repositories; /* in the output afterwards */
    size_t secrets;
    size_t occurrences;
};

/*
 * Merges databases and JSONL files (history or report jsonl output; lines without a
 * "repository" are named after the file) into out_db (created when missing; merged into
 * when it exists). A repository present in several inputs keeps the occurrences of its
 * latest audit; occurrences are deduplicated by repository, fingerprint, path, line, column
 * and commit; secrets by id, each keeping the triage updated last. Scanned blobs are merged
 * too, so the merged database skips what any input had scanned. Returns 0, LH_EUSAGE (an
 * input that is neither, named), LH_EINVAL (a malformed JSONL line: file and line), LH_EIO.
 */
int lh_audit_merge(const char *out_db, const char *const *inputs, size_t n,
                   struct lh_audit_merge_stats *st) LH_WUR;

#endif
