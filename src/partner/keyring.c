/* SPDX-License-Identifier: MIT */
/*
 * Reporter public keys; see keyring.h. The set in use is an immutable array swapped under
 * `lock`; readers copy out one EVP_PKEY reference and verify outside the lock, so a reload
 * never blocks verification for longer than a pointer swap. Reloads (file read, libcurl
 * fetch, parse) run under `reload_lock` only, which also serialises the refetches that
 * unknown identifiers trigger. The URL list is fetched with If-None-Match when the server
 * gave an ETag (conditional requests do not count against GitHub's rate limit). libcurl is
 * loaded (http/libcurl.h) when a keyring with a URL is created, not linked, so a
 * file-only keyring never needs it.
 */
#include "partner/keyring.h"

#include "http/libcurl.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_KEYS 1024
#define MAX_PEM 16384
#define MAX_ETAG 256
#define DEFAULT_TTL 1800.0
#define DEFAULT_MIN_REFETCH 60.0
#define DEFAULT_TIMEOUT 10.0

struct key {
    char *id;
    EVP_PKEY *pk;
    bool current;
};

struct keyset {
    struct key *keys;
    size_t n;
};

struct lh_keyring {
    char *name;
    char *file;
    char *url;
    double ttl;
    double min_refetch;
    double timeout;
    pthread_mutex_t lock; /* guards `set` and `reloads` */
    struct keyset set;
    size_t reloads;
    pthread_mutex_t reload_lock; /* guards everything below, serialises reloads */
    struct keyset url_set;       /* last list fetched from the URL */
    char *etag;
    double url_fetched;  /* monotonic time of the last successful fetch, 0 never */
    double last_refetch; /* monotonic time of the last refetch for an unknown id, -1 never */
    void (*warn)(const char *msg, void *payload);
    void *warn_payload;
    const struct lh_libcurl *curl; /* loaded when there is a URL */
};

static void keyset_dispose(struct keyset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->keys[i].id);
        EVP_PKEY_free(s->keys[i].pk);
    }
    free(s->keys);
    s->keys = NULL;
    s->n = 0;
}

static const struct key *keyset_find(const struct keyset *s, const char *id, size_t id_len)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strlen(s->keys[i].id) == id_len && memcmp(s->keys[i].id, id, id_len) == 0) {
            return &s->keys[i];
        }
    }
    return NULL;
}

/* Appends a copy of k (new id string, new key reference) to s, which has room. */
static int keyset_add(struct keyset *s, const char *id, EVP_PKEY *pk, bool current)
{
    char *dup = strdup(id);
    if (!dup) {
        return lh_error_oom();
    }
    if (EVP_PKEY_up_ref(pk) != 1) {
        free(dup);
        return lh_error_oom();
    }
    s->keys[s->n].id = dup;
    s->keys[s->n].pk = pk;
    s->keys[s->n].current = current;
    s->n++;
    return 0;
}

static bool valid_id(const char *id, size_t len)
{
    if (len == 0 || len > LH_KEYRING_MAX_ID) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (id[i] <= ' ' || id[i] > '~') {
            return false;
        }
    }
    return true;
}

/*
 * Parses one PEM public key. Returns 1 with *out for a P-256 key, 0 for a well-formed key
 * of another type (skipped), LH_EINVAL for text that is no public key.
 */
static int parse_pem(EVP_PKEY **out, const char *pem, size_t len)
{
    char group[64];
    size_t glen = 0;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio) {
        return lh_error_oom();
    }
    EVP_PKEY *pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    if (!pk) {
        return LH_EINVAL;
    }
    if (EVP_PKEY_is_a(pk, "EC") != 1 ||
        EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &glen) != 1 ||
        strcmp(group, "prime256v1") != 0) {
        EVP_PKEY_free(pk);
        ERR_clear_error();
        return 0;
    }
    *out = pk;
    return 1;
}

