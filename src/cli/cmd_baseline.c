/* SPDX-License-Identifier: MIT */
/*
 * `leakhound baseline create` and `leakhound baseline prune`. Both scan like `scan` (same
 * options, config and rules). create writes one entry per fingerprint of every finding that
 * would be reported, carrying reason/owner/expires over from the configured baseline when
 * there is one; prune removes the entries that matched nothing and rewrites the file. Both
 * write atomically (a failed run never leaves a half-written baseline). prune refuses to run
 * on a partial or incomplete scan, since every entry it did not see would look stale and be
 * deleted: it needs a full scan of the project root in which every input was readable.
 * Entries whose rule is not active in the run are never judged and never removed.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/history.h"
#include "engine/scan.h"
#include "finding/baseline.h"
#include "util/date.h"
#include "util/fs.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* create --history: what to scan instead of files */
struct history_sel {
    bool history;
    const char *range;
    const char *since;
    const char *range_fallback;
};

/* Scans the inputs into l and fills sum; marks findings under --min-confidence suppressed. */
static int scan_inputs(struct lh_cli_session *s, struct lh_cli_opts *o, const char *const *paths,
                       size_t npaths, struct lh_findings *l, struct lh_report_summary *sum)
{
    struct lh_scan_stats st = {0};
    struct lh_scan_opts so = {
        .threads = o->threads,
        .max_file_size = o->max_file_size,
        .follow_symlinks = o->follow_symlinks,
        .scan_binary = o->scan_binary,
        .exclude = &o->exclude,
        .archive = &o->archive,
        .warn = lh_cli_warn_cb,
        .warn_payload = o,
    };
    int rc = lh_scan_paths(s->det, paths, npaths, &so, l, &st);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        return lh_exit_from_error(rc);
    }
    sum->files = st.files;
    sum->bytes = st.bytes;
    sum->skipped_binary = st.skipped_binary;
    sum->skipped_large = st.skipped_large;
    sum->skipped_other = st.skipped_other;
    sum->errors = st.errors;
    sum->unit = "files";
    sum->seconds = lh_cli_now() - s->t0;
    lh_findings_sort(l);
    for (size_t i = 0; i < l->count; i++) {
        struct lh_finding *f = &l->items[i];
        if (!f->invalid && f->confidence < o->min_confidence) {
            f->suppressed = true;
        }
    }
    return 0;
}

/* create --history: scans the repository's history (or a range of it) into l. */
static int scan_history(struct lh_cli_session *s, struct lh_cli_opts *o, const char *repo,
                        const struct history_sel *h, struct lh_findings *l,
                        struct lh_report_summary *sum)
{
    char *since_range = NULL;
    int64_t since_time = 0;
    int drc = h->since ? lh_date_parse(&since_time, h->since, (int64_t)time(NULL)) : LH_ENOTFOUND;
    if (drc == LH_EINVAL) {
        lh_cli_error("--since: %s", lh_error_get());
        return LH_EXIT_USAGE;
    }
    if (h->since && drc == LH_ENOTFOUND) {
        size_t n = strlen(h->since) + 7;
        since_range = malloc(n);
        if (!since_range) {
            lh_cli_error("out of memory");
            return LH_EXIT_IO;
        }
        snprintf(since_range, n, "%s..HEAD", h->since);
    }
    struct lh_history_stats st = {0};
    struct lh_history_opts ho = {
        .threads = o->threads,
        .max_file_size = o->max_file_size,
        .scan_binary = o->scan_binary,
        .range = since_range ? since_range : h->range,
        .since = since_time,
        .range_fallback = h->range_fallback,
        .exclude = &o->exclude,
        .warn = lh_cli_warn_cb,
        .warn_payload = o,
        .notice = lh_cli_warn_cb,
    };
    int rc = lh_history_scan(s->det, repo, &ho, l, &st);
    free(since_range);
    if (rc < 0) {
        return lh_cli_git_fail(rc, lh_error_get());
    }
    sum->files = atomic_load(&st.scanned);
    sum->bytes = atomic_load(&st.bytes);
    sum->skipped_binary = atomic_load(&st.skipped_binary);
    sum->skipped_large = atomic_load(&st.skipped_large);
    sum->errors = atomic_load(&st.errors);
    sum->unit = "blobs";
    sum->seconds = lh_cli_now() - s->t0;
    lh_findings_sort(l);
    for (size_t i = 0; i < l->count; i++) {
        struct lh_finding *f = &l->items[i];
        if (!f->invalid && f->confidence < o->min_confidence) {
            f->suppressed = true;
        }
    }
    return 0;
}

/* Writes the baseline to dest ("-" or NULL: stdout; else atomically). Returns an exit code. */
static int write_baseline(const struct lh_baseline *b, const char *dest)
{
    char *text = NULL;
    if (lh_baseline_dump(&text, b) < 0) {
        lh_cli_error("%s", lh_error_get());
        return LH_EXIT_IO;
    }
    int ex = 0;
    if (!dest || !strcmp(dest, "-")) {
        if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
            lh_cli_error("cannot write the baseline to stdout");
            ex = LH_EXIT_IO;
        }
    } else if (lh_fs_write_atomic(dest, text, strlen(text)) < 0) {
        lh_cli_error("cannot write baseline '%s': %s", dest, lh_error_get());
        ex = LH_EXIT_IO;
    }
    free(text);
    return ex;
}

