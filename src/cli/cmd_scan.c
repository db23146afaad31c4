/* SPDX-License-Identifier: MIT */
/* `leakhound scan [PATH|-]...`: files, directories and stdin. */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: leakhound scan [options] [PATH|-]...\n"
          "\n"
          "Scans files and directories (recursively; .git/ skipped) or stdin ('-').\n"
          "With no PATH, scans the current directory.\n"
          "\n",
          f);
    lh_cli_usage_rule_options(f);
    fputs("  --exclude GLOB              skip paths matching GLOB (repeatable)\n"
          "  --threads N                 worker threads (default: all cores)\n"
          "  --max-file-size SIZE        skip larger files (default 25M)\n"
          "  --max-findings-per-file N   report at most N findings per file (default 1000)\n"
          "  --regex-match-limit N       PCRE2 match limit per rule match attempt (2000000)\n"
          "  --regex-depth-limit N       PCRE2 depth limit (default 10000)\n"
          "  --follow-symlinks           follow symbolic links (loops are detected)\n"
          "  --scan-binary               also scan files that contain NUL bytes\n",
          f);
    lh_cli_usage_archive_options(f);
    lh_cli_usage_report_options(f);
    fputs(
        "  -q, --quiet                 no summary or warnings on stderr\n"
        "  --revoke                    send confirmed findings to the revoke webhook routes\n"
        "  --revoke-url URL            add a route for all rules (key in LEAKHOUND_REVOKE_SECRET)\n"
        "  --state-dir DIR             revocation spool (default $XDG_STATE_HOME/leakhound)\n"
        "  --dry-run                   print what would be sent instead of sending\n"
        "\n"
        "Exit: 0 no findings, 1 findings, 2 usage, 3 rules/config, 4 I/O error.\n",
        f);
}

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

int lh_cmd_scan(int argc, char **argv)
{
    struct lh_cli_opts o;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    int ex = lh_cli_parse(&o, argc, argv, NULL, NULL, NULL, usage);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    const char *dot[] = {"."};
    const char *const *paths = optind < argc ? (const char *const *)argv + optind : dot;
    size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;
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
    lh_cli_opts_dispose(&o);
    return ex;
}
