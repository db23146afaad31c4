/* SPDX-License-Identifier: MIT */
/*
 * The HTML report writer (see html.h). It copies the embedded template
 * (src/report/html/report.html.in) and replaces its @LH_NAME@ tokens: CSS and JS by the
 * embedded style sheet and script, CSP by a policy naming their SHA-256 hashes, TITLE by the
 * HTML-escaped page title, MODEL by the audit model as compact JSON in which every '<', '>',
 * '&', U+2028 and U+2029 is a \u escape (still the same JSON to JSON.parse, never markup to
 * the HTML parser). The model is streamed through jansson's dump callback: no copy of it is
 * held in memory. Only the model's outline is checked here (schema, the two arrays); the
 * script tolerates any missing or mistyped field below it.
 */
#include "report/html.h"

#include "rules/builtin.h"
#include "util/encode.h"
#include "util/hash.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

/* written by cmake/embed.cmake from src/report/html/ */
extern const struct lh_builtin_file lh_report_html_files[];
extern const size_t lh_report_html_files_count;

struct out_state {
    FILE *f;
    const char *name;
    int rc;
    unsigned pending; /* bytes of a possible U+2028/U+2029 (E2 80 A8|A9) held back: 0..2 */
};

static void put(struct out_state *o, const char *p, size_t n)
{
    if (o->rc != 0 || n == 0) {
        return;
    }
    if (fwrite(p, 1, n, o->f) != n) {
        lh_error_set("cannot write the html report to '%s': %s", o->name, strerror(errno));
        o->rc = LH_EIO;
    }
}

static void put_str(struct out_state *o, const char *s)
{
    put(o, s, strlen(s));
}

/* The embedded file "report/html/<name>"; LH_ASSERT: the build embeds all of them. */
static const struct lh_builtin_file *asset(const char *name)
{
    static const char prefix[] = "report/html/";
    for (size_t i = 0; i < lh_report_html_files_count; i++) {
        const char *n = lh_report_html_files[i].name;
        if (strncmp(n, prefix, sizeof(prefix) - 1) == 0 &&
            strcmp(n + sizeof(prefix) - 1, name) == 0) {
            return &lh_report_html_files[i];
        }
    }
    LH_ASSERT(!"report asset missing from the build");
    return NULL;
}

/* "'sha256-<base64>'" of an asset into out[cap] */
static int csp_hash(char *out, size_t cap, const struct lh_builtin_file *a)
{
    uint8_t d[32];
    char b64[64];
    size_t n = 0;
    lh_sha256(d, a->data, a->len);
    int rc = lh_encode_base64(b64, sizeof(b64), &n, d, sizeof(d), 0);
    if (rc != 0) {
        return rc;
    }
    int w = snprintf(out, cap, "'sha256-%s'", b64);
    LH_ASSERT(w > 0 && (size_t)w < cap);
    return 0;
}

/* Text for an HTML element or a double-quoted attribute. */
static void put_html_text(struct out_state *o, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            put_str(o, "&amp;");
            break;
        case '<':
            put_str(o, "&lt;");
            break;
        case '>':
            put_str(o, "&gt;");
            break;
        case '"':
            put_str(o, "&quot;");
            break;
        case '\'':
            put_str(o, "&#39;");
            break;
        default:
            put(o, s, 1);
        }
    }
}

/*
 * jansson dump callback: JSON text into a <script> element. '<' '>' '&' occur in jansson's
 * output only inside strings, where "\u003c" means the same; U+2028/U+2029 (E2 80 A8/A9 in
 * UTF-8, possibly split across calls) become "\u2028"/"\u2029".
 */
static int json_out(const char *buf, size_t size, void *data)
{
    static const char held[] = "\xE2\x80";
    struct out_state *o = data;
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (o->pending == 1 && c == 0x80) {
            o->pending = 2;
            start = i + 1;
            continue;
        }
        if (o->pending == 2 && (c == 0xA8 || c == 0xA9)) {
            put(o, c == 0xA8 ? "\\u2028" : "\\u2029", 6);
            o->pending = 0;
            start = i + 1;
            continue;
        }
        if (o->pending > 0) {
            /* not U+2028/9 after all: the held bytes go out as they were, c is a new byte */
            put(o, held, o->pending);
            o->pending = 0;
            start = i;
        }
        const char *rep = NULL;
        if (c == 0xE2) {
            put(o, buf + start, i - start);
            start = i + 1;
            o->pending = 1;
            continue;
        } else if (c == '<') {
            rep = "\\u003c";
        } else if (c == '>') {
            rep = "\\u003e";
        } else if (c == '&') {
            rep = "\\u0026";
        }
        if (rep) {
            put(o, buf + start, i - start);
            put(o, rep, 6);
            start = i + 1;
        }
    }
    put(o, buf + start, size - start);
    return o->rc == 0 ? 0 : -1;
}

