/* SPDX-License-Identifier: MIT */
/*
 * The commands, one `struct lh_cli_command` each (opt.h), defined in cmd_<name>.c with their
 * own option tables; spec.c lists them in help order.
 */
#ifndef LH_CLI_COMMANDS_H
#define LH_CLI_COMMANDS_H

#include "cli/opt.h"

extern const struct lh_cli_command lh_cli_cmd_scan;
extern const struct lh_cli_command lh_cli_cmd_history;
extern const struct lh_cli_command lh_cli_cmd_org_github;
extern const struct lh_cli_command lh_cli_cmd_org_gitlab;
extern const struct lh_cli_command lh_cli_cmd_staged;
extern const struct lh_cli_command lh_cli_cmd_image;
extern const struct lh_cli_command lh_cli_cmd_baseline_create;
extern const struct lh_cli_command lh_cli_cmd_baseline_prune;
extern const struct lh_cli_command lh_cli_cmd_rules_list;
extern const struct lh_cli_command lh_cli_cmd_rules_check;
extern const struct lh_cli_command lh_cli_cmd_report;
extern const struct lh_cli_command lh_cli_cmd_triage;
extern const struct lh_cli_command lh_cli_cmd_merge;
extern const struct lh_cli_command lh_cli_cmd_install_hook;
extern const struct lh_cli_command lh_cli_cmd_revoke_flush;
extern const struct lh_cli_command lh_cli_cmd_revoke_status;
extern const struct lh_cli_command lh_cli_cmd_serve;
extern const struct lh_cli_command lh_cli_cmd_keygen;
extern const struct lh_cli_command lh_cli_cmd_version;
extern const struct lh_cli_command lh_cli_cmd_help;

#endif
