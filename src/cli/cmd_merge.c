/* SPDX-License-Identifier: MIT */
/*
 * `leakhound merge OUT.db IN...`: merges scan databases and JSONL files (from shards or
 * separate machines) into one database (audit/export.h).
 */
#include "audit/export.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct merge_args {
    bool quiet;
};

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct merge_args a = {0};
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, &a);
    for (size_t i = 1; ex == 0 && i < p.nargs; i++) {
        if (!strcmp(p.args[i], p.args[0])) {
            ex = lh_cli_usage_error(cmd->name, "'%s' is both the output and an input", p.args[0]);
        }
    }
    if (ex == 0) {
        struct lh_audit_merge_stats st;
        int rc = lh_audit_merge(p.args[0], p.args + 1, p.nargs - 1, &st);
        if (rc < 0) {
            ex = lh_cli_fail(rc);
        } else if (!a.quiet) {
            fprintf(stderr,
                    "leakhound: merged %zu input%s into '%s': %zu repositor%s, %zu secret%s, %zu "
                    "occurrence%s\n",
                    st.inputs, st.inputs == 1 ? "" : "s", p.args[0], st.repositories,
                    st.repositories == 1 ? "y" : "ies", st.secrets, st.secrets == 1 ? "" : "s",
                    st.occurrences, st.occurrences == 1 ? "" : "s");
        }
    }
    lh_cli_parsed_dispose(&p);
    return ex < 0 ? 0 : ex;
}

static const struct lh_cli_option options[] = {
    {.name = "quiet",
     .short_name = 'q',
     .arg = LH_ARG_FLAG,
     .offset = offsetof(struct merge_args, quiet),
     .help = "no summary line on stderr"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_merge = {
    .name = "merge",
    .bit = LH_CMD_MERGE,
    .args = "OUT.db IN...",
    .min_args = 2,
    .max_args = -1,
    .args_complete = LH_COMPLETE_FILE,
    .summary = "merge scan databases and JSONL findings into one scan database",
    .description = "Merges scan databases (from 'history --db' or 'org', e.g. one per shard) "
                   "and JSONL files ('history --format jsonl' or 'report --format jsonl' "
                   "output) into OUT.db, creating it when missing. A repository in several "
                   "inputs keeps its latest audit; each secret appears once, with every "
                   "repository that holds it and the triage decided last; blobs scanned by "
                   "any input count as scanned. JSONL lines without a \"repository\" field "
                   "are filed under the file's name.",
    .exit_status = "0 merged, 2 usage (an input that is neither a scan database nor JSONL), "
                   "3 a malformed JSONL line, 4 a file cannot be read or written.",
    .options = options,
    .run = run,
};
