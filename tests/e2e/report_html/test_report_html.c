/* SPDX-License-Identifier: MIT */
/*
 * The HTML report writer in process, on the bytes it writes: the model block holds the same
 * JSON (it parses back equal to the model) with no way out of its <script> element for
 * planted "</script>", "<!--", markup, U+2028/U+2029; the Content-Security-Policy names the
 * SHA-256 of the exact script and style written; the title is HTML-escaped; a model that is not
 * an audit document and a failing write give their error codes. Then the htmlrender tool
 * (the real binary) on good and bad files. What the page shows and that nothing in it runs is
 * tests/e2e/report_html/test_chromium.py, in Chromium.
 */
#define _GNU_SOURCE /* asprintf */
#include "report/html.h"
#include "support/support.h"
#include "util/encode.h"
#include "util/hash.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(report_html);

#define XSS_SCRIPT "</script><script>alert(1)</script>"
#define XSS_IMG "<img src=x onerror=alert(2)>"

/* A small audit model with attacker-controlled text in every free-text field. */
static json_t *hostile_model(void)
{
    json_t *m = json_pack(
        "{s:s, s:s, s:{s:s, s:s}, s:{s:i, s:s}, s:[{s:s, s:s, s:i}], s:[{s:s, s:s, s:s, s:s, "
        "s:s, s:s, s:s, s:{s:s, s:s, s:n}, s:{s:s, s:s, s:s, s:s}, s:[s], s:[{s:s, s:s, s:i, "
        "s:i, s:s, s:s, s:s, s:s, s:[s]}]}]}",
        "schema", LH_REPORT_HTML_SCHEMA, "generated_at", "2026-12-06T10:00:00Z", "tool", "name",
        "leakhound", "version", "0.1.0", "scope", "repositories", 1, "organisation",
        "<b>acme</b>&\"co'", "repositories", "name", "acme/" XSS_IMG, "url", "javascript:alert(3)",
        "findings", 1, "secrets", "id", "ab12", "fingerprint", "fp1", "rule_id",
        "github-pat-classic", "rule_name", "GitHub PAT <!-- <script>", "provider", "GitHub",
        "confidence", "confirmed", "secret", "ghp_e7****cD47", "triage", "status", "accepted",
        "note", "note " XSS_SCRIPT " " XSS_IMG " \xE2\x80\xA8 line \xE2\x80\xA9 end", "updated_at",
        "introduced", "repository", "acme/api", "commit", "c0ffee", "date", "2026-01-02T03:04:05Z",
        "author", "Mallory <m@x>", "still_in_refs", "acme/api:refs/heads/main", "occurrences",
        "repository", "acme/api", "path", "src/" XSS_SCRIPT "/" XSS_IMG ".env", "line", 3, "column",
        7, "commit", "c0ffee", "date", "2026-01-02T03:04:05Z", "message",
        "fix " XSS_SCRIPT " <!--<script> \xE2\x80\xA0 \xE2\x82\xAC end\xE2\x80\xA8", "blob", "b10b",
        "refs", "refs/heads/main");
    cr_assert(m != NULL, "json_pack failed");
    return m;
}

/* Renders m; returns the page (heap) and its length. */
static char *render(const json_t *m, size_t *len, int *rc)
{
    char *page = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&page, &n);
    cr_assert(f != NULL);
    *rc = lh_report_html_write(f, m, "mem");
    cr_assert(eq(int, fclose(f), 0));
    *len = n;
    return page;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* The text between `open` and the next `close` (heap), or NULL. */
static char *between(const char *hay, const char *open, const char *close)
{
    const char *a = strstr(hay, open);
    if (!a) {
        return NULL;
    }
    a += strlen(open);
    const char *b = strstr(a, close);
    return b ? strndup(a, (size_t)(b - a)) : NULL;
}

static char *csp_hash_of(const char *text)
{
    uint8_t d[32];
    char b64[64];
    size_t n = 0;
    lh_sha256(d, text, strlen(text));
    cr_assert(eq(int, lh_encode_base64(b64, sizeof(b64), &n, d, sizeof(d), 0), 0));
    char *out = NULL;
    cr_assert(asprintf(&out, "'sha256-%s'", b64) > 0);
    return out;
}

