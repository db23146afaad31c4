/* SPDX-License-Identifier: MIT */
/*
 * `--format gitlab`: a GitLab secret-detection report (gl-secret-detection-report.json, the
 * `artifacts: reports: secret_detection` file the merge-request security widget, pipeline
 * security tab and vulnerability report read), schema version 15.2.1 (fixtures/gitlab/ holds
 * the published schema; the tests validate against it). GitLab rejects a report that does not
 * validate as a whole, so every required field is always present: each vulnerability has an
 * id (a UUID derived from the fingerprint, path, line and commit, stable across runs), the
 * rule as its primary identifier (plus CWE-798), the file and lines relative to the
 * repository root, and a commit: the introducing commit for history scans, else
 * ctx->head_commit (the pipeline's CI_COMMIT_SHA), else "0000000" as GitLab's own analyzer
 * writes for a working-tree scan. `tracking` carries a signature from the fingerprint and
 * path, so GitLab keeps one vulnerability when lines move. scan.primary_identifiers lists
 * every active rule, so GitLab can resolve a vulnerability whose rule ran and no longer
 * finds it. No secret is ever written (raw_source_code_extract is left out; the redacted
 * form is in the details), suppressed and invalid findings are left out, and an incomplete
 * scan (unreadable inputs) has status "failure" with a message saying why.
 */
#include "report/help.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/hash.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#define GITLAB_SCHEMA_VERSION "15.2.1"
#define GITLAB_SCHEMA_URL                                                                          \
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"               \
    "v" GITLAB_SCHEMA_VERSION "/dist/secret-detection-report-format.json"
#define IDENT_TYPE "leakhound_rule_id"
#define NO_COMMIT "0000000"
#define NAME_MAX_BYTES 255      /* schema: vulnerability name */
#define SOLUTION_MAX_BYTES 7000 /* schema: solution */

static bool reported(const struct lh_finding *f)
{
    return !f->invalid && !f->suppressed;
}

static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
    if (!v || json_object_set_new(o, k, v) != 0) {
        *ok = false;
    }
}

static void append(json_t *a, json_t *v, bool *ok)
{
    if (!a || !v || json_array_append_new(a, v) != 0) {
        json_decref(v);
        *ok = false;
    }
}

/* Text cut to at most max bytes at a UTF-8 boundary (the schema counts characters; bytes
 * are never fewer). */
static json_t *text_max(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        return lh_report_json_text(s);
    }
    while (n > max || (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)) {
        n--;
    }
    char *cut = strndup(s, n);
    json_t *j = cut ? lh_report_json_text(cut) : NULL;
    free(cut);
    return j;
}

static const char *severity(enum lh_confidence c)
{
    switch (c) {
    case LH_CONF_CONFIRMED:
        return "Critical";
    case LH_CONF_PROBABLE:
        return "High";
    case LH_CONF_LOW:
        return "Medium";
    default:
        return "Unknown";
    }
}

static void utc_time(char out[20], time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* The path relative to the repository root (ctx->uri_prefix), "./" dropped; heap. */
static char *root_path(const char *path, const char *prefix)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
    }
    bool ok = false;
    if (path[0] != '/' && prefix && *prefix && strcmp(path, "-") != 0) {
        ok = lh_report_under_root(&b, prefix, path) && lh_buf_putc(&b, '\0') == 0;
    }
    if (!ok) {
        lh_buf_clear(&b);
        if (lh_buf_puts(&b, *path ? path : "-") < 0 || lh_buf_putc(&b, '\0') < 0) {
            lh_buf_dispose(&b);
            return NULL;
        }
    }
    return lh_buf_take(&b);
}

