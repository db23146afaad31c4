/* SPDX-License-Identifier: MIT */
/* `leakhound image PATH`: a docker save tarball or an OCI image layout, layer by layer. */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/image.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_opts o;
    struct lh_cli_parsed p;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    int ex = lh_cli_parse_opts(&p, cmd, &o, NULL, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    const char *path = p.args[0];
    ex = lh_cli_session_open(&s, &o, ".");
    if (ex) {
        goto out;
    }
    struct lh_scan_stats st = {0};
    struct lh_image_opts io = {
        .limits = &o.archive,
        .scan_binary = o.scan_binary,
        .warn = lh_cli_warn_cb,
        .warn_payload = &o,
    };
    int rc = lh_image_scan(s.det, path, &io, &l, &st);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = lh_exit_from_error(rc == LH_EINVAL ? LH_EIO : rc);
        goto out;
    }
    struct lh_report_summary sum = {
        .files = st.files,
        .bytes = st.bytes,
        .skipped_binary = st.skipped_binary,
        .errors = st.errors,
        .unit = "files",
    };
    ex = lh_cli_session_finish(&s, &o, &l, &sum);
out:
    lh_findings_dispose(&l);
    lh_cli_session_close(&s);
    lh_cli_parsed_dispose(&p);
    lh_cli_opts_dispose(&o);
    return ex;
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
