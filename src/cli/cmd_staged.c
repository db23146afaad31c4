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

static void usage(FILE *f)
{
    fputs("usage: leakhound staged [options] [REPO]\n"
          "\n"
          "Scans the changes staged for commit in REPO (default: the repository containing\n"
          "the current directory): the index against HEAD, or against nothing before the\n"
          "first commit. Only secrets on added or changed lines are reported.\n"
          "\n",
          f);
    lh_cli_usage_rule_options(f);
    fputs("  --exclude GLOB              skip staged paths matching GLOB (repeatable)\n"
          "  --max-file-size SIZE        skip larger files (default 25M)\n"
          "  --scan-binary               also scan files that contain NUL bytes\n",
          f);
    lh_cli_usage_archive_options(f);
    lh_cli_usage_report_options(f);
    fputs("  -q, --quiet                 no summary or warnings on stderr\n"
          "\n"
          "Exit: 0 no findings, 1 findings, 2 usage (not a work tree), 3 rules/config,\n"
          "4 a staged object could not be read.\n",
          f);
}

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

int lh_cmd_staged(int argc, char **argv)
{
    struct lh_cli_opts o;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    struct prepare p = {0};
    pthread_t thread;
    bool started = false;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    o.hint_staged = true;
    int ex = lh_cli_parse(&o, argc, argv, NULL, NULL, NULL, usage);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    if (argc - optind > 1) {
        lh_cli_error("staged takes one repository, not %d arguments", argc - optind);
        ex = LH_EXIT_USAGE;
        goto out;
    }
    const char *repo = optind < argc ? argv[optind] : ".";
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
    lh_cli_opts_dispose(&o);
    return ex;
}
