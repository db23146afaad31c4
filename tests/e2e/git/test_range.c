/* SPDX-License-Identifier: MIT */
/*
 * Ranges that always work, on real repositories and real clones as CI makes them: a
 * force-pushed range (the old tip is not in the fresh clone), a new branch (base all zeros)
 * and shallow clones (`git clone --depth`) each scan the pushed commits and exit 1 on the
 * planted token, with one note line on stderr saying what was scanned instead, while a
 * secret already on the default branch is not reported (the fallback is what the push adds,
 * not everything). Also: --range-fallback REF, a new branch with nothing new, the errors
 * that name the likely cause, and `--since DATE`. The pre-push input parser is
 * tests/unit/source/test_push.c.
 */
#include "source/git_range.h"
#include "support/git.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(range, .init = gf_setup, .fini = gf_teardown, .timeout = LH_TEST_TIMEOUT);

#define ZERO "0000000000000000000000000000000000000000"

/* Runs leakhound with args in gf_dir/<rel>; parses a JSON array from stdout into *out. */
static struct lh_run run_in(json_t **out, const char *rel, const char *const *args)
{
    const char *argv[24];
    size_t n = 0;
    argv[n++] = LH_BIN;
    for (size_t i = 0; args[i] && n < 23; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, gf_path(rel), NULL, 0, argv), 0));
    if (out) {
        json_error_t je;
        *out = json_loads(r.out, 0, &je);
        cr_assert(out[0] != NULL, "stdout is not JSON: %s\nstderr: %s", r.out, r.err);
    }
    return r;
}

/* Lines of s that contain needle. */
static size_t count_lines_with(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

/*
 * The developer's repository pushed to a bare origin.git: main holds an old secret (tok_old),
 * feat was pushed once (returns that tip in *old), then rewritten from main with a commit
 * adding tok_new and force-pushed (returns that tip).
 */
static char *force_pushed(char **old, const char *tok_old, const char *tok_new)
{
    cr_assert(eq(int, lh_sh(gf_dir, "git init -q --bare -b main origin.git"), 0));
    gf_write("old.env", "OLD=%s\n", tok_old);
    gf_commit_q("old secret, already on main");
    gf_sh("git remote add origin file://%s/origin.git && git push -q origin main", gf_dir);
    gf_sh("git checkout -q -b feat");
    gf_write("notes.txt", "first try\n", NULL);
    *old = gf_commit("first try");
    gf_sh("git push -q origin feat");
    gf_sh("git reset -q --hard main");
    gf_write("deploy/ci.env", "TOKEN=%s\n", tok_new);
    char *tip = gf_commit("second try");
    gf_sh("git push -q -f origin feat");
    return tip;
}

static void assert_only(json_t *arr, const char *tok, const char *commit, const char *out)
{
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "path"), "deploy/ci.env"), "%s", out);
    cr_assert(eq(str, (char *)gf_str(f, "commit"), (char *)commit), "%s", out);
    cr_assert(strstr(out, tok) == NULL, "a secret in clear");
}

Test(range, force_pushed_range_scans_the_pushed_commits)
{
    char t_old[41];
    char t_new[41];
    gf_token(t_old, 1);
    gf_token(t_new, 2);
    char *old = NULL;
    char *tip = force_pushed(&old, t_old, t_new);
    /* CI: a fresh clone (over file://: no object sharing), the pushed commit checked out */
    cr_assert(eq(int,
                 lh_sh(gf_dir,
                       "git clone -q file://%s/origin.git ci && cd ci && "
                       "git checkout -q %s",
                       gf_dir, tip),
                 0));
    cr_assert(lh_sh(gf_dir, "cd ci && git cat-file -e %s 2>/dev/null", old) != 0,
              "the force-pushed-away tip is still in the clone");
    char range[100];
    snprintf(range, sizeof(range), "%s..%s", old, tip);
    json_t *arr = NULL;
    const char *args[] = {"history", "-f", "json", "--range", range, NULL};
    struct lh_run r = run_in(&arr, "ci", args);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    assert_only(arr, t_new, tip, r.out);
    /* one line says what happened and what was scanned instead */
    cr_assert(eq(sz, count_lines_with(r.err, "leakhound: note: "), 1), "%s", r.err);
    char base12[16];
    snprintf(base12, sizeof(base12), "%.12s", old);
    cr_assert(strstr(r.err, base12) != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "force-pushed") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "scanning the 1 commit") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "origin/HEAD") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    /* -q silences the note, not the result */
    const char *quiet[] = {"history", "-q", "-f", "json", "--range", range, NULL};
    r = run_in(&arr, "ci", quiet);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(str, r.err, ""));
    json_decref(arr);
    lh_run_dispose(&r);
    free(old);
    free(tip);
}

