/* SPDX-License-Identifier: MIT */
/*
 * Audits of many repositories into one scan database: the per-repository entry point that
 * `history --db`, `org` and any other driver share. One call mirrors a remote repository
 * into the cache (a bare mirror of all refs, cloned once and fetched incrementally with
 * deleted refs pruned; audit/mirror.h) or opens a local one, scans the blobs of its history
 * that the database has not seen with the same ruleset hash, and stores the repository, its
 * refs, the scanned blobs, the findings with their provenance and the secrets
 * (audit/db.h). Blobs are committed in batches together with their findings, so a killed run
 * loses nothing it had committed and the next run resumes where it stopped. A repository
 * whose refs and ruleset hash match its last complete audit is not walked at all.
 *
 * The ruleset hash covers the loaded rules and the settings that change what a blob yields
 * (decoding depth, size limit, binary and archive handling, the tool version): changing any
 * of them rescans. Raw secrets never reach the database: it stores the SHA-256, the
 * fingerprint and the redacted form.
 *
 * This module never prints; warnings go to the caller's callback. It does not enumerate
 * organisations (cli/ and org code do) and does not write reports (audit/export.h).
 */
#ifndef LH_AUDIT_AUDIT_H
#define LH_AUDIT_AUDIT_H

#include "engine/scan.h"
#include "finding/detect.h"
#include "finding/finding.h"
#include "rules/ruleset.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Where credentials for remote repositories may come from (none is ever written to disk). */
enum lh_audit_creds {
    /* GITHUB_TOKEN for github hosts, GITLAB_TOKEN for gitlab hosts, LEAKHOUND_GIT_TOKEN for
     * any host, then `git credential fill` (the user's configured helpers) */
    LH_AUDIT_CREDS_DEFAULT = 0,
    LH_AUDIT_CREDS_ENV_ONLY, /* the environment variables only (no helper is run) */
    LH_AUDIT_CREDS_NONE,     /* anonymous */
};

struct lh_audit_opts {
    const char *db_path;                /* the scan database; NULL: lh_audit_default_db() */
    const char *cache_dir;              /* mirrors go to <cache_dir>/<host>/<path>.git; NULL:
                                           lh_fs_cache_dir()/repos */
    const struct lh_ruleset *rules;     /* required, borrowed: hashed into the ruleset hash */
    const struct lh_detector *detector; /* required, borrowed, built from rules (read-only,
                                           shared by concurrent calls) */
    /* the detector's settings as text ("decode=2 invalid=0 ..."), hashed with the rules
     * (session/session.h: lh_session_audit_settings builds it from session options); the
     * scan options' max_file_size, scan_binary, exclude and archive limits are hashed too;
     * NULL: "" */
    const char *settings;
    /* per-repository scan options: threads (per call, 0: all cores), max_file_size,
     * scan_binary, exclude, archive, warn/warn_payload, progress. The git selection fields
     * (range, since, push, all_objects) must be zero: an audit covers every ref. Borrowed. */
    const struct lh_scan_opts *scan;
    const char *organisation; /* the report's scope.organisation, or NULL (kept if set before) */
    enum lh_audit_creds creds;
    /* a token for every remote of this audit (the org command passes the API token it
     * enumerated with), sent as HTTP basic auth password with token_user (NULL: a user name
     * that suits the host: x-access-token for GitHub, oauth2 for GitLab); NULL: as creds says.
     * Borrowed; never written anywhere. */
    const char *token;
    const char *token_user;
    bool offline; /* use an existing mirror as it is: no clone or fetch (missing: LH_ENOTFOUND) */
    const char *tool_version; /* hashed into the ruleset hash; NULL: "" */
};

/* What one repository's audit did. */
struct lh_audit_repo_stats {
    char name[256];         /* the repository's name in the database */
    bool cloned;            /* a new mirror was made */
    bool fetched;           /* an existing mirror was fetched */
    bool unchanged;         /* refs and ruleset hash as last time: nothing walked or read */
    size_t refs;            /* refs of the repository now */
    size_t blobs_total;     /* unique blobs of its history (the last walk's, when unchanged) */
    size_t blobs_scanned;   /* read and scanned by this call */
    size_t blobs_skipped;   /* already in the database with this ruleset hash */
    size_t findings;        /* occurrences stored for the repository (after provenance) */
    size_t secrets;         /* distinct secrets among them */
    size_t triaged;         /* of the findings, those whose secret is triaged (not `open`) */
    size_t triaged_secrets; /* distinct secrets among those */
    size_t errors;          /* unreadable refs, commits, trees, blobs (st->errors of the scan) */
    double seconds;
    struct lh_scan_stats scan; /* the scan's own counters (zero when unchanged) */
};

