/* SPDX-License-Identifier: MIT */
/*
 * Report writers, one per format behind a small ops table: text (for people), json (an
 * array), jsonl (one object per line), sarif (SARIF 2.1.0 for code scanning). Writers
 * receive the sorted finding list and a context; suppressed findings (baseline, minimum
 * confidence) are left out and only counted. They never print raw secrets unless
 * ctx->show_secrets is set, and then only in the `secret` field (text, json, jsonl; SARIF
 * never carries a secret). Field names are stable: rule_id, rule_name, confidence, path,
 * line, column, end_line, end_column, secret, secret_sha256, fingerprint (+ git provenance).
 */
#ifndef LH_REPORT_REPORT_H
#define LH_REPORT_REPORT_H

#include "finding/finding.h"
#include "rules/ruleset.h"

#include <stdbool.h>
#include <stdio.h>

struct lh_report_summary {
    size_t files;
    size_t bytes;
    size_t skipped_binary;
    size_t skipped_large;
    size_t skipped_other;
    size_t errors;
    double seconds;
    const char *unit;     /* "files" or "blobs" */
    bool incremental;     /* a scan database said which blobs were scanned before */
    size_t skipped_known; /* ...and these were not read again */
};

struct lh_report_ctx {
    bool show_secrets;
    bool show_invalid;
    bool show_suppressed; /* text, json, jsonl: list suppressed findings too, marked */
    bool color;
    const struct lh_ruleset *rules;
    const struct lh_report_summary *summary;
    const char *tool_version;
    /* SARIF runs[0].automationDetails.id, the code-scanning category ("category/" form);
     * NULL: "leakhound/" */
    const char *automation_id;
    /* `github` format: a file to append a Markdown summary to (GITHUB_STEP_SUMMARY), or NULL */
    const char *step_summary;
    /* SARIF: prefix that makes a relative path relative to the repository root (the scan ran
     * in a subdirectory of a work tree: "sub/dir/"), or NULL */
    const char *uri_prefix;
    /* the scanned repository's name (--repo-name or its origin URL), or NULL */
    const char *repo_name;
    /* gitlab: the commit a finding without git provenance is reported at (the pipeline's
     * CI_COMMIT_SHA), or NULL */
    const char *head_commit;
    /* gitlab: when the scan ended (Unix seconds); 0: now */
    long long end_time;
};

/* Whether text, json and jsonl list f: invalid ones with show_invalid, suppressed ones with
 * show_suppressed. SARIF and github list neither (they are what code review shows). */
static inline bool lh_report_listed(const struct lh_finding *f, const struct lh_report_ctx *ctx)
{
    return !((f->invalid && !ctx->show_invalid) || (f->suppressed && !ctx->show_suppressed));
}

/* GitHub code scanning's limit on results per SARIF run (a larger file is rejected whole) */
#define LH_SARIF_MAX_RESULTS 25000

struct lh_report_ops {
    const char *name;
    int (*write)(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx);
};

/* Looks a writer up by format name; NULL if unknown. */
const struct lh_report_ops *lh_report_find(const char *format);

/* Space-separated list of the format names (for usage text). */
const char *lh_report_formats(void);

/* Builds the JSON object for one finding (new reference). Used by json, jsonl and webhooks. */
struct json_t;
struct json_t *lh_report_finding_json(const struct lh_finding *f, bool show_secret,
                                      const char *repo_name);

/*
 * The same for humans: "base64 > percent" into out[cap] (always NUL-terminated; "" for a
 * finding in plain text). Text and GitHub annotations use it.
 */
void lh_report_decoded_text(char *out, size_t cap, const struct lh_finding *f);

/*
 * The decoders that revealed a finding found in decoded text, outermost first, as the JSON
 * array of their names (["base64", "base64"]); new reference. JSON, JSONL and SARIF use it.
 */
struct json_t *lh_report_decoded_json(const struct lh_finding *f);

/*
 * A JSON string for text that may not be valid UTF-8 (paths, git metadata): each byte that
 * is not part of a valid UTF-8 sequence becomes U+FFFD. New reference; NULL only when out
 * of memory. jansson's json_string() returns NULL for such text, which would silently drop
 * the field.
 */
struct json_t *lh_report_json_text(const char *s);

/*
 * prefix + path (a relative path, the prefix a directory ending in '/') appended to out, with
 * `.` and `..` segments resolved, not NUL-terminated: the path relative to the repository
 * root (ctx->uri_prefix). False when `..` climbs above the root or out of memory (out is then
 * partly written). Used by the sarif and gitlab writers.
 */
struct lh_buf;
bool lh_report_under_root(struct lh_buf *out, const char *prefix, const char *path);

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0 if there is none. */
size_t lh_report_utf8_len(const uint8_t *p, size_t n);

/*
 * Human one-line summary: "N findings (a confirmed, b probable, c low) in X files (Y MB) in
 * Z s", then suppressed, invalid (with show_invalid), skipped and unreadable counts when not
 * zero. Always NUL-terminated; truncated to cap.
 */
void lh_report_summary_line(char *out, size_t cap, const struct lh_findings *l,
                            const struct lh_report_summary *s, bool show_invalid);

#endif