Test(range, new_branch_scans_what_it_adds_to_the_default_branch)
{
    char t_old[41];
    char t_new[41];
    gf_token(t_old, 3);
    gf_token(t_new, 4);
    char *old = NULL;
    char *tip = force_pushed(&old, t_old, t_new);
    cr_assert(eq(int,
                 lh_sh(gf_dir,
                       "git clone -q file://%s/origin.git ci && cd ci && "
                       "git checkout -q %s",
                       gf_dir, tip),
                 0));
    char range[100];
    snprintf(range, sizeof(range), ZERO "..%s", tip);
    json_t *arr = NULL;
    const char *args[] = {"history", "-f", "json", "--range", range, NULL};
    struct lh_run r = run_in(&arr, "ci", args);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    /* not every ref of the clone: only what the branch adds (the old secret stays out) */
    assert_only(arr, t_new, tip, r.out);
    cr_assert(eq(sz, count_lines_with(r.err, "leakhound: note: "), 1), "%s", r.err);
    cr_assert(strstr(r.err, "all zeros (a new branch)") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    /* a new branch at a commit main already has: nothing new, exit 0 */
    char *main_tip = gf_out("git rev-parse main");
    snprintf(range, sizeof(range), ZERO "..%s", main_tip);
    const char *same[] = {"history", "-f", "json", "--range", range, NULL};
    r = run_in(&arr, "ci", same);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 0), "%s", r.out);
    cr_assert(strstr(r.err, "nothing new to scan") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    free(main_tip);
    free(old);
    free(tip);
}

Test(range, shallow_clones_scan_the_pushed_commits)
{
    char t_old[41];
    char t_new[41];
    gf_token(t_old, 5);
    gf_token(t_new, 6);
    char *old = NULL;
    char *tip = force_pushed(&old, t_old, t_new);
    /* depth 1, the pushed branch only (actions/checkout's default shape): no default branch
     * to compare with, so everything the clone reaches is scanned */
    cr_assert(eq(int,
                 lh_sh(gf_dir,
                       "git clone -q --depth 1 --branch feat file://%s/origin.git "
                       "shallow1",
                       gf_dir),
                 0));
    char range[100];
    snprintf(range, sizeof(range), "%s..%s", old, tip);
    json_t *arr = NULL;
    const char *args[] = {"history", "-f", "json", "--range", range, NULL};
    struct lh_run r = run_in(&arr, "shallow1", args);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    /* the cut-off commit's whole tree is new to a clone that has nothing before it: the
     * secret already on main is there too */
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "path", "deploy/ci.env", &f), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(f, "commit"), tip));
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    cr_assert(strstr(r.err, "shallow clone's cut-off") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "--range-fallback") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    /* depth 2 with every branch: the base is older than the cut-off; main is there */
    gf_sh("git checkout -q main");
    gf_write("more.txt", "more\n", NULL);
    gf_commit_q("more on main");
    gf_write("more.txt", "even more\n", NULL);
    gf_commit_q("even more on main");
    gf_sh("git push -q origin main");
    cr_assert(eq(int,
                 lh_sh(gf_dir,
                       "git clone -q --depth 2 --no-single-branch "
                       "file://%s/origin.git shallow2 && cd shallow2 && "
                       "git checkout -q %s",
                       gf_dir, tip),
                 0));
    r = run_in(&arr, "shallow2", args);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    assert_only(arr, t_new, tip, r.out);
    cr_assert(strstr(r.err, "adds to origin/HEAD") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    free(old);
    free(tip);
}