struct lh_audit;

/*
 * Opens (creating when missing, with its directory) the scan database of o and checks its
 * schema; computes the ruleset hash. o and what it points to are borrowed until
 * lh_audit_close. Holds a libgit2 reference until then, so audits may run on several threads
 * at once. *out is set on success only. Returns 0, LH_EUSAGE (missing rules or detector),
 * LH_EIO (the database cannot be opened or created, message names it; libgit2 cannot be
 * loaded), LH_EUSAGE (not a leakhound database, or a newer schema), LH_EGIT or LH_ENOMEM.
 */
int lh_audit_open(struct lh_audit **out, const struct lh_audit_opts *o) LH_WUR;

/*
 * Audits one repository: url_or_path is a remote URL (https://, http://, ssh://, git://,
 * file://, or scp-like user@host:path), mirrored into the cache and fetched, or a local
 * repository path (scanned in place, work tree or bare). display_name is its name in the
 * database and reports ("acme/api"); NULL: derived from the URL (its path without ".git") or
 * the local directory's name. Then scans what is new and stores it (see the file comment).
 * *st (may be NULL) is filled also on failure as far as the audit came.
 *
 * Returns 0 (unreadable objects are counted in st->errors, not returned), LH_EUSAGE (not a
 * repository, a remote that does not exist, a bad URL), LH_ENET (network or authentication
 * failure; the message says which, URLs redacted), LH_EIO (database or cache), LH_ENOMEM.
 * Messages never carry a credential.
 *
 * Thread-safety: calls on one lh_audit may run concurrently from any number of threads
 * (the org command audits N repositories at a time): each call uses its own database
 * connection and repository handles; database writes are serialized by SQLite (WAL, one
 * writer, busy timeout) and two calls for the same repository serialize on a lock of its
 * mirror. Other processes may audit into the same database at the same time.
 */
int lh_audit_repo(struct lh_audit *a, const char *url_or_path, const char *display_name,
                  struct lh_audit_repo_stats *st) LH_WUR;

/*
 * The same, also appending the repository's findings (new ones and those the database
 * already held for its blobs, with commit and ref provenance) to out, for a report of the
 * run (`history --db`). Findings loaded from the database have no raw secret (secret NULL,
 * `redacted` set). Same return codes and thread rules.
 */
int lh_audit_repo_findings(struct lh_audit *a, const char *url_or_path, const char *display_name,
                           struct lh_findings *out, struct lh_audit_repo_stats *st) LH_WUR;

/*
 * Only the first step of lh_audit_repo, without any database: when url_or_path is remote,
 * makes or fetches its mirror (o's cache_dir, creds, token and offline; nothing else of o is
 * read, rules and db_path may be NULL) and sets *path to it; a local path is copied as it
 * is. *name (may be NULL) receives the default display name. Both heap. Same errors as
 * lh_audit_repo's remote part. Thread-safe.
 */
int lh_audit_mirror(char **path, char **name, const char *url_or_path,
                    const struct lh_audit_opts *o) LH_WUR;

/* Closes the database (NULL: no-op). */
void lh_audit_close(struct lh_audit *a);

/* The ruleset hash of this audit (64 hex digits), borrowed from a. */
const char *lh_audit_ruleset_hash(const struct lh_audit *a);

/*
 * The default database: <state dir>/audit.db, the state dir as lh_revoke_default_state_dir
 * ($LEAKHOUND_STATE_DIR, $XDG_STATE_HOME/leakhound, ~/.local/state/leakhound). Heap; NULL
 * without a usable HOME (message set) or on OOM.
 */
char *lh_audit_default_db(void);

/*
 * Whether arg names a remote repository (a URL with a scheme, or scp-like user@host:path)
 * rather than a local path. "file://" URLs count as remote: they are mirrored too.
 */
bool lh_audit_is_remote(const char *arg);

/* The default display name of a remote URL (its path without ".git"), heap. LH_EUSAGE for
 * what is no usable URL, LH_ENOMEM. */
int lh_audit_remote_name(char **out, const char *url) LH_WUR;

/*
 * The URL for humans and messages: any user:password@ (or token@) part replaced by "***@".
 * Always NUL-terminated, truncated to cap.
 */
void lh_audit_redact_url(char *out, size_t cap, const char *url);

#endif
