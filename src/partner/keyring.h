/* SPDX-License-Identifier: MIT */
/*
 * The public keys of one reporter (GitHub, deps.dev, ...): the `{"public_keys":[{
 * "key_identifier", "key", "is_current"}]}` list, read from a local file and/or fetched with
 * libcurl from a URL, kept in memory and looked up by identifier. Only EC P-256 keys are
 * kept (the partner protocol signs with ECDSA P-256 / SHA-256); entries of other key types
 * are skipped so that a future algorithm in the list does not break verification.
 * Invariants: the set in use is never empty and is replaced atomically; a failed reload
 * keeps the previous set. An unknown identifier triggers at most one reload per
 * `min_refetch` seconds (GitHub rate-limits unauthenticated calls), so a flood of bogus
 * identifiers costs nothing. Identifiers are looked up, never computed: trust comes from
 * the list, not from hashing a PEM. It deliberately does not persist fetched lists: the
 * local file is the operator's bootstrap copy and stays under the operator's control.
 */
#ifndef LH_PARTNER_KEYRING_H
#define LH_PARTNER_KEYRING_H

#include "util/error.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest key list accepted from a file or a URL. */
#define LH_KEYRING_MAX_LIST (1024u * 1024u)
/* Longest key identifier accepted (GitHub's are 64 hex digits). */
#define LH_KEYRING_MAX_ID 256

struct lh_keyring;

struct lh_keyring_opts {
    const char *name;   /* reporter name, used in messages (required) */
    const char *file;   /* local key list, or NULL */
    const char *url;    /* key list URL (https:// or http://), or NULL */
    double ttl;         /* seconds after which the URL is due for a refresh (0: 1800) */
    double min_refetch; /* least seconds between reloads for unknown identifiers (0: 60) */
    double timeout;     /* seconds per fetch (0: 10) */
    /* optional: told about a source that failed while others still provide keys */
    void (*warn)(const char *msg, void *payload);
    void *warn_payload;
};

/*
 * Loads the key list from opts->file and/or opts->url (the union of both; identifiers in
 * both keep the URL's key). At least one source must be given and together they must
 * yield at least one P-256 key. Copies the strings in opts. With a URL, loads libcurl
 * first (http/libcurl.h). Returns 0, LH_EINVAL (no source, malformed list, no usable
 * key), LH_EIO (file, or libcurl cannot be loaded), LH_ENET (fetch), LH_ETOOBIG,
 * LH_ENOMEM; the message names the reporter and the source, or the library. Free with
 * lh_keyring_free.
 */
int lh_keyring_new(struct lh_keyring **out, const struct lh_keyring_opts *opts) LH_WUR;

/* Frees the keyring; NULL is a no-op. Keys handed out by lookups stay valid. */
void lh_keyring_free(struct lh_keyring *kr);

/*
 * Looks the identifier id[0..id_len) up. On success *out receives a new reference to the
 * key (free it with EVP_PKEY_free) and *is_current (optional) the list's flag. When the
 * identifier is unknown, reloads the sources once if `min_refetch` seconds have passed
 * since the last reload (blocking the caller for at most the fetch timeout) and looks
 * again. Returns 0 or LH_ENOTFOUND (no message: unknown identifiers are client input).
 * Thread-safe.
 */
int lh_keyring_lookup(struct lh_keyring *kr, EVP_PKEY **out, bool *is_current, const char *id,
                      size_t id_len) LH_WUR;

/*
 * Reloads the sources when `force` or when a URL is configured and its list is older
 * than `ttl`. A failed reload keeps the current set and returns the error (message set).
 * Returns 0 when nothing was due. Thread-safe; concurrent reloads are serialised.
 */
int lh_keyring_refresh(struct lh_keyring *kr, bool force) LH_WUR;

/*
 * Parses a key list buffer into a fresh set and installs it (the sources are not
 * consulted). `origin` names the buffer in messages. Returns 0, LH_EINVAL, LH_ENOMEM.
 * Meant for tests and fuzzing; thread-safe.
 */
int lh_keyring_load_buffer(struct lh_keyring *kr, const uint8_t *json, size_t len,
                           const char *origin) LH_WUR;

/* Number of keys in the current set. Thread-safe. */
size_t lh_keyring_count(struct lh_keyring *kr);

/* Number of reloads done since creation (initial load excluded). Thread-safe. */
size_t lh_keyring_reloads(struct lh_keyring *kr);

#endif
