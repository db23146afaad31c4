/* SPDX-License-Identifier: MIT */
/*
 * Several reports from one run: a destination is a writer plus where its bytes go, stdout
 * or a file, parsed from the command line's "FORMAT" or "FORMAT:FILE" (`--report
 * sarif:leakhound.sarif --report github`). A file report is rendered in memory and then
 * written atomically (temporary file in the same directory, fsync, rename), so a reader, or
 * an upload step after a failed job, never sees half a report, and a failed write leaves the
 * previous file as it was. An existing path that is not a regular file (/dev/stdout, a FIFO)
 * is written in place. Destinations are independent: one that fails does not stop the
 * others. Only the first `github` destination appends the job summary (it is one summary per
 * run). This module never prints; the caller reports each failure.
 */
#ifndef LH_REPORT_MULTI_H
#define LH_REPORT_MULTI_H

#include "report/report.h"

#include <stdbool.h>
#include <stdio.h>

struct lh_report_dest {
    const struct lh_report_ops *ops;
    char *path; /* NULL: stdout; else a file (owned) */
};

/*
 * Parses "FORMAT" (stdout) or "FORMAT:FILE" into out (path owned: _dispose). "FORMAT:-" is
 * stdout too. Returns 0, LH_EUSAGE ("unknown report format 'x' in 'x:y' (expected ...)",
 * "missing file name after 'sarif:'") or LH_ENOMEM.
 */
int lh_report_dest_parse(struct lh_report_dest *out, const char *spec) LH_WUR;

/* Frees the path; the struct is left empty. */
void lh_report_dest_dispose(struct lh_report_dest *d);

/*
 * Checks that a run's destinations can coexist: stdout carries either one report, or only
 * line-oriented ones meant for a person or a CI log (text and github); no file is named
 * twice. Returns 0 or LH_EUSAGE (message names the conflict).
 */
int lh_report_dests_check(const struct lh_report_dest *d, size_t n) LH_WUR;

/*
 * Writes one destination: to `out` (the process's stdout, or a test's stream) when d->path
 * is NULL, else to d->path as described above. ctx->color applies to stdout only (never in
 * a file). Returns 0, LH_EIO (message names the file, or "stdout") or LH_ENOMEM.
 */
int lh_report_dest_write(const struct lh_report_dest *d, FILE *out, const struct lh_findings *l,
                         const struct lh_report_ctx *ctx) LH_WUR;

#endif
