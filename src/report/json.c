/* SPDX-License-Identifier: MIT */
/* json and jsonl writers (jansson); see report.h. Invalid findings only with show_invalid. */
#include <jansson.h>
#include <string.h>

#include "report/report.h"

json_t *lh_report_finding_json(const struct lh_finding *f, bool show_secret)
{
    char red[64];
    json_t *o = json_object();
    if (!o) {
        return NULL;
    }
    lh_redact(red, sizeof(red), f->secret, f->secret_len);
    json_object_set_new(o, "rule_id", json_string(f->rule->id));
    json_object_set_new(o, "rule_name", json_string(f->rule->name));
    if (f->rule->provider) {
        json_object_set_new(o, "provider", json_string(f->rule->provider));
    }
    json_object_set_new(o, "confidence",
                        json_string(f->invalid ? "invalid" : lh_confidence_name(f->confidence)));
    json_object_set_new(o, "path", json_string(f->path));
    json_object_set_new(o, "line", json_integer((json_int_t)f->line));
    json_object_set_new(o, "column", json_integer((json_int_t)f->column));
    json_object_set_new(o, "end_line", json_integer((json_int_t)f->end_line));
    json_object_set_new(o, "end_column", json_integer((json_int_t)f->end_column));
    if (show_secret) {
        json_object_set_new(o, "secret", json_stringn((const char *)f->secret, f->secret_len));
    } else {
        json_object_set_new(o, "secret", json_string(red));
    }
    json_object_set_new(o, "secret_sha256", json_string(f->secret_sha256));
    json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
    if (f->rule->validator) {
        json_object_set_new(o, "validator", json_string(f->rule->validator));
    }
    if (f->meta_key[0]) {
        json_t *meta = json_object();
        json_object_set_new(meta, f->meta_key, json_string(f->meta_value));
        json_object_set_new(o, "metadata", meta);
    }
    const struct lh_provenance *p = &f->prov;
    if (p->commit) {
        json_object_set_new(o, "commit", json_string(p->commit));
    }
    if (p->author) {
        json_object_set_new(o, "author", json_string(p->author));
    }
    if (p->date) {
        json_object_set_new(o, "date", json_string(p->date));
    }
    if (p->message) {
        json_object_set_new(o, "message", json_string(p->message));
    }
    if (p->blob) {
        json_object_set_new(o, "blob", json_string(p->blob));
    }
    if (p->commit || p->refs.count) {
        json_t *refs = json_array();
        for (size_t i = 0; i < p->refs.count; i++) {
            json_array_append_new(refs, json_string(p->refs.items[i]));
        }
        json_object_set_new(o, "refs", refs);
    }
    return o;
}

static int write_json(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    json_t *arr = json_array();
    if (!arr) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if ((f->invalid && !ctx->show_invalid) || f->suppressed) {
            continue;
        }
        json_array_append_new(arr, lh_report_finding_json(f, ctx->show_secrets));
    }
    int rc = json_dumpf(arr, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    fputc('\n', out);
    if (rc != 0) {
        lh_error_set("cannot write json report");
        return LH_EIO;
    }
    return 0;
}

static int write_jsonl(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if ((f->invalid && !ctx->show_invalid) || f->suppressed) {
            continue;
        }
        json_t *o = lh_report_finding_json(f, ctx->show_secrets);
        int rc = o ? json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
        json_decref(o);
        fputc('\n', out);
        if (rc != 0) {
            lh_error_set("cannot write jsonl report");
            return LH_EIO;
        }
    }
    return 0;
}

const struct lh_report_ops lh_report_json_ops = {"json", write_json};
const struct lh_report_ops lh_report_jsonl_ops = {"jsonl", write_jsonl};
