/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of developer integration: `leakhound install-hook` in a real repository
 * (blocking a commit with a checksum-valid token, passing a clean one, chaining an existing
 * hook, honouring core.hooksPath, --no-verify), the pre-commit framework through
 * .pre-commit-hooks.yaml (`pre-commit try-repo`), and `cmake --install` into a prefix.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GITENV                                                                                     \
    "export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=T "                \
    "GIT_COMMITTER_EMAIL=t@example.com HOME=\"$PWD/.home\" LEAKHOUND_CACHE_DIR=\"$PWD/.cache\";"   \
    " mkdir -p .home; "

static char *dir;
static char tok[41];

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_make_github_token(tok, "ghp_", "Hk8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jq0");
    cr_assert(eq(int, lh_sh(dir, GITENV "git init -q -b main repo"), 0));
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(hooks, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static void write_repo_file(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof(p), "repo/%s", rel);
    lh_write_file(dir, p, text, strlen(text));
}

static int commit(const char *msg, const char *extra)
{
    return lh_sh(dir, GITENV "cd repo && git add -A && git commit -q %s -m '%s' 2>../commit.err",
                 extra, msg);
}

Test(hooks, install_hook_blocks_secret_passes_clean_and_chains_existing)
{
    /* an existing hook that leaves a trace */
    write_repo_file(".git/hooks/pre-commit", "#!/bin/sh\necho ran >> \"$(git rev-parse "
                                             "--git-dir)/../../old-hook-ran\"\n");
    cr_assert(eq(int, lh_sh(dir, "chmod +x repo/.git/hooks/pre-commit"), 0));
    struct lh_run r;
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", dir);
    lh_run_lh(&r, repo, NULL, "install-hook", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "chained") != NULL, "%s", r.out);
    lh_run_dispose(&r);

    write_repo_file("README.md", "hello\n");
    cr_assert(eq(int, commit("clean", ""), 0), "clean commit was blocked");

    char text[128];
    snprintf(text, sizeof(text), "deploy:\n  token: %s\n", tok);
    write_repo_file("ci.yml", text);
    cr_assert(commit("leak", "") != 0, "commit with a secret was not blocked");
    char errpath[4096];
    snprintf(errpath, sizeof(errpath), "%s/commit.err", dir);
    char *err = lh_read_file(errpath);
    cr_assert(err != NULL);
    cr_assert(strstr(err, "ci.yml") != NULL, "hook output does not name the file: %s", err);
    cr_assert(strstr(err, "git restore --staged") != NULL, "%s", err);
    cr_assert(strstr(err, "leakhound:allow") != NULL, "%s", err);
    cr_assert(strstr(err, tok) == NULL, "hook printed the whole secret");
    free(err);
    /* the chained hook ran for both commits */
    char trace[4096];
    snprintf(trace, sizeof(trace), "%s/old-hook-ran", dir);
    char *ran = lh_read_file(trace);
    cr_assert(ran != NULL, "existing hook did not run");
    cr_assert(eq(str, ran, "ran\nran\n"));
    free(ran);
    /* --no-verify still works as git intends */
    cr_assert(eq(int, commit("leak anyway", "--no-verify"), 0));
    /* re-installing updates in place and does not chain leakhound's own hook */
    lh_run_lh(&r, repo, NULL, "install-hook", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "chained") == NULL, "%s", r.out);
    lh_run_dispose(&r);
}

Test(hooks, honours_core_hooks_path_and_allows_inline)
{
    cr_assert(eq(int, lh_sh(dir, "cd repo && git config core.hooksPath .githooks"), 0));
    struct lh_run r;
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", dir);
    lh_run_lh(&r, repo, NULL, "install-hook", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, ".githooks/pre-commit") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    char text[128];
    snprintf(text, sizeof(text), "token = '%s'\n", tok);
    write_repo_file("a.py", text);
    cr_assert(commit("leak", "") != 0);
    snprintf(text, sizeof(text), "token = '%s'  # leakhound:allow test fixture\n", tok);
    write_repo_file("a.py", text);
    cr_assert(eq(int, commit("allowed", ""), 0));
}