static int parse_entry(struct keyset *s, json_t *e, size_t index, const char *name,
                       const char *origin)
{
    json_t *jid = json_object_get(e, "key_identifier");
    json_t *jkey = json_object_get(e, "key");
    json_t *jcur = json_object_get(e, "is_current");
    EVP_PKEY *pk = NULL;
    if (!json_is_object(e) || !json_is_string(jid) || !json_is_string(jkey) ||
        (jcur && !json_is_boolean(jcur))) {
        lh_error_set("reporter '%s': key list '%s': entry %zu needs string key_identifier "
                     "and key (and a boolean is_current)",
                     name, origin, index + 1);
        return LH_EINVAL;
    }
    const char *id = json_string_value(jid);
    if (!valid_id(id, json_string_length(jid)) || strlen(id) != json_string_length(jid)) {
        lh_error_set("reporter '%s': key list '%s': entry %zu has an invalid key_identifier", name,
                     origin, index + 1);
        return LH_EINVAL;
    }
    if (keyset_find(s, id, strlen(id))) {
        lh_error_set("reporter '%s': key list '%s': duplicate key_identifier '%s'", name, origin,
                     id);
        return LH_EINVAL;
    }
    if (json_string_length(jkey) > MAX_PEM) {
        lh_error_set("reporter '%s': key list '%s': key '%s' is longer than %d bytes", name, origin,
                     id, MAX_PEM);
        return LH_ETOOBIG;
    }
    int rc = parse_pem(&pk, json_string_value(jkey), json_string_length(jkey));
    if (rc == LH_EINVAL) {
        lh_error_set("reporter '%s': key list '%s': key '%s' is not a PEM public key", name, origin,
                     id);
        return rc;
    }
    if (rc <= 0) {
        return rc; /* 0: not P-256, skipped; or out of memory */
    }
    rc = keyset_add(s, id, pk, jcur && json_is_true(jcur));
    EVP_PKEY_free(pk);
    return rc;
}

static int parse_list(struct keyset *out, const uint8_t *buf, size_t len, const char *name,
                      const char *origin)
{
    json_error_t je;
    struct keyset s = {0};
    int rc = 0;
    json_t *root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
    json_t *arr = root ? json_object_get(root, "public_keys") : NULL;
    if (!root) {
        lh_error_set("reporter '%s': key list '%s' is not JSON: line %d: %s", name, origin, je.line,
                     je.text);
        rc = LH_EINVAL;
        goto out;
    }
    if (!json_is_array(arr)) {
        lh_error_set("reporter '%s': key list '%s' has no \"public_keys\" array", name, origin);
        rc = LH_EINVAL;
        goto out;
    }
    if (json_array_size(arr) > MAX_KEYS) {
        lh_error_set("reporter '%s': key list '%s' has more than %d keys", name, origin, MAX_KEYS);
        rc = LH_ETOOBIG;
        goto out;
    }
    s.keys = calloc(json_array_size(arr) + 1, sizeof(*s.keys));
    if (!s.keys) {
        rc = lh_error_oom();
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
        rc = parse_entry(&s, json_array_get(arr, i), i, name, origin);
    }
    if (rc == 0 && s.n == 0) {
        lh_error_set("reporter '%s': key list '%s' holds no ECDSA P-256 key", name, origin);
        rc = LH_EINVAL;
    }
out:
    json_decref(root);
    if (rc < 0) {
        keyset_dispose(&s);
        return rc;
    }
    *out = s;
    return 0;
}

struct fetch {
    struct lh_buf body;
    char etag[MAX_ETAG];
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *payload)
{
    struct fetch *f = payload;
    if (lh_buf_put(&f->body, ptr, size * nmemb) < 0) {
        return 0; /* over the cap: libcurl aborts the transfer */
    }
    return size * nmemb;
}

static size_t on_header(char *ptr, size_t size, size_t nitems, void *payload)
{
    struct fetch *f = payload;
    size_t n = size * nitems;
    static const char name[] = "etag:";
    if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
        size_t i = sizeof(name) - 1;
        while (i < n && (ptr[i] == ' ' || ptr[i] == '\t')) {
            i++;
        }
        size_t e = n;
        while (e > i && (ptr[e - 1] == '\r' || ptr[e - 1] == '\n' || ptr[e - 1] == ' ')) {
            e--;
        }
        if (e - i < sizeof(f->etag)) {
            memcpy(f->etag, ptr + i, e - i);
            f->etag[e - i] = 0;
        }
    }
    return n;
}

/*
 * Fetches the URL into f. Returns 1 for a new list (200), 0 when unchanged (304), or a
 * negative code with the message set.
 */
static int fetch_url(struct lh_keyring *kr, struct fetch *f)
{
    const struct lh_libcurl *cu = kr->curl;
    char errbuf[CURL_ERROR_SIZE] = "";
    char inm[MAX_ETAG + 32];
    struct curl_slist *hdrs = NULL;
    struct curl_slist *tmp = NULL;
    long status = 0;
    int rc = LH_ENET;
    CURL *c = cu->easy_init();
    if (!c) {
        return lh_error_oom();
    }
    tmp = cu->slist_append(hdrs, "Accept: application/json");
    if (!tmp) {
        rc = lh_error_oom();
        goto out;
    }
    hdrs = tmp;
    if (kr->etag && kr->url_set.n > 0) {
        snprintf(inm, sizeof(inm), "If-None-Match: %s", kr->etag);
        tmp = cu->slist_append(hdrs, inm);
        if (!tmp) {
            rc = lh_error_oom();
            goto out;
        }
        hdrs = tmp;
    }
    long ms = (long)(kr->timeout * 1000.0);
    cu->easy_setopt(c, CURLOPT_URL, kr->url);
    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    cu->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    cu->easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    cu->easy_setopt(c, CURLOPT_USERAGENT, "leakhound-serve");
    cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    cu->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    cu->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LH_KEYRING_MAX_LIST);
    cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    cu->easy_setopt(c, CURLOPT_WRITEDATA, f);
    cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    cu->easy_setopt(c, CURLOPT_HEADERDATA, f);
    cu->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = cu->easy_perform(c);
    if (cc != CURLE_OK) {
        lh_error_set("reporter '%s': cannot fetch key list '%s': %s", kr->name, kr->url,
                     errbuf[0] ? errbuf : cu->easy_strerror(cc));
        goto out;
    }
    cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 304 && kr->url_set.n > 0) {
        rc = 0;
    } else if (status == 200) {
        rc = 1;
    } else {
        lh_error_set("reporter '%s': cannot fetch key list '%s': HTTP status %ld", kr->name,
                     kr->url, status);
    }
