/* SPDX-License-Identifier: MIT */
/*
 * The pre-push hook end to end: `leakhound install-hook --pre-push`, then real `git push`es
 * to a local bare repository. A push whose commits add a secret is refused (the remote does
 * not get the ref) with the push's remediation text; a secret already on the remote is not
 * reported again (only the pushed commits are scanned: an update, a new branch off main, a
 * force-push, a push to a URL); a deletion pushes nothing; `git push --no-verify` bypasses;
 * an existing pre-push hook is chained and gets the same stdin.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GITENV                                                                                     \
    "export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=T "                \
    "GIT_COMMITTER_EMAIL=t@example.com HOME=\"$PWD/.home\" LEAKHOUND_CACHE_DIR=\"$PWD/.cache\" "   \
    "GIT_CONFIG_NOSYSTEM=1; mkdir -p .home; "

static char *dir;
static char tok_old[41];
static char tok_new[41];

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_make_github_token(tok_old, "ghp_", "Pw4Nc8Rv1Lk6Tq3Xz9Bm2Hd7Js5Fy0");
    lh_make_github_token(tok_new, "ghp_", "Mt6Kq1Vz8Rb3Wn5Lc9Xp2Hf7Dj4Gs0");
    /* a remote whose main already holds a secret (pushed before the hook existed) */
    cr_assert(eq(int,
                 lh_sh(dir,
                       GITENV "git init -q --bare -b main origin.git && "
                              "git clone -q \"file://$PWD/origin.git\" work 2>/dev/null && "
                              "cd work && printf 'OLD=%s\\n' >old.env && git add -A && "
                              "git commit -qm old && git push -q origin HEAD:main && "
                              "git branch -u origin/main -q",
                       tok_old),
                 0));
    struct lh_run r;
    char work[4096];
    snprintf(work, sizeof(work), "%s/work", dir);
    lh_run_lh(&r, work, NULL, "install-hook", "--pre-push", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "pre-push hook") != NULL, "%s", r.out);
    lh_run_dispose(&r);
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(prepush, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

/* Runs a shell line in work/ with the git environment; stderr to ../push.err. */
static int in_work(const char *line)
{
    return lh_sh(dir, GITENV "cd work && %s 2>../push.err", line);
}

static char *push_err(void)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/push.err", dir);
    char *s = lh_read_file(p);
    cr_assert(s != NULL);
    return s;
}

/* Whether the remote has refs/heads/<branch>. */
static int remote_has(const char *branch)
{
    return lh_sh(dir, "git --git-dir=origin.git rev-parse -q --verify refs/heads/%s >/dev/null",
                 branch) == 0;
}

static void commit_file(const char *file, const char *tok)
{
    char line[512];
    snprintf(line, sizeof(line), "printf 'K=%s\\n' > %s && git add -A && git commit -qm %s",
             tok ? tok : "clean", file, file);
    cr_assert(eq(int, in_work(line), 0));
}

Test(prepush, blocks_a_pushed_secret_and_passes_what_the_remote_has)
{
    /* an update of main with a clean commit: the old secret on the remote is not rescanned */
    commit_file("readme.txt", NULL);
    cr_assert(eq(int, in_work("git push -q origin main"), 0));
    char *err = push_err();
    cr_assert(strstr(err, "0 findings") != NULL, "%s", err);
    cr_assert(strstr(err, "in 1 blob") != NULL, "%s", err);
    free(err);
    /* a new branch adding a secret: refused, the remote does not get it */
    cr_assert(eq(int, in_work("git checkout -q -b feat"), 0));
    commit_file("deploy.env", tok_new);
    cr_assert(in_work("git push -q origin feat") != 0, "the push went through");
    cr_assert(eq(int, remote_has("feat"), 0));
    err = push_err();
    cr_assert(strstr(err, "deploy.env:1:3") != NULL, "%s", err);
    cr_assert(strstr(err, "old.env") == NULL, "the remote's own secret was reported: %s", err);
    cr_assert(strstr(err, "push blocked") != NULL && strstr(err, "git push --no-verify") != NULL,
              "%s", err);
    cr_assert(strstr(err, "is new to 'origin'") != NULL, "%s", err);
    cr_assert(strstr(err, tok_new) == NULL, "a secret in clear");
    free(err);
    /* the same push with --no-verify goes through, as git intends */
    cr_assert(eq(int, in_work("git push -q --no-verify origin feat"), 0));
    cr_assert(eq(int, remote_has("feat"), 1));
    /* deleting it pushes no commit: allowed */
    cr_assert(eq(int, in_work("git push -q origin :feat"), 0));
    cr_assert(eq(int, remote_has("feat"), 0));
}

