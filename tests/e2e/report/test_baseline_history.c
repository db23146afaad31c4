/* SPDX-License-Identifier: MIT */
/*
 * `baseline create --history`: a secret that lives only in history (added, then deleted) is
 * baselined from a real repository, the entry names its introducing commit, and then the
 * history scan with that baseline passes while a new secret still fails it. A scan of the
 * files neither calls the history entry stale nor loses it (prune and a later create without
 * --history keep it). --range limits what is accepted; misused options are usage errors.
 */
#include "support/report.h"

RT_FIXTURE(baseline_history);

#define GIT                                                                                        \
    "GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=A "                       \
    "GIT_COMMITTER_EMAIL=a@example.com git"

static char *head(const char *rev)
{
    cr_assert(eq(int, lh_sh(dir, "cd repo && git rev-parse %s > ../rev.out", rev), 0));
    char *s = lh_read_file(rt_path(dir, "rev.out"));
    cr_assert(s != NULL);
    s[strcspn(s, "\n")] = '\0';
    return s;
}

/* A repository whose first commit adds tok in old.env and whose second deletes it. */
static char *history_only_secret(void)
{
    rt_put(dir, "repo/old.env", "OLD=%s\n", tok);
    rt_put(dir, "repo/readme.txt", "hello\n", NULL);
    cr_assert(eq(int,
                 lh_sh(dir, "cd repo && git init -q -b main && " GIT " add -A && " GIT
                            " commit -qm add && git rm -q old.env && " GIT " commit -qm remove"),
                 0));
    return head("HEAD~1");
}

static struct lh_run run(const char *a0, const char *a1, const char *a2, const char *a3,
                         const char *a4)
{
    struct lh_run r;
    lh_run_lh(&r, rt_path(dir, "repo"), NULL, a0, a1, a2, a3, a4, NULL);
    return r;
}

Test(baseline_history, history_only_secret_is_baselined_and_the_scan_passes)
{
    char *intro = history_only_secret();
    struct lh_run r = run("history", "-q", NULL, NULL, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    r = run("baseline", "create", "--history", "-o", ".leakhound-baseline.json");
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    char *bl = lh_read_file(rt_path(dir, "repo/.leakhound-baseline.json"));
    cr_assert(bl != NULL);
    cr_assert(strstr(bl, "\"rule_id\": \"github-pat-classic\"") != NULL, "%s", bl);
    char want[80];
    snprintf(want, sizeof(want), "\"commit\": \"%s\"", intro);
    cr_assert(strstr(bl, want) != NULL, "%s", bl);
    cr_assert(strstr(bl, tok) == NULL, "the secret is in the baseline");
    free(bl);
    /* the history scan with that baseline (found at the root without configuration) passes */
    r = run("history", NULL, NULL, NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "1 suppressed (0 inline allow, 1 baseline") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "stale") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    /* a scan of the files does not see history: no stale warning, prune keeps the entry */
    r = run("scan", ".", NULL, NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "stale") == NULL, "%s", r.err);
    lh_run_dispose(&r);
    r = run("baseline", "prune", NULL, NULL, NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "removed 0 stale entries, kept 1") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    /* nor does re-creating it from the files lose the history entry */
    rt_put(dir, "repo/new.env", "NEW=%s\n", tok2);
    r = run("baseline", "create", "-o", ".leakhound-baseline.json", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    bl = lh_read_file(rt_path(dir, "repo/.leakhound-baseline.json"));
    cr_assert(strstr(bl, want) != NULL && strstr(bl, "\"path\": \"new.env\"") != NULL, "%s", bl);
    free(bl);
    free(intro);
}

Test(baseline_history, a_new_secret_still_fails_and_range_limits_the_baseline)
{
    char *intro = history_only_secret();
    struct lh_run r = run("baseline", "create", "--history", "-o", "../bl.json");
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    /* a secret committed after the baseline is reported */
    rt_put(dir, "repo/later.env", "LATER=%s\n", tok2);
    cr_assert(eq(int, lh_sh(dir, "cd repo && " GIT " add -A && " GIT " commit -qm later"), 0));
    r = run("history", "--baseline", "../bl.json", "-f", "json");
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(sz, rt_count(&r), 1), "%s", r.out);
    cr_assert(strstr(r.out, "later.env") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* --range: only what the range adds is accepted */
    r = run("baseline", "create", "--history", "--range", "HEAD~1..HEAD");
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "\"path\": \"later.env\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "old.env") == NULL, "%s", r.out);
    lh_run_dispose(&r);
    free(intro);
}

Test(baseline_history, misused_options_are_usage_errors)
{
    char *intro = history_only_secret();
    static const char *const bad[][4] = {
        {"create", "--range", "HEAD~1..HEAD", NULL},
        {"prune", "--history", NULL, NULL},
        {"create", "--history", "--report", "sarif:x.sarif"},
        {"create", "--history", "--range", "nope..HEAD"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct lh_run r;
        lh_run_lh(&r, rt_path(dir, "repo"), NULL, "baseline", bad[i][0], bad[i][1], bad[i][2],
                  bad[i][3], NULL);
        cr_assert(eq(int, r.status, 2), "case %zu: %s", i, r.err);
        char *e = lh_error_line(r.err);
        cr_assert(e != NULL, "case %zu: %s", i, r.err);
        free(e);
        lh_run_dispose(&r);
    }
    free(intro);
}
