/* SPDX-License-Identifier: MIT */
/*
 * Shared command-line plumbing: the rule/detector options every scanning command takes,
 * loading the ruleset and building the detector, writing the report, messages to stderr.
 * Only cli/ prints to the terminal or exits.
 */
#ifndef LH_CLI_COMMON_H
#define LH_CLI_COMMON_H

#include "archive/archive.h"
#include "config/config.h"
#include "engine/history.h"
#include "finding/baseline.h"
#include "finding/detect.h"
#include "report/report.h"
#include "rules/ruleset.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#define LH_VERSION "0.1.0"

/* Levels of decoding (base64 of base64 is two) unless --max-decode-depth says otherwise. */
#define LH_CLI_DECODE_DEPTH 2

/* Options shared by scan, history, staged, baseline create, rules check. */
struct lh_cli_opts {
    struct lh_strlist rule_paths;
    bool no_builtin;
    struct lh_strlist enable;
    struct lh_strlist disable;
    struct lh_strlist exclude;
    const char *format;
    const char *output;
    struct lh_strlist reports; /* --report FORMAT[:FILE] (repeatable), validated when parsed */
    bool show_secrets;
    bool show_invalid;
    bool show_suppressed; /* --show-suppressed */
    char *uri_prefix; /* SARIF: cwd relative to the enclosing work tree's root ("a/b/"); owned */
    char *repo_name;  /* --repo-name, else the origin URL (credentials stripped); owned */
    bool hint;        /* --hint: print how to unblock a commit when a secret is found */
    bool hint_staged; /* ...in the words for staged changes (set by `staged`) */
    bool no_inline_allow_confirmed; /* --no-inline-allow-confirmed / inline_allow_confirmed */
    bool no_inline_allow;
    bool quiet;
    bool no_cache;
    bool follow_symlinks;
    bool scan_binary;
    const char *color; /* auto|always|never */
    size_t threads;
    size_t max_file_size;
    size_t max_findings;       /* --max-findings-per-file (0: the detector's default, 1000) */
    uint32_t match_limit;      /* --regex-match-limit (0: LH_MATCHER_MATCH_LIMIT) */
    uint32_t depth_limit;      /* --regex-depth-limit (0: LH_MATCHER_DEPTH_LIMIT) */
    size_t max_decode_depth;   /* --max-decode-depth (default LH_CLI_DECODE_DEPTH; 0: off) */
    bool has_max_decode_depth; /* given on the command line */
    enum lh_confidence fail_on;
    bool has_fail_on;
    enum lh_confidence min_confidence; /* findings below are dropped (default low) */
    bool has_min_confidence;           /* given on the command line */
    bool has_format;                   /* given on the command line */
    int exit_code;                     /* exit code for findings */
    const char *config_path;           /* --config FILE */
    bool no_config;                    /* --no-config */
    const char *baseline;              /* --baseline FILE */
    bool baseline_missing_ok;      /* a missing baseline file counts as empty (baseline create) */
    bool revoke;                   /* --revoke */
    struct lh_strlist revoke_urls; /* --revoke-url URL (repeatable) */
    const char *state_dir;         /* --state-dir DIR */
    bool dry_run;                  /* --dry-run: print revocation requests, send nothing */
    bool eager_compile;            /* compile every rule pattern up front (rules check) */
    struct lh_archive_limits archive; /* --max-archive-* (depth 0: archives not opened) */
};

/*
 * One scanning run: configuration, rules and detector, shared by scan, history, staged and
 * baseline commands so every one of them honours the same config, baseline and revoke
 * settings.
 */
struct lh_cli_session {
    struct lh_config cfg;
    struct lh_ruleset *rs;
    struct lh_detector *det;
    double t0;
    struct lh_baseline baseline; /* loaded at open when a baseline is configured */
    char *baseline_path;         /* resolved path of that baseline (owned), or NULL */
    bool baseline_untrusted;     /* named by a config found in the scanned tree */
    char *project_root;          /* config dir, else git root, else cwd (owned, real path) */
    bool full_scan;              /* set by lh_cli_session_set_inputs */
    bool scans_history;          /* git history is scanned: entries with a commit are judged */
    const char *revoke_source;   /* "source" of revocation requests; NULL: "scan" */
};