out:
    cu->slist_free_all(hdrs);
    cu->easy_cleanup(c);
    return rc;
}

/* Builds the union of the URL list and the file list (the URL wins on identifiers). */
static int merge(struct keyset *out, const struct keyset *a, const struct keyset *b)
{
    struct keyset s = {0};
    s.keys = calloc(a->n + b->n + 1, sizeof(*s.keys));
    if (!s.keys) {
        return lh_error_oom();
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n; i++) {
        rc = keyset_add(&s, a->keys[i].id, a->keys[i].pk, a->keys[i].current);
    }
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        if (!keyset_find(&s, b->keys[i].id, strlen(b->keys[i].id))) {
            rc = keyset_add(&s, b->keys[i].id, b->keys[i].pk, b->keys[i].current);
        }
    }
    if (rc < 0) {
        keyset_dispose(&s);
        return rc;
    }
    *out = s;
    return 0;
}

static void install(struct lh_keyring *kr, struct keyset *s, bool count)
{
    pthread_mutex_lock(&kr->lock);
    struct keyset old = kr->set;
    kr->set = *s;
    if (count) {
        kr->reloads++;
    }
    pthread_mutex_unlock(&kr->lock);
    keyset_dispose(&old);
    memset(s, 0, sizeof(*s));
}

/*
 * Reads the sources and installs their union; must hold reload_lock. A source that fails
 * keeps its previous contribution (the URL) or is left out (the file); the first failure
 * is returned after the install so the caller can report it.
 */
static int reload(struct lh_keyring *kr, bool count)
{
    struct keyset file_set = {0};
    struct keyset merged = {0};
    int first = 0;
    int rc = 0;
    if (kr->file) {
        struct lh_buf b;
        lh_buf_init(&b, LH_KEYRING_MAX_LIST);
        rc = lh_fs_read_file(&b, kr->file);
        if (rc == 0) {
            rc = parse_list(&file_set, (const uint8_t *)b.ptr, b.len, kr->name, kr->file);
        }
        lh_buf_dispose(&b);
        first = rc;
    }
    if (kr->url) {
        struct fetch f;
        memset(&f, 0, sizeof(f));
        lh_buf_init(&f.body, LH_KEYRING_MAX_LIST);
        rc = fetch_url(kr, &f);
        if (rc == 1) {
            struct keyset s = {0};
            rc = parse_list(&s, (const uint8_t *)f.body.ptr, f.body.len, kr->name, kr->url);
            if (rc == 0) {
                keyset_dispose(&kr->url_set);
                kr->url_set = s;
                free(kr->etag);
                kr->etag = f.etag[0] ? strdup(f.etag) : NULL;
            }
        }
        if (rc == 0) {
            kr->url_fetched = lh_clock_now();
        }
        lh_buf_dispose(&f.body);
        first = first < 0 ? first : rc;
    }
    if (file_set.n + kr->url_set.n == 0) {
        keyset_dispose(&file_set);
        if (first == 0) {
            lh_error_set("reporter '%s': no key list source", kr->name);
            first = LH_EINVAL;
        }
        return first;
    }
    rc = merge(&merged, &kr->url_set, &file_set);
    keyset_dispose(&file_set);
    if (rc < 0) {
        return rc;
    }
    install(kr, &merged, count);
    return first;
}

static char *dup_opt(const char *s, bool *oom)
{
    if (!s) {
        return NULL;
    }
    char *d = strdup(s);
    if (!d) {
        *oom = true;
    }
    return d;
}

