/* SPDX-License-Identifier: MIT */
/*
 * Inline `leakhound:allow` through the binary: the tag works in any comment syntax (eleven
 * here, one file each), before or after the secret; --no-inline-allow brings every finding
 * back; the tag on another line does nothing; a tag on a long line is found next to the
 * secret, but a tag far away on a minified line does not hide other secrets.
 */
#include "support/report.h"

RT_FIXTURE(inline_allow);

struct syntax {
    const char *file;
    const char *line; /* %s is the token */
};

static const struct syntax syntaxes[] = {
    {"deploy.sh", "export TOKEN=%s  # leakhound:allow\n"},
    {"app.js", "const token = \"%s\"; // leakhound:allow\n"},
    {"main.c", "static const char *token = \"%s\"; /* leakhound:allow */\n"},
    {"seed.sql", "INSERT INTO keys VALUES ('%s'); -- leakhound:allow\n"},
    {"page.html", "<meta name=\"t\" content=\"%s\"> <!-- leakhound:allow -->\n"},
    {"settings.ini", "token = %s ; leakhound:allow\n"},
    {"run.bat", "set TOKEN=%s & REM leakhound:allow\n"},
    {"paper.tex", "\\newcommand{\\token}{%s} % leakhound:allow\n"},
    {"module.vb", "Dim token = \"%s\" ' leakhound:allow\n"},
    {"values.j2", "{# leakhound:allow #} token: %s\n"},
    {"before.c", "/* leakhound:allow */ const char *token = \"%s\";\n"},
};
#define NSYNTAX (sizeof(syntaxes) / sizeof(syntaxes[0]))

/* Scans src/ as JSON; returns the findings array (caller decrefs). */
static json_t *scan(const char *extra, int want_status)
{
    struct lh_run r;
    if (extra) {
        lh_run_lh(&r, dir, NULL, "scan", "-f", "json", extra, "src", NULL);
    } else {
        lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "src", NULL);
    }
    cr_assert(eq(int, r.status, want_status), "stdout: %s stderr: %s", r.out, r.err);
    json_t *arr = rt_json(&r);
    lh_run_dispose(&r);
    return arr;
}

static bool reported(json_t *arr, const char *path)
{
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        if (!strcmp(json_string_value(json_object_get(f, "path")), path)) {
            return true;
        }
    }
    return false;
}

Test(inline_allow, every_comment_syntax_suppresses_and_audit_mode_restores)
{
    char rel[64];
    for (size_t i = 0; i < NSYNTAX; i++) {
        snprintf(rel, sizeof(rel), "src/%s", syntaxes[i].file);
        rt_put(dir, rel, syntaxes[i].line, tok);
    }
    json_t *arr = scan(NULL, 0);
    cr_assert(eq(sz, json_array_size(arr), 0), "suppressed in every syntax");
    json_decref(arr);
    arr = scan("--no-inline-allow", 1);
    cr_assert(eq(sz, json_array_size(arr), NSYNTAX));
    for (size_t i = 0; i < NSYNTAX; i++) {
        snprintf(rel, sizeof(rel), "src/%s", syntaxes[i].file);
        cr_assert(reported(arr, rel), "%s not reported with --no-inline-allow", rel);
    }
    json_decref(arr);
}

Test(inline_allow, tag_on_another_line_does_not_suppress)
{
    rt_put(dir, "src/a.py", "# leakhound:allow\nTOKEN = \"%s\"\n", tok);
    rt_put(dir, "src/b.py", "TOKEN = \"%s\"\n# leakhound:allow\n", tok);
    json_t *arr = scan(NULL, 1);
    cr_assert(eq(sz, json_array_size(arr), 2));
    json_decref(arr);
}

