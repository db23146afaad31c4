/* SPDX-License-Identifier: MIT */
/*
 * The revocation spool: an append-only JSONL journal (`revoke.jsonl`) in the state directory
 * with one record per state change of a request (`queued`, `lease`, `deferred`, `done`,
 * `failed`; docs/revocation.md has the layout). Each append is one write() followed by
 * fsync() before the caller goes on, so a request is on disk before its first attempt and is
 * marked done only after the receiver's 2xx. Opening replays the journal into a table keyed by
 * entry id. A line that does not parse (a crash mid-append leaves a torn last line) is skipped
 * with a warning and never affects the records before it; the next append starts on a fresh
 * line. Several processes may share a state directory: each operation runs under an flock on
 * `revoke.lock` and first applies what others appended (or reloads after another process
 * compacted the file), and a mutex serialises the threads of one process. Compaction rewrites
 * the journal atomically (temp file, fsync, rename, directory fsync) as one snapshot per entry
 * and drops the bodies, hence the raw tokens, of finished entries. The journal is created 0600
 * and the directory 0700 because pending `queued` records hold raw tokens; for the same reason
 * the directory, journal and lock are opened without following symbolic links and refused
 * (LH_EIO, "refusing 'path': ...") when another user owns them or can write them. This module
 * knows nothing of HTTP, routes or signing.
 */
#ifndef LH_NOTIFY_SPOOL_H
#define LH_NOTIFY_SPOOL_H

#include "util/error.h"
#include "util/hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LH_SPOOL_ID_LEN 16
#define LH_SPOOL_JOURNAL "revoke.jsonl"
#define LH_SPOOL_LOCK "revoke.lock"
#define LH_SPOOL_MAX_BODY (64u * 1024u)          /* one request body */
#define LH_SPOOL_MAX_BYTES (64u * 1024u * 1024u) /* the whole journal */

enum lh_spool_state { LH_SPOOL_PENDING = 0, LH_SPOOL_DONE, LH_SPOOL_FAILED };

struct lh_spool_entry {
    char id[LH_SPOOL_ID_LEN + 1];    /* hex of SHA-256("<url>\n<key>"), first 16 digits */
    char key[LH_SHA256_HEX_LEN + 1]; /* hex SHA-256 of the token: the idempotency key */
    char *url;
    char *secret_env; /* NULL: sent unsigned */
    char *rule_id;
    size_t route; /* route index when queued (informational) */
    enum lh_spool_state state;
    char *body; /* PENDING only: the request body (may hold the raw token), wiped on drop */
    size_t body_len;
    int64_t queued_at, updated_at; /* unix seconds */
    unsigned attempts;             /* HTTP attempts so far, all runs */
    long last_status;              /* last HTTP status, 0 when none */
    char *last_error;              /* NULL or a message without secrets */
    pid_t lease_pid;               /* process delivering it, 0 when none */
    int64_t lease_until;
    bool body_on_disk; /* a record holding the body is still in the journal */
    /* process-local, never written */
    bool inflight;
    unsigned run;
};

struct lh_spool;

typedef void (*lh_spool_warn_fn)(const char *msg, void *payload);

/*
 * Opens the spool in dir. Read-write: creates dir (0700) with parents, the lock file and the
 * journal (0600, fsyncing the directory when created) and replays it. Read-only: creates and
 * locks nothing that does not exist, never writes, and treats a missing journal as empty;
 * appends then change only the in-memory table (dry runs, status). `warn` (may be NULL)
 * receives replay warnings. Returns 0, LH_EIO, LH_ETOOBIG (journal over its cap), LH_EAGAIN
 * (another process held the lock for 30 s), LH_ENOMEM. *out is owned by the caller.
 */
int lh_spool_open(struct lh_spool **out, const char *dir, bool read_only, lh_spool_warn_fn warn,
                  void *payload) LH_WUR;

/* Closes the files and frees the table, wiping bodies. NULL is a no-op. */
void lh_spool_free(struct lh_spool *sp);

/*
 * Takes the mutex and the file lock and applies what other processes appended since. Every
 * other function below needs the lock held. Returns 0 (locked) or an error (not locked).
 */
int lh_spool_lock(struct lh_spool *sp) LH_WUR;
/* Releases the file lock and the mutex taken by lh_spool_lock. */
void lh_spool_unlock(struct lh_spool *sp);

/* Number of entries in the table (every state). */
size_t lh_spool_count(const struct lh_spool *sp);
/* Borrows entry i (valid until the next append or unlock). */
struct lh_spool_entry *lh_spool_at(struct lh_spool *sp, size_t i);
/* Borrows the entry with this id, or NULL (valid until the next append or unlock). */
struct lh_spool_entry *lh_spool_find(struct lh_spool *sp, const char *id);

/* The entry id for a route URL and token hash. Returns 0 or LH_ENOMEM. */
int lh_spool_id(char out[LH_SPOOL_ID_LEN + 1], const char *url, const char *key) LH_WUR;

/*
 * Appends a `queued` record for e (id, key, url, secret_env, rule_id, route, body, queued_at
 * are read; e is not kept) and applies it. With sync false the caller must lh_spool_sync()
 * before relying on it. Returns 0, LH_EIO (the spool refuses further writes after a failed
 * write or fsync), LH_ETOOBIG, LH_ENOMEM.
 */
int lh_spool_queue(struct lh_spool *sp, const struct lh_spool_entry *e, bool sync) LH_WUR;

/* fsyncs the journal. LH_EIO. */
int lh_spool_sync(struct lh_spool *sp) LH_WUR;

/* Records that pid is delivering entry id until `until` (unix seconds). Synced. */
int lh_spool_lease(struct lh_spool *sp, const char *id, pid_t pid, int64_t until) LH_WUR;

/* Records a run that left entry id pending after `attempts` attempts; error may be NULL. */
int lh_spool_defer(struct lh_spool *sp, const char *id, unsigned attempts, long status,
                   const char *error) LH_WUR;

/* Records the end of entry id: delivered (done) or rejected (failed). Synced. */
int lh_spool_finish(struct lh_spool *sp, const char *id, bool delivered, unsigned attempts,
                    long status, const char *error) LH_WUR;

/* True when entry e is leased by another live process (or by this one, in another thread). */
bool lh_spool_leased(const struct lh_spool_entry *e, int64_t now);

/*
 * True when a rewrite would drop finished bodies, corrupt lines or mostly superseded
 * records.
 */
bool lh_spool_should_compact(const struct lh_spool *sp);

/* Rewrites the journal as one snapshot per entry (atomic; see above). LH_EIO, LH_ENOMEM. */
int lh_spool_compact(struct lh_spool *sp) LH_WUR;

/* The journal's path (borrowed). */
const char *lh_spool_path(const struct lh_spool *sp);

#endif
