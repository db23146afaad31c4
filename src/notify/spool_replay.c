/* SPDX-License-Identifier: MIT */
/*
 * The spool's entry table and the replay of journal records into it (spool_int.h). Entries
 * are only appended or all cleared; ids are found through an open-addressing index. A record
 * that is not usable is skipped with a warning naming its line and never affects the records
 * before it. Bodies (raw tokens) are wiped when dropped, including the strings inside
 * jansson objects just before they are released. No file I/O here.
 */
#include "notify/spool_int.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELD 4096

static void drop_body(struct lh_spool_entry *e)
{
    if (e->body) {
        OPENSSL_cleanse(e->body, e->body_len);
        free(e->body);
    }
    e->body = NULL;
    e->body_len = 0;
}

static void entry_dispose(struct lh_spool_entry *e)
{
    drop_body(e);
    free(e->url);
    free(e->secret_env);
    free(e->rule_id);
    free(e->last_error);
    memset(e, 0, sizeof(*e));
}

void lh_spool_table_clear(struct lh_spool *sp)
{
    for (size_t i = 0; i < sp->count; i++) {
        entry_dispose(&sp->items[i]);
    }
    sp->count = 0;
    if (sp->index) {
        memset(sp->index, 0, sp->nindex * sizeof(*sp->index));
    }
}

/*
 * Hardening (issue #9): lh_spool_find was a linear search, so replaying or filling a journal
 * of n entries cost O(n^2): 50,000 entries took 3.7 s to open and the 64 MiB cap allows
 * ~300,000 (minutes per open, and per scan --revoke of a repository full of tokens). Ids
 * are looked up through this open-addressing table instead; entries are only ever appended
 * or all cleared, so it needs no deletion.
 */
static size_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *id; id++) {
        h = (h ^ (uint8_t)*id) * 1099511628211ull;
    }
    return (size_t)h;
}

static void index_put(struct lh_spool *sp, size_t pos)
{
    size_t mask = sp->nindex - 1;
    size_t i = id_hash(sp->items[pos].id) & mask;
    while (sp->index[i]) {
        i = (i + 1) & mask;
    }
    sp->index[i] = pos + 1;
}

/* Makes room for one more entry in the index (load factor at most 1/2). */
static int index_reserve(struct lh_spool *sp)
{
    if ((sp->count + 1) * 2 <= sp->nindex) {
        return 0;
    }
    size_t n = sp->nindex ? sp->nindex * 2 : 64;
    size_t *index = calloc(n, sizeof(*index));
    if (!index) {
        return lh_error_oom();
    }
    free(sp->index);
    sp->index = index;
    sp->nindex = n;
    for (size_t i = 0; i < sp->count; i++) {
        index_put(sp, i);
    }
    return 0;
}

/* Wipes a jansson string member before the object is released (it may hold a token). */
static void wipe_member(json_t *obj, const char *key)
{
    json_t *s = json_object_get(obj, key);
    if (json_is_string(s) && json_string_length(s) > 0) {
        OPENSSL_cleanse((char *)json_string_value(s), json_string_length(s));
    }
}

void lh_spool_record_free(json_t *rec)
{
    if (rec) {
        wipe_member(rec, "body");
        json_decref(rec);
    }
}

size_t lh_spool_count(const struct lh_spool *sp)
{
    return sp->count;
}

struct lh_spool_entry *lh_spool_at(struct lh_spool *sp, size_t i)
{
    LH_ASSERT(i < sp->count);
    return &sp->items[i];
}

struct lh_spool_entry *lh_spool_find(struct lh_spool *sp, const char *id)
{
    if (sp->nindex == 0) {
        return NULL;
    }
    size_t mask = sp->nindex - 1;
    for (size_t i = id_hash(id) & mask; sp->index[i]; i = (i + 1) & mask) {
        struct lh_spool_entry *e = &sp->items[sp->index[i] - 1];
        if (!strcmp(e->id, id)) {
            return e;
        }
    }
    return NULL;
}

