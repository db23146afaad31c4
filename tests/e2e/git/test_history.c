/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `leakhound history`: real repositories built with the git CLI at test
 * time, with secrets in a file later deleted, on a side branch never merged, only in a tag,
 * introduced by a merge commit's resolution, renamed, in a stash, and the same blob in many
 * commits and two branches. Each must be found exactly once with the introducing commit and
 * path. Also ranges, bare and shallow repositories, corrupt objects, unreachable objects.
 */
#include "support/git.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(history, .init = gf_setup, .fini = gf_teardown, .timeout = LH_TEST_TIMEOUT);

/* Asserts the whole token appears in neither output stream. */
static void assert_redacted(const struct lh_run *r, const char *tok)
{
    cr_assert(strstr(r->out, tok) == NULL, "raw secret on stdout");
    cr_assert(strstr(r->err, tok) == NULL, "raw secret on stderr");
}

Test(history, secret_in_deleted_file_found_once_at_introducing_commit)
{
    char tok[41];
    gf_token(tok, 1);
    gf_write("README", "hello\n", NULL);
    gf_commit_q("init");
    gf_write("config/old.env", "# settings\nTOKEN=%s\n", tok);
    char *intro = gf_commit("add settings");
    gf_write("config/old.env", "# settings, edited\nTOKEN=%s\nMORE=1\n", tok);
    gf_commit_q("edit settings");
    gf_sh("git rm -q config/old.env");
    gf_commit_q("remove settings");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "--format", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(arr != NULL, "not json: %s", r.out);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "path"), "config/old.env"));
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 2));
    cr_assert(eq(str, (char *)gf_str(f, "author"), "Ada Lovelace <ada@example.com>"));
    cr_assert(eq(str, (char *)gf_str(f, "message"), "add settings"));
    cr_assert(eq(str, (char *)gf_str(f, "date"), "2023-11-14T22:15:20+00:00"));
    char *blob = gf_out("git rev-parse %s:config/old.env", intro);
    cr_assert(eq(str, (char *)gf_str(f, "blob"), blob));
    /* no tip holds the file any more */
    json_t *refs = json_object_get(f, "refs");
    int refs_is_array = json_is_array(refs);
    cr_assert(eq(int, refs_is_array, 1));
    cr_assert(eq(sz, json_array_size(refs), 0));
    assert_redacted(&r, tok);
    json_decref(arr);
    lh_run_dispose(&r);
    free(blob);
    free(intro);
}

Test(history, side_branch_never_merged)
{
    char tok[41];
    gf_token(tok, 2);
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("init");
    gf_sh("git checkout -q -b feature");
    gf_write("feature.py", "API = '%s'\n", tok);
    char *intro = gf_commit("feature work");
    gf_sh("git checkout -q main");
    gf_write("a.txt", "a\nb\n", NULL);
    gf_commit_q("main moves on");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "path", "feature.py", &f), 1), "%s", r.out);
    cr_assert(eq(sz, json_array_size(arr), 1));
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/feature"), 1));
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/main"), 0));
    json_decref(arr);
    lh_run_dispose(&r);
    free(intro);
}

Test(history, secret_only_in_tags)
{
    char tok[41];
    char tok2[41];
    gf_token(tok, 3);
    gf_token(tok2, 4);
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("init");
    gf_sh("git checkout -q -b release-tmp");
    gf_write("deploy/prod.env", "GH=%s\n", tok);
    char *intro = gf_commit("release config");
    gf_sh("git tag -a v1.0 -m 'release 1.0'");
    gf_sh("git checkout -q main && git branch -q -D release-tmp");
    /* a tag straight on a blob: no commit, no path but the tag */
    char *blob = gf_out("printf 'KEY=%s\\n' | git hash-object -w --stdin", tok2);
    gf_sh("git tag keyblob %s", blob);

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "path", "deploy/prod.env", &f), 1));
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    cr_assert(eq(int, gf_has_ref(f, "refs/tags/v1.0"), 1));
    cr_assert(eq(sz, json_array_size(json_object_get(f, "refs")), 1));
    cr_assert(eq(sz, gf_find(arr, "path", "refs/tags/keyblob", &f), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(f, "blob"), blob));
    cr_assert(json_object_get(f, "commit") == NULL);
    cr_assert(eq(int, gf_has_ref(f, "refs/tags/keyblob"), 1));
    json_decref(arr);
    lh_run_dispose(&r);
    free(intro);
    free(blob);
}