static size_t count_reported(const struct lh_findings *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) {
        n += !l->items[i].invalid && !l->items[i].suppressed;
    }
    return n;
}

static int cmd_create(struct lh_cli_opts *o, struct lh_cli_session *s, const char *const *paths,
                      size_t npaths, const struct history_sel *h, struct lh_findings *l)
{
    struct lh_report_summary sum = {0};
    int ex = h->history ? scan_history(s, o, paths[0], h, l, &sum)
                        : scan_inputs(s, o, paths, npaths, l, &sum);
    if (ex) {
        return ex;
    }
    struct lh_baseline b;
    lh_baseline_init(&b);
    int brc = lh_baseline_add_findings(&b, l, s->baseline_path ? &s->baseline : NULL);
    /* entries made from history cannot be judged by a scan of files: kept as they are */
    for (size_t i = 0; brc == 0 && !h->history && s->baseline_path && i < s->baseline.count; i++) {
        if (s->baseline.entries[i].commit[0]) {
            brc = lh_baseline_add_entry(&b, &s->baseline.entries[i]);
        }
    }
    if (brc < 0) {
        lh_cli_error("%s", lh_error_get());
        lh_baseline_dispose(&b);
        return LH_EXIT_IO;
    }
    ex = write_baseline(&b, o->output);
    if (!ex && !o->quiet) {
        size_t n = count_reported(l);
        fprintf(stderr,
                "leakhound: baseline: %zu entr%s for %zu finding%s in %zu %s%s written "
                "to %s\n",
                b.count, b.count == 1 ? "y" : "ies", n, n == 1 ? "" : "s", sum.files,
                h->history ? "blob" : "file", sum.files == 1 ? "" : "s",
                o->output && strcmp(o->output, "-") ? o->output : "stdout");
    }
    lh_baseline_dispose(&b);
    if (!ex && sum.errors) {
        lh_cli_error("%zu input%s could not be read; the baseline does not cover %s", sum.errors,
                     sum.errors == 1 ? "" : "s", sum.errors == 1 ? "it" : "them");
        ex = LH_EXIT_IO;
    }
    return ex;
}

static int cmd_prune(struct lh_cli_opts *o, struct lh_cli_session *s, const char *const *paths,
                     size_t npaths, struct lh_findings *l)
{
    if (!s->baseline_path) {
        lh_cli_error("baseline prune needs a baseline: --baseline FILE or 'baseline:' in the "
                     "config");
        return LH_EXIT_USAGE;
    }
    int ex = o->output ? 0 : lh_cli_session_baseline_writable(s);
    if (ex) {
        return ex;
    }
    lh_cli_session_set_inputs(s, paths, npaths);
    if (!s->full_scan) {
        lh_cli_error("baseline prune needs a full scan of the project root '%s': entries for "
                     "what a partial scan does not see would be removed",
                     s->project_root ? s->project_root : ".");
        return LH_EXIT_USAGE;
    }
    struct lh_report_summary sum = {0};
    ex = scan_inputs(s, o, paths, npaths, l, &sum);
    if (ex) {
        return ex;
    }
    if (sum.errors) {
        lh_cli_error("%zu input%s could not be read; not pruning '%s' (entries for %s would be "
                     "lost)",
                     sum.errors, sum.errors == 1 ? "" : "s", s->baseline_path,
                     sum.errors == 1 ? "it" : "them");
        return LH_EXIT_IO;
    }
    lh_cli_session_apply_baseline(s, o, l, false);
    size_t removed = 0;
    for (size_t i = s->baseline.count; i-- > 0;) {
        const struct lh_baseline_entry *e = &s->baseline.entries[i];
        if (e->matched || !lh_cli_session_entry_checked(s, e)) {
            continue;
        }
        if (!o->quiet) {
            fprintf(stderr, "leakhound: baseline: removing %s:%d: rule '%s' (fingerprint %s)\n",
                    s->baseline_path, e->line, e->rule_id, e->fingerprint);
        }
        lh_baseline_remove(&s->baseline, i);
        removed++;
    }
    const char *dest = o->output ? o->output : s->baseline_path;
    ex = write_baseline(&s->baseline, dest);
    if (!ex && !o->quiet) {
        fprintf(stderr, "leakhound: baseline: removed %zu stale entr%s, kept %zu; written to %s\n",
                removed, removed == 1 ? "y" : "ies", s->baseline.count,
                strcmp(dest, "-") ? dest : "stdout");
    }
    return ex;
}

