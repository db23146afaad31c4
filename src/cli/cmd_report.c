/* SPDX-License-Identifier: MIT */
/*
 * `leakhound report [--db FILE] [--format json|jsonl|sarif|html] [--output FILE] [--repo
 * NAME]`: a report of everything a scan database holds (audit/export.h), for one repository
 * or all of them. A report file is written atomically: a reader never sees half of it.
 */
#include "audit/audit.h"
#include "audit/export.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "util/fs.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct report_args {
    const char *db;
    const char *format;
    const char *output;
    const char *repo;
    bool quiet;
};

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct report_args a = {.format = "json"};
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, &a);
    lh_cli_parsed_dispose(&p);
    if (ex) {
        return ex < 0 ? 0 : ex;
    }
    char *dflt = a.db ? NULL : lh_audit_default_db();
    if (!a.db && !dflt) {
        return lh_cli_fail(LH_EIO);
    }
    struct lh_audit_report_opts o = {
        .db_path = a.db ? a.db : dflt,
        .format = a.format,
        .repository = a.repo,
        .tool_version = LH_VERSION,
        .out_name = a.output,
    };
    char *buf = NULL;
    size_t len = 0;
    bool to_file = a.output && strcmp(a.output, "-") != 0;
    FILE *out = to_file ? open_memstream(&buf, &len) : stdout;
    int rc = 0;
    size_t nopen = 0;
    if (!out) {
        lh_error_set("out of memory");
        rc = LH_ENOMEM;
    }
    rc = rc ? rc : lh_audit_report(out, &o, &nopen);
    if (to_file && out) {
        fclose(out);
        if (rc == 0) {
            rc = lh_fs_write_atomic_mode(a.output, buf, len, 0644);
        }
    }
    free(buf);
    if (rc < 0) {
        ex = lh_cli_fail(rc);
    } else if (!a.quiet) {
        fprintf(stderr, "leakhound: report of '%s': %zu open secret%s\n", o.db_path, nopen,
                nopen == 1 ? "" : "s");
    }
    free(dflt);
    return ex;
}

#define AT(field) offsetof(struct report_args, field)

static const struct lh_cli_option options[] = {
    LH_CLI_OPT_DB(AT(db)),
    {.name = "format",
     .short_name = 'f',
     .arg = LH_ARG_CHOICE,
     .choices = "json|jsonl|sarif|html",
     .offset = AT(format),
     .help = "json: the audit model (each secret once, with every occurrence); html: that "
             "model as one self-contained page; jsonl: one occurrence per line; sarif: SARIF "
             "2.1.0",
     .more = "The json document is described in docs/audit.md (schema leakhound-audit/1), the "
             "HTML page in docs/report.md.",
     .dflt = "json"},
    {.name = "output",
     .short_name = 'o',
     .arg = LH_ARG_STRING,
     .metavar = "FILE",
     .offset = AT(output),
     .help = "write the report to FILE (atomically) instead of stdout",
     .complete = LH_COMPLETE_FILE},
    {.name = "repo",
     .arg = LH_ARG_STRING,
     .metavar = "NAME",
     .offset = AT(repo),
     .help = "only the repository NAME (as the database names it, e.g. acme/api)"},
    {.name = "quiet",
     .short_name = 'q',
     .arg = LH_ARG_FLAG,
     .offset = AT(quiet),
     .help = "no summary line on stderr"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_report = {
    .name = "report",
    .bit = LH_CMD_REPORT,
    .summary = "report what a scan database holds: every secret once, with its repositories",
    .description = "Writes a report of the scan database that 'history --db' (and 'org') fill: "
                   "the repositories audited, and each secret once with its triage status, "
                   "the commit that introduced it, the refs that still hold it and every "
                   "repository, path and commit where it occurs. Secrets a validator rejected "
                   "and lines allowed inline are left out. See docs/audit.md.",
    .exit_status = "0 success, 2 usage (not a scan database, no such repository), 4 the "
                   "database or the output cannot be read or written.",
    .options = options,
    .run = run,
};