/* getopt_long option ids for the shared options (values above 255). */
enum {
    OPT_RULES = 256,
    OPT_NO_BUILTIN,
    OPT_ENABLE_RULE,
    OPT_DISABLE_RULE,
    OPT_EXCLUDE,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_REPORT,
    OPT_SHOW_SECRETS,
    OPT_SHOW_INVALID,
    OPT_NO_INLINE_ALLOW,
    OPT_NO_INLINE_ALLOW_CONFIRMED,
    OPT_SHOW_SUPPRESSED,
    OPT_REPO_NAME,
    OPT_HINT,
    OPT_QUIET,
    OPT_NO_CACHE,
    OPT_FOLLOW_SYMLINKS,
    OPT_SCAN_BINARY,
    OPT_COLOR,
    OPT_THREADS,
    OPT_MAX_FILE_SIZE,
    OPT_FAIL_ON,
    OPT_EXIT_CODE,
    OPT_HELP,
    OPT_CONFIG,
    OPT_NO_CONFIG,
    OPT_BASELINE,
    OPT_MIN_CONFIDENCE,
    OPT_REVOKE,
    OPT_REVOKE_URL,
    OPT_STATE_DIR,
    OPT_DRY_RUN,
    OPT_MAX_FINDINGS,
    OPT_MATCH_LIMIT,
    OPT_DEPTH_LIMIT,
    OPT_MAX_ARCHIVE_DEPTH,
    OPT_MAX_ARCHIVE_SIZE,
    OPT_MAX_ARCHIVE_MEMBER_SIZE,
    OPT_MAX_ARCHIVE_MEMBERS,
    OPT_MAX_ARCHIVE_RATIO,
    OPT_MAX_ARCHIVE_TIME,
    OPT_MAX_DECODE_DEPTH,
    OPT_COMMON_LAST,
};

/* The long options above, terminated by a zero entry; commands append their own. */
extern const struct option lh_cli_common_longopts[];
extern const size_t lh_cli_common_nlongopts;

void lh_cli_opts_init(struct lh_cli_opts *o);
void lh_cli_opts_dispose(struct lh_cli_opts *o);

/*
 * Help lines of the options every scanning command shares (parsed here): output and rule
 * selection; reporting, baseline and cache. Commands print their own options around them.
 */
void lh_cli_usage_rule_options(FILE *f);
void lh_cli_usage_report_options(FILE *f);
/* Help lines of the --max-archive-* options (scan, history, staged, image). */
void lh_cli_usage_archive_options(FILE *f);

/*
 * Handles one shared option. Returns 1 if handled, 0 if not a shared option, or -1 after
 * printing a usage error.
 */
int lh_cli_opts_handle(struct lh_cli_opts *o, int opt, const char *arg);

/* Loads rules per options into *rs. Prints the error and returns an exit code on failure. */
int lh_cli_load_rules(struct lh_ruleset **rs, const struct lh_cli_opts *o);

/* Builds the detector. Prints the error and returns an exit code on failure (0 on success). */
/*
 * The real path of the directory holding `.git` (a directory, or a file as in linked
 * worktrees and submodules) at or above `start` (a file or directory), or NULL outside a
 * git work tree. Heap.
 */
char *lh_cli_git_root(const char *start);

/*
 * Sets o->repo_name, unless --repo-name gave one, to the `origin` remote URL of the git
 * work tree at `root` (lh_cli_git_root), with any user:password@ removed. Leaves it NULL
 * without an origin. Reads the config file; no libgit2.
 */
void lh_cli_default_repo_name(struct lh_cli_opts *o, const char *root);

/* The remediation text of the commit hooks, to stderr (staged: for `staged`, else files). */
void lh_cli_print_hint(bool staged);

/* The baseline found at the project root without configuration */
#define LH_DEFAULT_BASELINE ".leakhound-baseline.json"

int lh_cli_build_detector(struct lh_detector **d, const struct lh_ruleset *rs,
                          const struct lh_cli_opts *o);

/*
 * Checks that the run's outputs (--format/--output and every --report) can coexist (see
 * lh_report_dests_check). Prints the usage error; returns 0 or LH_EXIT_USAGE.
 */
int lh_cli_reports_check(const struct lh_cli_opts *o);

/*
 * Writes the report (--format to o->output or stdout) and every --report; a failed output
 * does not stop the others. Returns 0 or an exit code.
 */
int lh_cli_write_report(const struct lh_cli_opts *o, const struct lh_ruleset *rs,
                        const struct lh_findings *l, const struct lh_report_summary *s);

/*
 * Loads a command's configuration into cfg (initialised by the caller). A file named with
 * --config (`named`) is trusted: all of it applies. Otherwise `.leakhound.yml` found from
 * `root` (lh_config_find) is untrusted, being part of what is scanned: its revoke section
 * (routes, enabled, state_dir) is dropped with one warning (none when quiet), and the revoke
 * section of the user's own file (lh_config_user_path), if that file exists, is used instead.
 * `none` (--no-config) loads no file at all. Prints errors; returns 0 or an exit code.
 */
int lh_cli_config_load(struct lh_config *cfg, const char *named, bool none, const char *root,
                       bool quiet);

/*
 * Opens a session: finds and loads the config (o->config_path, or `.leakhound.yml` at the
 * repository root of `root`), merges it under the command-line options, loads rules and
 * builds the detector. Prints errors; returns 0 or an exit code. Close with _close even on
 * failure.
 */
int lh_cli_session_open(struct lh_cli_session *s, struct lh_cli_opts *o, const char *root);

/*
 * Records the inputs of the scan so the finish step knows whether it is full: one of the
 * paths is the project root (see struct lh_cli_session). Only a full scan reports stale
 * baseline entries; "-" (stdin) never makes a scan full. Commands that scan something
 * else (history) may set s->full_scan themselves.
 */
