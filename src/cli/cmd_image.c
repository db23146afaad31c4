/* SPDX-License-Identifier: MIT */
/* `leakhound image PATH`: a docker save tarball or an OCI image layout, layer by layer. */
#include "cli/commands.h"
#include "cli/common.h"

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_run r;
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, NULL);
    if (ex == 0) {
        r.in.kind = LH_INPUT_IMAGE;
        ex = lh_cli_run_session(&r);
    }
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
}

const struct lh_cli_command lh_cli_cmd_image = {
    .name = "image",
    .bit = LH_CMD_IMAGE,
    .args = "PATH",
    .min_args = 1,
    .max_args = 1,
    .args_complete = LH_COMPLETE_FILE,
    .summary = "scan a container image (docker save tarball, OCI layout)",
    .description = "Scans a container image: a 'docker save' tarball, or an OCI image layout (a "
                   "directory, or a tar of one), possibly compressed. Every file of every layer "
                   "is scanned (findings name the layer's digest; files deleted by a later layer "
                   "are still reported, marked deleted), and so is the image config: its Env, "
                   "Labels and history commands (paths config!/Env, config!/Labels, "
                   "config!/history). The --max-archive-* limits apply to each layer.",
    .exit_status = "0 no findings, 1 findings, 2 usage, 3 rules or configuration, 4 I/O error "
                   "(unreadable image or layer).",
    .run = run,
};
