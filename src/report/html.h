/* SPDX-License-Identifier: MIT */
/*
 * The HTML audit report: one self-contained file rendering the audit model (the
 * "leakhound-audit/1" document that `leakhound report --format json` prints). The page's
 * template, style sheet and script are the files of src/report/html/, embedded at build time
 * (cmake/embed.cmake); the model goes into a <script type="application/json"> block with every
 * '<', '>', '&', U+2028 and U+2029 written as a \u escape, so that no text of the model
 * (repository names, paths, commit messages, triage notes: all attacker-controlled) can close
 * the block or start markup, and the script renders every value as text, never as markup. A
 * Content-Security-Policy with the SHA-256 of the exact script and style allows nothing else:
 * no other script, no network, no external style, font or image. The model's secrets are
 * already redacted; this writer adds no value that is not in the model.
 */
#ifndef LH_REPORT_HTML_H
#define LH_REPORT_HTML_H

#include "util/error.h"

#include <stdio.h>

struct json_t;

/*
 * Writes the report for `model` (borrowed, not modified) to `out`. `out_name` names the
 * output in error messages ("report.html"; NULL: "the output").
 * Returns 0; LH_EINVAL when the model is not an audit document (not an object, a "schema"
 * other than "leakhound-audit/1", "secrets" or "repositories" not arrays); LH_EIO when a
 * write fails; LH_ENOMEM. The message (lh_error_get) names the cause. Thread-safe for
 * distinct streams.
 */
int lh_report_html_write(FILE *out, const struct json_t *model, const char *out_name) LH_WUR;

/* The schema this writer renders: "leakhound-audit/1". */
#define LH_REPORT_HTML_SCHEMA "leakhound-audit/1"

#endif