/* The history options make sense only for create --history, with at most one repository. */
static int check_selection(const struct lh_cli_opts *o, const struct history_sel *h, bool create,
                           int nargs)
{
    const char *name = "baseline create";
    (void)o;
    (void)create; /* --history exists for create only: the tables say so */
    if ((h->range || h->since || h->range_fallback) && !h->history) {
        return lh_cli_usage_error(name, "--range, --since and --range-fallback need --history");
    }
    if (h->range && h->since) {
        return lh_cli_usage_error(name, "--range and --since cannot be combined");
    }
    if (h->history && nargs > 1) {
        return lh_cli_usage_error(name, "--history takes one repository, not %d arguments", nargs);
    }
    return 0;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    bool create = cmd == &lh_cli_cmd_baseline_create;
    struct lh_cli_opts o;
    struct lh_cli_parsed p;
    struct lh_cli_session s;
    struct lh_findings l;
    struct history_sel h = {0};
    lh_cli_opts_init(&o);
    memset(&s, 0, sizeof(s));
    lh_findings_init(&l);
    /* create may be run to make the configured baseline for the first time */
    o.baseline_missing_ok = create;
    int ex = lh_cli_parse_opts(&p, cmd, &o, &h, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    ex = check_selection(&o, &h, create, (int)p.nargs);
    if (ex) {
        goto out;
    }
    const char *dot[] = {"."};
    const char *const *paths = p.nargs ? p.args : dot;
    size_t npaths = p.nargs ? p.nargs : 1;
    /*
     * `create -o FILE` with no baseline named: FILE itself is the previous baseline, so a
     * rerun keeps the reasons, owners and expiry dates of the entries it keeps (--baseline
     * still names another one).
     */
    if (create && !o.baseline && o.output && strcmp(o.output, "-") != 0) {
        o.baseline = o.output;
    }
    ex = lh_cli_session_open(&s, &o, strcmp(paths[0], "-") ? paths[0] : ".");
    if (ex) {
        goto out;
    }
    s.scans_history = h.history;
    ex = create ? cmd_create(&o, &s, paths, npaths, &h, &l) : cmd_prune(&o, &s, paths, npaths, &l);
out:
    lh_findings_dispose(&l);
    lh_cli_session_close(&s);
    lh_cli_parsed_dispose(&p);
    lh_cli_opts_dispose(&o);
    return ex;
}

#define AT(field) offsetof(struct history_sel, field)

static const struct lh_cli_option create_options[] = {
    {.name = "history",
     .arg = LH_ARG_FLAG,
     .offset = AT(history),
     .help = "scan the git history of REPO instead of files, as 'leakhound history'",
     .more = "Secrets that live only in history are accepted too; their entries carry the "
             "introducing commit, and a later create without --history keeps them."},
    {.name = "range",
     .arg = LH_ARG_STRING,
     .metavar = "BASE..HEAD",
     .offset = AT(range),
     .help = "with --history: only what commits reachable from HEAD and not from BASE add"},
    {.name = "since",
     .arg = LH_ARG_STRING,
     .metavar = "REF|DATE",
     .offset = AT(since),
     .help = "with --history: --range REF..HEAD, or the commits of HEAD since DATE"},
    {.name = "range-fallback",
     .arg = LH_ARG_STRING,
     .metavar = "REF",
     .offset = AT(range_fallback),
     .help = "with --history: what HEAD adds to REF when BASE is missing or all zeros"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_baseline_create = {
    .name = "baseline create",
    .bit = LH_CMD_BASELINE_CREATE,
    .args = "[PATH|-]...",
    .max_args = -1,
    .args_complete = LH_COMPLETE_FILE,
    .summary = "write a baseline of every current finding",
    .description = "Scans like 'leakhound scan' (with --history: like 'leakhound history') "
                   "and writes a baseline of every finding to "
                   "stdout (or --output FILE): one entry per fingerprint (rule id and secret "
                   "hash, never the secret), sorted. The reasons, owners and expiry dates of "
                   "the entries of the configured baseline (--baseline, 'baseline:' in the "
                   "configuration, or FILE itself) are kept.\n\n"
                   "Add \"reason\", \"owner\" and \"expires\": \"YYYY-MM-DD\" to entries by "
                   "hand; an entry stops suppressing after its expiry date.",
    .exit_status = "0 written, 2 usage, 3 rules, configuration or baseline invalid, 4 I/O "
                   "error.",
    .options = create_options,
    .run = run,
};

const struct lh_cli_command lh_cli_cmd_baseline_prune = {
    .name = "baseline prune",
    .bit = LH_CMD_BASELINE_PRUNE,
    .args = "[PATH]...",
    .max_args = -1,
    .args_complete = LH_COMPLETE_FILE,
    .summary = "remove the baseline entries that match nothing",
    .description = "Scans the whole project and removes the baseline entries that matched no "
                   "finding, rewriting the baseline in place (or writing --output FILE). It "
                   "refuses a partial or incomplete scan, where every entry it did not see "
                   "would look stale; entries whose rule is not active, and entries made with "
                   "--history (a scan of files cannot see history), are kept.",
    .exit_status = "0 written, 2 usage, 3 rules, configuration or baseline invalid, 4 I/O "
                   "error.",
    .run = run,
};
