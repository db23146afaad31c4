/* SPDX-License-Identifier: MIT */
/* One entry point per subcommand (cmd_<name>.c); each returns the process exit code. */
#ifndef LH_CLI_COMMANDS_H
#define LH_CLI_COMMANDS_H

int lh_cmd_scan(int argc, char **argv);
int lh_cmd_rules(int argc, char **argv);
int lh_cmd_history(int argc, char **argv);
int lh_cmd_staged(int argc, char **argv);
int lh_cmd_baseline(int argc, char **argv);
int lh_cmd_install_hook(int argc, char **argv);
int lh_cmd_revoke(int argc, char **argv);
int lh_cmd_serve(int argc, char **argv);
int lh_cmd_keygen(int argc, char **argv);
int lh_cmd_image(int argc, char **argv);

#endif
