/* SPDX-License-Identifier: MIT */
/*
 * One scanning run, from settings to outcome: load the rules (built-in, files, selection),
 * build the detector, load the baseline, check the revocation settings, scan the input
 * (files and directories, git history, staged changes), suppress what is below the minimum
 * confidence or recorded in the baseline, write the report, queue and deliver revocation
 * requests, and decide the outcome. The same run also serves `baseline create` and
 * `baseline prune` (session_baseline.h) and, without an input, the partner endpoint and
 * `rules list|check` (rules and detector only).
 *
 * The session reads no configuration file (config/ turns one into these settings) and
 * never prints: warnings, notes and revocation events go to callbacks, the reports to files
 * (atomically, report/multi.h) or the caller's stream, and the caller (cli/) maps the outcome to an
 * exit status. Errors are negative LH_E* codes with one message (lh_error_get): LH_EUSAGE for what
 * the caller asked wrongly (a command-line glob that matches no rule, an unknown revision, not a
 * repository), LH_EINVAL / LH_ERULE for rules, configuration and baselines, other codes for
 * runtime failures.
 */
#ifndef LH_SESSION_SESSION_H
#define LH_SESSION_SESSION_H

#include "archive/archive.h"
#include "engine/history.h"
#include "engine/scan.h"
#include "finding/finding.h"
#include "notify/revoke.h"
#include "report/report.h"
#include "rules/ruleset.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Informational lines (no "warning"): "baseline: removing ...". */
typedef void (*lh_note_fn)(const char *msg, void *payload);

struct lh_session_opts {
    /* ---- rules ---- */
    struct lh_strlist rule_paths;   /* extra rule files or directories */
    bool no_builtin;                /* start from no rules */
    struct lh_strlist enable;       /* id globs from the command line (no match: LH_EUSAGE) */
    struct lh_strlist disable;      /* applied after the file's selection, in this order */
    struct lh_strlist file_enable;  /* id globs from the configuration file (no match: */
    struct lh_strlist file_disable; /* LH_EINVAL naming file_name), applied first */
    const char *file_name;          /* the configuration file, for messages; NULL: none */
    const char *file_dir;           /* its directory: the project root outside a git work tree */

    /* ---- detector ---- */
    bool no_cache;                  /* neither read nor write the compiled-rules cache */
    bool no_inline_allow;           /* ignore leakhound:allow comments */
    bool no_inline_allow_confirmed; /* ...for confirmed findings */
    bool show_invalid;              /* keep (and report) findings whose validator failed */
    bool eager_compile;             /* compile every pattern up front (rules check) */
    size_t max_findings;            /* per file or blob; 0: the detector's default */
    uint32_t match_limit;           /* PCRE2 limits; 0: the matcher's defaults */
    uint32_t depth_limit;
    size_t max_decode_depth; /* levels of decoding scanned (default LH_SESSION_DECODE_DEPTH) */

    /* ---- inputs ---- */
    struct lh_strlist exclude; /* path globs never scanned */
    size_t threads;            /* 0: all cores */
    size_t max_file_size;      /* 0: LH_DEFAULT_MAX_FILE_SIZE */
    bool follow_symlinks;
    bool scan_binary;
    struct lh_archive_limits archive; /* archives inside inputs; image layers */
    /* history: the scan database (audit/audit.h) to skip the blobs it knows and to store
     * into; NULL: none. A remote repository (https://, ssh://, git@host:path, file://) is
     * mirrored into the cache first, with or without it. */
    const char *audit_db;

    /* ---- suppression and outcome ---- */
    enum lh_confidence min_confidence; /* reported findings below are suppressed */
    enum lh_confidence fail_on;        /* LH_OUTCOME_FINDINGS needs one at or above */
    const char *baseline;              /* named by the user: read, and rewritten by prune */
    const char *file_baseline;         /* named by the configuration file (a usable path) */
    /* file_baseline's file is rewritten only when it lies inside this directory (a
     * configuration found in the scanned tree); NULL: anywhere */
    const char *baseline_confine;
    bool baseline_missing_ok; /* a missing or empty baseline counts as empty (create) */

    /* ---- report ---- */
    bool no_report;            /* write none (baseline commands) */
    const char *format;        /* report format; NULL: text */
    const char *output;        /* file; NULL or "-": `stream` */
    struct lh_strlist reports; /* more reports: "FORMAT" or "FORMAT:FILE" (report/multi.h) */
    FILE *stream;              /* where stdout reports go (stdout for the CLI); borrowed */
    bool color;                /* colour a text report on `stream` (never in a file) */
    bool show_secrets;         /* whole secrets in the report */
    bool show_suppressed;      /* list suppressed findings, marked */
    const char *repo_name;     /* NULL: the origin URL of the work tree, when a report needs it */
    const char *step_summary;  /* `github` format: the job summary file, or NULL */
    const char *head_commit;   /* `gitlab` format: the commit of findings without one, or NULL */
    const char *tool_version;

    /* ---- revocation ---- */
    bool revoke;                   /* on (also when revoke_file->enabled) */
    struct lh_strlist revoke_urls; /* routes for all rules, key in LEAKHOUND_REVOKE_SECRET */
    const char *state_dir;         /* NULL: lh_revoke_config_state_dir's order */
    bool dry_run;                  /* preview requests through revoke_event; send nothing */
    const struct lh_revoke_config *revoke_file; /* a trusted file's section, or NULL */
    const char *revoke_source;                  /* "source" of the requests; NULL: "scan" */