/* The next "@LH_" in [p, end), or NULL. */
static const char *find_token(const char *p, const char *end)
{
    while (p < end) {
        const char *at = memchr(p, '@', (size_t)(end - p));
        if (!at) {
            return NULL;
        }
        if (end - at >= 4 && memcmp(at, "@LH_", 4) == 0) {
            return at;
        }
        p = at + 1;
    }
    return NULL;
}

static int check_model(const json_t *m)
{
    if (!json_is_object(m)) {
        lh_error_set("the audit model is not a JSON object");
        return LH_EINVAL;
    }
    const char *schema = json_string_value(json_object_get(m, "schema"));
    if (!schema || strcmp(schema, LH_REPORT_HTML_SCHEMA) != 0) {
        lh_error_set("the audit model's schema is '%s', expected '" LH_REPORT_HTML_SCHEMA "'",
                     schema ? schema : "(none)");
        return LH_EINVAL;
    }
    if (!json_is_array(json_object_get(m, "secrets"))) {
        lh_error_set("the audit model has no \"secrets\" array");
        return LH_EINVAL;
    }
    const json_t *repos = json_object_get(m, "repositories");
    if (repos && !json_is_array(repos)) {
        lh_error_set("the audit model's \"repositories\" is not an array");
        return LH_EINVAL;
    }
    return 0;
}

static void put_title(struct out_state *o, const json_t *m)
{
    const json_t *scope = json_object_get(m, "scope");
    const char *org = json_string_value(json_object_get(scope, "organisation"));
    const json_t *repos = json_object_get(m, "repositories");
    const char *one = NULL;
    if (!org && json_array_size(repos) == 1) {
        one = json_string_value(json_object_get(json_array_get(repos, 0), "name"));
    }
    const char *when = json_string_value(json_object_get(m, "generated_at"));
    put_str(o, "leakhound audit");
    if (org || one) {
        put_str(o, ": ");
        put_html_text(o, org ? org : one);
    }
    if (when && strlen(when) >= 10) {
        char day[11];
        memcpy(day, when, 10);
        day[10] = '\0';
        put_str(o, " (");
        put_html_text(o, day);
        put_str(o, ")");
    }
}

int lh_report_html_write(FILE *out, const json_t *model, const char *out_name)
{
    struct out_state o = {out, out_name ? out_name : "the output", 0, 0};
    int rc = check_model(model);
    if (rc != 0) {
        return rc;
    }
    const struct lh_builtin_file *tpl = asset("report.html.in");
    const struct lh_builtin_file *css = asset("report.css");
    const struct lh_builtin_file *js = asset("report.js");
    char css_h[80];
    char js_h[80];
    rc = csp_hash(css_h, sizeof(css_h), css);
    if (rc == 0) {
        rc = csp_hash(js_h, sizeof(js_h), js);
    }
    if (rc != 0) {
        return rc;
    }
    const char *p = (const char *)tpl->data;
    const char *end = p + tpl->len;
    while (o.rc == 0 && p < end) {
        const char *tok = find_token(p, end);
        if (!tok) {
            put(&o, p, (size_t)(end - p));
            break;
        }
        put(&o, p, (size_t)(tok - p));
        const char *name = tok + 4;
        const char *close = memchr(name, '@', (size_t)(end - name));
        LH_ASSERT(close != NULL);
        size_t nl = (size_t)(close - name);
        if (nl == 3 && memcmp(name, "CSS", 3) == 0) {
            put(&o, (const char *)css->data, css->len);
        } else if (nl == 2 && memcmp(name, "JS", 2) == 0) {
            put(&o, (const char *)js->data, js->len);
        } else if (nl == 3 && memcmp(name, "CSP", 3) == 0) {
            put_str(&o, "default-src 'none'; script-src ");
            put_str(&o, js_h);
            put_str(&o, "; style-src ");
            put_str(&o, css_h);
            put_str(&o, "; img-src data:; base-uri 'none'; form-action 'none'");
        } else if (nl == 5 && memcmp(name, "TITLE", 5) == 0) {
            put_title(&o, model);
        } else if (nl == 5 && memcmp(name, "MODEL", 5) == 0) {
            if (json_dump_callback(model, json_out, &o, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 &&
                o.rc == 0) {
                lh_error_set("cannot serialise the audit model");
                o.rc = LH_ENOMEM;
            }
            if (o.pending) {
                put(&o, "\xE2\x80", o.pending);
                o.pending = 0;
            }
        } else {
            LH_ASSERT(!"unknown token in report.html.in");
        }
        p = close + 1;
    }
    if (o.rc == 0 && fflush(out) != 0) {
        lh_error_set("cannot write the html report to '%s': %s", o.name, strerror(errno));
        o.rc = LH_EIO;
    }
    return o.rc;
}