Test(hooks, not_a_repository_is_an_error)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "install-hook", "/nonexistent/repo", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent/repo") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(hooks, pre_commit_framework_try_repo_blocks_secret)
{
    if (lh_sh("/", "command -v pre-commit >/dev/null") != 0) {
        cr_skip_test("pre-commit is not installed (scripts/deps.sh test installs it)");
    }
    char bin[4096];
    snprintf(bin, sizeof(bin), "%s", LH_BIN);
    char *bindir = dirname(bin);
    write_repo_file("README.md", "hello\n");
    cr_assert(eq(int, commit("init", ""), 0));
    char text[128];
    snprintf(text, sizeof(text), "key: %s\n", tok);
    write_repo_file("leak.yml", text);
    int st = lh_sh(dir,
                   GITENV "cd repo && git add -A && PATH='%s':$PATH PRE_COMMIT_HOME=\"$PWD/../pc\" "
                          "pre-commit try-repo '%s' leakhound >../pc.out 2>&1",
                   bindir, LH_SOURCE_DIR);
    char outp[4096];
    snprintf(outp, sizeof(outp), "%s/pc.out", dir);
    char *out = lh_read_file(outp);
    cr_assert(st != 0, "pre-commit did not block the secret: %s", out ? out : "");
    cr_assert(out != NULL && strstr(out, "leak.yml") != NULL, "%s", out ? out : "");
    cr_assert(strstr(out, "Failed") != NULL, "%s", out);
    /* the same remediation text as the native hook */
    cr_assert(strstr(out, "git restore --staged") != NULL, "%s", out);
    cr_assert(strstr(out, "leakhound:allow") != NULL, "%s", out);
    free(out);
    /* and passes once the secret is gone */
    write_repo_file("leak.yml", "key: none\n");
    st = lh_sh(dir,
               GITENV "cd repo && git add -A && PATH='%s':$PATH PRE_COMMIT_HOME=\"$PWD/../pc\" "
                      "pre-commit try-repo '%s' leakhound >../pc.out 2>&1",
               bindir, LH_SOURCE_DIR);
    cr_assert(eq(int, st, 0));
}

Test(hooks, cmake_install_yields_binary_man_page_and_completion)
{
    cr_assert(eq(
        int, lh_sh(dir, "cmake --install '%s' --prefix \"$PWD/prefix\" >install.log", LH_BUILD_DIR),
        0));
    cr_assert(eq(int, lh_sh(dir, "./prefix/bin/leakhound --version | grep -q '^leakhound '"), 0));
    cr_assert(eq(int, lh_sh(dir, "head -1 prefix/share/man/man1/leakhound.1 | grep -q '^.TH'"), 0));
    cr_assert(eq(int,
                 lh_sh(dir, "bash -c '. prefix/share/bash-completion/completions/leakhound "
                            "&& complete -p leakhound | grep -q _leakhound'"),
                 0));
    cr_assert(eq(int, lh_sh(dir, "test -x prefix/share/leakhound/hooks/pre-commit"), 0));
    /* the installed binary needs no data files: its embedded rules find a token */
    char in[128];
    snprintf(in, sizeof(in), "t=%s\n", tok);
    lh_write_file(dir, "t.env", in, strlen(in));
    cr_assert(eq(int,
                 lh_sh(dir,
                       "cd / && LEAKHOUND_CACHE_DIR=%s/c %s/prefix/bin/leakhound scan "
                       "--quiet %s/t.env; test $? -eq 1",
                       dir, dir, dir),
                 0));
}

