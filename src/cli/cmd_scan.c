/* SPDX-License-Identifier: MIT */
/* `leakhound scan [PATH|-]...`: files, directories and stdin. */
#include "cli/commands.h"
#include "cli/common.h"

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_run r;
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, NULL);
    if (ex == 0) {
        r.in.kind = LH_INPUT_PATHS;
        ex = lh_cli_run_session(&r);
    }
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
}

const struct lh_cli_command lh_cli_cmd_scan = {
    .name = "scan",
    .bit = LH_CMD_SCAN,
    .args = "[PATH|-]...",
    .max_args = -1,
    .args_complete = LH_COMPLETE_FILE,
    .args_are_project = true,
    .summary = "scan files, directories or stdin for secrets",
    .description = "Scans files and directories (recursively; .git/ skipped, symbolic links not "
                   "followed, binary and oversized files skipped and counted) or stdin ('-'). "
                   "With no PATH, scans the current directory.",
    .exit_status = "0 no findings, 1 findings, 2 usage, 3 rules or configuration, 4 I/O error "
                   "(an input could not be read).",
    .run = run,
};