Test(inline_allow, only_the_tagged_line_is_suppressed)
{
    char text[256];
    snprintf(text, sizeof(text), "A = \"%s\"  # leakhound:allow\nB = \"%%s\"\n", tok);
    rt_put(dir, "src/two.py", text, tok2);
    json_t *arr = scan(NULL, 1);
    cr_assert(eq(sz, json_array_size(arr), 1));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_array_get(arr, 0), "line")), 2));
    json_decref(arr);
}

/* A line of `pad` filler bytes, then text with %s = arg. */
static char *long_line(size_t pad, const char *tmpl, const char *arg)
{
    size_t cap = pad + strlen(tmpl) + strlen(arg) + 1;
    char *s = malloc(cap);
    cr_assert(s != NULL);
    for (size_t i = 0; i < pad; i++) {
        s[i] = "a=1; "[i % 5];
    }
    const char *p = strstr(tmpl, "%s");
    size_t head = (size_t)(p - tmpl);
    memcpy(s + pad, tmpl, head);
    memcpy(s + pad + head, arg, strlen(arg));
    memcpy(s + pad + head + strlen(arg), p + 2, strlen(p + 2) + 1);
    return s;
}

Test(inline_allow, tag_after_a_secret_deep_in_a_long_line)
{
    /* the secret starts 6000 bytes into its line; the comment follows it */
    char *s = long_line(6000, "t=\"%s\"; // leakhound:allow\n", tok);
    lh_write_file(dir, "src/min.js", s, strlen(s));
    free(s);
    json_t *arr = scan(NULL, 0);
    cr_assert(eq(sz, json_array_size(arr), 0));
    json_decref(arr);
    arr = scan("--no-inline-allow", 1);
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_decref(arr);
}

Test(inline_allow, far_tag_on_a_minified_line_hides_nothing_else)
{
    /* tok first, then 20000 bytes of code, then tok2 with the tag next to it */
    char *tail = long_line(20000, "u=\"%s\"; /* leakhound:allow */\n", tok2);
    size_t cap = strlen(tail) + 64;
    char *s = malloc(cap);
    cr_assert(s != NULL);
    snprintf(s, cap, "t=\"%s\";%s", tok, tail);
    lh_write_file(dir, "src/bundle.js", s, strlen(s));
    free(s);
    free(tail);
    json_t *arr = scan(NULL, 1);
    cr_assert(eq(sz, json_array_size(arr), 1), "only the secret next to the tag is allowed");
    cr_assert(
        eq(int, (int)json_integer_value(json_object_get(json_array_get(arr, 0), "column")), 4));
    json_decref(arr);
}

/*
 * Suppressions are visible: the summary counts an inline allow, --show-suppressed lists it
 * (marked), and `inline_allow_confirmed: false` in a config (or
 * --no-inline-allow-confirmed) lets no comment hide a confirmed token.
 */
Test(inline_allow, suppressions_are_counted_listed_and_refusable_for_confirmed)
{
    rt_put(dir, "src/app.py", "TOKEN = \"%s\"  # leakhound:allow\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "src", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "1 suppressed (1 inline allow, 0 baseline") != NULL, "%s", r.err);
    lh_run_dispose(&r);

    lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "--show-suppressed", "src", NULL);
    cr_assert(eq(int, r.status, 0), "listing does not fail the scan: %s", r.err);
    json_t *arr = rt_json(&r);
    cr_assert(eq(sz, json_array_size(arr), 1));
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_array_get(arr, 0), "suppressed")),
                 "inline"));
    json_decref(arr);
    lh_run_dispose(&r);

    lh_run_lh(&r, dir, NULL, "scan", "--no-inline-allow-confirmed", "src", NULL);
    cr_assert(eq(int, r.status, 1), "a confirmed token was hidden: %s", r.err);
    lh_run_dispose(&r);

    rt_put(dir, "strict.yml", "inline_allow_confirmed: false\n", NULL);
    lh_run_lh(&r, dir, NULL, "scan", "--config", "strict.yml", "src", NULL);
    cr_assert(eq(int, r.status, 1), "the config switch did not apply: %s", r.err);
    lh_run_dispose(&r);
}