Test(history, merge_resolution_attributed_to_merge)
{
    char tok[41];
    gf_token(tok, 5);
    gf_write("conflict.txt", "base\n", NULL);
    gf_commit_q("base");
    gf_sh("git checkout -q -b topic");
    gf_write("conflict.txt", "topic side\n", NULL);
    gf_commit_q("topic");
    gf_sh("git checkout -q main");
    gf_write("conflict.txt", "main side\n", NULL);
    gf_commit_q("main");
    gf_sh("git merge -q topic >/dev/null 2>&1 || true");
    gf_write("conflict.txt", "resolved with %s\n", tok);
    char *merge = gf_commit("merge topic");
    char *parents = gf_out("git rev-list --parents -n 1 HEAD | wc -w");
    cr_assert(eq(str, parents, "3"), "not a merge commit");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "path"), "conflict.txt"));
    cr_assert(eq(str, (char *)gf_str(f, "commit"), merge));
    cr_assert(eq(str, (char *)gf_str(f, "message"), "merge topic"));
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/main"), 1));
    json_decref(arr);
    lh_run_dispose(&r);
    free(merge);
    free(parents);
}

Test(history, renamed_file_found_once_at_original_path)
{
    char tok[41];
    gf_token(tok, 6);
    gf_write("old/name.cfg", "token: %s\n", tok);
    char *intro = gf_commit("add");
    gf_sh("mkdir -p new && git mv old/name.cfg new/renamed.cfg");
    gf_commit_q("rename");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "path"), "old/name.cfg"));
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    /* the tip still holds the same blob, under its new name */
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/main"), 1));
    json_decref(arr);
    lh_run_dispose(&r);
    free(intro);
}

Test(history, secrets_in_stashes)
{
    char tok[41];
    char tok2[41];
    gf_token(tok, 7);
    gf_token(tok2, 8);
    gf_write("app.conf", "debug=1\n", NULL);
    gf_commit_q("init");
    gf_write("app.conf", "debug=1\ntoken=%s\n", tok);
    gf_sh("GIT_COMMITTER_DATE='1700100000 +0000' git stash -q");
    char *older = gf_out("git rev-parse refs/stash");
    gf_write("app.conf", "debug=1\nother=%s\n", tok2);
    gf_sh("GIT_COMMITTER_DATE='1700200000 +0000' git stash -q");
    char *newer = gf_out("git rev-parse refs/stash");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "commit", newer, &f), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(f, "path"), "app.conf"));
    cr_assert(eq(int, gf_has_ref(f, "refs/stash"), 1));
    /* the older stash is only in the stash reflog */
    cr_assert(eq(sz, gf_find(arr, "commit", older, &f), 1), "%s", r.out);
    cr_assert(eq(int, gf_has_ref(f, "refs/stash@{1}"), 1));
    cr_assert(eq(int, gf_has_ref(f, "refs/stash"), 0));
    json_decref(arr);
    lh_run_dispose(&r);
    free(older);
    free(newer);
}

