/* SPDX-License-Identifier: MIT */
/*
 * The command line as the built binary runs it: every command's --help exits 0 with its
 * usage on stdout and nothing else, and a usage error in any command is exit 2 with exactly
 * one line on stderr, whatever else the command would have done (no scan starts).
 */
#include "cli/commands.h"
#include "cli/opt.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(cli_binary);

/* Runs the binary in dir with the command's words followed by `extra` (may be NULL). */
static void run_cmd(struct lh_run *r, const struct lh_cli_command *c, const char *extra)
{
    char words[64];
    snprintf(words, sizeof(words), "%s", c->name);
    char *sp = strchr(words, ' ');
    const char *argv[6] = {LH_BIN, words, NULL, NULL, NULL, NULL};
    int n = 2;
    if (sp) {
        *sp = '\0';
        argv[n++] = sp + 1;
    }
    argv[n] = extra;
    lh_run_in(r, dir, NULL, 0, argv);
}

Test(cli_binary, every_command_describes_itself)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        struct lh_run r;
        run_cmd(&r, *cp, "--help");
        char want[80];
        snprintf(want, sizeof(want), "usage: leakhound %s ", (*cp)->name);
        cr_assert(eq(int, r.status, 0), "%s --help: %s", (*cp)->name, r.err);
        cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
        cr_assert(eq(str, r.err, ""), "%s --help wrote to stderr: %s", (*cp)->name, r.err);
        lh_run_dispose(&r);
    }
}

Test(cli_binary, every_usage_error_is_one_line)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        struct lh_run r;
        run_cmd(&r, *cp, "--no-such-option");
        cr_assert(eq(int, r.status, 2), "%s: %s", (*cp)->name, r.err);
        char *line = lh_error_line(r.err);
        cr_assert(line != NULL, "%s: not one error line: %s", (*cp)->name, r.err);
        char hint[80];
        snprintf(hint, sizeof(hint), "; try 'leakhound %s --help'", (*cp)->name);
        cr_assert(strstr(line, "unknown option '--no-such-option'") != NULL, "%s", line);
        cr_assert(strstr(line, hint) != NULL, "%s", line);
        cr_assert(eq(str, r.out, ""));
        free(line);
        lh_run_dispose(&r);
    }
    /* the top level and groups too */
    const char *cases[][3] = {{"frobnicate", NULL, "unknown command 'frobnicate'"},
                              {"rules", NULL, "'leakhound rules' needs a command: list or check"},
                              {"baseline", "drop", "unknown baseline command 'drop'"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[] = {LH_BIN, cases[i][0], cases[i][1], NULL};
        struct lh_run r;
        lh_run_in(&r, dir, NULL, 0, argv);
        cr_assert(eq(int, r.status, 2));
        char *line = lh_error_line(r.err);
        cr_assert(line != NULL && strstr(line, cases[i][2]) != NULL, "%s", r.err);
        free(line);
        lh_run_dispose(&r);
    }
}
