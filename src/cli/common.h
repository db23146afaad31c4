/* SPDX-License-Identifier: MIT */
/*
 * What the commands share: the shared options' target (the session settings plus what only
 * the command line has), preparing a run (parse, configuration, parse again on top of it),
 * running a scanning session and turning its outcome into output and an exit status, and
 * the messages on stderr. Only cli/ prints to the terminal or exits.
 */
#ifndef LH_CLI_COMMON_H
#define LH_CLI_COMMON_H

#include "cli/opt.h"
#include "config/config.h"
#include "session/session.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define LH_VERSION "0.1.0"

/* Where the shared options (spec.c) store their values. */
struct lh_cli_args {
    struct lh_session_opts so; /* what the session reads */
    const char *config;        /* --config FILE */
    bool no_config;            /* --no-config */
    bool quiet;                /* --quiet: no progress, summary, notes or warnings */
    bool hint;                 /* --hint: say how to unblock a commit when a secret is found */
    const char *color;         /* --color auto|always|never */
    int exit_code;             /* --exit-code: the status for findings */
};

/* A command's run: its arguments, configuration, input and session. */
struct lh_cli_run {
    const struct lh_cli_command *cmd;
    struct lh_cli_args args;
    struct lh_cli_parsed parsed;
    struct lh_config cfg;
    struct lh_session_input in;
    struct lh_session *session;
    bool hint_staged;                /* the hint in the words for staged changes */
    enum lh_outcome_verdict verdict; /* set by lh_cli_run_session */
    size_t previews;                 /* revocation requests shown by a dry run */
    /* Called (stderr locked) before anything is printed to stderr: a status line (history's
     * progress) clears itself. May be NULL. */
    void (*before_print)(void *ctx);
    void *before_print_ctx;
};

/*
 * Parses argv[first..argc) for cmd (its own options into `own`, may be NULL), loads the
 * configuration (--config, else `.leakhound.yml` of the first argument's repository or the
 * current one; none with --no-config), applies it and parses the command line again on top
 * of it, so that an option overrides the file. Sets the session's callbacks to print on
 * stderr (honouring --quiet), its stream to stdout and its colour. Returns 0 to go on,
 * LH_CLI_HELP after printing --help, or an exit status after printing an error: the command
 * stops on anything but 0 and exits with lh_cli_status() of it. Dispose r whatever the
 * result.
 */
int lh_cli_prepare(struct lh_cli_run *r, const struct lh_cli_command *cmd, int argc, char **argv,
                   int first, void *own);

void lh_cli_run_dispose(struct lh_cli_run *r);

/* The exit status for what lh_cli_prepare or a run returned: LH_CLI_HELP is success. */
static inline int lh_cli_status(int ex)
{
    return ex == LH_CLI_HELP ? 0 : ex;
}

/*
 * Opens the session for r->in, runs it and prints what follows the report (revocation
 * counts, the hint). Returns the exit status: the outcome's, or that of an error (printed).
 */
int lh_cli_run_session(struct lh_cli_run *r);

/*
 * --since REF|DATE of the git commands (cmd names the command for the hint): a date sets
 * *when (the commits of HEAD since then), anything else sets *range to "REF..HEAD" (heap,
 * the caller frees). A date with --range-fallback (fallback) is a usage error. Returns 0 or
 * an exit status after printing.
 */
int lh_cli_since(const char *cmd, const char *since, bool fallback, char **range, int64_t *when);

/* Prints the error message of rc (lh_error_get) and returns its exit status. */
int lh_cli_fail(int rc);

/* The remediation text of the commit hooks, to stderr (staged: for `staged`, else files). */
void lh_cli_print_hint(bool staged);

/* Prints a revocation event (lh_revoke_event_fn); payload: a struct lh_cli_run. */
void lh_cli_revoke_event(const struct lh_revoke_event *ev, void *payload);

/* "leakhound: revocation: N delivered, ..." (scan: with the queued and skipped counts). */
void lh_cli_print_revoke_stats(const char *dir, const struct lh_revoke_stats *st, bool scan);

void lh_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lh_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses "25M", "1G", "4096" into bytes. Returns 0 or -1. */
int lh_cli_parse_size(size_t *out, const char *s);

/* Whether colour is on for a stream per --color and NO_COLOR. */
bool lh_cli_use_color(const char *mode, FILE *stream);

#endif
