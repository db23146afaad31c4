/* SPDX-License-Identifier: MIT */
/*
 * SARIF 2.1.0 writer (jansson) for GitHub code scanning and other SARIF consumers. One run;
 * the driver lists every active rule, with help text, references, tags, precision and a
 * security severity, so a consumer can tell "ran and found nothing" from "not checked".
 * Each reported finding becomes a result with a physical location (a percent-encoded
 * relative URI for relative paths, a file:// URI for absolute ones), columns counted in
 * Unicode code points (run.columnKind says so) and the leakhound fingerprint in
 * partialFingerprints: it depends on the rule and the secret only, so the result keeps its
 * identity when the secret moves. No secret is ever written, not even with --show-secrets
 * (SARIF files are uploaded to third parties): the message holds the redacted form.
 * Suppressed and invalid findings are left out, as in every other format.
 */
#include "report/help.h"
#include "report/report.h"
#include "util/buf.h"

#include <jansson.h>
#include <string.h>

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define FINGERPRINT_KEY "leakhound/v1"
#define CWE_TAG "external/cwe/cwe-798" /* use of hard-coded credentials */

/* The rules of the run, in driver order; ruleIndex is a position in it. */
struct rulemap {
    const struct lh_rule **rules;
    size_t count;
    size_t alloc;
};

static long rulemap_index(const struct rulemap *m, const struct lh_rule *r)
{
    for (size_t i = 0; i < m->count; i++) {
        if (m->rules[i] == r) {
            return (long)i;
        }
    }
    return -1;
}

static int rulemap_add(struct rulemap *m, const struct lh_rule *r)
{
    if (rulemap_index(m, r) >= 0) {
        return 0;
    }
    if (m->count == m->alloc) {
        size_t n = m->alloc ? m->alloc * 2 : 64;
        const struct lh_rule **rs = realloc(m->rules, n * sizeof(*rs));
        if (!rs) {
            return lh_error_oom();
        }
        m->rules = rs;
        m->alloc = n;
    }
    m->rules[m->count++] = r;
    return 0;
}

static bool reported(const struct lh_finding *f)
{
    return !f->invalid && !f->suppressed;
}

/* Adds v under k; clears *ok when v is NULL (out of memory) or the set fails. */
static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
    if (!v || json_object_set_new(o, k, v) != 0) {
        *ok = false;
    }
}

static void append(json_t *a, json_t *v, bool *ok)
{
    if (!v || json_array_append_new(a, v) != 0) {
        *ok = false;
    }
}

