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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_RANGE = OPT_COMMON_LAST + 1,
    OPT_SINCE,
    OPT_ALL_OBJECTS,
    OPT_RANGE_FALLBACK,
    OPT_PRE_PUSH,
};

static const struct option history_longopts[] = {
    {"range", required_argument, NULL, OPT_RANGE},
    {"since", required_argument, NULL, OPT_SINCE},
    {"all-objects", no_argument, NULL, OPT_ALL_OBJECTS},
    {"range-fallback", required_argument, NULL, OPT_RANGE_FALLBACK},
    {"pre-push", required_argument, NULL, OPT_PRE_PUSH},
    {NULL, 0, NULL, 0},
};

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

static void usage(FILE *f)
{
    fputs("usage: leakhound history [options] [REPO]\n"
          "\n"
          "Scans the git history of REPO (default: the repository containing the current\n"
          "directory; bare repositories too): every blob reachable from any ref, scanned\n"
          "once, each finding attributed to the commit that introduced it.\n"
          "\n"
          "  --range BASE..HEAD          only blobs introduced by commits reachable from HEAD\n"
          "                              and not from BASE (A...B: either side, not both)\n"
          "  --range-fallback REF        when BASE is missing (force-push, shallow clone)\n"
          "                              or all zeros (new branch): scan what HEAD adds to\n"
          "                              REF (default: origin/HEAD, origin/main,\n"
          "                              origin/master, main or master)\n"
          "  --since REF|DATE            --range REF..HEAD, or the commits of HEAD since DATE\n"
          "                              (2024-05-01, 2024-05-01T12:00Z, '2 weeks ago')\n"
          "  --pre-push REMOTE           git's pre-push hook: scan exactly the pushed commits\n"
          "                              read from stdin (see 'install-hook --pre-push')\n"
          "  --all-objects               also scan objects no ref reaches (dangling commits,\n"
          "                              dropped stashes, unreachable blobs)\n",
          f);
    lh_cli_usage_rule_options(f);
    fputs("  --exclude GLOB              skip blobs whose path matches GLOB (repeatable)\n"
          "  --threads N                 worker threads (default: all cores)\n"
          "  --max-file-size SIZE        skip larger blobs (default 25M)\n"
          "  --scan-binary               also scan blobs that contain NUL bytes\n",
          f);
    lh_cli_usage_archive_options(f);
    lh_cli_usage_report_options(f);
    fputs("  -q, --quiet                 no progress, summary or warnings on stderr\n"
          "\n"
          "Exit: 0 no findings, 1 findings, 2 usage (not a repository, unknown revision),\n"
          "3 rules/config, 4 an object could not be read (the findings are still reported).\n",
          f);
}

static int handle(int opt, const char *arg, void *payload)
{
    struct history_args *a = payload;
    switch (opt) {
    case OPT_RANGE:
        a->range = arg;
        return 1;
    case OPT_SINCE:
        a->since = arg;
        return 1;
    case OPT_ALL_OBJECTS:
        a->all_objects = true;
        return 1;
    case OPT_RANGE_FALLBACK:
        a->range_fallback = arg;
        return 1;
    case OPT_PRE_PUSH:
        a->pre_push = arg;
        return 1;
    default:
        return 0;
    }
}

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
            lh_cli_error("--range-fallback applies to --since REF, not to a date");
            return LH_EXIT_USAGE;
        }
        return 0;
    }
    if (rc != LH_ENOTFOUND) {
        lh_cli_error("--since: %s", lh_error_get());
        return LH_EXIT_USAGE;
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

int lh_cmd_history(int argc, char **argv)
{
    struct lh_cli_opts o;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    struct history_args a = {0};
    struct progress p = {0};
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    int ex = lh_cli_parse(&o, argc, argv, history_longopts, handle, &a, usage);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    if (argc - optind > 1) {
        lh_cli_error("history takes one repository, not %d arguments", argc - optind);
        ex = LH_EXIT_USAGE;
        goto out;
    }
    if ((a.range != NULL) + (a.since != NULL) + (a.pre_push != NULL) > 1) {
        lh_cli_error("--range, --since and --pre-push cannot be combined");
        ex = LH_EXIT_USAGE;
        goto out;
    }
    if (a.all_objects && (a.range || a.since || a.pre_push)) {
        lh_cli_error("--all-objects scans the whole object database; it cannot be combined "
                     "with --range, --since or --pre-push");
        ex = LH_EXIT_USAGE;
        goto out;
    }
    if (a.range_fallback && !a.range && !a.since && !a.pre_push) {
        lh_cli_error("--range-fallback applies to --range, --since REF or --pre-push");
        ex = LH_EXIT_USAGE;
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
    const char *repo = optind < argc ? argv[optind] : ".";
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
    lh_cli_opts_dispose(&o);
    return ex;
}
