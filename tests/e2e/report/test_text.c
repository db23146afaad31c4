/* SPDX-License-Identifier: MIT */
/*
 * Human output and exit codes through the binary: grouping by file, redaction, colour
 * (--color, NO_COLOR, and a real terminal through script(1)), escaping of hostile file
 * names, the summary line, --exit-code and --fail-on.
 */
#include "support/report.h"

static char *dir;
static char tok[41];
static char tok2[41];
static char tok3[41];

static const char probable_rules[] =
    "rules:\n"
    "  - id: test-probable\n    name: Test probable token\n    keywords: [tstp_]\n"
    "    pattern: '(?<secret>tstp_[A-Za-z0-9]{24})'\n    confidence: probable\n"
    "  - id: test-low\n    name: Test low token\n    keywords: [tstl_]\n"
    "    pattern: '(?<secret>tstl_[A-Za-z0-9]{24})'\n    confidence: low\n";

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    rt_token(tok, 0);
    rt_token(tok2, 1);
    rt_token(tok3, 2);
    rt_put(dir, "rules.yml", probable_rules, NULL);
    unsetenv("NO_COLOR");
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(text, .init = setup, .fini = teardown);

Test(text, grouped_by_file_with_locations_and_redaction)
{
    char two[256];
    snprintf(two, sizeof(two), "A=%s\n\nB=%%s\n", tok);
    rt_put(dir, "in/a.env", two, tok2);
    rt_put(dir, "in/b.env", "# b\nC=%s\n", tok3);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "in", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    const char *ha = strstr(r.out, "in/a.env (2 findings)\n");
    const char *hb = strstr(r.out, "in/b.env (1 finding)\n");
    cr_assert(ha != NULL && hb != NULL, "file headers: %s", r.out);
    const char *a1 = strstr(r.out, "  in/a.env:1:3  confirmed  github-pat-classic  ghp_");
    const char *a2 = strstr(r.out, "  in/a.env:3:3  ");
    const char *b1 = strstr(r.out, "  in/b.env:2:3  ");
    cr_assert(a1 && a2 && b1, "%s", r.out);
    cr_assert(ha < a1 && a1 < a2 && a2 < hb && hb < b1, "grouped in path order: %s", r.out);
    cr_assert(strstr(r.out, tok) == NULL && strstr(r.out, tok2) == NULL &&
                  strstr(r.out, tok3) == NULL,
              "whole secret printed: %s", r.out);
    cr_assert(strstr(r.out, tok + 36) != NULL, "last 4 characters shown: %s", r.out);
    cr_assert(strstr(r.out, "\033[") == NULL, "no colour into a pipe: %s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--show-secrets", "in", NULL);
    cr_assert(strstr(r.out, tok) != NULL && strstr(r.out, tok3) != NULL, "%s", r.out);
    lh_run_dispose(&r);
}

Test(text, summary_line_counts_by_confidence)
{
    rt_put(dir, "in/a.env", "A=%s\n", tok);
    rt_put(dir, "in/p.txt",
           "p = tstp_q8Zr3Lm7Wx2Nc5Vb9Kt4Hy6J\nl = tstl_R7mK2xQ9vL4tB8nW3pH6jD1s\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "rules.yml", "in", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.err,
                     "leakhound: 3 findings (1 confirmed, 1 probable, 1 low) in 2 files (") != NULL,
              "%s", r.err);
    cr_assert(strstr(r.err, " MB) in ") != NULL && strstr(r.err, " s\n") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "in/a.env", NULL);
    cr_assert(strstr(r.err, "leakhound: 1 finding (1 confirmed, 0 probable, 0 low) in 1 file (") !=
                  NULL,
              "singular: %s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "-q", "in/a.env", NULL);
    cr_assert(eq(sz, r.err_len, 0), "--quiet: %s", r.err);
    lh_run_dispose(&r);
}

static bool has_colour(const char *s)
{
    return strstr(s, "\033[") != NULL;
}

Test(text, colour_flags_and_no_color)
{
    rt_put(dir, "a.env", "A=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--color", "always", "a.env", NULL);
    cr_assert(has_colour(r.out), "%s", r.out);
    cr_assert(strstr(r.out, "\033[31mconfirmed") != NULL, "confirmed in red: %s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--color", "never", "a.env", NULL);
    cr_assert(eq(int, has_colour(r.out), 0), "%s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--color", "sometimes", "a.env", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
}

/* Runs leakhound under script(1) so stdout is a terminal; returns the captured output. */
static char *on_tty(const char *env, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "%s script -qec \"'%s' scan %s\" /dev/null > tty.out", env, LH_BIN,
             args);
    lh_sh(dir, "%s", cmd);
    char *out = lh_read_file(rt_path(dir, "tty.out"));
    cr_assert(out != NULL);
    return out;
}

