/* SPDX-License-Identifier: MIT */
/*
 * `leakhound triage FINGERPRINT|SECRET_ID --status STATUS [--note TEXT] [--db FILE]`: records
 * what was decided about a secret in the scan database; reports show it.
 */
#include "audit/audit.h"
#include "audit/export.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

struct triage_args {
    const char *db;
    const char *status;
    const char *note;
    bool quiet;
};

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct triage_args a = {0};
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, &a);
    const char *id = ex == 0 ? p.args[0] : NULL;
    if (ex == 0 && !a.status) {
        ex = lh_cli_usage_error(cmd->name, "triage needs --status "
                                           "(open, false-positive, revoked or accepted)");
    }
    char *dflt = ex == 0 && !a.db ? lh_audit_default_db() : NULL;
    if (ex == 0 && !a.db && !dflt) {
        ex = lh_cli_fail(LH_EIO);
    }
    char sid[65] = "";
    if (ex == 0) {
        int rc = lh_audit_triage(a.db ? a.db : dflt, id, a.status, a.note, sid);
        if (rc == LH_ENOTFOUND) {
            rc = LH_EUSAGE;
        }
        ex = rc < 0 ? lh_cli_fail(rc) : 0;
    }
    if (ex == 0 && !a.quiet) {
        fprintf(stderr, "leakhound: secret %s: %s\n", sid, a.status);
    }
    lh_cli_parsed_dispose(&p);
    free(dflt);
    return ex < 0 ? 0 : ex;
}

#define AT(field) offsetof(struct triage_args, field)

static const struct lh_cli_option options[] = {
    {.name = "status",
     .arg = LH_ARG_CHOICE,
     .choices = "open|false-positive|revoked|accepted",
     .offset = AT(status),
     .help = "what was decided: false-positive (not a secret), revoked (rotated), accepted "
             "(a known risk), open (undecided again)"},
    {.name = "note",
     .arg = LH_ARG_STRING,
     .metavar = "TEXT",
     .offset = AT(note),
     .help = "why (a ticket, who decided); an empty TEXT clears the note"},
    LH_CLI_OPT_DB(AT(db)),
    {.name = "quiet",
     .short_name = 'q',
     .arg = LH_ARG_FLAG,
     .offset = AT(quiet),
     .help = "no confirmation line on stderr"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_triage = {
    .name = "triage",
    .bit = LH_CMD_TRIAGE,
    .args = "FINGERPRINT|SECRET_ID",
    .min_args = 1,
    .max_args = 1,
    .summary = "record the triage status of a secret in a scan database",
    .description = "Sets the triage status of a secret in the scan database: named by its id "
                   "(the secret's SHA-256, 'id' in the json report, 'secret_sha256' in "
                   "findings) or by the fingerprint of any of its occurrences. Every "
                   "occurrence of the secret, in every repository, shares the status. "
                   "Reports from the database show it with the note and the time it was set.",
    .exit_status = "0 recorded, 2 usage (bad status, unknown secret, not a scan database), 4 "
                   "the database cannot be written.",
    .options = options,
    .run = run,
};
