/* SPDX-License-Identifier: MIT */
/*
 * leakhound entry point: finds the command named by the first words (commands.h) and runs
 * it. A group word alone ("leakhound rules") or an unknown command is a usage error.
 */
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/opt.h"

#include <stdio.h>
#include <string.h>

static bool is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        return lh_cli_usage_error(NULL, "no command given");
    }
    if (is_help(argv[1])) {
        lh_cli_help_top(stdout);
        return LH_EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--version")) {
        return lh_cli_cmd_version.run(&lh_cli_cmd_version, argc, argv, 2);
    }
    int used = 0;
    const struct lh_cli_command *cmd = lh_cli_find(argc, argv, &used);
    if (cmd) {
        return cmd->run(cmd, argc, argv, 1 + used);
    }
    const struct lh_cli_group *g = lh_cli_find_group(argv[1]);
    if (g && argc > 2 && is_help(argv[2])) {
        lh_cli_help_group(stdout, g);
        return LH_EXIT_CLEAN;
    }
    char words[128];
    if (g) {
        lh_cli_group_words(words, sizeof(words), g);
    }
    if (g && argc > 2) {
        return lh_cli_usage_error(g->name, "unknown %s command '%s' (expected %s)", g->name,
                                  argv[2], words);
    }
    if (g) {
        return lh_cli_usage_error(g->name, "'leakhound %s' needs a command: %s", g->name, words);
    }
    const char *near = lh_cli_suggest_command(argv[1]);
    if (near) {
        return lh_cli_usage_error(NULL, "unknown command '%s' (did you mean '%s'?)", argv[1], near);
    }
    return lh_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