Test(history, same_blob_in_many_commits_and_two_branches_found_once)
{
    char tok[41];
    gf_token(tok, 9);
    gf_write("README", "r\n", NULL);
    char *root = gf_commit("root");
    gf_write("secrets/ci.env", "CI_TOKEN=%s\n", tok);
    char *intro = gf_commit("ci");
    for (int i = 0; i < 12; i++) {
        char text[32];
        snprintf(text, sizeof(text), "r%d\n", i);
        gf_write("README", text, NULL);
        gf_commit_q("docs");
    }
    /* another branch adds the identical file later: the same blob */
    gf_sh("git checkout -q -b other %s", root);
    gf_write("secrets/ci.env", "CI_TOKEN=%s\n", tok);
    gf_commit_q("ci on other");
    gf_write("x.txt", "x\n", NULL);
    gf_commit_q("more");
    gf_sh("git checkout -q main");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/main"), 1));
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/other"), 1));
    /* the summary counts each unique blob once: README x13, ci.env, x.txt */
    cr_assert(strstr(r.err, "in 15 blobs") != NULL, "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
    free(root);
    free(intro);
}

Test(history, text_output_shows_commit_and_path)
{
    char tok[41];
    gf_token(tok, 10);
    gf_write("src/main.c", "/* */\nconst char *k = \"%s\";\n", tok);
    char *intro = gf_commit("oops");
    struct lh_run r = gf_lh(NULL, "history", "--color", "never", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(strstr(r.out, "src/main.c:2:") != NULL, "%s", r.out);
    char shortid[13];
    snprintf(shortid, sizeof(shortid), "%.12s", intro);
    cr_assert(strstr(r.out, shortid) != NULL, "no commit in: %s", r.out);
    assert_redacted(&r, tok);
    lh_run_dispose(&r);
    free(intro);
}

Test(history, range_reports_only_what_the_range_introduces)
{
    char tok_old[41];
    char tok_new[41];
    gf_token(tok_old, 11);
    gf_token(tok_new, 12);
    gf_write("old.env", "OLD=%s\nA=1\n", tok_old);
    char *base = gf_commit("before the push");
    /* edits a file that already held a secret: not a new secret */
    gf_write("old.env", "OLD=%s\nA=2\n", tok_old);
    gf_commit_q("tweak");
    gf_write("new.env", "NEW=%s\n", tok_new);
    char *intro = gf_commit("the push");

    char range[128];
    snprintf(range, sizeof(range), "%s..HEAD", base);
    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", "--range", range, NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "path"), "new.env"));
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    json_decref(arr);
    lh_run_dispose(&r);

    r = gf_lh(&arr, "history", "-f", "json", "--since", base, NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);

    /* nothing introduced after HEAD */
    r = gf_lh(&arr, "history", "-f", "json", "--range", "HEAD..HEAD", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 0));
    json_decref(arr);
    lh_run_dispose(&r);
    free(base);
    free(intro);
}

Test(history, unknown_revision_is_a_usage_error_naming_it)
{
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("init");
    struct lh_run r = gf_lh(NULL, "history", "--range", "no-such-branch..HEAD", NULL);
    cr_assert(eq(int, r.status, 2), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "'no-such-branch'") != NULL, "%s", r.err);
    cr_assert(eq(int, strchr(r.err, '\n') == strrchr(r.err, '\n') ? 1 : 0, 1), "%s", r.err);
    lh_run_dispose(&r);
    r = gf_lh(NULL, "history", "--since", "v9.9", NULL);
    cr_assert(eq(int, r.status, 2), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "'v9.9'") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    r = gf_lh(NULL, "history", "--range", "HEAD..", "--all-objects", NULL);
    cr_assert(eq(int, r.status, 2), "stderr: %s", r.err);
    lh_run_dispose(&r);
}

Test(history, not_a_repository)
{
    const char *argv[] = {LH_BIN, "history", gf_dir, NULL};
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, "/", NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 2), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "is not a git repository") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, gf_dir) != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(history, bare_repository)
{
    char tok[41];
    gf_token(tok, 13);
    gf_write("k.txt", "k=%s\n", tok);
    char *intro = gf_commit("k");
    cr_assert(eq(int, lh_sh(gf_dir, "git clone -q --bare repo bare.git"), 0));
    const char *argv[] = {LH_BIN, "history", "-f", "json", gf_path("bare.git"), NULL};
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, "/", NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    json_error_t je;
    json_t *arr = json_loads(r.out, 0, &je);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)gf_str(f, "commit"), intro));
    cr_assert(eq(int, gf_has_ref(f, "refs/heads/main"), 1));
    json_decref(arr);
    lh_run_dispose(&r);
    free(intro);
}