Test(report_html, model_block_is_the_model_and_cannot_be_escaped)
{
    json_t *m = hostile_model();
    size_t len = 0;
    int rc = 0;
    char *page = render(m, &len, &rc);
    cr_assert(eq(int, rc, 0), "%s", lh_error_get());
    cr_assert(eq(sz, strlen(page), len), "no NUL byte in the page");
    /* exactly the two script elements of the template: the model block and the script */
    cr_assert(eq(sz, count(page, "<script"), 2), "%s", page);
    cr_assert(eq(sz, count(page, "</script"), 2));
    cr_assert(eq(sz, count(page, "<!--"), 2), "only the template's two comments");
    cr_assert(eq(ptr, strstr(page, "\xE2\x80\xA8"), NULL), "U+2028 written raw");
    cr_assert(eq(ptr, strstr(page, "\xE2\x80\xA9"), NULL), "U+2029 written raw");
    char *block = between(page, "<script id=\"lh-model\" type=\"application/json\">", "</script>");
    cr_assert(block != NULL);
    cr_assert(eq(ptr, strchr(block, '<'), NULL));
    cr_assert(eq(ptr, strchr(block, '>'), NULL));
    cr_assert(eq(ptr, strchr(block, '&'), NULL));
    cr_assert(strstr(block, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)") != NULL);
    cr_assert(strstr(block, "\\u2028 line \\u2029 end") != NULL, "%s", block);
    cr_assert(strstr(block, "end\\u2028\"") != NULL, "U+2028 at the end of a string");
    /* other E2 sequences (dagger U+2020, euro sign) pass through unchanged */
    cr_assert(strstr(block, "\xE2\x80\xA0 \xE2\x82\xAC end") != NULL);
    json_error_t e;
    json_t *back = json_loads(block, 0, &e);
    cr_assert(back != NULL, "model block is not JSON: %s", e.text);
    cr_assert(json_equal(back, m), "model block differs from the model");
    json_decref(back);
    free(block);
    free(page);
    json_decref(m);
}

Test(report_html, csp_names_the_exact_script_and_style)
{
    json_t *m = hostile_model();
    size_t len = 0;
    int rc = 0;
    char *page = render(m, &len, &rc);
    cr_assert(eq(int, rc, 0));
    char *csp = between(page, "http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    cr_assert(csp != NULL);
    cr_assert(strstr(csp, "default-src 'none'") != NULL, "%s", csp);
    cr_assert(eq(ptr, strstr(csp, "unsafe"), NULL), "%s", csp);
    const char *js_open = strstr(page, "</script>\n<script>");
    cr_assert(js_open != NULL);
    char *js = between(js_open, "<script>", "</script>");
    char *css = between(page, "<style>", "</style>");
    cr_assert(js != NULL && css != NULL);
    cr_assert(strlen(js) > 1000 && strlen(css) > 1000);
    char *hj = csp_hash_of(js);
    char *hc = csp_hash_of(css);
    char *want_js = NULL;
    char *want_css = NULL;
    cr_assert(asprintf(&want_js, "script-src %s;", hj) > 0);
    cr_assert(asprintf(&want_css, "style-src %s;", hc) > 0);
    cr_assert(strstr(csp, want_js) != NULL, "%s not in %s", want_js, csp);
    cr_assert(strstr(csp, want_css) != NULL, "%s not in %s", want_css, csp);
    /* the script never parses model text as markup */
    cr_assert(eq(ptr, strstr(js, "innerHTML"), NULL));
    cr_assert(eq(ptr, strstr(js, "outerHTML"), NULL));
    cr_assert(eq(ptr, strstr(js, "insertAdjacentHTML"), NULL));
    cr_assert(eq(ptr, strstr(js, "document.write"), NULL));
    cr_assert(eq(ptr, strstr(js, "eval("), NULL));
    free(want_js);
    free(want_css);
    free(hj);
    free(hc);
    free(js);
    free(css);
    free(csp);
    free(page);
    json_decref(m);
}

Test(report_html, title_is_escaped_and_names_the_organisation)
{
    json_t *m = hostile_model();
    size_t len = 0;
    int rc = 0;
    char *page = render(m, &len, &rc);
    cr_assert(eq(int, rc, 0));
    char *title = between(page, "<title>", "</title>");
    cr_assert(title != NULL);
    cr_assert(
        eq(str, title, "leakhound audit: &lt;b&gt;acme&lt;/b&gt;&amp;&quot;co&#39; (2026-12-06)"));
    free(title);
    free(page);
    json_decref(m);
}

static void expect_invalid(json_t *m, const char *what)
{
    size_t len = 0;
    int rc = 0;
    char *page = render(m, &len, &rc);
    cr_assert(eq(int, rc, LH_EINVAL), "%s", what);
    cr_assert(strstr(lh_error_get(), what) != NULL, "'%s' not in '%s'", what, lh_error_get());
    cr_assert(eq(sz, len, 0), "nothing written for an invalid model");
    free(page);
    json_decref(m);
}

Test(report_html, rejects_what_is_not_an_audit_model)
{
    expect_invalid(json_array(), "not a JSON object");
    expect_invalid(json_pack("{s:[]}", "secrets"), "schema is '(none)'");
    expect_invalid(json_pack("{s:s, s:[]}", "schema", "leakhound-audit/2", "secrets"),
                   "schema is 'leakhound-audit/2'");
    expect_invalid(json_pack("{s:s}", "schema", LH_REPORT_HTML_SCHEMA), "no \"secrets\" array");
    expect_invalid(
        json_pack("{s:s, s:[], s:{}}", "schema", LH_REPORT_HTML_SCHEMA, "secrets", "repositories"),
        "\"repositories\" is not an array");
}

Test(report_html, a_failing_write_is_an_io_error)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert(f != NULL);
    json_t *m = hostile_model();
    int rc = lh_report_html_write(f, m, "/dev/full");
    cr_assert(eq(int, rc, LH_EIO));
    cr_assert(strstr(lh_error_get(), "cannot write the html report to '/dev/full'") != NULL, "%s",
              lh_error_get());
    fclose(f);
    json_decref(m);
}

Test(report_html, htmlrender_renders_a_file_and_names_bad_input)
{
    json_t *m = hostile_model();
    char *in = NULL;
    char *out = NULL;
    cr_assert(asprintf(&in, "%s/model.json", dir) > 0);
    cr_assert(asprintf(&out, "%s/report.html", dir) > 0);
    cr_assert(eq(int, json_dump_file(m, in, 0), 0));
    struct lh_run r;
    const char *ok[] = {LH_HTMLRENDER, in, out, NULL};
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, ok), 0));
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    char *page = lh_read_file(out);
    cr_assert(page != NULL);
    cr_assert(strstr(page, "<!DOCTYPE html>") == page);
    cr_assert(strstr(page, "</html>") != NULL);
    free(page);

    lh_write_file(dir, "bad.json", "{\"schema\": ", 11);
    const char *bad[] = {LH_HTMLRENDER, "bad.json", "x.html", NULL};
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, bad), 0));
    cr_assert(eq(int, r.status, 4));
    cr_assert(eq(sz, count(r.err, "\n"), 1), "one line: %s", r.err);
    cr_assert(strstr(r.err, "cannot parse the audit model 'bad.json'") != NULL, "%s", r.err);
    lh_run_dispose(&r);

    lh_write_file(dir, "other.json", "{\"schema\": \"x\", \"secrets\": []}", 30);
    const char *other[] = {LH_HTMLRENDER, "other.json", "x.html", NULL};
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, other), 0));
    cr_assert(eq(int, r.status, 4));
    cr_assert(strstr(r.err, "schema is 'x'") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    char *none = NULL;
    cr_assert(asprintf(&none, "%s/x.html", dir) > 0);
    cr_assert(eq(ptr, lh_read_file(none), NULL), "no output for a bad model");
    free(none);

    const char *missing[] = {LH_HTMLRENDER, "missing.json", NULL};
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, missing), 0));
    cr_assert(eq(int, r.status, 4));
    cr_assert(strstr(r.err, "missing.json") != NULL, "%s", r.err);
    lh_run_dispose(&r);

    const char *usage[] = {LH_HTMLRENDER, NULL};
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, usage), 0));
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
    free(in);
    free(out);
    json_decref(m);
}