/* A version-4-shaped UUID from the SHA-256 of what makes the vulnerability unique. */
static void vuln_id(char out[37], const struct lh_finding *f, const char *path, const char *sha)
{
    struct lh_buf b;
    uint8_t h[32];
    lh_buf_init(&b, 0);
    if (lh_buf_printf(&b, "leakhound/v1\n%s\n%s\n%zu\n%zu\n%s", f->fingerprint, path, f->line,
                      f->column, sha) < 0) {
        lh_buf_clear(&b);
    }
    lh_sha256(h, b.ptr ? b.ptr : "", b.len);
    lh_buf_dispose(&b);
    h[6] = (uint8_t)((h[6] & 0x0F) | 0x40);
    h[8] = (uint8_t)((h[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out[k++] = '-';
        }
        out[k++] = hex[h[i] >> 4];
        out[k++] = hex[h[i] & 15];
    }
    out[k] = '\0';
}

static json_t *identifier(const char *type, const char *name, const char *value, const char *url)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    if (ok) {
        put(o, "type", json_string(type), &ok);
        put(o, "name", lh_report_json_text(name), &ok);
        put(o, "value", lh_report_json_text(value), &ok);
        if (url) {
            put(o, "url", lh_report_json_text(url), &ok);
        }
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *rule_identifier(const struct lh_rule *r)
{
    char name[320];
    snprintf(name, sizeof(name), "leakhound %s", r->id);
    return identifier(IDENT_TYPE, name, r->id, lh_report_rule_link(r));
}

static json_t *detail_text(const char *name, const char *value)
{
    json_t *o = json_object();
    bool ok = o != NULL;
    if (ok) {
        put(o, "name", json_string(name), &ok);
        put(o, "type", json_string("text"), &ok);
        put(o, "value", lh_report_json_text(value), &ok);
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *links(const struct lh_rule *r)
{
    json_t *a = json_array();
    bool ok = a != NULL;
    for (size_t i = 0; ok && i < r->references.count; i++) {
        const char *u = r->references.items[i];
        if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
            continue;
        }
        json_t *l = json_object();
        if (l) {
            put(l, "url", lh_report_json_text(u), &ok);
        }
        append(a, l, &ok);
    }
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *location(const struct lh_finding *f, const char *path, const char *sha)
{
    json_t *loc = json_object();
    json_t *commit = json_object();
    bool ok = loc && commit;
    if (ok) {
        put(commit, "sha", lh_report_json_text(sha), &ok);
        if (f->prov.author) {
            put(commit, "author", lh_report_json_text(f->prov.author), &ok);
        }
        if (f->prov.date) {
            put(commit, "date", lh_report_json_text(f->prov.date), &ok);
        }
        if (f->prov.message) {
            put(commit, "message", lh_report_json_text(f->prov.message), &ok);
        }
        put(loc, "file", lh_report_json_text(path), &ok);
        if (f->line >= 1) {
            put(loc, "start_line", json_integer((json_int_t)f->line), &ok);
            put(loc, "end_line",
                json_integer((json_int_t)(f->end_line >= f->line ? f->end_line : f->line)), &ok);
        }
        put(loc, "commit", commit, &ok);
        commit = NULL;
    }
    json_decref(commit);
    if (!ok) {
        json_decref(loc);
        return NULL;
    }
    return loc;
}

static json_t *tracking(const struct lh_finding *f, const char *path)
{
    char sig[LH_SHA256_HEX_LEN + 1];
    struct lh_buf b;
    lh_buf_init(&b, 0);
    if (lh_buf_printf(&b, "%s:%s", f->fingerprint, path) < 0) {
        lh_buf_clear(&b);
    }
    lh_sha256_hex(sig, b.ptr ? b.ptr : "", b.len);
    lh_buf_dispose(&b);
    json_t *s = json_object();
    json_t *sigs = json_array();
    json_t *item = json_object();
    json_t *items = json_array();
    json_t *t = json_object();
    bool ok = s && sigs && item && items && t;
    if (ok) {
        put(s, "algorithm", json_string("hash"), &ok);
        put(s, "value", json_string(sig), &ok);
        append(sigs, s, &ok);
        s = NULL;
        put(item, "file", lh_report_json_text(path), &ok);
        if (f->line >= 1) {
            put(item, "start_line", json_integer((json_int_t)f->line), &ok);
            put(item, "end_line",
                json_integer((json_int_t)(f->end_line >= f->line ? f->end_line : f->line)), &ok);
        }
        put(item, "signatures", sigs, &ok);
        sigs = NULL;
        append(items, item, &ok);
        item = NULL;
        put(t, "type", json_string("source"), &ok);
        put(t, "items", items, &ok);
        items = NULL;
    }
    json_decref(s);
    json_decref(sigs);
    json_decref(item);
    json_decref(items);
    if (!ok) {
        json_decref(t);
        return NULL;
    }
    return t;
}

static json_t *details(const struct lh_finding *f)
{
    char red[64];
    lh_finding_redact(red, sizeof(red), f);
    json_t *d = json_object();
    bool ok = d != NULL;
    if (ok) {
        put(d, "secret", detail_text("Secret (redacted)", red), &ok);
        put(d, "confidence", detail_text("Confidence", lh_confidence_name(f->confidence)), &ok);
        put(d, "fingerprint", detail_text("leakhound fingerprint", f->fingerprint), &ok);
        if (f->rule->provider) {
            put(d, "provider", detail_text("Issuer", f->rule->provider), &ok);
        }
        if (f->prov.blob) {
            put(d, "blob", detail_text("Blob", f->prov.blob), &ok);
        }
    }
    if (!ok) {
        json_decref(d);
        return NULL;
    }
    return d;
}

static json_t *vulnerability(const struct lh_finding *f, const struct lh_report_ctx *ctx)
{
    const struct lh_rule *r = f->rule;
    char *path = root_path(f->path ? f->path : "-", ctx->uri_prefix);
    const char *sha = f->prov.commit                          ? f->prov.commit
                      : ctx->head_commit && *ctx->head_commit ? ctx->head_commit
                                                              : NO_COMMIT;
    struct lh_buf desc;
    struct lh_buf fix;
    lh_buf_init(&desc, 0);
    lh_buf_init(&fix, 0);
    json_t *v = json_object();
    bool ok = path && v && lh_report_rule_description(&desc, r) == 0 &&
              lh_report_rule_remediation(&fix, r) == 0;
    if (ok) {
        char id[37];
        vuln_id(id, f, path, sha);
        put(v, "id", json_string(id), &ok);
        put(v, "category", json_string("secret_detection"), &ok);
        put(v, "name", text_max(r->name, NAME_MAX_BYTES), &ok);
        put(v, "description", lh_report_json_text(desc.ptr), &ok);
        put(v, "severity", json_string(severity(f->confidence)), &ok);
        put(v, "solution", text_max(fix.ptr, SOLUTION_MAX_BYTES), &ok);
        json_t *ids = json_array();
        append(ids, rule_identifier(r), &ok);
        append(
            ids,
            identifier("cwe", "CWE-798", "798", "https://cwe.mitre.org/data/definitions/798.html"),
            &ok);
        put(v, "identifiers", ids, &ok);
        json_t *l = links(r);
        if (l && json_array_size(l) == 0) {
            json_decref(l);
        } else {
            put(v, "links", l, &ok);
        }
        put(v, "location", location(f, path, sha), &ok);
        put(v, "tracking", tracking(f, path), &ok);
        put(v, "details", details(f), &ok);
    }
    free(path);
    lh_buf_dispose(&desc);
    lh_buf_dispose(&fix);
    if (!ok) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static json_t *tool(const struct lh_report_ctx *ctx)
{
    json_t *t = json_object();
    json_t *vendor = json_object();
    bool ok = t && vendor;
    if (ok) {
        put(t, "id", json_string("leakhound"), &ok);
        put(t, "name", json_string("leakhound"), &ok);
        put(t, "version", json_string(ctx->tool_version ? ctx->tool_version : "unknown"), &ok);
        put(vendor, "name", json_string("leakhound"), &ok);
        put(t, "vendor", vendor, &ok);
        vendor = NULL;
    }
    json_decref(vendor);
    if (!ok) {
        json_decref(t);
        return NULL;
    }
    return t;
}

static json_t *scan(const struct lh_report_ctx *ctx)
{
    const struct lh_report_summary *s = ctx->summary;
    time_t end = ctx->end_time > 0 ? (time_t)ctx->end_time : time(NULL);
    time_t start = end - (time_t)(s && s->seconds > 0 ? s->seconds + 0.5 : 0);
    char ts[20];
    char te[20];
    utc_time(ts, start);
    utc_time(te, end);
    json_t *o = json_object();
    bool ok = o != NULL;
    if (!ok) {
        return NULL;
    }
    put(o, "analyzer", tool(ctx), &ok);
    put(o, "scanner", tool(ctx), &ok);
    put(o, "type", json_string("secret_detection"), &ok);
    put(o, "start_time", json_string(ts), &ok);
    put(o, "end_time", json_string(te), &ok);
    put(o, "status", json_string(s && s->errors ? "failure" : "success"), &ok);
    if (s && s->errors) {
        char text[160];
        snprintf(text, sizeof(text), "%zu input%s could not be read; the scan is incomplete",
                 s->errors, s->errors == 1 ? "" : "s");
        json_t *msgs = json_array();
        json_t *m = json_object();
        if (m) {
            put(m, "level", json_string("warn"), &ok);
            put(m, "value", json_string(text), &ok);
        }
        append(msgs, m, &ok);
        put(o, "messages", msgs, &ok);
    }
    /* every rule that ran: GitLab resolves a vulnerability whose rule ran and found nothing */
    json_t *prim = json_array();
    for (size_t i = 0; ok && ctx->rules && i < ctx->rules->count; i++) {
        if (lh_rule_active(ctx->rules->rules[i])) {
            append(prim, rule_identifier(ctx->rules->rules[i]), &ok);
        }
    }
    put(o, "primary_identifiers", prim, &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int write_gitlab(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    json_t *root = json_object();
    json_t *vulns = json_array();
    bool ok = root && vulns;
    for (size_t i = 0; ok && i < l->count; i++) {
        if (reported(&l->items[i])) {
            append(vulns, vulnerability(&l->items[i], ctx), &ok);
        }
    }
    if (ok) {
        put(root, "version", json_string(GITLAB_SCHEMA_VERSION), &ok);
        put(root, "schema", json_string(GITLAB_SCHEMA_URL), &ok);
        put(root, "scan", scan(ctx), &ok);
        put(root, "vulnerabilities", vulns, &ok);
        vulns = NULL;
    }
    json_decref(vulns);
    if (!ok) {
        json_decref(root);
        return lh_error_oom();
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF) {
        lh_error_set("cannot write the gitlab report");
        return LH_EIO;
    }
    return 0;
}

const struct lh_report_ops lh_report_gitlab_ops = {"gitlab", write_gitlab};
