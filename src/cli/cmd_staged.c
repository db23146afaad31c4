/* SPDX-License-Identifier: MIT */
/*
 * `leakhound staged [REPO]`: the pre-commit scan. Scans what the index would commit and
 * reports only findings on lines the staged changes add or change, with the staged paths
 * and line numbers; a secret already committed is not reported again. The session lists the
 * staged changes on a second thread while it builds the detector (session_input.c).
 */
#include "cli/commands.h"
#include "cli/common.h"

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_run r;
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, NULL);
    if (ex == 0) {
        r.in.kind = LH_INPUT_STAGED;
        r.hint_staged = true;
        ex = lh_cli_run_session(&r);
    }
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
}

const struct lh_cli_command lh_cli_cmd_staged = {
    .name = "staged",
    .bit = LH_CMD_STAGED,
    .args = "[REPO]",
    .max_args = 1,
    .args_complete = LH_COMPLETE_DIR,
    .args_are_project = true,
    .summary = "scan the changes staged for commit (pre-commit)",
    .description = "Scans the changes staged for commit in REPO (default: the repository "
                   "containing the current directory): the index against HEAD, or against "
                   "nothing before the first commit. Only secrets on added or changed lines are "
                   "reported, with the staged paths and line numbers.",
    .exit_status = "0 no findings, 1 findings, 2 usage (not a work tree), 3 rules or "
                   "configuration, 4 a staged object could not be read.",
    .run = run,
};
