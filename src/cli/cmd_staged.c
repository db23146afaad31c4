/* SPDX-License-Identifier: MIT */
/*
 * `leakhound staged [REPO]`: the pre-commit scan. Scans what the index would commit and
 * reports only findings on lines the staged changes add or change, with the staged paths
 * and line numbers; a secret already committed is not reported again. The budget is
 * startup time: while the main thread loads the configuration and builds the detector, a
 * second thread initializes libgit2, opens the repository and diffs the index against HEAD
 * (nothing there depends on the rules), so the two costs overlap.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/history.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

/* The staged-changes listing, run beside the session setup. */
struct prepare {
    const char *repo;
    bool scan_binary;
    struct lh_staged *staged;
    int rc;
    char err[1024]; /* the thread's error message (messages are thread-local) */
};

static void *prepare_main(void *arg)
{
    struct prepare *p = arg;
    p->rc = lh_history_staged_open(&p->staged, p->repo, p->scan_binary);
    if (p->rc < 0) {
        snprintf(p->err, sizeof(p->err), "%s", lh_error_get());
    }
    return NULL;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_opts o;
    struct lh_cli_parsed ps;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    struct prepare p = {0};
    pthread_t thread;
    bool started = false;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    o.hint_staged = true;
    int ex = lh_cli_parse_opts(&ps, cmd, &o, NULL, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    const char *repo = ps.nargs ? ps.args[0] : ".";
    p.repo = repo;
    p.scan_binary = o.scan_binary;
    started = pthread_create(&thread, NULL, prepare_main, &p) == 0;
    if (!started) {
        prepare_main(&p);
    }
    ex = lh_cli_session_open(&s, &o, repo);
    if (started) {
        pthread_join(thread, NULL);
    }
    if (ex) {
        goto out;
    }
    if (p.rc < 0) {
        ex = lh_cli_git_fail(p.rc, p.err);
        goto out;
    }
    struct lh_history_stats st = {0};
    struct lh_history_opts ho = {
        .max_file_size = o.max_file_size,
        .scan_binary = o.scan_binary,
        .exclude = &o.exclude,
        .archive = &o.archive,
        .warn = lh_cli_warn_cb,
        .warn_payload = &o,
    };
    int rc = lh_history_staged_scan(p.staged, s.det, &ho, &l, &st);
    if (rc < 0) {
        ex = lh_cli_git_fail(rc, lh_error_get());
        goto out;
    }
    ex = lh_cli_session_finish_git(&s, &o, &l, &st, "files");
out:
    lh_history_staged_free(p.staged);
    lh_findings_dispose(&l);
    lh_cli_session_close(&s);
    lh_cli_parsed_dispose(&ps);
    lh_cli_opts_dispose(&o);
    return ex;
}

const struct lh_cli_command lh_cli_cmd_staged = {
    .name = "staged",
    .bit = LH_CMD_STAGED,
    .args = "[REPO]",
    .max_args = 1,
    .args_complete = LH_COMPLETE_DIR,
    .summary = "scan the changes staged for commit (pre-commit)",
    .description = "Scans the changes staged for commit in REPO (default: the repository "
                   "containing the current directory): the index against HEAD, or against "
                   "nothing before the first commit. Only secrets on added or changed lines are "
                   "reported, with the staged paths and line numbers.",
    .exit_status = "0 no findings, 1 findings, 2 usage (not a work tree), 3 rules or "
                   "configuration, 4 a staged object could not be read.",
    .run = run,
};