int lh_keyring_new(struct lh_keyring **out, const struct lh_keyring_opts *opts)
{
    bool oom = false;
    LH_ASSERT(opts && opts->name);
    *out = NULL;
    if (!opts->file && !opts->url) {
        lh_error_set("reporter '%s' has neither a key file nor a key URL", opts->name);
        return LH_EINVAL;
    }
    struct lh_keyring *kr = calloc(1, sizeof(*kr));
    if (!kr) {
        return lh_error_oom();
    }
    kr->name = dup_opt(opts->name, &oom);
    kr->file = dup_opt(opts->file, &oom);
    kr->url = dup_opt(opts->url, &oom);
    kr->ttl = opts->ttl > 0 ? opts->ttl : DEFAULT_TTL;
    kr->min_refetch = opts->min_refetch > 0 ? opts->min_refetch : DEFAULT_MIN_REFETCH;
    kr->timeout = opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT;
    kr->last_refetch = -1;
    kr->warn = opts->warn;
    kr->warn_payload = opts->warn_payload;
    pthread_mutex_init(&kr->lock, NULL);
    pthread_mutex_init(&kr->reload_lock, NULL);
    if (oom) {
        lh_keyring_free(kr);
        return lh_error_oom();
    }
    if (kr->url) {
        int lrc = lh_libcurl_load(&kr->curl, "key list URLs");
        if (lrc < 0) {
            lh_keyring_free(kr);
            return lrc;
        }
    }
    pthread_mutex_lock(&kr->reload_lock);
    int rc = reload(kr, false);
    pthread_mutex_unlock(&kr->reload_lock);
    if (lh_keyring_count(kr) == 0) {
        lh_keyring_free(kr);
        return rc < 0 ? rc : LH_EINVAL;
    }
    if (rc < 0 && kr->warn) {
        kr->warn(lh_error_get(), kr->warn_payload);
    }
    *out = kr;
    return 0;
}

void lh_keyring_free(struct lh_keyring *kr)
{
    if (!kr) {
        return;
    }
    keyset_dispose(&kr->set);
    keyset_dispose(&kr->url_set);
    pthread_mutex_destroy(&kr->lock);
    pthread_mutex_destroy(&kr->reload_lock);
    free(kr->name);
    free(kr->file);
    free(kr->url);
    free(kr->etag);
    free(kr);
}

static int find_ref(struct lh_keyring *kr, EVP_PKEY **out, bool *is_current, const char *id,
                    size_t id_len)
{
    int rc = LH_ENOTFOUND;
    pthread_mutex_lock(&kr->lock);
    const struct key *k = keyset_find(&kr->set, id, id_len);
    if (k && EVP_PKEY_up_ref(k->pk) == 1) {
        *out = k->pk;
        if (is_current) {
            *is_current = k->current;
        }
        rc = 0;
    }
    pthread_mutex_unlock(&kr->lock);
    return rc;
}

int lh_keyring_lookup(struct lh_keyring *kr, EVP_PKEY **out, bool *is_current, const char *id,
                      size_t id_len)
{
    *out = NULL;
    if (!valid_id(id, id_len)) {
        return LH_ENOTFOUND;
    }
    if (find_ref(kr, out, is_current, id, id_len) == 0) {
        return 0;
    }
    pthread_mutex_lock(&kr->reload_lock);
    /* another thread may have reloaded while this one waited for the lock */
    int rc = find_ref(kr, out, is_current, id, id_len);
    if (rc < 0 && (kr->last_refetch < 0 || lh_clock_now() - kr->last_refetch >= kr->min_refetch)) {
        kr->last_refetch = lh_clock_now();
        /* a failed reload keeps the old set; the caller answers 401 either way */
        if (reload(kr, true) < 0 && kr->warn) {
            kr->warn(lh_error_get(), kr->warn_payload);
        }
        rc = find_ref(kr, out, is_current, id, id_len);
    }
    pthread_mutex_unlock(&kr->reload_lock);
    return rc;
}

int lh_keyring_refresh(struct lh_keyring *kr, bool force)
{
    int rc = 0;
    pthread_mutex_lock(&kr->reload_lock);
    if (force || (kr->url && lh_clock_now() - kr->url_fetched >= kr->ttl)) {
        rc = reload(kr, true);
    }
    pthread_mutex_unlock(&kr->reload_lock);
    return rc;
}

int lh_keyring_load_buffer(struct lh_keyring *kr, const uint8_t *json, size_t len,
                           const char *origin)
{
    struct keyset s = {0};
    int rc = parse_list(&s, json, len, kr->name, origin);
    if (rc == 0) {
        install(kr, &s, true);
    }
    return rc;
}

size_t lh_keyring_count(struct lh_keyring *kr)
{
    pthread_mutex_lock(&kr->lock);
    size_t n = kr->set.n;
    pthread_mutex_unlock(&kr->lock);
    return n;
}

size_t lh_keyring_reloads(struct lh_keyring *kr)
{
    pthread_mutex_lock(&kr->lock);
    size_t n = kr->reloads;
    pthread_mutex_unlock(&kr->lock);
    return n;
}
