/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `leakhound staged`: only secrets on lines the index adds or changes
 * are reported, with the staged file's paths and line numbers; a secret already committed,
 * one only in the work tree, a pure rename and a bare repository are handled as documented.
 */
#include "support/git.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(staged, .init = gf_setup, .fini = gf_teardown, .timeout = LH_TEST_TIMEOUT);

Test(staged, reports_only_newly_added_secrets)
{
    char old[41];
    char added[41];
    char newfile[41];
    char unstaged[41];
    gf_token(old, 31);
    gf_token(added, 32);
    gf_token(newfile, 33);
    gf_token(unstaged, 34);
    gf_write("app.env", "# app\nOLD=%s\nX=1\n", old);
    gf_commit_q("existing secret");
    /* a new line after the committed secret, which stays */
    gf_write("app.env", "# app\nOLD=%s\nX=2\n", old);
    gf_sh("printf 'NEW=%s\\n' >> app.env", added);
    gf_write("lib/new.py", "\n\nKEY = '%s'\n", newfile);
    gf_sh("git add app.env lib/new.py");
    /* only in the work tree: not part of the commit */
    gf_write("notes.txt", "T=%s\n", unstaged);

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "staged", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(arr != NULL, "not json: %s", r.out);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "path", "app.env", &f), 1), "%s", r.out);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 4));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "column")), 5));
    cr_assert(eq(sz, gf_find(arr, "path", "lib/new.py", &f), 1), "%s", r.out);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 3));
    char *blob = gf_out("git rev-parse :lib/new.py");
    cr_assert(eq(str, (char *)gf_str(f, "blob"), blob));
    cr_assert(strstr(r.out, old) == NULL);
    cr_assert(strstr(r.err, added) == NULL);
    json_decref(arr);
    lh_run_dispose(&r);
    free(blob);
}

Test(staged, first_commit_compares_with_nothing)
{
    char tok[41];
    gf_token(tok, 35);
    gf_write("init.sh", "export GH=%s\n", tok);
    gf_sh("git add init.sh");
    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "staged", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, gf_find(arr, "path", "init.sh", NULL), 1), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
}

Test(staged, nothing_staged_and_renames_are_clean)
{
    char tok[41];
    gf_token(tok, 36);
    gf_write("a.env", "A=%s\n", tok);
    gf_commit_q("a");
    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "staged", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 0));
    json_decref(arr);
    lh_run_dispose(&r);
    /* renaming a file that holds a committed secret adds no secret */
    gf_sh("git mv a.env b.env");
    r = gf_lh(&arr, "staged", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 0), "%s %s", r.out, r.err);
    cr_assert(eq(sz, json_array_size(arr), 0), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
}

Test(staged, bare_repository_and_non_repository_are_usage_errors)
{
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("a");
    cr_assert(eq(int, lh_sh(gf_dir, "git clone -q --bare repo bare.git"), 0));
    const char *argv[] = {LH_BIN, "staged", gf_path("bare.git"), NULL};
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, "/", NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 2), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "bare repository") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    const char *argv2[] = {LH_BIN, "staged", "/", NULL};
    cr_assert(eq(int, lh_run_in(&r, "/", NULL, 0, argv2), 0));
    cr_assert(eq(int, r.status, 2), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "not a git repository") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(staged, runs_from_a_subdirectory)
{
    char tok[41];
    gf_token(tok, 37);
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("a");
    gf_write("deep/dir/k.txt", "k=%s\n", tok);
    gf_sh("git add deep");
    const char *argv[] = {LH_BIN, "staged", "-f", "json", NULL};
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, gf_path("repo/deep/dir"), NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(strstr(r.out, "\"deep/dir/k.txt\"") != NULL, "%s", r.out);
    lh_run_dispose(&r);
}