Test(range, range_fallback_names_the_branch_and_is_checked)
{
    char t_old[41];
    char t_new[41];
    gf_token(t_old, 7);
    gf_token(t_new, 8);
    char *old = NULL;
    char *tip = force_pushed(&old, t_old, t_new);
    cr_assert(eq(int,
                 lh_sh(gf_dir,
                       "git clone -q file://%s/origin.git ci && cd ci && "
                       "git checkout -q %s",
                       gf_dir, tip),
                 0));
    char range[100];
    snprintf(range, sizeof(range), "%s..%s", old, tip);
    json_t *arr = NULL;
    const char *args[] = {"history",          "-f",          "json", "--range", range,
                          "--range-fallback", "origin/main", NULL};
    struct lh_run r = run_in(&arr, "ci", args);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    assert_only(arr, t_new, tip, r.out);
    cr_assert(strstr(r.err, "adds to origin/main instead") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    /* a fallback that is not there fails at once, even when the range needs none */
    char *main_tip = gf_out("git rev-parse main");
    snprintf(range, sizeof(range), "%s..%s", main_tip, tip);
    const char *bad[] = {"history", "--range", range, "--range-fallback", "origin/trunk", NULL};
    r = run_in(NULL, "ci", bad);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    char *e = lh_error_line(r.err);
    cr_assert(e != NULL, "%s", r.err);
    cr_assert(strstr(e, "'origin/trunk'") != NULL && strstr(e, "single-branch") != NULL, "%s", e);
    free(e);
    lh_run_dispose(&r);
    const char *alone[] = {"history", "--range-fallback", "origin/main", NULL};
    r = run_in(NULL, "ci", alone);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    lh_run_dispose(&r);
    free(main_tip);
    free(old);
    free(tip);
}

Test(range, errors_name_the_likely_cause)
{
    gf_write("a.txt", "a\n", NULL);
    char *c = gf_commit("a");
    static const char *const cases[][2] = {
        /* a misspelt or unfetched branch never falls back */
        {"origin/mian..HEAD", "misspelt, or not fetched"},
        /* the commit under test is not in the clone */
        {"HEAD..0123456789abcdef0123456789abcdef01234567", "the clone lacks the pushed commit"},
        {"HEAD..no-such-head", "(the head of range"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *args[] = {"history", "--range", cases[i][0], NULL};
        struct lh_run r = run_in(NULL, "repo", args);
        cr_assert(eq(int, r.status, 2), "%s: %s", cases[i][0], r.err);
        char *e = lh_error_line(r.err);
        cr_assert(e != NULL, "%s", r.err);
        cr_assert(strstr(e, cases[i][1]) != NULL, "%s: %s", cases[i][0], e);
        free(e);
        lh_run_dispose(&r);
    }
    /* a missing base with no default branch anywhere: everything reachable, and it says so */
    char range[100];
    snprintf(range, sizeof(range), "0123456789abcdef0123456789abcdef01234567..%s", c);
    const char *args[] = {"history", "--range", range, NULL};
    gf_sh("git branch -m trunk");
    struct lh_run r = run_in(NULL, "repo", args);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "no default branch to compare with") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    free(c);
}

Test(range, since_takes_a_date)
{
    char t1[41];
    char t2[41];
    gf_token(t1, 9);
    gf_token(t2, 10);
    /* gf_commit dates: 1700000060 (2023-11-14T22:14:20Z), ...120, ...180 */
    gf_write("a.env", "A=%s\n", t1);
    gf_commit_q("one");
    gf_write("b.txt", "clean\n", NULL);
    gf_commit_q("two");
    gf_write("a.env", "A=%s\nB=x\n", t1); /* edits the file that still holds t1 */
    gf_write("c.env", "C=%s\n", t2);
    char *three = gf_commit("three");
    setenv("TZ", "UTC", 1);
    static const char *const later[] = {"2023-11-14T22:15:00Z", "2023-11-14 23:15:00+01:00",
                                        "@1700000100"};
    for (size_t i = 0; i < 3; i++) {
        json_t *arr = NULL;
        struct lh_run r = gf_lh(&arr, "history", "-f", "json", "--since", later[i], NULL);
        cr_assert(eq(int, r.status, 1), "%s: %s", later[i], r.err);
        /* t1 was there before the date: the edit does not make it new */
        cr_assert(eq(sz, json_array_size(arr), 1), "%s: %s", later[i], r.out);
        cr_assert(eq(str, (char *)gf_str(json_array_get(arr, 0), "commit"), three));
        cr_assert(eq(str, (char *)gf_str(json_array_get(arr, 0), "path"), "c.env"));
        json_decref(arr);
        lh_run_dispose(&r);
    }
    json_t *arr = NULL;
    /* a date without a zone is local time (TZ=UTC here): the whole day, both secrets */
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", "--since", "2023-11-14", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    /* relative to now: these commits are from 2023 */
    r = gf_lh(&arr, "history", "-f", "json", "--since", "2 weeks ago", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 0), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    static const char *const bad[] = {"2023-02-29", "2023-11-14T25:00", "3 fortnights ago"};
    for (size_t i = 0; i < 3; i++) {
        r = gf_lh(NULL, "history", "--since", bad[i], NULL);
        cr_assert(eq(int, r.status, 2), "%s: %s", bad[i], r.err);
        char *e = lh_error_line(r.err);
        cr_assert(e != NULL && strstr(e, "invalid date") != NULL, "%s", r.err);
        free(e);
        lh_run_dispose(&r);
    }
    free(three);
}