Test(prepush, update_and_force_push_scan_only_the_new_commits)
{
    cr_assert(eq(int, in_work("git checkout -q -b topic"), 0));
    commit_file("a.txt", NULL);
    cr_assert(eq(int, in_work("git push -q -u origin topic"), 0));
    /* an update adding a secret on top of what the remote has */
    commit_file("b.env", tok_new);
    cr_assert(in_work("git push -q origin topic") != 0, "the push went through");
    char *err = push_err();
    cr_assert(strstr(err, "b.env:1:3") != NULL, "%s", err);
    cr_assert(strstr(err, "1 finding") != NULL, "%s", err);
    free(err);
    /* rewrite it: drop the secret, force-push: clean */
    cr_assert(eq(int,
                 in_work("git reset -q --hard HEAD~1 && printf 'fine\\n' > c.txt && "
                         "git add -A && git commit -qm c && git push -q -f origin topic"),
                 0));
    err = push_err();
    cr_assert(strstr(err, "0 findings") != NULL, "%s", err);
    free(err);
}

Test(prepush, push_to_a_url_falls_back_to_the_default_branch)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q --bare -b main other.git"), 0));
    cr_assert(eq(int, in_work("git checkout -q -b side"), 0));
    commit_file("side.env", tok_new);
    /* the remote argument is a URL: no tracking refs, compared with origin/HEAD */
    cr_assert(in_work("git push -q \"file://$PWD/../other.git\" side") != 0,
              "the push went through");
    char *err = push_err();
    cr_assert(strstr(err, "side.env:1:3") != NULL, "%s", err);
    cr_assert(strstr(err, "old.env") == NULL, "%s", err);
    cr_assert(strstr(err, "has no tracking refs here") != NULL, "%s", err);
    free(err);
}

Test(prepush, chains_an_existing_hook_with_the_same_input)
{
    /* a foreign pre-push hook, present before leakhound's: it must keep running */
    cr_assert(eq(int,
                 lh_sh(dir, "rm work/.git/hooks/pre-push && printf '#!/bin/sh\\ncat > "
                            "\"$(dirname \"$0\")/../../../seen.txt\"\\necho \"$1\" >> "
                            "\"$(dirname \"$0\")/../../../seen.txt\"\\n' > "
                            "work/.git/hooks/pre-push && chmod +x work/.git/hooks/pre-push"),
                 0));
    struct lh_run r;
    char work[4096];
    snprintf(work, sizeof(work), "%s/work", dir);
    lh_run_lh(&r, work, NULL, "install-hook", "--pre-push", "--pre-commit", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "pre-push.chained") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "pre-commit hook") != NULL, "both hooks: %s", r.out);
    lh_run_dispose(&r);
    commit_file("n.txt", NULL);
    cr_assert(eq(int, in_work("git push -q origin main"), 0));
    char p[4096];
    snprintf(p, sizeof(p), "%s/seen.txt", dir);
    char *seen = lh_read_file(p);
    cr_assert(seen != NULL, "the chained hook did not run");
    /* git's line for the update, then the remote name */
    cr_assert(strstr(seen, "refs/heads/main ") == seen, "%s", seen);
    cr_assert(strstr(seen, "\norigin\n") != NULL, "%s", seen);
    free(seen);
}

Test(prepush, malformed_input_is_a_usage_error)
{
    struct lh_run r;
    char work[4096];
    snprintf(work, sizeof(work), "%s/work", dir);
    static const char in[] = "refs/heads/main not-an-id refs/heads/main 1234\n";
    lh_run_lh(&r, work, in, "history", "--pre-push", "origin", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    char *e = lh_error_line(r.err);
    cr_assert(e != NULL && strstr(e, "pre-push input line 1") != NULL, "%s", r.err);
    free(e);
    lh_run_dispose(&r);
    /* nothing on stdin (nothing pushed): nothing to scan */
    lh_run_lh(&r, work, "", "history", "--pre-push", "origin", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
}
