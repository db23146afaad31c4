/* SPDX-License-Identifier: MIT */
/* `leakhound scan [PATH|-]...`: files, directories and stdin. */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The current directory relative to the root of the git work tree that contains it ("sub/"),
 * or NULL at the root or outside any work tree: SARIF URIs must be relative to the
 * repository root, and `scan .` from a subdirectory gives paths relative to it. A `.git`
 * entry (a directory, or a file in linked worktrees and submodules) marks the root.
 */
static char *worktree_prefix(void)
{
    char *root = lh_cli_git_root(".");
    char *cwd = root ? realpath(".", NULL) : NULL;
    char *out = NULL;
    size_t rl = root ? strlen(root) : 0;
    if (cwd && strncmp(cwd, root, rl) == 0 && cwd[rl] == '/') {
        size_t n = strlen(cwd + rl + 1);
        out = malloc(n + 2);
        if (out) {
            memcpy(out, cwd + rl + 1, n);
            out[n] = '/';
            out[n + 1] = '\0';
        }
    }
    free(cwd);
    free(root);
    return out;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_opts o;
    struct lh_cli_parsed p;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    int ex = lh_cli_parse_opts(&p, cmd, &o, NULL, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    const char *dot[] = {"."};
    const char *const *paths = p.nargs ? p.args : dot;
    size_t npaths = p.nargs ? p.nargs : 1;
    ex = lh_cli_session_open(&s, &o, strcmp(paths[0], "-") ? paths[0] : ".");
    if (ex) {
        goto out;
    }
    lh_cli_session_set_inputs(&s, paths, npaths);
    o.uri_prefix = worktree_prefix();
    struct lh_scan_stats st = {0};
    struct lh_scan_opts so = {
        .threads = o.threads,
        .max_file_size = o.max_file_size,
        .follow_symlinks = o.follow_symlinks,
        .scan_binary = o.scan_binary,
        .exclude = &o.exclude,
        .archive = &o.archive,
        .warn = lh_cli_warn_cb,
        .warn_payload = &o,
    };
    int rc = lh_scan_paths(s.det, paths, npaths, &so, &l, &st);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = lh_exit_from_error(rc);
        goto out;
    }
    struct lh_report_summary sum = {
        .files = st.files,
        .bytes = st.bytes,
        .skipped_binary = st.skipped_binary,
        .skipped_large = st.skipped_large,
        .skipped_other = st.skipped_other,
        .errors = st.errors,
        .unit = "files",
    };
    ex = lh_cli_session_finish(&s, &o, &l, &sum);
out:
    lh_findings_dispose(&l);
    lh_cli_session_close(&s);
    lh_cli_parsed_dispose(&p);
    lh_cli_opts_dispose(&o);
    return ex;
}

const struct lh_cli_command lh_cli_cmd_scan = {
    .name = "scan",
    .bit = LH_CMD_SCAN,
    .args = "[PATH|-]...",
    .max_args = -1,
    .args_complete = LH_COMPLETE_FILE,
    .summary = "scan files, directories or stdin for secrets",
    .description = "Scans files and directories (recursively; .git/ skipped, symbolic links not "
                   "followed, binary and oversized files skipped and counted) or stdin ('-'). "
                   "With no PATH, scans the current directory.",
    .exit_status = "0 no findings, 1 findings, 2 usage, 3 rules or configuration, 4 I/O error "
                   "(an input could not be read).",
    .run = run,
};