static bool is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

static int entry_add(struct lh_spool_entry **out, struct lh_spool *sp, const char *id)
{
    if (sp->count == sp->alloc) {
        size_t n = sp->alloc ? sp->alloc * 2 : 16;
        struct lh_spool_entry *items = realloc(sp->items, n * sizeof(*items));
        if (!items) {
            return lh_error_oom();
        }
        sp->items = items;
        sp->alloc = n;
    }
    int rc = index_reserve(sp);
    if (rc < 0) {
        return rc;
    }
    struct lh_spool_entry *e = &sp->items[sp->count++];
    memset(e, 0, sizeof(*e));
    memcpy(e->id, id, LH_SPOOL_ID_LEN + 1);
    index_put(sp, sp->count - 1);
    *out = e;
    return 0;
}

static int set_str(char **dst, const char *src)
{
    char *c = NULL;
    if (src) {
        c = strdup(src);
        if (!c) {
            return lh_error_oom();
        }
    }
    free(*dst);
    *dst = c;
    return 0;
}

static const char *str_field(json_t *rec, const char *key)
{
    const char *s = json_string_value(json_object_get(rec, key));
    return s && strlen(s) <= MAX_FIELD ? s : NULL;
}

static int64_t int_field(json_t *rec, const char *key, int64_t dflt)
{
    json_t *v = json_object_get(rec, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* Fields every identity-carrying record has (queued, done, failed). */
static int set_identity(struct lh_spool_entry *e, json_t *rec)
{
    const char *key = str_field(rec, "key");
    const char *url = str_field(rec, "url");
    const char *rule = str_field(rec, "rule_id");
    memcpy(e->key, key, LH_SHA256_HEX_LEN + 1);
    int64_t route = int_field(rec, "route", 0);
    e->route = route < 0 ? 0 : (size_t)route;
    int rc = set_str(&e->url, url);
    if (rc == 0) {
        rc = set_str(&e->rule_id, rule);
    }
    return rc;
}

static bool has_identity(json_t *rec)
{
    return is_hex(str_field(rec, "key"), LH_SHA256_HEX_LEN) && str_field(rec, "url") &&
           str_field(rec, "rule_id");
}

static void set_outcome(struct lh_spool_entry *e, json_t *rec, int64_t ts)
{
    int64_t a = int_field(rec, "attempts", e->attempts);
    e->attempts = a < 0 ? 0 : a > 1000000 ? 1000000u : (unsigned)a;
    e->last_status = (long)int_field(rec, "status", 0);
    const char *err = str_field(rec, "error");
    if (set_str(&e->last_error, err) < 0) {
        e->last_error = NULL; /* the message is informational; keep the state */
    }
    e->lease_pid = 0;
    e->lease_until = 0;
    e->updated_at = ts;
}

/*
 * Applies one parsed record. Returns 0, 1 when the record is not usable (*why says why; the
 * caller warns and skips it) or LH_ENOMEM.
 */
int lh_spool_apply(struct lh_spool *sp, json_t *rec, const char **why)
{
    const char *op = str_field(rec, "op");
    const char *id = str_field(rec, "id");
    int64_t ts = int_field(rec, "ts", 0);
    if (!json_is_object(rec) || int_field(rec, "v", 0) != 1 || !op ||
        !is_hex(id, LH_SPOOL_ID_LEN)) {
        *why = "not a version 1 journal record";
        return 1;
    }
    struct lh_spool_entry *e = lh_spool_find(sp, id);
    int rc = 0;
    if (!strcmp(op, "queued")) {
        json_t *body = json_object_get(rec, "body");
        if (!has_identity(rec) || !json_is_string(body) ||
            json_string_length(body) > LH_SPOOL_MAX_BODY) {
            *why = "queued record without key, url, rule_id or body";
            return 1;
        }
        if (e && e->state == LH_SPOOL_PENDING && e->body) {
            return 0; /* already pending: the first body stands */
        }
        if (!e) {
            rc = entry_add(&e, sp, id);
            if (rc < 0) {
                return rc;
            }
        }
        rc = set_identity(e, rec);
        if (rc == 0) {
            rc = set_str(&e->secret_env, str_field(rec, "secret_env"));
        }
        if (rc < 0) {
            return rc;
        }
        drop_body(e);
        size_t n = json_string_length(body);
        e->body = malloc(n + 1);
        if (!e->body) {
            return lh_error_oom();
        }
        memcpy(e->body, json_string_value(body), n);
        e->body[n] = '\0';
        e->body_len = n;
        e->body_on_disk = true;
        e->state = LH_SPOOL_PENDING;
        e->attempts = 0;
        e->last_status = 0;
        free(e->last_error);
        e->last_error = NULL;
        e->lease_pid = 0;
        e->lease_until = 0;
        e->queued_at = ts;
        e->updated_at = ts;
        return 0;
    }
    if (!strcmp(op, "lease")) {
        if (!e || e->state != LH_SPOOL_PENDING) {
            *why = "lease for an entry that is not pending";
            return 1;
        }
        e->lease_pid = (pid_t)int_field(rec, "pid", 0);
        e->lease_until = int_field(rec, "until", 0);
        return 0;
    }
    if (!strcmp(op, "deferred")) {
        if (!e || e->state != LH_SPOOL_PENDING) {
            *why = "deferred record for an entry that is not pending";
            return 1;
        }
        set_outcome(e, rec, ts);
        return 0;
    }
    if (!strcmp(op, "done") || !strcmp(op, "failed")) {
        if (!has_identity(rec)) {
            *why = "done/failed record without key, url or rule_id";
            return 1;
        }
        if (!e) {
            rc = entry_add(&e, sp, id);
            if (rc == 0) {
                rc = set_identity(e, rec);
            }
            if (rc < 0) {
                return rc;
            }
            e->queued_at = int_field(rec, "queued_at", ts);
        }
        e->state = !strcmp(op, "done") ? LH_SPOOL_DONE : LH_SPOOL_FAILED;
        drop_body(e);
        set_outcome(e, rec, ts);
        return 0;
    }
    *why = "unknown record type";
    return 1;
}

/* Applies one line (without its '\n'); warns about and skips unusable ones. */
static int apply_line(struct lh_spool *sp, const char *line, size_t len, bool last)
{
    sp->lines++;
    if (len == 0) {
        return 0;
    }
    json_error_t je;
    json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    const char *why = "not valid JSON";
    int rc = rec ? lh_spool_apply(sp, rec, &why) : 1;
    lh_spool_record_free(rec);
    if (rc == 1) {
        sp->corrupt++;
        if (last) {
            lh_spool_warnf(sp,
                           "ignoring an incomplete last record in '%s' (line %zu: an interrupted "
                           "write); earlier records are intact",
                           sp->path, sp->lines);
        } else {
            lh_spool_warnf(sp, "ignoring a corrupt record in '%s' at line %zu (%s)", sp->path,
                           sp->lines, why);
        }
        return 0;
    }
    if (rc == 0) {
        sp->records++;
    }
    return rc;
}

/* Applies buf[len] (journal bytes from sp->off on). */
int lh_spool_apply_bytes(struct lh_spool *sp, const char *buf, size_t len)
{
    const char *p = buf;
    const char *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            /*
             * No writer holds the lock, so bytes after the last newline are what a crash
             * left; a complete record there (only its newline missing) still counts.
             */
            int rc = apply_line(sp, p, (size_t)(end - p), true);
            sp->off += (size_t)(end - p);
            sp->tail_clean = false;
            return rc;
        }
        int rc = apply_line(sp, p, (size_t)(nl - p), false);
        if (rc < 0) {
            return rc;
        }
        sp->off += (size_t)(nl - p) + 1;
        sp->tail_clean = true;
        p = nl + 1;
    }
    return 0;
}
