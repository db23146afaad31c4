/* SPDX-License-Identifier: MIT */
/* `leakhound image PATH`: a docker save tarball or an OCI image layout, layer by layer. */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: leakhound image [options] PATH\n"
          "\n"
          "Scans a container image: a `docker save` tarball, or an OCI image layout (a\n"
          "directory, or a tar of one), possibly compressed. Every file of every layer is\n"
          "scanned (findings name the layer's digest; files deleted by a later layer are\n"
          "still reported, marked deleted), and so is the image config: its Env, Labels and\n"
          "history commands (paths config!/Env, config!/Labels, config!/history).\n"
          "\n",
          f);
    lh_cli_usage_rule_options(f);
    fputs("  --max-findings-per-file N   report at most N findings per file (default 1000)\n"
          "  --scan-binary               also scan files that contain NUL bytes\n",
          f);
    lh_cli_usage_archive_options(f);
    lh_cli_usage_report_options(f);
    fputs("  -q, --quiet                 no summary or warnings on stderr\n"
          "\n"
          "The --max-archive-* limits apply to each layer. Exit: 0 no findings, 1 findings,\n"
          "2 usage, 3 rules/config, 4 I/O error (unreadable image or layer).\n",
          f);
}

int lh_cmd_image(int argc, char **argv)
{
    struct lh_cli_opts o;
    struct lh_cli_session s = {0};
    struct lh_findings l;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    lh_config_init(&s.cfg);
    int ex = lh_cli_parse(&o, argc, argv, NULL, NULL, NULL, usage);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    if (argc - optind != 1) {
        lh_cli_error("image takes one PATH (a docker save tarball or an OCI image layout)");
        usage(stderr);
        ex = LH_EXIT_USAGE;
        goto out;
    }
    const char *path = argv[optind];
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
    lh_cli_opts_dispose(&o);
    return ex;
}