    /* ---- callbacks (any may be NULL; warn may be called from worker threads) ---- */
    lh_warn_fn warn;
    lh_note_fn note;
    lh_revoke_event_fn revoke_event;
    void *payload; /* for all three */
};

/* Levels of decoding (base64 of base64 is two) unless max_decode_depth says otherwise. */
#define LH_SESSION_DECODE_DEPTH 2

/* Zeroes and sets the defaults (min_confidence and fail_on low, format text, stream NULL,
 * decoding LH_SESSION_DECODE_DEPTH levels). */
void lh_session_opts_init(struct lh_session_opts *o);
/* Frees the string lists; the borrowed strings stay the caller's. */
void lh_session_opts_dispose(struct lh_session_opts *o);

enum lh_input_kind {
    LH_INPUT_NONE = 0, /* rules and detector only */
    LH_INPUT_PATHS,    /* files and directories; "-" is stdin */
    LH_INPUT_HISTORY,  /* every blob of a repository's history, or a range's */
    LH_INPUT_STAGED,   /* the changes staged for commit */
    LH_INPUT_IMAGE,    /* a container image: paths[0] (docker save tarball, OCI layout) */
};

struct lh_session_input {
    enum lh_input_kind kind;
    const char *const *paths;       /* PATHS: the paths (none: "."); HISTORY, STAGED: paths[0], */
    size_t npaths;                  /* the repository (none: ".") */
    const char *range;              /* HISTORY: "BASE..HEAD", "A...B" or NULL for every ref */
    const char *range_fallback;     /* HISTORY: the branch for a missing or all-zero BASE */
    int64_t since;                  /* HISTORY: > 0: the commits of HEAD from this time */
    const struct lh_git_push *push; /* HISTORY: a pre-push hook's updates (borrowed) */
    const char *push_remote;        /* ...and its remote argument */
    bool all_objects;               /* HISTORY: unreachable objects too */
    lh_progress_fn progress;        /* HISTORY: may be NULL */
    void (*progress_done)(void *progress_payload); /* after the scan, before any report */
    void *progress_payload;
};

/* How a run ended; the CLI maps it to an exit status. */
enum lh_outcome_verdict {
    LH_OUTCOME_CLEAN = 0,  /* nothing reported at or above fail_on */
    LH_OUTCOME_FINDINGS,   /* something was */
    LH_OUTCOME_INCOMPLETE, /* an input could not be read (whatever was found) */
};

struct lh_outcome {
    enum lh_outcome_verdict verdict;
    size_t reported; /* findings listed as findings (not invalid, not suppressed) */
    size_t failing;  /* of those, at or above fail_on */
    size_t stale;    /* baseline entries that matched nothing although their rule ran */
    struct lh_report_summary summary;
    char summary_line[512];        /* lh_report_summary_line of the run */
    bool revoked;                  /* revocation ran (dry runs included) */
    struct lh_revoke_stats revoke; /* its counts */
    const char *revoke_dir;        /* its state directory (the session's) */
};

struct lh_session;

/*
 * Opens a session for `in` (NULL: no input): loads the rules and builds the detector, and,
 * with an input, finds the project root, the baseline and the repository name and checks
 * the revocation settings. A staged input is opened on a second thread while the detector
 * is built. `o` and `in` are borrowed until lh_session_free. *out is always set: free it
 * with lh_session_free whatever the result. Returns 0 or a negative code (see above).
 */
int lh_session_open(struct lh_session **out, const struct lh_session_opts *o,
                    const struct lh_session_input *in) LH_WUR;

/*
 * Runs the scan and everything after it: suppression, baseline, report, revocation, verdict
 * (*out, also on a revocation journal failure). Returns 0 or a negative code; when it
 * fails after the report was written the report stays.
 */
int lh_session_run(struct lh_session *s, struct lh_outcome *out) LH_WUR;

/*
 * Runs the scan only, marking findings under min_confidence suppressed (the baseline
 * commands' first step). *sum receives the counts. Returns 0 or a negative code.
 */
int lh_session_scan(struct lh_session *s, struct lh_report_summary *sum) LH_WUR;

/* Borrowed views of the session (valid until lh_session_free). */
const struct lh_ruleset *lh_session_rules(const struct lh_session *s);
const struct lh_detector *lh_session_detector(const struct lh_session *s);
struct lh_findings *lh_session_findings(struct lh_session *s);
const char *lh_session_project_root(const struct lh_session *s);

void lh_session_free(struct lh_session *s);

/*
 * Loads the rules the options select: built-in ones (unless no_builtin), rule_paths, then
 * the file's and the command line's enable/disable globs. *out is the caller's
 * (lh_ruleset_free). Returns 0, LH_EUSAGE, LH_EINVAL/LH_ERULE, LH_EIO or LH_ENOMEM.
 */
int lh_session_load_rules(struct lh_ruleset **out, const struct lh_session_opts *o) LH_WUR;

/*
 * The detector settings of o as text, for the ruleset hash of a scan database
 * (lh_audit_opts.settings): what changes the findings of a blob besides the rules.
 */
void lh_session_audit_settings(char *out, size_t cap, const struct lh_session_opts *o);

/* Builds the detector of the options for rs (borrowed; must outlive it). */
int lh_session_build_detector(struct lh_detector **out, const struct lh_ruleset *rs,
                              const struct lh_session_opts *o) LH_WUR;

#endif
