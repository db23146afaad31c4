/* SPDX-License-Identifier: MIT */
/*
 * `leakhound install-hook [--pre-commit] [--pre-push] [--force] [REPO]`: installs the
 * pre-commit hook (the default) and/or the pre-push hook (the embedded hooks/<name>, with
 * this binary's absolute path) into the repository's hooks directory, honouring
 * core.hooksPath. An existing foreign hook is kept and chained: it is renamed to
 * <name>.chained and runs first. Re-running updates leakhound's own hook.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "rules/builtin.h"
#include "source/libgit2.h"
#include "util/buf.h"
#include "util/fs.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOOK_MARK "leakhound-hook:"

/*
 * Hooks directory, as git resolves it: core.hooksPath (relative to the work tree), else the
 * `hooks` directory of the *common* git directory. In a linked worktree (`git worktree add`)
 * the git directory is .git/worktrees/<name>, where git never looks for hooks; hooks there
 * were silently ignored and commits with secrets went through. A submodule's common
 * directory is its own .git/modules/<name>, as git expects.
 */
static char *hooks_dir(git_repository *repo)
{
    git_config *cfg = NULL;
    git_buf val = {0};
    char *out = NULL;
    if (git_repository_config_snapshot(&cfg, repo) == 0 &&
        git_config_get_string_buf(&val, cfg, "core.hooksPath") == 0 && val.size) {
        const char *base = git_repository_workdir(repo);
        if (!base) {
            base = git_repository_path(repo);
        }
        out = val.ptr[0] == '/' ? strdup(val.ptr) : lh_path_join(base, val.ptr);
    } else {
        out = lh_path_join(git_repository_commondir(repo), "hooks");
    }
    git_buf_dispose(&val);
    git_config_free(cfg);
    return out;
}

static int hook_text(struct lh_buf *out, const char *name)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        lh_error_set("cannot find the leakhound binary's path: %s", strerror(errno));
        return LH_EIO;
    }
    self[n] = '\0';
    if (strchr(self, '\'')) {
        lh_error_set("the leakhound binary's path contains a quote; set LEAKHOUND instead");
        return LH_EINVAL;
    }
    const char *t = NULL;
    for (size_t i = 0; i < lh_hook_files_count; i++) {
        const char *slash = strrchr(lh_hook_files[i].name, '/');
        if (slash && !strcmp(slash + 1, name)) {
            t = (const char *)lh_hook_files[i].data;
        }
    }
    LH_ASSERT(t != NULL);
    const char *at = strstr(t, "@LEAKHOUND@");
    LH_ASSERT(at != NULL);
    int rc = lh_buf_put(out, t, (size_t)(at - t));
    if (rc == 0) {
        rc = lh_buf_printf(out, "'%s'", self);
    }
    if (rc == 0) {
        rc = lh_buf_puts(out, at + strlen("@LEAKHOUND@"));
    }
    return rc;
}