Test(history, shallow_clone_is_scanned_with_a_warning)
{
    char tok[41];
    gf_token(tok, 14);
    gf_write("a.txt", "one\n", NULL);
    gf_commit_q("one");
    gf_write("a.txt", "two\n", NULL);
    gf_commit_q("two");
    gf_write("b.env", "B=%s\n", tok);
    char *tip = gf_commit("three");
    char url[4200];
    snprintf(url, sizeof(url), "git clone -q --depth 1 file://%s/repo shallow", gf_dir);
    cr_assert(eq(int, lh_sh(gf_dir, "%s", url), 0));
    const char *argv[] = {LH_BIN, "history", "-f", "json", gf_path("shallow"), NULL};
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, "/", NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "history is incomplete (shallow clone)") != NULL, "%s", r.err);
    /* the cut-off parent is expected, not an unreadable commit */
    cr_assert(strstr(r.err, "cannot read") == NULL, "%s", r.err);
    json_error_t je;
    json_t *arr = json_loads(r.out, 0, &je);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(json_array_get(arr, 0), "commit"), tip));
    /* a clone: the branch and its remote-tracking branch both hold it */
    cr_assert(eq(int, gf_has_ref(json_array_get(arr, 0), "refs/heads/main"), 1), "%s", r.out);
    cr_assert(eq(int, gf_has_ref(json_array_get(arr, 0), "refs/remotes/origin/main"), 1), "%s",
              r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    free(tip);
}

/* Overwrites the loose object file of `id` with bytes zlib cannot inflate. */
static void corrupt_loose(const char *id)
{
    gf_sh("f=.git/objects/%.2s/%s; chmod u+w $f && printf 'garbage, not zlib' > $f", id, id + 2);
}

Test(history, corrupt_blob_is_named_and_the_scan_goes_on)
{
    char tok[41];
    gf_token(tok, 15);
    gf_write("good.txt", "nothing to see\n", NULL);
    gf_write("s.env", "S=%s\n", tok);
    gf_commit_q("both");
    char *blob = gf_out("git rev-parse HEAD:good.txt");
    corrupt_loose(blob);

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 4), "stderr: %s", r.err);
    cr_assert(strstr(r.err, blob) != NULL, "warning does not name %s: %s", blob, r.err);
    cr_assert(strstr(r.err, "good.txt") != NULL, "%s", r.err);
    cr_assert(eq(sz, gf_find(arr, "path", "s.env", NULL), 1), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    free(blob);
}

Test(history, corrupt_commit_is_named_and_the_scan_goes_on)
{
    char tok[41];
    gf_token(tok, 16);
    gf_write("a.txt", "a\n", NULL);
    char *first = gf_commit("first");
    gf_write("a.txt", "b\n", NULL);
    char *second = gf_commit("second");
    gf_write("s.env", "S=%s\n", tok);
    gf_commit_q("third");
    corrupt_loose(second);

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 4), "stderr: %s", r.err);
    cr_assert(strstr(r.err, second) != NULL, "warning does not name %s: %s", second, r.err);
    cr_assert(eq(sz, gf_find(arr, "path", "s.env", NULL), 1), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    free(first);
    free(second);
}

Test(history, all_objects_finds_unreachable_commits_and_blobs)
{
    char tok[41];
    char tok2[41];
    gf_token(tok, 17);
    gf_token(tok2, 18);
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("init");
    gf_write("dropped.env", "D=%s\n", tok);
    char *dropped = gf_commit("dropped later");
    gf_sh("git reset -q --hard HEAD~1");
    char *blob = gf_out("printf 'LOOSE=%s\\n' | git hash-object -w --stdin", tok2);

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 0), "reachable scan found something: %s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);

    r = gf_lh(&arr, "history", "-f", "json", "--all-objects", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "path", "dropped.env", &f), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(f, "commit"), dropped));
    cr_assert(eq(sz, json_array_size(json_object_get(f, "refs")), 0));
    cr_assert(eq(sz, gf_find(arr, "blob", blob, &f), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(f, "path"), blob));
    json_decref(arr);
    lh_run_dispose(&r);
    free(dropped);
    free(blob);
}

