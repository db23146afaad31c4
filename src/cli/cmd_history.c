/* SPDX-License-Identifier: MIT */
/*
 * `leakhound history [REPO]`: every blob reachable from every ref (or a range's new blobs,
 * or every object with --all-objects), each scanned once, findings attributed to the commit
 * that introduced them. The progress line goes to stderr only when it is a terminal and
 * --quiet is off; warnings clear it first so the two never share a line.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/history.h"
#include "source/git_range.h"
#include "util/date.h"
#include "util/fs.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct history_args {
    const char *range;
    const char *since;
    bool all_objects;
    const char *range_fallback;
    const char *pre_push; /* the remote argument of a pre-push hook */
    char *since_range;    /* "REF..HEAD" (owned) */
    int64_t since_time;   /* --since DATE */
    struct lh_git_push push;
};

/* The progress line is shared by the ticker thread and warnings from any thread. */
struct progress {
    const struct lh_cli_opts *o;
    atomic_bool shown;
    double scan_start; /* elapsed time when blob scanning began (ticker thread only) */
    bool scanning;
};

static void clear_line(struct progress *p)
{
    if (atomic_exchange(&p->shown, false)) {
        fputs("\r\033[K", stderr);
    }
}

static void on_warn(const char *msg, void *payload)
{
    struct progress *p = payload;
    if (p->o->quiet) {
        return;
    }
    flockfile(stderr); /* one line, whole, whatever thread warns */
    clear_line(p);
    lh_cli_warn("%s", msg);
    funlockfile(stderr);
}

static void on_progress(const struct lh_history_stats *st, double elapsed, void *payload)
{
    struct progress *p = payload;
    char line[160];
    int phase = atomic_load(&st->phase);
    if (phase == LH_HISTORY_SCAN) {
        size_t done = atomic_load(&st->blobs);
        size_t total = atomic_load(&st->blobs_total);
        double mb = (double)atomic_load(&st->bytes) / 1e6;
        if (!p->scanning) {
            p->scanning = true;
            p->scan_start = elapsed;
        }
        double secs = elapsed - p->scan_start;
        snprintf(line, sizeof(line), "leakhound: blobs %zu/%zu (%.0f%%)  %.1f MB  %.1f MB/s", done,
                 total, total ? 100.0 * (double)done / (double)total : 100.0, mb,
                 secs > 0.05 ? mb / secs : 0.0);
    } else if (phase == LH_HISTORY_REPORT) {
        snprintf(line, sizeof(line), "leakhound: attributing findings");
    } else {
        snprintf(line, sizeof(line), "leakhound: walking history: %zu/%zu commits",
                 atomic_load(&st->commits), atomic_load(&st->commits_total));
    }
    flockfile(stderr);
    fprintf(stderr, "\r%s\033[K", line);
    atomic_store(&p->shown, true);
    funlockfile(stderr);
}

static void on_notice(const char *msg, void *payload)
{
    struct progress *p = payload;
    if (p->o->quiet) {
        return;
    }
    flockfile(stderr);
    clear_line(p);
    fprintf(stderr, "leakhound: note: %s\n", msg);
    funlockfile(stderr);
}

/* --since: a date (the commits of HEAD since then) or a revision (REV..HEAD). */
static int since_arg(struct history_args *a)
{
    int rc = lh_date_parse(&a->since_time, a->since, (int64_t)time(NULL));
    if (rc == 0) {
        if (a->range_fallback) {
            return lh_cli_usage_error("history",
                                      "--range-fallback applies to --since REF, not to a date");
        }
        return 0;
    }
    if (rc != LH_ENOTFOUND) {
        return lh_cli_usage_error("history", "--since: %s", lh_error_get());
    }
    size_t n = strlen(a->since) + 7;
    a->since_range = malloc(n);
    if (!a->since_range) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    snprintf(a->since_range, n, "%s..HEAD", a->since);
    return 0;
}

/* The pre-push protocol on stdin, parsed (bounded: git sends one short line per ref). */
static int read_push(struct lh_git_push *out)
{
    struct lh_buf b;
    lh_buf_init(&b, (size_t)LH_GIT_PUSH_MAX_LINES * 256);
    int rc = lh_libgit2_load("history --pre-push");
    if (rc == 0) {
        rc = lh_fs_read_fd(&b, STDIN_FILENO, "stdin");
    }
    if (rc == 0) {
        rc = lh_git_push_parse(out, b.ptr ? b.ptr : "", b.len);
    }
    lh_buf_dispose(&b);
    if (rc < 0) {
        lh_cli_error("--pre-push: %s", lh_error_get());
        return rc == LH_EINVAL || rc == LH_ETOOBIG ? LH_EXIT_USAGE : LH_EXIT_IO;
    }
    return 0;
}

