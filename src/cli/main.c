/* SPDX-License-Identifier: MIT */
/* leakhound entry point: dispatches to one cmd_<name>.c per subcommand. */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "lh_describe.h" /* generated at build time: LH_GIT_DESCRIBE */

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"scan", lh_cmd_scan, "scan files, directories or stdin for secrets"},
    {"rules", lh_cmd_rules, "list or check the rules"},
    {"history", lh_cmd_history, "scan the git history: every blob of every ref, once"},
    {"staged", lh_cmd_staged, "scan the changes staged for commit (pre-commit)"},
    {"image", lh_cmd_image, "scan a container image (docker save tarball, OCI layout)"},
    {"baseline", lh_cmd_baseline, "create or prune a baseline of accepted findings"},
    {"install-hook", lh_cmd_install_hook, "install the pre-commit hook into a repository"},
    {"revoke", lh_cmd_revoke, "deliver pending revocation requests or list their status"},
    {"serve", lh_cmd_serve, "run the GitHub secret scanning partner endpoint"},
    {"keygen", lh_cmd_keygen, "issue API keys with a checksum leakhound confirms"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fputs("usage: leakhound <command> [options]\n\ncommands:\n", f);
    for (size_t i = 0; commands[i].name; i++) {
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    }
    fputs("\n'leakhound <command> --help' describes a command.\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LH_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("leakhound %s (git %s)\n", LH_VERSION, LH_GIT_DESCRIBE);
        return 0;
    }
    for (size_t i = 0; commands[i].name; i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    lh_cli_error("unknown command '%s' (see 'leakhound --help')", argv[1]);
    return LH_EXIT_USAGE;
}