Test(history, exclude_and_quiet)
{
    char tok[41];
    gf_token(tok, 19);
    gf_write("vendor/lib.js", "k='%s'\n", tok);
    gf_commit_q("vendor");
    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-q", "-f", "json", "--exclude", "vendor/*", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 0), "%s", r.out);
    cr_assert(eq(sz, r.err_len, 0), "quiet run wrote: %s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
}

/*
 * A history long enough for the parallel walk (several slices of 512 commits), built with
 * fast-import: a secret every 150 commits, one re-added later on a branch, edits that keep
 * old secrets in new blob versions. One thread and four must give the same report.
 */
Test(history, parallel_walk_matches_sequential_walk)
{
    FILE *f = fopen(gf_path("stream"), "w");
    cr_assert(f != NULL);
    int nsecrets = 0;
    char tok[41];
    for (int i = 1; i <= 2200; i++) {
        char content[256];
        const char *path = "log.txt";
        snprintf(content, sizeof(content), "entry %d\n", i);
        if (i % 150 == 0) {
            gf_token(tok, 100 + i / 150);
            snprintf(content, sizeof(content), "KEY_%d=%s\nrev=%d\n", i, tok, i);
            path = i % 300 == 0 ? "conf/a.env" : "conf/b.env";
            nsecrets++;
        }
        fprintf(f, "commit refs/heads/main\nmark :%d\n", i);
        fprintf(f, "author A <a@x> %d +0000\ncommitter A <a@x> %d +0000\n", 1700000000 + i,
                1700000000 + i);
        fprintf(f, "data 4\nc%03d\n", i % 1000);
        if (i > 1) {
            fprintf(f, "from :%d\n", i - 1);
        }
        fprintf(f, "M 100644 inline %s\ndata %zu\n%s\n", path, strlen(content), content);
    }
    /* a branch off commit 10 that re-adds the secret of commit 150 verbatim */
    gf_token(tok, 101);
    char content[256];
    snprintf(content, sizeof(content), "KEY_%d=%s\nrev=%d\n", 150, tok, 150);
    fprintf(f, "commit refs/heads/side\nmark :9999\n");
    fprintf(f, "author A <a@x> 1700009999 +0000\ncommitter A <a@x> 1700009999 +0000\n");
    fprintf(f, "data 4\nside\nfrom :10\n");
    fprintf(f, "M 100644 inline conf/b.env\ndata %zu\n%s\n", strlen(content), content);
    fclose(f);
    gf_sh("git fast-import --quiet < ../stream");

    json_t *one = NULL;
    json_t *four = NULL;
    struct lh_run r1 = gf_lh(&one, "history", "-f", "json", "--threads", "1", NULL);
    struct lh_run r4 = gf_lh(&four, "history", "-f", "json", "--threads", "4", NULL);
    cr_assert(eq(int, r1.status, 1), "stderr: %s", r1.err);
    cr_assert(eq(int, r4.status, 1), "stderr: %s", r4.err);
    cr_assert(eq(sz, json_array_size(one), (size_t)nsecrets), "%s", r1.out);
    cr_assert(eq(str, r1.out, r4.out));
    /* the secret of commit 150: attributed to it, and the side branch's tip still holds it */
    json_t *first = NULL;
    cr_assert(eq(sz, gf_find(one, "message", "c150", &first), 1), "%s", r1.out);
    cr_assert(eq(int, gf_has_ref(first, "refs/heads/side"), 1));
    json_decref(one);
    json_decref(four);
    lh_run_dispose(&r1);
    lh_run_dispose(&r4);
}

Test(history, range_over_a_merge_and_symmetric_difference)
{
    char on_main[41];
    char on_topic[41];
    char after[41];
    gf_token(on_main, 41);
    gf_token(on_topic, 42);
    gf_token(after, 43);
    gf_write("a.txt", "a\n", NULL);
    char *base = gf_commit("base");
    gf_sh("git checkout -q -b topic");
    gf_write("topic.env", "T=%s\n", on_topic);
    char *topic = gf_commit("topic secret");
    gf_sh("git checkout -q main");
    gf_write("main.env", "M=%s\n", on_main);
    char *main_commit = gf_commit("main secret");
    /* the topic branch catches up with main: main's secret is not the topic's doing */
    gf_sh("git checkout -q topic && git merge -q --no-edit main >/dev/null");
    gf_write("after.env", "A=%s\n", after);
    char *tip = gf_commit("after the merge");

    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", "--range", "main..topic", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    json_t *f = NULL;
    cr_assert(eq(sz, gf_find(arr, "commit", topic, &f), 1), "%s", r.out);
    cr_assert(eq(sz, gf_find(arr, "commit", tip, &f), 1), "%s", r.out);
    cr_assert(eq(sz, gf_find(arr, "path", "main.env", NULL), 0), "%s", r.out);
    cr_assert(strchr(r.err, '\r') == NULL, "progress without a terminal: %s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);

    /* both sides of a fork since their merge base: main's secret and the topic's */
    char range[128];
    snprintf(range, sizeof(range), "%s...%s", topic, main_commit);
    r = gf_lh(&arr, "history", "-f", "json", "--range", range, NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 2), "%s", r.out);
    cr_assert(eq(sz, gf_find(arr, "commit", topic, NULL), 1), "%s", r.out);
    cr_assert(eq(sz, gf_find(arr, "commit", main_commit, NULL), 1), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    free(base);
    free(topic);
    free(main_commit);
    free(tip);
}

Test(history, secret_in_git_notes)
{
    char tok[41];
    gf_token(tok, 44);
    gf_write("a.txt", "a\n", NULL);
    gf_commit_q("init");
    char note[80];
    snprintf(note, sizeof(note), "deployed with %s", tok);
    gf_sh("GIT_COMMITTER_DATE='1700500000 +0000' git notes add -m '%s' HEAD", note);
    char *notes = gf_out("git rev-parse refs/notes/commits");
    json_t *arr = NULL;
    struct lh_run r = gf_lh(&arr, "history", "-f", "json", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    cr_assert(eq(str, (char *)gf_str(json_array_get(arr, 0), "commit"), notes));
    json_decref(arr);
    lh_run_dispose(&r);
    free(notes);
}

Test(history, progress_only_on_a_terminal)
{
    char tok[41];
    gf_token(tok, 45);
    gf_write("k.env", "K=%s\n", tok);
    gf_commit_q("k");
    /* script(1) gives leakhound a terminal; its stdout is the terminal's output */
    char cmd[4600];
    snprintf(cmd, sizeof(cmd), "script -qec '%s history --color never' /dev/null", LH_BIN);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, gf_path("repo"), NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 1), "%s %s", r.out, r.err);
    /* the phase it catches depends on timing: walking, blobs or attributing */
    const char *line = strstr(r.out, "\rleakhound: ");
    cr_assert(line != NULL, "no progress line: %s", r.out);
    static const char *const phases[] = {"\rleakhound: walking history: ", "\rleakhound: blobs ",
                                         "\rleakhound: attributing"};
    int known = 0;
    for (size_t i = 0; i < 3; i++) {
        known |= strncmp(line, phases[i], strlen(phases[i])) == 0;
    }
    cr_assert(eq(int, known, 1), "%s", r.out);
    cr_assert(strstr(r.out, "k.env") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, tok) == NULL);
    lh_run_dispose(&r);
    /* --quiet: nothing but the report */
    snprintf(cmd, sizeof(cmd), "script -qec '%s history -q --color never' /dev/null", LH_BIN);
    cr_assert(eq(int, lh_run_in(&r, gf_path("repo"), NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, 1), "%s %s", r.out, r.err);
    cr_assert(strstr(r.out, "leakhound: walking") == NULL, "%s", r.out);
    cr_assert(strstr(r.out, "leakhound: blobs") == NULL, "%s", r.out);
    lh_run_dispose(&r);
}
