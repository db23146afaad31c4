/* SPDX-License-Identifier: MIT */
/*
 * `leakhound baseline create` and `leakhound baseline prune`: the session's baseline
 * operations (session/session_baseline.h) with the scan's options, configuration and rules,
 * and a summary line on stderr.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "session/session_baseline.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* create --history: what to scan instead of files */
struct history_sel {
    bool history;
    const char *range;
    const char *since;
    const char *range_fallback;
    char *since_range; /* "REF..HEAD" (owned) */
    int64_t since_time;
};

/* The history options make sense only with --history, with at most one repository. */
static int select_history(const struct lh_cli_command *cmd, struct history_sel *h,
                          struct lh_session_input *in)
{
    if ((h->range || h->since || h->range_fallback) && !h->history) {
        return lh_cli_usage_error(cmd->name, "--range, --since and --range-fallback need "
                                             "--history");
    }
    if (h->range && h->since) {
        return lh_cli_usage_error(cmd->name, "--range and --since cannot be combined");
    }
    if (h->history && in->npaths > 1) {
        return lh_cli_usage_error(cmd->name, "--history takes one repository, not %zu arguments",
                                  in->npaths);
    }
    int ex = h->since ? lh_cli_since(cmd->name, h->since, h->range_fallback != NULL,
                                     &h->since_range, &h->since_time)
                      : 0;
    in->kind = h->history ? LH_INPUT_HISTORY : LH_INPUT_PATHS;
    in->range = h->since_range ? h->since_range : h->range;
    in->since = h->since_time;
    in->range_fallback = h->range_fallback;
    return ex;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    bool create = cmd == &lh_cli_cmd_baseline_create;
    struct lh_cli_run r;
    struct lh_baseline_result res = {0};
    struct history_sel h = {0};
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, &h);
    ex = ex ? ex : select_history(cmd, &h, &r.in);
    if (ex) {
        goto out;
    }
    struct lh_session_opts *so = &r.args.so;
    so->no_report = true;
    /* create may be run to make the configured baseline for the first time */
    so->baseline_missing_ok = create;
    /*
     * `create -o FILE` with no baseline named: FILE itself is the previous baseline, so a
     * rerun keeps the reasons, owners and expiry dates of the entries it keeps (--baseline
     * still names another one).
     */
    if (create && !so->baseline && so->output && strcmp(so->output, "-") != 0) {
        so->baseline = so->output;
    }
    int rc = lh_session_open(&r.session, so, &r.in);
    if (rc == 0) {
        rc = create ? lh_session_baseline_create(r.session, so->output, &res)
                    : lh_session_baseline_prune(r.session, so->output, &res);
    }
    if (res.written && !r.args.quiet && create) {
        fprintf(stderr,
                "leakhound: baseline: %zu entr%s for %zu finding%s in %zu %.*s%s written to %s\n",
                res.entries, res.entries == 1 ? "y" : "ies", res.findings,
                res.findings == 1 ? "" : "s", res.files, (int)strlen(res.unit) - 1, res.unit,
                res.files == 1 ? "" : "s", res.dest);
    } else if (res.written && !r.args.quiet) {
        fprintf(stderr, "leakhound: baseline: removed %zu stale entr%s, kept %zu; written to %s\n",
                res.removed, res.removed == 1 ? "y" : "ies", res.entries, res.dest);
    }
    ex = rc < 0 ? lh_cli_fail(rc) : LH_EXIT_CLEAN;
out:
    free(h.since_range);
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
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
    .args_are_project = true,
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
    .args_are_project = true,
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
