/* SPDX-License-Identifier: MIT */
/*
 * `--format github` through the real binary: workflow-command annotations parsed back the
 * way the runner parses them (file, line, end line, columns, level), escaping of a hostile
 * file name (commas, colons, a newline: no second command can be injected), no whole secret
 * anywhere, and the Markdown job summary appended to GITHUB_STEP_SUMMARY.
 */
#include "support/report.h"

#include <regex.h>

RT_FIXTURE(github);

/* Undoes the runner's escaping of a property value. */
static void unescape(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        unsigned v;
        if (s[i] == '%' && i + 2 < n + 1 && sscanf(s + i + 1, "%2X", &v) == 1) {
            out[k++] = (char)v;
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
}

struct annotation {
    char level[16];
    char file[256];
    size_t line, end_line, col, end_col;
};

/* Parses the annotation lines of out; returns how many. */
static size_t parse(const char *out, struct annotation *a, size_t cap)
{
    regex_t re;
    cr_assert(eq(int,
                 regcomp(&re,
                         "^::(error|warning) file=([^,]*),line=([0-9]+),endLine=([0-9]+),"
                         "col=([0-9]+),endColumn=([0-9]+),title=[^:]*::(.*)$",
                         REG_EXTENDED | REG_NEWLINE),
                 0));
    size_t n = 0;
    const char *p = out;
    regmatch_t m[8];
    while (n < cap && regexec(&re, p, 8, m, 0) == 0) {
        snprintf(a[n].level, sizeof(a[n].level), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
                 p + m[1].rm_so);
        unescape(p + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so), a[n].file, sizeof(a[n].file));
        a[n].line = strtoul(p + m[3].rm_so, NULL, 10);
        a[n].end_line = strtoul(p + m[4].rm_so, NULL, 10);
        a[n].col = strtoul(p + m[5].rm_so, NULL, 10);
        a[n].end_col = strtoul(p + m[6].rm_so, NULL, 10);
        n++;
        p += m[0].rm_eo;
    }
    regfree(&re);
    return n;
}

Test(github, annotations_point_at_file_and_line_and_summary_is_written)
{
    rt_put(dir, "src/app/config.yml", "name: x\n\n  token: %s\n", tok);
    /* a file name with the separators of a workflow command, and a newline */
    rt_put(dir, "src/odd,name:x\n::error file=evil.txt::fake.env", "K=%s\n", tok2);
    char summary[4096];
    snprintf(summary, sizeof(summary), "%s/summary.md", dir);
    setenv("GITHUB_STEP_SUMMARY", summary, 1);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "github", "src", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, tok) == NULL && strstr(r.out, tok2) == NULL, "a secret in clear");
    struct annotation a[8];
    size_t n = parse(r.out, a, 8);
    cr_assert(eq(sz, n, 2), "%s", r.out);
    /* every output line is one annotation: the hostile name did not start a new command */
    cr_assert(eq(sz, rt_lines(r.out), 2), "%s", r.out);
    size_t cfg = !strcmp(a[0].file, "src/app/config.yml") ? 0 : 1;
    cr_assert(eq(str, a[cfg].file, "src/app/config.yml"));
    cr_assert(eq(str, a[cfg].level, "error"));
    cr_assert(eq(sz, a[cfg].line, 3));
    cr_assert(eq(sz, a[cfg].end_line, 3));
    cr_assert(eq(sz, a[cfg].col, 10));
    cr_assert(eq(sz, a[cfg].end_col, 50));
    cr_assert(eq(str, a[1 - cfg].file, "src/odd,name:x\n::error file=evil.txt::fake.env"));
    cr_assert(eq(sz, a[1 - cfg].line, 1));
    lh_run_dispose(&r);
    char *md = lh_read_file(summary);
    cr_assert(md != NULL, "no step summary written");
    cr_assert(strstr(md, "2 secrets found") != NULL, "%s", md);
    cr_assert(strstr(md, "| `src/app/config.yml` | 3 | github-pat-classic | confirmed |") != NULL,
              "%s", md);
    cr_assert(strstr(md, tok) == NULL, "a secret in clear in the summary");
    free(md);
}