/* A linked worktree: git reads hooks from the common directory, not .git/worktrees/<name> */
Test(hooks, install_hook_in_a_linked_worktree_blocks_a_secret)
{
    write_repo_file("README.md", "hello\n");
    cr_assert(eq(int, commit("first", ""), 0));
    cr_assert(eq(int, lh_sh(dir, GITENV "cd repo && git worktree add -q -b wt ../wt"), 0));
    struct lh_run r;
    char wt[4096];
    snprintf(wt, sizeof(wt), "%s/wt", dir);
    lh_run_lh(&r, wt, NULL, "install-hook", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    char hook[4096];
    snprintf(hook, sizeof(hook), "%s/repo/.git/hooks/pre-commit", dir);
    cr_assert(access(hook, X_OK) == 0, "the hook is not in the common hooks directory");
    char text[128];
    snprintf(text, sizeof(text), "token: %s\n", tok);
    lh_write_file(dir, "wt/ci.yml", text, strlen(text));
    cr_assert(lh_sh(dir, GITENV "cd wt && git add -A && git commit -q -m leak 2>../commit.err") !=
                  0,
              "a commit with a secret in the worktree was not blocked");
    /* and a commit in the main work tree is guarded by the same hook */
    write_repo_file("ci.yml", text);
    cr_assert(commit("leak", "") != 0, "a commit with a secret in the main tree was not blocked");
}

Test(hooks, bare_repository_is_refused_with_a_reason)
{
    cr_assert(eq(int, lh_sh(dir, GITENV "git init -q --bare bare.git"), 0));
    struct lh_run r;
    char bare[4096];
    snprintf(bare, sizeof(bare), "%s/bare.git", dir);
    lh_run_lh(&r, dir, NULL, "install-hook", bare, NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "bare repository") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    char hook[4096];
    snprintf(hook, sizeof(hook), "%s/bare.git/hooks/pre-commit", dir);
    cr_assert(access(hook, F_OK) != 0, "a hook was written into the bare repository");
}

/* `pre-commit run --all-files` sees secrets already committed (the files hook) */
Test(hooks, pre_commit_framework_files_hook_finds_committed_secrets)
{
    if (lh_sh("/", "command -v pre-commit >/dev/null") != 0) {
        cr_skip_test("pre-commit is not installed (scripts/deps.sh test installs it)");
    }
    char bin[4096];
    snprintf(bin, sizeof(bin), "%s", LH_BIN);
    char *bindir = dirname(bin);
    char text[128];
    snprintf(text, sizeof(text), "key: %s\n", tok);
    write_repo_file("old/leak.yml", text);
    write_repo_file("README.md", "hello\n");
    cr_assert(eq(int, commit("history", "--no-verify"), 0));
    /* nothing is staged: the staged hook passes, the files hook with --all-files fails */
    int st = lh_sh(dir,
                   GITENV "cd repo && PATH='%s':$PATH PRE_COMMIT_HOME=\"$PWD/../pc\" "
                          "pre-commit try-repo '%s' leakhound --all-files >../pc.out 2>&1",
                   bindir, LH_SOURCE_DIR);
    cr_assert(eq(int, st, 0), "the staged hook failed with nothing staged");
    st = lh_sh(dir,
               GITENV "cd repo && PATH='%s':$PATH PRE_COMMIT_HOME=\"$PWD/../pc\" "
                      "pre-commit try-repo '%s' leakhound-files --all-files >../pc.out 2>&1",
               bindir, LH_SOURCE_DIR);
    char outp[4096];
    snprintf(outp, sizeof(outp), "%s/pc.out", dir);
    char *out = lh_read_file(outp);
    cr_assert(st != 0, "the files hook did not find the committed secret: %s", out ? out : "");
    cr_assert(out != NULL && strstr(out, "old/leak.yml") != NULL, "%s", out ? out : "");
    cr_assert(strstr(out, "leakhound:allow") != NULL, "no remediation text: %s", out);
    cr_assert(strstr(out, tok) == NULL, "the whole secret was printed");
    free(out);
}