Test(text, colour_on_a_terminal_unless_no_color)
{
    rt_put(dir, "a.env", "A=%s\n", tok);
    char *out = on_tty("", "a.env");
    cr_assert(strstr(out, "a.env:1:3") != NULL, "ran on a tty: %s", out);
    cr_assert(has_colour(out), "auto colours a terminal: %s", out);
    free(out);
    out = on_tty("NO_COLOR=1", "a.env");
    cr_assert(strstr(out, "a.env:1:3") != NULL, "%s", out);
    cr_assert(eq(int, has_colour(out), 0), "NO_COLOR: %s", out);
    free(out);
    out = on_tty("NO_COLOR=1", "--color always a.env");
    cr_assert(has_colour(out), "an explicit --color always wins: %s", out);
    free(out);
    out = on_tty("", "--color never a.env");
    cr_assert(eq(int, has_colour(out), 0), "%s", out);
    free(out);
}

Test(text, hostile_file_names_are_escaped)
{
    rt_put(dir, "in/evil\033[2J\033]0;pwned\007.env", "A=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--color", "never", "in", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strchr(r.out, '\033') == NULL, "raw escape reached the terminal: %s", r.out);
    cr_assert(strchr(r.out, '\007') == NULL);
    cr_assert(strstr(r.out, "in/evil\\x1b[2J\\x1b]0;pwned\\x07.env:1:3") != NULL, "%s", r.out);
    lh_run_dispose(&r);
}

Test(text, exit_code_option)
{
    rt_put(dir, "a.env", "A=%s\n", tok);
    rt_put(dir, "clean.txt", "nothing\n", NULL);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--exit-code", "42", "a.env", NULL);
    cr_assert(eq(int, r.status, 42), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--exit-code", "42", "clean.txt", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--exit-code", "0", "a.env", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "github-pat-classic") != NULL, "still reported: %s", r.out);
    lh_run_dispose(&r);
    static const char *const bad[] = {"256", "-1", "1k", "", "4x", " 3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lh_run_lh(&r, dir, NULL, "scan", "--exit-code", bad[i], "a.env", NULL);
        cr_assert(eq(int, r.status, 2), "--exit-code '%s' accepted: %s", bad[i], r.err);
        lh_run_dispose(&r);
    }
    /* an I/O error outranks findings */
    lh_run_lh(&r, dir, NULL, "scan", "--exit-code", "42", "a.env", "missing.txt", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    lh_run_dispose(&r);
}

Test(text, fail_on_threshold)
{
    rt_put(dir, "conf/a.env", "A=%s\n", tok);
    rt_put(dir, "prob/p.txt", "p = tstp_q8Zr3Lm7Wx2Nc5Vb9Kt4Hy6J\n", NULL);
    rt_put(dir, "low/l.txt", "l = tstl_R7mK2xQ9vL4tB8nW3pH6jD1s\n", NULL);
    static const struct {
        const char *level;
        const char *path;
        int status;
    } cases[] = {
        {"confirmed", "conf", 1}, {"confirmed", "prob", 0}, {"confirmed", "low", 0},
        {"probable", "conf", 1},  {"probable", "prob", 1},  {"probable", "low", 0},
        {"low", "low", 1},
    };
    struct lh_run r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lh_run_lh(&r, dir, NULL, "scan", "--rules", "rules.yml", "--fail-on", cases[i].level, "-f",
                  "json", cases[i].path, NULL);
        cr_assert(eq(int, r.status, cases[i].status), "--fail-on %s on %s: %s", cases[i].level,
                  cases[i].path, r.err);
        cr_assert(eq(sz, rt_count(&r), 1), "reported whatever the threshold");
        lh_run_dispose(&r);
    }
    lh_run_lh(&r, dir, NULL, "scan", "--fail-on", "critical", "conf", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
    /* the command line outranks fail_on in the config (found at the repository root) */
    cr_assert(eq(int, lh_sh(dir, "git init -q ."), 0));
    rt_put(dir, ".leakhound.yml", "fail_on: confirmed\n", NULL);
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "rules.yml", "prob", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "rules.yml", "--fail-on", "probable", "prob", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
}
