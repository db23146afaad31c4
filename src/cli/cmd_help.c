/* SPDX-License-Identifier: MIT */
/*
 * `leakhound help [COMMAND]` and `leakhound version`. Help text comes from the command
 * tables (help.c), the version from the build: LH_VERSION and the `git describe` of the
 * commit it was built from (a header generated at every build).
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "lh_describe.h" /* generated at build time: LH_GIT_DESCRIBE */

#include <stdio.h>
#include <string.h>

static int run_help(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, NULL);
    if (ex == 0 && p.nargs == 0) {
        lh_cli_help_top(stdout);
    } else if (ex == 0) {
        /* the command words as given: "help rules", "help rules list" */
        char *words[3] = {argv[0], (char *)p.args[0], p.nargs > 1 ? (char *)p.args[1] : NULL};
        int used = 0;
        const struct lh_cli_command *c = lh_cli_find(p.nargs > 1 ? 3 : 2, words, &used);
        const struct lh_cli_group *g = lh_cli_find_group(p.args[0]);
        if (c && (size_t)used == p.nargs) {
            lh_cli_help_command(stdout, c);
        } else if (g && p.nargs == 1) {
            lh_cli_help_group(stdout, g);
        } else {
            ex = lh_cli_usage_error(NULL, "no command '%s%s%s'", p.args[0], p.nargs > 1 ? " " : "",
                                    p.nargs > 1 ? p.args[1] : "");
        }
    }
    lh_cli_parsed_dispose(&p);
    return ex < 0 ? 0 : ex;
}

static int run_version(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, NULL);
    lh_cli_parsed_dispose(&p);
    if (ex) {
        return ex < 0 ? 0 : ex;
    }
    printf("leakhound %s (git %s)\n", LH_VERSION, LH_GIT_DESCRIBE);
    return fflush(stdout) == 0 ? LH_EXIT_CLEAN : LH_EXIT_IO;
}

const struct lh_cli_command lh_cli_cmd_help = {
    .name = "help",
    .bit = LH_CMD_HELP,
    .args = "[COMMAND]",
    .max_args = 2,
    .summary = "describe a command (the same as 'leakhound COMMAND --help')",
    .description = "Describes COMMAND, or lists the commands.",
    .run = run_help,
};

const struct lh_cli_command lh_cli_cmd_version = {
    .name = "version",
    .bit = LH_CMD_VERSION,
    .summary = "print the version and the commit it was built from",
    .description = "Prints the version and the 'git describe' of the commit the binary was "
                   "built from. Also 'leakhound --version'.",
    .run = run_version,
};
