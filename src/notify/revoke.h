/* SPDX-License-Identifier: MIT */
/*
 * Revocation: turns confirmed findings into signed webhook requests that are durable and
 * idempotent. lh_revoker_enqueue() matches an item against the routes (rule id globs, minimum
 * confidence), builds one JSON request body per matching route and appends it, fsynced, to
 * the spool in the state directory before returning; a (route URL, token SHA-256) pair that
 * is already pending or delivered is never queued again, across runs and processes.
 * lh_revoker_flush() delivers pending entries: one lease record, then up to max_attempts
 * POSTs with full-jitter exponential backoff (or the server's Retry-After), then `done` only
 * after a 2xx, `failed` on a permanent rejection, `deferred` otherwise (the entry stays
 * pending for a later flush, and the route is not tried again in the same flush). Delivery is
 * at least once: a process killed between the receiver's answer and the `done` record, an
 * attempt that timed out or got 408/429/5xx while the receiver acted on it anyway, and a
 * lease that expired under a stalled process all send the request again, with the same
 * `Idempotency-Key` (the token's hex SHA-256), which receivers must use to deduplicate.
 * Raw tokens appear only in request bodies and in the journal (0600 in a 0700 directory);
 * messages, events and listings carry hashes. docs/revocation.md describes the wire format,
 * the signature and the journal.
 */
#ifndef LH_NOTIFY_REVOKE_H
#define LH_NOTIFY_REVOKE_H

#include "notify/revoke_config.h"
#include "rules/rule.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_revoke_item {
    const char *rule_id;
    const char *provider; /* may be NULL */
    enum lh_confidence confidence;
    const uint8_t *token;
    size_t token_len;
    const char *source;     /* "scan", "history", "github-partner", ... (NULL: "unknown") */
    const char *path;       /* may be NULL */
    size_t line;            /* 0 if unknown */
    const char *commit;     /* may be NULL */
    const char *repository; /* may be NULL */
    const char *url;        /* may be NULL (partner reports carry one) */
};

/*
 * queued and skipped count since the revoker was opened: entries newly queued, and matches
 * not queued because that (route, token) was already pending or delivered. delivered and
 * failed count the last flush. pending is what the journal still holds pending after it.
 */
struct lh_revoke_stats {
    size_t queued, delivered, pending, failed, skipped;
};

struct lh_revoker;

enum lh_revoke_event_kind {
    LH_REVOKE_EV_QUEUED,    /* durably queued */
    LH_REVOKE_EV_PREVIEW,   /* dry run: would be queued (body has the token redacted) */
    LH_REVOKE_EV_DELIVERED, /* receiver answered 2xx */
    LH_REVOKE_EV_FAILED,    /* permanent rejection (4xx other than 408/429, 3xx) */
    LH_REVOKE_EV_DEFERRED,  /* still pending after this flush (error says why) */
};

struct lh_revoke_event {
    enum lh_revoke_event_kind kind;
    const char *url; /* route URL as configured; print it with lh_revoke_url_display() */
    const char *rule_id;
    const char *key;   /* hex SHA-256 of the token */
    const char *id;    /* spool entry id */
    long status;       /* last HTTP status, 0 when none */
    unsigned attempts; /* attempts in this flush */
    const char *error; /* NULL, or a message without secrets */
    const char *body;  /* PREVIEW only: the request body with the token redacted */
};

typedef void (*lh_revoke_event_fn)(const struct lh_revoke_event *ev, void *payload);
typedef void (*lh_revoke_warn_fn)(const char *msg, void *payload);

struct lh_revoke_opts {
    bool dry_run; /* read the journal if any; create, write and send nothing */
    /*
     * Longest Retry-After, in seconds, a flush waits for before retrying (0: the default,
     * LH_REVOKE_RETRY_AFTER_MAX). A longer one ends that route's attempts in this flush and
     * leaves the request pending. A scan sets a small value so that a receiver cannot hold
     * it for minutes; `revoke flush` and the server keep the default.
     */
    unsigned max_retry_after;
    lh_revoke_warn_fn warn;   /* journal warnings (torn last line, ...); may be NULL */
    lh_revoke_event_fn event; /* may be NULL; called with the revoker's lock held */
    void *payload;
};

#define LH_REVOKE_RETRY_AFTER_MAX 60

