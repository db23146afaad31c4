/* SPDX-License-Identifier: MIT */
/*
 * Human output: findings grouped by file, one line each with line:column, rule,
 * confidence and the redacted secret (whole secret only with --show-secrets), git
 * provenance when present; ANSI colour only when ctx->color.
 */
#include <string.h>

#include "report/report.h"

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

static int write_text(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    const char *last_path = NULL;
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if ((f->invalid && !ctx->show_invalid) || f->suppressed) {
            continue;
        }
        if (!last_path || strcmp(last_path, f->path) != 0) {
            fprintf(out, "%s%s%s%s\n", last_path ? "\n" : "", col(ctx, C_BOLD), f->path,
                    col(ctx, C_RESET));
            last_path = f->path;
        }
        char red[64];
        lh_redact(red, sizeof(red), f->secret, f->secret_len);
        const char *conf = f->invalid ? "invalid" : lh_confidence_name(f->confidence);
        const char *cc = f->invalid                            ? C_DIM
                         : f->confidence == LH_CONF_CONFIRMED ? C_RED
                                                              : C_YELLOW;
        fprintf(out, "  %s:%zu:%zu%s  %s%-9s%s  %s  ", f->path, f->line, f->column, "",
                col(ctx, cc), conf, col(ctx, C_RESET), f->rule->id);
        if (ctx->show_secrets) {
            fwrite(f->secret, 1, f->secret_len, out);
        } else {
            fputs(red, out);
        }
        fprintf(out, "  %s%s%s\n", col(ctx, C_DIM), f->rule->name, col(ctx, C_RESET));
        if (f->prov.commit) {
            fprintf(out, "      %scommit %.12s%s %s %s", col(ctx, C_CYAN), f->prov.commit,
                    col(ctx, C_RESET), f->prov.date ? f->prov.date : "",
                    f->prov.author ? f->prov.author : "");
            if (f->prov.refs.count) {
                fprintf(out, " (in %s%s)", f->prov.refs.items[0],
                        f->prov.refs.count > 1 ? ", ..." : "");
            }
            fputc('\n', out);
        }
        if (f->meta_key[0]) {
            fprintf(out, "      %s%s: %s%s\n", col(ctx, C_DIM), f->meta_key, f->meta_value,
                    col(ctx, C_RESET));
        }
    }
    return ferror(out) ? LH_EIO : 0;
}

const struct lh_report_ops lh_report_text_ops = {"text", write_text};
