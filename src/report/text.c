/* SPDX-License-Identifier: MIT */
/*
 * Human output: findings grouped by file (a header line per file, in path order), one
 * line each with path:line:column (so terminals and editors can jump to it), confidence,
 * rule id, the redacted secret (the whole secret only with --show-secrets) and the rule
 * name; git provenance and validator metadata on indented lines below. ANSI colour only
 * when ctx->color. Everything that comes from the scanned data (paths, secrets, git
 * metadata) is printed through an escaper: control characters and bytes that are not UTF-8
 * are shown as \xNN, so a hostile file name cannot drive the terminal. The summary line is
 * the CLI's business (stderr), not this writer's.
 */
#include "report/report.h"

#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"
#define C_CYAN "\033[36m"

static const char *col(const struct lh_report_ctx *ctx, const char *code)
{
    return ctx->color ? code : "";
}

/* Writes n bytes of untrusted text: printable UTF-8 as is, everything else as \xNN. */
static void put_safe(FILE *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l = lh_report_utf8_len(p + i, n - i);
        /* C1 controls (U+0080..U+009F) are two-byte sequences starting with 0xC2 */
        bool control =
            l == 1 ? (p[i] < 0x20 || p[i] == 0x7f) : l == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0;
        if (l == 0 || control) {
            fprintf(out, "\\x%02x", p[i]);
            i++;
            continue;
        }
        fwrite(p + i, 1, l, out);
        i += l;
    }
}

static void puts_safe(FILE *out, const char *s)
{
    put_safe(out, (const uint8_t *)s, strlen(s));
}

static const char *conf_colour(const struct lh_finding *f)
{
    if (f->invalid) {
        return C_DIM;
    }
    return f->confidence == LH_CONF_CONFIRMED  ? C_RED
           : f->confidence == LH_CONF_PROBABLE ? C_YELLOW
                                               : "";
}

static void write_finding(FILE *out, const struct lh_finding *f, const struct lh_report_ctx *ctx)
{
    const char *conf = f->invalid ? "invalid" : lh_confidence_name(f->confidence);
    fputs("  ", out);
    puts_safe(out, f->path);
    fprintf(out, ":%zu:%zu  %s%-9s%s  %s  ", f->line, f->column, col(ctx, conf_colour(f)), conf,
            col(ctx, C_RESET), f->rule->id);
    if (ctx->show_secrets && f->secret) {
        put_safe(out, f->secret, f->secret_len);
    } else {
        char red[64];
        lh_finding_redact(red, sizeof(red), f);
        fputs(red, out);
    }
    fprintf(out, "  %s%s%s", col(ctx, C_DIM), f->rule->name, col(ctx, C_RESET));
    if (f->ndecoded) {
        char chain[128];
        lh_report_decoded_text(chain, sizeof(chain), f);
        fprintf(out, "  (decoded: %s)", chain);
    }
    if (f->suppressed) {
        if (f->suppressed_by == LH_SUPP_TRIAGE && f->triage) {
            fprintf(out, "  (suppressed: triage %s)", f->triage);
        } else {
            fprintf(out, "  (suppressed: %s)", lh_suppression_name(f->suppressed_by));
        }
    }
    if (f->prov.deleted) {
        fputs("  [deleted]", out);
    }
    fputc('\n', out);
    if (f->prov.layer) {
        fprintf(out, "      %slayer ", col(ctx, C_CYAN));
        puts_safe(out, f->prov.layer);
        fprintf(out, "%s%s\n", f->prov.deleted ? " (file deleted by a later layer)" : "",
                col(ctx, C_RESET));
    }
    const struct lh_provenance *p = &f->prov;
    if (p->commit) {
        fprintf(out, "      %scommit %.12s%s", col(ctx, C_CYAN), p->commit, col(ctx, C_RESET));
        if (p->date) {
            fputc(' ', out);
            puts_safe(out, p->date);
        }
        if (p->author) {
            fputc(' ', out);
            puts_safe(out, p->author);
        }
        if (p->refs.count) {
            fputs(" (in ", out);
            puts_safe(out, p->refs.items[0]);
            fputs(p->refs.count > 1 ? ", ...)" : ")", out);
        }
        fputc('\n', out);
    }
    if (f->meta_key[0]) {
        fprintf(out, "      %s", col(ctx, C_DIM));
        puts_safe(out, f->meta_key);
        fputs(": ", out);
        puts_safe(out, f->meta_value);
        fprintf(out, "%s\n", col(ctx, C_RESET));
    }
}

static int write_text(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    const char *last_path = NULL;
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (!lh_report_listed(f, ctx)) {
            continue;
        }
        if (!last_path || strcmp(last_path, f->path) != 0) {
            size_t n = 0; /* findings of this file, for the header */
            for (size_t j = i; j < l->count && !strcmp(l->items[j].path, f->path); j++) {
                const struct lh_finding *g = &l->items[j];
                n += lh_report_listed(g, ctx);
            }
            fprintf(out, "%s%s", last_path ? "\n" : "", col(ctx, C_BOLD));
            puts_safe(out, f->path);
            fprintf(out, "%s %s(%zu finding%s)%s\n", col(ctx, C_RESET), col(ctx, C_DIM), n,
                    n == 1 ? "" : "s", col(ctx, C_RESET));
            last_path = f->path;
        }
        write_finding(out, f, ctx);
    }
    return ferror(out) ? LH_EIO : 0;
}

const struct lh_report_ops lh_report_text_ops = {"text", write_text};
