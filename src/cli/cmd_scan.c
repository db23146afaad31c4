/* SPDX-License-Identifier: MIT */
/* `leakhound scan [PATH|-]...`: files, directories and stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "engine/scan.h"

static void usage(FILE *f)
{
    fputs("usage: leakhound scan [options] [PATH|-]...\n"
          "\n"
          "Scans files and directories (recursively; .git/ skipped) or stdin ('-').\n"
          "With no PATH, scans the current directory.\n"
          "\n"
          "  --format text|json|jsonl   report format (default text)\n"
          "  --output FILE              write the report to FILE\n"
          "  --rules PATH               add rules from a YAML file or directory (repeatable)\n"
          "  --no-builtin-rules         start from no rules\n"
          "  --enable-rule ID           enable a rule (glob), including opt-in rules\n"
          "  --disable-rule ID          disable rules (glob)\n"
          "  --exclude GLOB             skip paths matching GLOB (repeatable)\n"
          "  --threads N                worker threads (default: all cores)\n"
          "  --max-file-size SIZE       skip larger files (default 25M)\n"
          "  --follow-symlinks          follow symbolic links (loops are detected)\n"
          "  --scan-binary              also scan files that contain NUL bytes\n"
          "  --show-secrets             print whole secrets (redacted by default)\n"
          "  --show-invalid             also list matches whose checksum failed\n"
          "  --no-inline-allow          ignore leakhound:allow comments (audits)\n"
          "  --fail-on LEVEL            exit 1 only for findings at confirmed|probable|low\n"
          "  --exit-code N              exit code when findings are reported (default 1)\n"
          "  --color auto|always|never  colour (honours NO_COLOR)\n"
          "  --no-cache                 do not read or write the compiled-rules cache\n"
          "  --quiet                    no summary or warnings on stderr\n"
          "\n"
          "Exit: 0 no findings, 1 findings, 2 usage, 3 rules/config, 4 I/O error.\n",
          f);
}

int lh_cmd_scan(int argc, char **argv)
{
    struct lh_cli_opts o;
    struct lh_ruleset *rs = NULL;
    struct lh_detector *d = NULL;
    struct lh_findings l;
    int ex = 0;
    lh_cli_opts_init(&o);
    lh_findings_init(&l);
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "+o:f:qh", lh_cli_common_longopts, NULL)) != -1) {
        if (opt == 'h' || opt == OPT_HELP) {
            usage(stdout);
            goto out;
        }
        if (opt == 'o') {
            opt = OPT_OUTPUT;
        } else if (opt == 'f') {
            opt = OPT_FORMAT;
        } else if (opt == 'q') {
            opt = OPT_QUIET;
        }
        int h = lh_cli_opts_handle(&o, opt, optarg);
        if (h <= 0) {
            if (h == 0) {
                usage(stderr);
            }
            ex = LH_EXIT_USAGE;
            goto out;
        }
    }
    ex = lh_cli_load_rules(&rs, &o);
    if (ex) {
        goto out;
    }
    double t0 = lh_cli_now();
    ex = lh_cli_build_detector(&d, rs, &o);
    if (ex) {
        goto out;
    }
    const char *dot[] = {"."};
    const char *const *paths = optind < argc ? (const char *const *)argv + optind : dot;
    size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;
    struct lh_scan_stats st = {0};
    struct lh_scan_opts so = {
        .threads = o.threads,
        .max_file_size = o.max_file_size,
        .follow_symlinks = o.follow_symlinks,
        .scan_binary = o.scan_binary,
        .exclude = &o.exclude,
        .warn = lh_cli_warn_cb,
        .warn_payload = &o,
    };
    int rc = lh_scan_paths(d, paths, npaths, &so, &l, &st);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = lh_exit_from_error(rc);
        goto out;
    }
    lh_findings_sort(&l);
    struct lh_report_summary sum = {
        .files = st.files,
        .bytes = st.bytes,
        .skipped_binary = st.skipped_binary,
        .skipped_large = st.skipped_large,
        .skipped_other = st.skipped_other,
        .errors = st.errors,
        .seconds = lh_cli_now() - t0,
        .unit = "files",
    };
    ex = lh_cli_write_report(&o, rs, &l, &sum);
    if (!ex) {
        ex = lh_cli_scan_exit(&o, &l, &sum);
    }
out:
    lh_findings_dispose(&l);
    lh_detector_free(d);
    lh_ruleset_free(rs);
    lh_cli_opts_dispose(&o);
    return ex;
}
