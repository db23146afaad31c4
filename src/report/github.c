/* SPDX-License-Identifier: MIT */
/*
 * `--format github`: GitHub Actions workflow commands, one `::error` (confirmed, probable)
 * or `::warning` (low) annotation per reported finding, on the finding's file and line, so
 * a pull request shows the secret's line even where code scanning (SARIF upload) is not
 * available (forks, private repositories without GitHub Advanced Security). When
 * ctx->step_summary names a file (the runner's GITHUB_STEP_SUMMARY), a Markdown table of the
 * findings is appended to it for the job's summary page.
 *
 * The secret is always redacted, even with --show-secrets: annotations and summaries are
 * shown to everyone who can see the run. Values are escaped as the runner requires
 * (`%`, CR, LF in the message; also `:` and `,` in properties), so a hostile path cannot
 * inject a second command.
 */
#include "report/report.h"

#include <stdio.h>
#include <string.h>

#define GITHUB_MAX_ANNOTATIONS 5000 /* more are not shown; keep the log readable */

static bool reported(const struct lh_finding *f)
{
    return !f->invalid && !f->suppressed;
}

/* Writes s escaped for a workflow command: property values also escape ':' and ','. */
static void put_escaped(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%') {
            fputs("%25", out);
        } else if (c == '\r') {
            fputs("%0D", out);
        } else if (c == '\n') {
            fputs("%0A", out);
        } else if (property && c == ':') {
            fputs("%3A", out);
        } else if (property && c == ',') {
            fputs("%2C", out);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "%%%02X", c);
        } else {
            fputc(c, out);
        }
    }
}

static const char *rel_path(const char *p)
{
    while (p[0] == '.' && p[1] == '/') {
        p += 2;
    }
    return p;
}

static void annotate(FILE *out, const struct lh_finding *f)
{
    char red[64];
    lh_finding_redact(red, sizeof(red), f);
    fputs(f->confidence == LH_CONF_LOW ? "::warning file=" : "::error file=", out);
    put_escaped(out, rel_path(f->path), true);
    fprintf(out, ",line=%zu,endLine=%zu,col=%zu,endColumn=%zu,title=", f->line, f->end_line,
            f->column, f->end_column);
    put_escaped(out, "leakhound: ", true);
    put_escaped(out, f->rule->name, true);
    fputs("::", out);
    char msg[640];
    char chain[128];
    char how[160] = "";
    lh_report_decoded_text(chain, sizeof(chain), f);
    if (chain[0]) {
        snprintf(how, sizeof(how), ", decoded from %s", chain);
    }
    snprintf(msg, sizeof(msg),
             "%s (%s, rule %s%s): %s. Revoke or rotate it with its issuer first, then remove it "
             "from the code and from history; a test value can be allowed with a "
             "`leakhound:allow` comment on its line.",
             f->rule->name, lh_confidence_name(f->confidence), f->rule->id, how, red);
    put_escaped(out, msg, false);
    fputc('\n', out);
}

/* Markdown cell text: no pipes or newlines, backticks kept out of code spans. */
static void put_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '|') {
            fputs("\\|", out);
        } else if (c == '`' || c < 0x20 || c == 0x7f) {
            fputc('?', out);
        } else {
            fputc(c, out);
        }
    }
}

static int write_summary(const struct lh_findings *l, const struct lh_report_ctx *ctx, size_t total)
{
    FILE *s = fopen(ctx->step_summary, "a");
    if (!s) {
        lh_error_set("cannot append to the step summary '%s'", ctx->step_summary);
        return LH_EIO;
    }
    fprintf(s, "### leakhound: %zu secret%s found\n\n", total, total == 1 ? "" : "s");
    if (total) {
        fputs("| file | line | rule | confidence | secret (redacted) |\n|---|---|---|---|---|\n",
              s);
        for (size_t i = 0; i < l->count; i++) {
            const struct lh_finding *f = &l->items[i];
            if (!reported(f)) {
                continue;
            }
            char red[64];
            lh_finding_redact(red, sizeof(red), f);
            fputs("| `", s);
            put_cell(s, rel_path(f->path));
            fprintf(s, "` | %zu | ", f->line);
            put_cell(s, f->rule->id);
            fprintf(s, " | %s | `", lh_confidence_name(f->confidence));
            put_cell(s, red);
            fputs("` |\n", s);
        }
        fputs("\nRevoke or rotate each secret with its issuer before removing it from the "
              "code: it is in the repository's history.\n",
              s);
    }
    fputc('\n', s);
    return fclose(s) == 0 ? 0 : LH_EIO;
}

static int write_github(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    size_t total = 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (!reported(f)) {
            continue;
        }
        if (total < GITHUB_MAX_ANNOTATIONS) {
            annotate(out, f);
        }
        total++;
    }
    if (total > GITHUB_MAX_ANNOTATIONS) {
        fprintf(out,
                "::warning title=leakhound::%zu more findings are not annotated; "
                "--format json lists them all\n",
                total - GITHUB_MAX_ANNOTATIONS);
    }
    if (ctx->step_summary && *ctx->step_summary) {
        return write_summary(l, ctx, total);
    }
    return ferror(out) ? LH_EIO : 0;
}

const struct lh_report_ops lh_report_github_ops = {"github", write_github};