void lh_cli_session_set_inputs(struct lh_cli_session *s, const char *const *paths, size_t n);

/*
 * Applies the session's baseline to a sorted finding list: suppresses findings matched by
 * entries in force, warns (unless quiet) about expired entries that matched and, after a
 * full scan, about stale entries (no match although their rule was active). Returns the
 * number of stale entries. Used by lh_cli_session_finish and `baseline prune`.
 */
size_t lh_cli_session_apply_baseline(struct lh_cli_session *s, const struct lh_cli_opts *o,
                                     struct lh_findings *l, bool warn_stale);

/*
 * Whether a baseline entry can be judged in this run: its rule is loaded and active, and an
 * entry made from history (it has a commit) only when the run scans history (a work tree
 * scan cannot see a secret that lives in history only).
 */
bool lh_cli_session_entry_checked(const struct lh_cli_session *s,
                                  const struct lh_baseline_entry *e);

/*
 * Finishes a scan: drops findings under min_confidence, applies the baseline, runs
 * revocation when enabled, writes the report and returns the exit code.
 */
int lh_cli_session_finish(struct lh_cli_session *s, struct lh_cli_opts *o, struct lh_findings *l,
                          struct lh_report_summary *sum);

/*
 * lh_cli_session_finish for the git commands: builds the summary from the history stats,
 * counting in `unit` ("blobs" for history, "files" for staged).
 */
int lh_cli_session_finish_git(struct lh_cli_session *s, struct lh_cli_opts *o,
                              struct lh_findings *l, struct lh_history_stats *st, const char *unit);

/*
 * Reports a failed git command's error (msg: its one-line message) and returns the exit
 * code: a bad revision or range is a usage error (2), the rest as lh_exit_from_error.
 */
int lh_cli_git_fail(int rc, const char *msg);

/*
 * Whether the session's baseline file may be rewritten (baseline prune): one named on the
 * command line or in a trusted config always; one named by a `.leakhound.yml` found in the
 * scanned tree only when it lies inside that file's directory, so a repository cannot make
 * leakhound rewrite a file elsewhere. Prints the refusal; returns 0 or an exit code.
 */
int lh_cli_session_baseline_writable(const struct lh_cli_session *s);

void lh_cli_session_close(struct lh_cli_session *s);

/*
 * Revocation (cmd_revoke.c). _check runs at session open: --revoke-url without revocation
 * enabled is a usage error, revocation without a route a config error (exit codes; 0 ok).
 * _session runs in lh_cli_session_finish after the report is written: it enqueues every
 * reported finding durably, then flushes; delivery problems are printed and left pending,
 * so it returns an exit code (non-zero) only when the journal itself failed.
 */
int lh_cli_revoke_check(const struct lh_cli_session *s, const struct lh_cli_opts *o);
int lh_cli_revoke_session(struct lh_cli_session *s, const struct lh_cli_opts *o,
                          const struct lh_findings *l);

/* Parses argv with the shared options plus `extra` (may be NULL) into o; extra options are
 * handed to `handle` (returns 1 handled, -1 error). Returns 0, LH_EXIT_USAGE, or -1 for
 * --help (already printed). */
typedef int (*lh_cli_extra_fn)(int opt, const char *arg, void *payload);
int lh_cli_parse(struct lh_cli_opts *o, int argc, char **argv, const struct option *extra,
                 lh_cli_extra_fn handle, void *payload, void (*usage)(FILE *));

/* A path named in the config file: relative ones are relative to the file's directory.
 * Heap; NULL for NULL or on OOM. */
char *lh_cli_config_relative(const struct lh_config *cfg, const char *p);

/*
 * The revocation state directory: flag (--state-dir), then $LEAKHOUND_STATE_DIR, then the
 * trusted config's revoke.state_dir, then $XDG_STATE_HOME/leakhound or ~/.local/state/leakhound.
 * Heap.
 */
char *lh_cli_revoke_state_dir(const char *flag, const struct lh_config *cfg);

/*
 * The config's routes, then one per --revoke-url (all rules, key in secret_env), as a shallow
 * array borrowing cfg, urls and secret_env (the revoker copies what it keeps): the caller
 * frees only the array (NULL when there are no routes). Returns 0 or LH_ENOMEM.
 */
int lh_cli_revoke_routes(struct lh_revoke_route **out, size_t *n, const struct lh_config *cfg,
                         const struct lh_strlist *urls, char *secret_env) LH_WUR;

/* Exit code for a finished scan: IO if errors, findings code if any at/above fail_on. */
int lh_cli_scan_exit(const struct lh_cli_opts *o, const struct lh_findings *l,
                     const struct lh_report_summary *s);

void lh_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lh_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lh_cli_warn_cb(const char *msg, void *payload);

/* Parses "25M", "1G", "4096" into bytes. Returns 0 or -1. */
int lh_cli_parse_size(size_t *out, const char *s);

/* Seconds since an arbitrary start (monotonic). */
double lh_cli_now(void);

/* Whether colour is on for a stream per --color and NO_COLOR. */
bool lh_cli_use_color(const char *mode, FILE *stream);

#endif
