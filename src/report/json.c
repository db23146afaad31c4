/* SPDX-License-Identifier: MIT */
/*
 * json and jsonl writers (jansson) and the JSON helpers shared with the SARIF writer; see
 * report.h. Invalid findings only with show_invalid; suppressed ones only with show_suppressed
 * (marked `"suppressed": "inline"|"baseline"|"min-confidence"|"triage"`, the last with
 * `"triage": STATUS`).
 */
#include "report/report.h"
#include "util/buf.h"

#include <jansson.h>
#include <string.h>

json_t *lh_report_json_text(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j) {
        return j;
    }
    /* not valid UTF-8: replace each stray byte by U+FFFD */
    struct lh_buf b;
    lh_buf_init(&b, 0);
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t l = lh_report_utf8_len(p + i, n - i);
        if (l) {
            rc = lh_buf_put(&b, p + i, l);
            i += l;
        } else {
            rc = lh_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    j = rc == 0 ? json_stringn(b.ptr ? b.ptr : "", b.len) : NULL;
    lh_buf_dispose(&b);
    return j;
}

json_t *lh_report_decoded_json(const struct lh_finding *f)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < f->ndecoded; i++) {
        json_array_append_new(a, json_string(lh_decode_kind_name(f->decoded[i])));
    }
    return a;
}

json_t *lh_report_finding_json(const struct lh_finding *f, bool show_secret, const char *repo_name)
{
    char red[64];
    json_t *o = json_object();
    if (!o) {
        return NULL;
    }
    lh_finding_redact(red, sizeof(red), f);
    json_object_set_new(o, "rule_id", json_string(f->rule->id));
    json_object_set_new(o, "rule_name", json_string(f->rule->name));
    if (f->rule->provider) {
        json_object_set_new(o, "provider", json_string(f->rule->provider));
    }
    json_object_set_new(o, "confidence",
                        json_string(f->invalid ? "invalid" : lh_confidence_name(f->confidence)));
    if (f->suppressed) {
        json_object_set_new(o, "suppressed", json_string(lh_suppression_name(f->suppressed_by)));
        if (f->suppressed_by == LH_SUPP_TRIAGE && f->triage) {
            json_object_set_new(o, "triage", json_string(f->triage));
        }
    }
    if (repo_name || f->prov.repository) {
        json_object_set_new(o, "repository",
                            lh_report_json_text(repo_name ? repo_name : f->prov.repository));
    }
    json_object_set_new(o, "path", lh_report_json_text(f->path));
    json_object_set_new(o, "line", json_integer((json_int_t)f->line));
    json_object_set_new(o, "column", json_integer((json_int_t)f->column));
    json_object_set_new(o, "end_line", json_integer((json_int_t)f->end_line));
    json_object_set_new(o, "end_column", json_integer((json_int_t)f->end_column));
    if (show_secret && f->secret) {
        json_object_set_new(o, "secret", json_stringn((const char *)f->secret, f->secret_len));
    } else {
        json_object_set_new(o, "secret", json_string(red));
    }
    json_object_set_new(o, "secret_sha256", json_string(f->secret_sha256));
    json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
    if (f->ndecoded) {
        json_object_set_new(o, "decoded", lh_report_decoded_json(f));
    }
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
        json_object_set_new(o, "commit", lh_report_json_text(p->commit));
    }
    if (p->author) {
        json_object_set_new(o, "author", lh_report_json_text(p->author));
    }
    if (p->date) {
        json_object_set_new(o, "date", lh_report_json_text(p->date));
    }
    if (p->message) {
        json_object_set_new(o, "message", lh_report_json_text(p->message));
    }
    if (p->blob) {
        json_object_set_new(o, "blob", lh_report_json_text(p->blob));
    }
    if (p->layer) {
        json_object_set_new(o, "layer", lh_report_json_text(p->layer));
        json_object_set_new(o, "deleted", json_boolean(p->deleted));
    }
    if (p->commit || p->refs.count) {
        json_t *refs = json_array();
        for (size_t i = 0; i < p->refs.count; i++) {
            json_array_append_new(refs, lh_report_json_text(p->refs.items[i]));
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
        if (!lh_report_listed(f, ctx)) {
            continue;
        }
        json_array_append_new(arr, lh_report_finding_json(f, ctx->show_secrets, ctx->repo_name));
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
        if (!lh_report_listed(f, ctx)) {
            continue;
        }
        json_t *o = lh_report_finding_json(f, ctx->show_secrets, ctx->repo_name);
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