/* Opens (creating) the state dir and its journal; routes are copied. */
int lh_revoker_open(struct lh_revoker **out, const char *state_dir,
                    const struct lh_revoke_route *routes, size_t nroutes) LH_WUR;

/*
 * lh_revoker_open with options (opts may be NULL). Routes are deep-copied; opts is copied.
 * Unless opts->dry_run, loads libcurl (http/libcurl.h) first. Returns 0, LH_EINVAL (a
 * route without url), LH_EIO (journal, or libcurl cannot be loaded), LH_ETOOBIG,
 * LH_EAGAIN, LH_ENOMEM. Free with lh_revoker_close().
 */
int lh_revoker_open_opts(struct lh_revoker **out, const char *state_dir,
                         const struct lh_revoke_route *routes, size_t nroutes,
                         const struct lh_revoke_opts *opts) LH_WUR;

/*
 * Durably records one request per matching route (append + fsync before returning) unless
 * that (route, token sha256) is already pending or delivered. Thread-safe. *queued (may be
 * NULL) = new entries. A route matches when the item's confidence is at least the route's
 * min_confidence and its rule id matches one of the route's globs (no globs: every rule).
 * Returns 0, LH_EINVAL (no rule id or token), LH_ETOOBIG (token over 4 KiB or body over
 * 64 KiB), LH_EIO, LH_EAGAIN, LH_ENOMEM. The item is not kept.
 */
int lh_revoker_enqueue(struct lh_revoker *rv, const struct lh_revoke_item *item,
                       size_t *queued) LH_WUR;

/*
 * Delivers pending entries (blocking; retries with backoff per route policy). Safe to call
 * from a background thread while other threads enqueue. Fills stats (may be NULL).
 * Entries whose URL matches a current route use its timeouts, attempts and secret_env;
 * others use what was recorded with them and the default timeouts. An entry whose signing
 * secret variable is unset stays pending (it is never sent unsigned). Entries leased by
 * another live process are left alone. Returns 0 when the journal could be maintained
 * (delivery outcomes are in stats and events), LH_EIO, LH_EAGAIN, LH_ENOMEM otherwise.
 * Backoff starts at 500 ms; LEAKHOUND_REVOKE_BACKOFF_MS overrides it (for tests).
 */
int lh_revoker_flush(struct lh_revoker *rv, struct lh_revoke_stats *stats) LH_WUR;

/*
 * Asks flushes running now to stop after their current HTTP attempt; the entry being sent
 * stays pending. Thread-safe and async-signal-safe (one atomic store), so a SIGINT handler
 * may call it. Each flush clears the request when it starts.
 */
void lh_revoker_interrupt(struct lh_revoker *rv);

/* Closes the journal and frees the revoker. No flush may be running. NULL is a no-op. */
void lh_revoker_close(struct lh_revoker *rv);

/* One spool entry as listed by lh_revoker_list (borrowed for the callback's duration). */
struct lh_revoke_entry_info {
    const char *id;
    const char *state; /* "pending", "delivered" or "failed" */
    const char *url;
    const char *rule_id;
    const char *key; /* hex SHA-256 of the token */
    size_t route;
    unsigned attempts;
    long last_status;
    const char *last_error; /* may be NULL */
    int64_t queued_at;      /* unix seconds */
    int64_t updated_at;
    bool in_flight; /* leased by a live process */
};

typedef void (*lh_revoke_list_fn)(const struct lh_revoke_entry_info *e, void *payload);

/*
 * Calls fn for every entry in journal order (under the revoker's lock: fn must not call
 * back into it). Returns 0 or an error from re-reading the journal.
 */
int lh_revoker_list(struct lh_revoker *rv, lh_revoke_list_fn fn, void *payload) LH_WUR;

/* The journal's path (borrowed, valid until close). */
const char *lh_revoker_journal_path(const struct lh_revoker *rv);

/*
 * Default state dir: $LEAKHOUND_STATE_DIR, else $XDG_STATE_HOME/leakhound, else
 * ~/.local/state/leakhound (heap; NULL when none can be determined or out of memory).
 */
char *lh_revoke_default_state_dir(void);

/*
 * Writes url into out[cap] without credentials: userinfo becomes "***@" and a query string
 * "?***", so URLs can be printed in messages and status listings.
 */
void lh_revoke_url_display(char *out, size_t cap, const char *url);

#endif