static int install(const char *repo_path, const char *name, bool force)
{
    git_repository *repo = NULL;
    char *dir = NULL;
    char *hook = NULL;
    char *chained = NULL;
    struct lh_buf text;
    struct lh_buf old;
    int ex = 0;
    lh_buf_init(&text, 0);
    lh_buf_init(&old, 1024 * 1024);
    if (git_repository_open_ext(&repo, repo_path, 0, NULL) != 0) {
        const git_error *e = git_error_last();
        lh_cli_error("'%s' is not a git repository: %s", repo_path, e ? e->message : "");
        ex = LH_EXIT_IO;
        goto out;
    }
    if (git_repository_is_bare(repo)) {
        lh_cli_error("'%s' is a bare repository: nothing is committed in it, so a pre-commit "
                     "hook there never runs; install the hook in each clone (a server-side "
                     "check is `leakhound history --range OLD..NEW` in a pre-receive hook)",
                     repo_path);
        ex = LH_EXIT_USAGE;
        goto out;
    }
    dir = hooks_dir(repo);
    char chained_name[64];
    snprintf(chained_name, sizeof(chained_name), "%s.chained", name);
    hook = dir ? lh_path_join(dir, name) : NULL;
    chained = dir ? lh_path_join(dir, chained_name) : NULL;
    if (!hook || !chained || lh_fs_mkdirs(dir) < 0 || hook_text(&text, name) < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = LH_EXIT_IO;
        goto out;
    }
    char note[128] = "";
    if (access(hook, F_OK) == 0) {
        if (lh_fs_read_file(&old, hook) < 0) {
            lh_cli_error("%s", lh_error_get());
            ex = LH_EXIT_IO;
            goto out;
        }
        if (!strstr(old.ptr ? old.ptr : "", HOOK_MARK)) {
            if (access(chained, F_OK) == 0 && !force) {
                lh_cli_error("'%s' already exists; pass --force to replace it with the current "
                             "'%s'",
                             chained, hook);
                ex = LH_EXIT_USAGE;
                goto out;
            }
            if (rename(hook, chained) != 0) {
                lh_cli_error("cannot rename '%s': %s", hook, strerror(errno));
                ex = LH_EXIT_IO;
                goto out;
            }
            snprintf(note, sizeof(note), " (the existing hook now runs first, as %s)",
                     chained_name);
        }
    }
    if (lh_fs_write_atomic(hook, text.ptr, text.len) < 0 || chmod(hook, 0755) != 0) {
        lh_cli_error("cannot write '%s': %s", hook, lh_error_get());
        ex = LH_EXIT_IO;
        goto out;
    }
    printf("leakhound: installed the %s hook in %s%s\n", name, hook, note);
out:
    lh_buf_dispose(&text);
    lh_buf_dispose(&old);
    free(dir);
    free(hook);
    free(chained);
    git_repository_free(repo);
    return ex;
}

struct args {
    bool force;
    bool pre_commit;
    bool pre_push;
};

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct args a = {false, false, false};
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, &a);
    const char *repo = p.nargs ? p.args[0] : ".";
    if (ex == 0 && (lh_libgit2_load("install-hook") < 0 || git_libgit2_init() < 0)) {
        lh_cli_error("%s", lh_error_get());
        ex = LH_EXIT_IO;
    } else if (ex == 0) {
        if (!a.pre_push) {
            a.pre_commit = true; /* the default */
        }
        ex = a.pre_commit ? install(repo, "pre-commit", a.force) : 0;
        if (ex == 0 && a.pre_push) {
            ex = install(repo, "pre-push", a.force);
        }
        git_libgit2_shutdown();
    }
    lh_cli_parsed_dispose(&p);
    return ex < 0 ? 0 : ex;
}

#define AT(field) offsetof(struct args, field)

static const struct lh_cli_option options[] = {
    {.name = "pre-commit",
     .arg = LH_ARG_FLAG,
     .offset = AT(pre_commit),
     .help = "the pre-commit hook, running 'leakhound staged': blocks commits that add a secret "
             "(the default)"},
    {.name = "pre-push",
     .arg = LH_ARG_FLAG,
     .offset = AT(pre_push),
     .help = "the pre-push hook, running 'leakhound history --pre-push': blocks pushes whose "
             "commits add a secret",
     .more = "Exactly the pushed commits (a new branch: what it adds to the remote's branches), "
             "also commits made with --no-verify. With --pre-commit too, both are installed."},
    {.name = "force",
     .arg = LH_ARG_FLAG,
     .offset = AT(force),
     .help = "replace an earlier chained hook (<hook>.chained)"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_install_hook = {
    .name = "install-hook",
    .bit = LH_CMD_INSTALL_HOOK,
    .args = "[REPO]",
    .max_args = 1,
    .args_complete = LH_COMPLETE_DIR,
    .summary = "install the pre-commit or pre-push hook into a repository",
    .description = "Installs git hooks that block secrets: the pre-commit hook (the default) "
                   "and the pre-push hook. Honours core.hooksPath; in a linked worktree the hooks "
                   "go where git reads them (the common git directory), so they guard every "
                   "worktree. An existing hook is chained: renamed to <hook>.chained and run "
                   "first. Bare repositories are refused.",
    .exit_status = "0 installed, 2 usage (bare repository, a chained hook exists), 4 I/O "
                   "error.",
    .options = options,
    .run = run,
};