static json_t *text_object(const char *text)
{
    json_t *o = json_object();
    if (o && json_object_set_new(o, "text", lh_report_json_text(text)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *precision(const struct lh_rule *r)
{
    if (r->validator) {
        return "very-high";
    }
    return r->confidence == LH_CONF_LOW ? "medium" : "high";
}

static const char *severity(const struct lh_rule *r)
{
    if (r->validator) {
        return "9.0";
    }
    return r->confidence == LH_CONF_LOW ? "5.0" : "7.5";
}

static const char *level(enum lh_confidence c)
{
    return c >= LH_CONF_PROBABLE ? "error" : "warning";
}

/*
 * The rule's help: what it is (description), how to revoke it and clean up (remediation),
 * and where to read more (references), as text and as Markdown (report/help.h).
 */
static json_t *rule_help(const struct lh_rule *r, const char *desc, const char *fix)
{
    struct lh_buf t;
    struct lh_buf md;
    lh_buf_init(&t, 0);
    lh_buf_init(&md, 0);
    int rc = lh_buf_printf(&t, "%s\n\nWhat to do: %s", desc, fix);
    if (rc == 0) {
        rc = lh_buf_printf(&md, "**%s**\n\n%s\n\n**What to do:** %s", r->name, desc, fix);
    }
    if (rc == 0 && r->references.count) {
        rc = lh_buf_puts(&t, "\n\nReferences:");
        if (rc == 0) {
            rc = lh_buf_puts(&md, "\n\n**References**\n");
        }
    }
    for (size_t i = 0; rc == 0 && i < r->references.count; i++) {
        rc = lh_buf_printf(&t, "\n- %s", r->references.items[i]);
        if (rc == 0) {
            rc = lh_buf_printf(&md, "\n- <%s>", r->references.items[i]);
        }
    }
    json_t *help = NULL;
    if (rc == 0) {
        help = json_object();
        bool ok = help != NULL;
        if (ok) {
            put(help, "text", lh_report_json_text(t.ptr), &ok);
            put(help, "markdown", lh_report_json_text(md.ptr), &ok);
        }
        if (!ok) {
            json_decref(help);
            help = NULL;
        }
    }
    lh_buf_dispose(&t);
    lh_buf_dispose(&md);
    return help;
}

static json_t *rule_descriptor(const struct lh_rule *r)
{
    json_t *d = json_object();
    bool ok = d != NULL;
    if (!ok) {
        return NULL;
    }
    put(d, "id", lh_report_json_text(r->id), &ok);
    put(d, "name", lh_report_json_text(r->name), &ok);
    struct lh_buf desc;
    struct lh_buf fix;
    lh_buf_init(&desc, 0);
    lh_buf_init(&fix, 0);
    if (lh_report_rule_description(&desc, r) < 0 || lh_report_rule_remediation(&fix, r) < 0) {
        ok = false;
    }
    put(d, "shortDescription", text_object(r->name), &ok);
    put(d, "fullDescription", ok ? text_object(desc.ptr) : NULL, &ok);
    put(d, "help", ok ? rule_help(r, desc.ptr, fix.ptr) : NULL, &ok);
    lh_buf_dispose(&desc);
    lh_buf_dispose(&fix);
    if (lh_report_rule_link(r)) {
        put(d, "helpUri", lh_report_json_text(lh_report_rule_link(r)), &ok);
    }
    json_t *cfg = json_object();
    if (cfg) {
        put(cfg, "level", json_string(level(r->validator ? LH_CONF_CONFIRMED : r->confidence)),
            &ok);
    }
    put(d, "defaultConfiguration", cfg, &ok);
    json_t *props = json_object();
    json_t *tags = json_array();
    if (tags) {
        append(tags, json_string("security"), &ok);
        append(tags, json_string("secret"), &ok);
        append(tags, json_string(CWE_TAG), &ok);
    }
    if (props) {
        put(props, "tags", tags, &ok);
        put(props, "precision", json_string(precision(r)), &ok);
        put(props, "security-severity", json_string(severity(r)), &ok);
        if (r->provider) {
            put(props, "provider", lh_report_json_text(r->provider), &ok);
        }
        if (r->validator) {
            put(props, "validator", lh_report_json_text(r->validator), &ok);
        }
    } else {
        json_decref(tags);
    }
    put(d, "properties", props, &ok);
    if (!ok) {
        json_decref(d);
        return NULL;
    }
    return d;
}

/*
 * RFC 3986 URI for a path: unreserved characters, '/' and '!' (archive members) stay, every other
 * byte is percent-encoded. Relative paths stay relative (a leading "./" is dropped) so they resolve
 * against the checkout root; absolute ones become file:// URIs.
 */
static char *path_uri(const char *path, const char *prefix, bool *relative)
{
    static const char hex[] = "0123456789ABCDEF";
    struct lh_buf b;
    struct lh_buf rooted;
    lh_buf_init(&b, 0);
    lh_buf_init(&rooted, 0);
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/') {
            path++;
        }
    }
    *relative = path[0] != '/';
    if (*relative && prefix && *prefix && strcmp(path, "-") != 0 &&
        lh_report_under_root(&rooted, prefix, path) && lh_buf_putc(&rooted, '\0') == 0) {
        path = rooted.ptr;
    }
    int rc = *relative ? 0 : lh_buf_puts(&b, "file://");
    for (const unsigned char *p = (const unsigned char *)path; rc == 0 && *p; p++) {
        unsigned char c = *p;
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '/' ||
                    c == '!'; /* a sub-delim, legal in a path: "app.jar!/BOOT-INF/x.yml" */
        if (keep) {
            rc = lh_buf_putc(&b, (char)c);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = lh_buf_put(&b, enc, 3);
        }
    }
    if (rc == 0 && b.len == 0) {
        rc = lh_buf_putc(&b, '-');
    }
    lh_buf_dispose(&rooted);
    if (rc < 0) {
        lh_buf_dispose(&b);
        return NULL;
    }
    return lh_buf_take(&b);
}

static json_t *location(const struct lh_finding *f, const char *prefix)
{
    bool relative = true;
    char *uri = path_uri(f->path ? f->path : "-", prefix, &relative);
    json_t *art = json_object();
    bool ok = uri && art;
    if (ok) {
        put(art, "uri", json_string(uri), &ok);
        if (relative) {
            put(art, "uriBaseId", json_string("%SRCROOT%"), &ok);
        }
    }
    free(uri);
    json_t *phys = json_object();
    if (phys) {
        put(phys, "artifactLocation", art, &ok);
        art = NULL;
    }
    json_decref(art);
    if (phys && f->line >= 1 && f->column >= 1) {
        json_t *region = json_object();
        if (region) {
            put(region, "startLine", json_integer((json_int_t)f->line), &ok);
            put(region, "startColumn", json_integer((json_int_t)f->column), &ok);
            if (f->end_line >= f->line && f->end_column >= 1) {
                put(region, "endLine", json_integer((json_int_t)f->end_line), &ok);
                put(region, "endColumn", json_integer((json_int_t)f->end_column), &ok);
            }
        }
        put(phys, "region", region, &ok);
    }
    json_t *loc = json_object();
    if (loc) {
        put(loc, "physicalLocation", phys, &ok);
        phys = NULL;
    }
    json_decref(phys);
    if (!ok) {
        json_decref(loc);
        return NULL;
    }
    return loc;
}

static json_t *result(const struct lh_finding *f, long index, const char *prefix)
{
    json_t *r = json_object();
    bool ok = r != NULL;
    if (!ok) {
        return NULL;
    }
    char red[64];
    lh_finding_redact(red, sizeof(red), f);
    const char *conf = lh_confidence_name(f->confidence);
    struct lh_buf msg;
    lh_buf_init(&msg, 0);
    if (lh_buf_printf(&msg, "%s (%s): %s", f->rule->name, conf, red) < 0) {
        ok = false;
    }
    put(r, "ruleId", lh_report_json_text(f->rule->id), &ok);
    put(r, "ruleIndex", json_integer(index), &ok);
    put(r, "level", json_string(level(f->confidence)), &ok);
    put(r, "message", text_object(msg.ptr ? msg.ptr : ""), &ok);
    lh_buf_dispose(&msg);
    json_t *locs = json_array();
    if (locs) {
        append(locs, location(f, prefix), &ok);
    }
    put(r, "locations", locs, &ok);
    json_t *fps = json_object();
    if (fps) {
        put(fps, FINGERPRINT_KEY, json_string(f->fingerprint), &ok);
    }
    put(r, "partialFingerprints", fps, &ok);
    json_t *props = json_object();
    if (props) {
        put(props, "confidence", json_string(conf), &ok);
        if (f->ndecoded) {
            put(props, "decoded", lh_report_decoded_json(f), &ok);
        }
        const struct lh_provenance *p = &f->prov;
        if (p->commit) {
            put(props, "commit", lh_report_json_text(p->commit), &ok);
        }
        if (p->author) {
            put(props, "author", lh_report_json_text(p->author), &ok);
        }
        if (p->date) {
            put(props, "date", lh_report_json_text(p->date), &ok);
        }
        if (p->blob) {
            put(props, "blob", lh_report_json_text(p->blob), &ok);
        }
        if (p->repository) {
            put(props, "repository", lh_report_json_text(p->repository), &ok);
        }
        if (p->layer) {
            put(props, "layer", lh_report_json_text(p->layer), &ok);
            put(props, "deleted", json_boolean(p->deleted), &ok);
        }
    }
    put(r, "properties", props, &ok);
    if (!ok) {
        json_decref(r);
        return NULL;
    }
    return r;
}

static json_t *notification(const char *level, const char *text, bool *ok)
{
    json_t *n = json_object();
    if (n) {
        put(n, "level", json_string(level), ok);
        put(n, "message", text_object(text), ok);
    } else {
        *ok = false;
    }
    return n;
}

static json_t *invocation(const struct lh_report_ctx *ctx, size_t omitted)
{
    const struct lh_report_summary *s = ctx->summary;
    json_t *inv = json_object();
    bool ok = inv != NULL;
    if (!ok) {
        return NULL;
    }
    put(inv, "executionSuccessful", json_boolean(!s || s->errors == 0), &ok);
    json_t *arr = (s && s->errors) || omitted ? json_array() : NULL;
    if (s && s->errors) {
        char text[128];
        snprintf(text, sizeof(text), "%zu input%s could not be read; the scan is incomplete",
                 s->errors, s->errors == 1 ? "" : "s");
        append(arr, notification("error", text, &ok), &ok);
    }
    if (omitted) {
        char text[320];
        snprintf(text, sizeof(text),
                 "%zu result%s left out: code scanning accepts at most %d results per run, so "
                 "this run holds the first %d by confidence (confirmed, then probable, then "
                 "low); the exit code still counts every finding; --format json lists them all",
                 omitted, omitted == 1 ? " was" : "s were", LH_SARIF_MAX_RESULTS,
                 LH_SARIF_MAX_RESULTS);
        append(arr, notification("warning", text, &ok), &ok);
    }
    if (arr) {
        put(inv, "toolExecutionNotifications", arr, &ok);
    }
    if (!ok) {
        json_decref(inv);
        return NULL;
    }
    return inv;
}

static json_t *build(const struct lh_findings *l, const struct lh_report_ctx *ctx,
                     struct rulemap *m)
{
    bool ok = true;
    /* every active rule, then any other rule a reported finding names */
    for (size_t i = 0; ok && ctx->rules && i < ctx->rules->count; i++) {
        if (lh_rule_active(ctx->rules->rules[i]) && rulemap_add(m, ctx->rules->rules[i]) < 0) {
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < l->count; i++) {
        if (reported(&l->items[i]) && rulemap_add(m, l->items[i].rule) < 0) {
            ok = false;
        }
    }
    json_t *rules = json_array();
    for (size_t i = 0; rules && i < m->count; i++) {
        append(rules, rule_descriptor(m->rules[i]), &ok);
    }
    /*
     * GitHub code scanning rejects a whole file with more than 25,000 results in a run: keep
     * the first LH_SARIF_MAX_RESULTS by confidence (confirmed, probable, low; each in scan
     * order) and say what was left out.
     */
    json_t *results = json_array();
    size_t kept = 0;
    size_t omitted = 0;
    static const enum lh_confidence order[] = {LH_CONF_CONFIRMED, LH_CONF_PROBABLE, LH_CONF_LOW,
                                               LH_CONF_NONE};
    for (size_t o = 0; results && o < sizeof(order) / sizeof(order[0]); o++) {
        for (size_t i = 0; i < l->count; i++) {
            const struct lh_finding *f = &l->items[i];
            bool last = o + 1 == sizeof(order) / sizeof(order[0]);
            /* the last pass takes whatever confidence the others did not */
            if (!reported(f) ||
                (last ? f->confidence == LH_CONF_CONFIRMED || f->confidence == LH_CONF_PROBABLE ||
                            f->confidence == LH_CONF_LOW
                      : f->confidence != order[o])) {
                continue;
            }
            if (kept == LH_SARIF_MAX_RESULTS) {
                omitted++;
                continue;
            }
            append(results, result(f, rulemap_index(m, f->rule), ctx->uri_prefix), &ok);
            kept++;
        }
    }
    json_t *driver = json_object();
    if (driver) {
        put(driver, "name", json_string("leakhound"), &ok);
        if (ctx->tool_version) {
            put(driver, "version", json_string(ctx->tool_version), &ok);
            put(driver, "semanticVersion", json_string(ctx->tool_version), &ok);
        }
        put(driver, "rules", rules, &ok);
        rules = NULL;
    }
    json_decref(rules);
    json_t *tool = json_object();
    if (tool) {
        put(tool, "driver", driver, &ok);
        driver = NULL;
    }
    json_decref(driver);
    json_t *invs = json_array();
    if (invs) {
        append(invs, invocation(ctx, omitted), &ok);
    }
    json_t *run = json_object();
    if (run) {
        put(run, "tool", tool, &ok);
        put(run, "invocations", invs, &ok);
        put(run, "columnKind", json_string("unicodeCodePoints"), &ok);
        /* a stable category: code scanning keeps one set of alerts per category */
        json_t *auto_details = json_object();
        if (auto_details) {
            put(auto_details, "id",
                json_string(ctx->automation_id ? ctx->automation_id : "leakhound/"), &ok);
        }
        put(run, "automationDetails", auto_details, &ok);
        if (ctx->repo_name) {
            json_t *props = json_object();
            if (props) {
                put(props, "repository", json_string(ctx->repo_name), &ok);
            }
            put(run, "properties", props, &ok);
            if (strstr(ctx->repo_name, "://")) {
                json_t *vcp = json_object();
                json_t *arr = json_array();
                if (vcp) {
                    put(vcp, "repositoryUri", json_string(ctx->repo_name), &ok);
                }
                append(arr, vcp, &ok);
                put(run, "versionControlProvenance", arr, &ok);
            }
        }
        put(run, "results", results, &ok);
        tool = invs = results = NULL;
    }
    json_decref(tool);
    json_decref(invs);
    json_decref(results);
    json_t *runs = json_array();
    if (runs) {
        append(runs, run, &ok);
        run = NULL;
    }
    json_decref(run);
    json_t *root = json_object();
    if (root) {
        put(root, "$schema", json_string(SARIF_SCHEMA), &ok);
        put(root, "version", json_string("2.1.0"), &ok);
        put(root, "runs", runs, &ok);
        runs = NULL;
    }
    json_decref(runs);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

static int write_sarif(FILE *out, const struct lh_findings *l, const struct lh_report_ctx *ctx)
{
    struct rulemap m = {NULL, 0, 0};
    json_t *root = build(l, ctx, &m);
    free(m.rules);
    if (!root) {
        return lh_error_oom();
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF) {
        lh_error_set("cannot write sarif report");
        return LH_EIO;
    }
    return 0;
}

const struct lh_report_ops lh_report_sarif_ops = {"sarif", write_sarif};
