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
#include "source/git_range.h"
#include "util/buf.h"
#include "util/fs.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    const char *db; /* --db FILE */
};

/* The progress line is shared by the ticker thread and warnings from any thread. */
struct progress {
    atomic_bool shown;
    double scan_start; /* elapsed time when blob scanning began (ticker thread only) */
    bool scanning;
};

/* Clears the progress line (called with stderr locked, before any other output). */
static void clear_line(void *ctx)
{
    struct progress *p = ctx;
    if (atomic_exchange(&p->shown, false)) {
        fputs("\r\033[K", stderr);
    }
}

static void progress_done(void *ctx)
{
    flockfile(stderr);
    clear_line(ctx);
    funlockfile(stderr);
}

static void on_progress(const struct lh_scan_stats *st, double elapsed, void *payload)
{
    struct progress *p = payload;
    char line[160];
    int phase = atomic_load(&st->phase);
    if (phase == LH_PHASE_READ) {
        size_t done = atomic_load(&st->items);
        size_t total = atomic_load(&st->items_total);
        double mb = (double)atomic_load(&st->bytes) / 1e6;
        if (!p->scanning) {
            p->scanning = true;
            p->scan_start = elapsed;
        }
        double secs = elapsed - p->scan_start;
        snprintf(line, sizeof(line), "leakhound: blobs %zu/%zu (%.0f%%)  %.1f MB  %.1f MB/s", done,
                 total, total ? 100.0 * (double)done / (double)total : 100.0, mb,
                 secs > 0.05 ? mb / secs : 0.0);
    } else if (phase == LH_PHASE_REPORT) {
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
    struct lh_cli_run r;
    struct history_args a = {0};
    struct progress p = {0};
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, &a);
    if (ex) {
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
    if (a.db && (a.range || a.since || a.pre_push || a.all_objects)) {
        ex = lh_cli_usage_error(cmd->name, "--db audits every ref; it cannot be combined with "
                                           "--range, --since, --pre-push or --all-objects");
        goto out;
    }
    if (a.range_fallback && !a.range && !a.since && !a.pre_push) {
        ex = lh_cli_usage_error(cmd->name,
                                "--range-fallback applies to --range, --since REF or --pre-push");
        goto out;
    }
    ex = a.since ? lh_cli_since(cmd->name, a.since, a.range_fallback != NULL, &a.since_range,
                                &a.since_time)
                 : 0;
    if (ex == 0 && a.pre_push) {
        ex = read_push(&a.push);
    }
    if (ex) {
        goto out;
    }
    r.in.kind = LH_INPUT_HISTORY;
    r.in.range = a.since_range ? a.since_range : a.range;
    r.in.range_fallback = a.range_fallback;
    r.in.since = a.since_time;
    r.in.push = a.pre_push ? &a.push : NULL;
    r.in.push_remote = a.pre_push;
    r.in.all_objects = a.all_objects;
    r.args.so.audit_db = a.db;
    if (!r.args.quiet && isatty(STDERR_FILENO) == 1) {
        r.in.progress = on_progress;
        r.in.progress_done = progress_done;
        r.in.progress_payload = &p;
        r.before_print = clear_line;
        r.before_print_ctx = &p;
    }
    /* a blocked push gets the push's remediation text, not the commit hook's */
    bool push_hint = r.args.hint && a.pre_push;
    r.args.hint = r.args.hint && !push_hint;
    ex = lh_cli_run_session(&r);
    progress_done(&p);
    if (push_hint && r.verdict == LH_OUTCOME_FINDINGS && r.args.exit_code != LH_EXIT_CLEAN) {
        print_push_hint();
    }
out:
    lh_git_push_dispose(&a.push);
    free(a.since_range);
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
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
    {.name = "db",
     .arg = LH_ARG_STRING,
     .metavar = "FILE",
     .offset = AT(db),
     .help = "scan database: skip the blobs it holds as scanned with the same rules, store the "
             "rest with their findings, the refs and the repository",
     .more = "A re-run scans only new blobs (the summary counts the skipped ones); a repository "
             "whose refs did not change is not walked at all. Changing the rules or the "
             "detector settings rescans. Reports from it: 'leakhound report'; see docs/audit.md.",
     .complete = LH_COMPLETE_FILE},
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
    .args_are_project = true,
    .summary = "scan the git history: every blob of every ref, once",
    .description = "Scans the git history of REPO (default: the repository containing the "
                   "current directory; bare repositories too): every blob reachable from any "
                   "ref, scanned once, each finding attributed to the commit that introduced "
                   "it. A progress line goes to stderr when it is a terminal.\n\n"
                   "REPO may be a URL (https://, http://, ssh://, git://, file:// or "
                   "git@host:path): it is "
                   "mirrored into the cache (LEAKHOUND_CACHE_DIR, else ~/.cache/leakhound, "
                   "under repos/) and fetched again on the next run. Credentials come from "
                   "GITHUB_TOKEN (GitHub hosts), GITLAB_TOKEN (GitLab hosts), "
                   "LEAKHOUND_GIT_TOKEN (any host) or git's credential helpers, and are never "
                   "written to disk or shown.",
    .exit_status = "0 no findings, 1 findings, 2 usage (not a repository, unknown revision, a "
                   "remote repository that does not exist), 3 rules or configuration, 4 an "
                   "object could not be read (the findings are still reported), a network or "
                   "authentication failure, a scan database that cannot be written.",
    .options = options,
    .run = run,
};