static void print_push_hint(void)
{
    fputs("\nleakhound: push blocked: the commits above add a secret.\n"
          "  - Rotate it first: it is compromised once it leaves your machine, and may\n"
          "    already be in other clones.\n"
          "  - Remove it from the unpushed commits: git commit --amend (last commit) or\n"
          "    git rebase -i <upstream> (older ones), then push again.\n"
          "  - A false positive? Allow the line with a comment containing   leakhound:allow\n"
          "    or record it:  leakhound baseline create --history -o .leakhound-baseline.json\n"
          "  - Bypass this check once:        git push --no-verify\n",
          stderr);
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_opts o;
    struct lh_cli_parsed ps;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    struct history_args a = {0};
    struct progress p = {0};
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    int ex = lh_cli_parse_opts(&ps, cmd, &o, &a, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    if ((a.range != NULL) + (a.since != NULL) + (a.pre_push != NULL) > 1) {
        ex = lh_cli_usage_error(cmd->name, "--range, --since and --pre-push cannot be combined");
        goto out;
    }
    if (a.all_objects && (a.range || a.since || a.pre_push)) {
        ex = lh_cli_usage_error(cmd->name, "--all-objects scans the whole object database; it "
                                           "cannot be combined with --range, --since or "
                                           "--pre-push");
        goto out;
    }
    if (a.range_fallback && !a.range && !a.since && !a.pre_push) {
        ex = lh_cli_usage_error(cmd->name,
                                "--range-fallback applies to --range, --since REF or --pre-push");
        goto out;
    }
    if (a.since) {
        ex = since_arg(&a);
        if (ex) {
            goto out;
        }
    }
    if (a.pre_push) {
        ex = read_push(&a.push);
        if (ex) {
            goto out;
        }
    }
    const char *repo = ps.nargs ? ps.args[0] : ".";
    ex = lh_cli_session_open(&s, &o, repo);
    if (ex) {
        goto out;
    }
    /* the whole history is a full scan: stale baseline entries are real */
    s.full_scan = !a.range && !a.since && !a.pre_push;
    s.scans_history = true;
    p.o = &o;
    struct lh_history_stats st = {0};
    struct lh_history_opts ho = {
        .threads = o.threads,
        .max_file_size = o.max_file_size,
        .scan_binary = o.scan_binary,
        .all_objects = a.all_objects,
        .range = a.since_range ? a.since_range : a.range,
        .range_fallback = a.range_fallback,
        .since = a.since_time,
        .push = a.pre_push ? &a.push : NULL,
        .push_remote = a.pre_push,
        .notice = on_notice,
        .exclude = &o.exclude,
        .archive = &o.archive,
        .warn = on_warn,
        .warn_payload = &p,
        .progress = !o.quiet && isatty(STDERR_FILENO) == 1 ? on_progress : NULL,
        .progress_payload = &p,
    };
    int rc = lh_history_scan(s.det, repo, &ho, &l, &st);
    clear_line(&p);
    if (rc < 0) {
        ex = lh_cli_git_fail(rc, lh_error_get());
        goto out;
    }
    /* a blocked push gets the push's remediation text, not the commit hook's */
    bool push_hint = o.hint && a.pre_push;
    o.hint = o.hint && !push_hint;
    ex = lh_cli_session_finish_git(&s, &o, &l, &st, "blobs");
    if (push_hint && ex == LH_EXIT_FINDINGS) {
        print_push_hint();
    }
out:
    lh_git_push_dispose(&a.push);
    free(a.since_range);
    lh_findings_dispose(&l);
    lh_cli_session_close(&s);
    lh_cli_parsed_dispose(&ps);
    lh_cli_opts_dispose(&o);
    return ex;
}

#define AT(field) offsetof(struct history_args, field)

static const struct lh_cli_option options[] = {
    {.name = "range",
     .arg = LH_ARG_STRING,
     .metavar = "BASE..HEAD",
     .offset = AT(range),
     .help = "only blobs introduced by commits reachable from HEAD and not from BASE",
     .more = "A...B: commits reachable from either side but not both. What a push or a pull "
             "request adds."},
    {.name = "range-fallback",
     .arg = LH_ARG_STRING,
     .metavar = "REF",
     .offset = AT(range_fallback),
     .help = "when BASE is missing (force-push, shallow clone) or all zeros (new branch), scan "
             "what HEAD adds to REF",
     .dflt = "origin/HEAD, origin/main, origin/master, main or master",
     .more = "With --range, --since REF or --pre-push; the fallback taken is noted in one line. "
             "See docs/git.md."},
    {.name = "since",
     .arg = LH_ARG_STRING,
     .metavar = "REF|DATE",
     .offset = AT(since),
     .help = "the same as --range REF..HEAD, or the commits of HEAD since DATE (2024-05-01, "
             "2024-05-01T12:00Z, '2 weeks ago')"},
    {.name = "pre-push",
     .arg = LH_ARG_STRING,
     .metavar = "REMOTE",
     .offset = AT(pre_push),
     .help = "git's pre-push hook: scan exactly the pushed commits, read from stdin",
     .more = "Installed by 'leakhound install-hook --pre-push'. A new branch: what it adds to "
             "the remote's branches."},
    {.name = "all-objects",
     .arg = LH_ARG_FLAG,
     .offset = AT(all_objects),
     .help = "also scan objects no ref reaches (dangling commits, dropped stashes, unreachable "
             "blobs)"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_history = {
    .name = "history",
    .bit = LH_CMD_HISTORY,
    .args = "[REPO]",
    .max_args = 1,
    .args_complete = LH_COMPLETE_DIR,
    .summary = "scan the git history: every blob of every ref, once",
    .description = "Scans the git history of REPO (default: the repository containing the "
                   "current directory; bare repositories too): every blob reachable from any "
                   "ref, scanned once, each finding attributed to the commit that introduced "
                   "it. A progress line goes to stderr when it is a terminal.",
    .exit_status = "0 no findings, 1 findings, 2 usage (not a repository, unknown revision), "
                   "3 rules or configuration, 4 an object could not be read (the findings are "
                   "still reported).",
    .options = options,
    .run = run,
};
