/* SPDX-License-Identifier: MIT */
/*
 * Loading a baseline file (baseline_int.h). jansson checks the syntax and gives line/column
 * for syntax errors but keeps no positions for values, so content errors are located by a
 * small walker over the already-validated text (only the root, the `entries` array and an
 * entry's members are ever looked up). Every text member is bounded, valid UTF-8 and free of
 * control characters; the entries come out sorted.
 */
#include "finding/baseline_int.h"
#include "util/buf.h"
#include "util/fs.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- locating values in the validated JSON text ---- */

struct walker {
    const char *s;
    size_t len;
    size_t i;
};

static void skip_ws(struct walker *w)
{
    while (w->i < w->len && strchr(" \t\r\n", w->s[w->i]) && w->s[w->i] != '\0') {
        w->i++;
    }
}

static void skip_string(struct walker *w)
{
    w->i++; /* the opening quote */
    while (w->i < w->len) {
        char c = w->s[w->i++];
        if (c == '\\') {
            w->i++;
        } else if (c == '"') {
            return;
        }
    }
}

static void skip_value(struct walker *w)
{
    skip_ws(w);
    if (w->i >= w->len) {
        return;
    }
    char c = w->s[w->i];
    if (c == '"') {
        skip_string(w);
        return;
    }
    if (c == '{' || c == '[') {
        size_t depth = 0;
        while (w->i < w->len) {
            c = w->s[w->i];
            if (c == '"') {
                skip_string(w);
                continue;
            }
            w->i++;
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return;
            }
        }
        return;
    }
    while (w->i < w->len && !strchr(",}] \t\r\n", w->s[w->i])) {
        w->i++;
    }
}

/* At '{': moves to the value of member `key`. False (position unchanged) if absent. */
static bool find_member(struct walker *w, const char *key)
{
    struct walker t = *w;
    size_t klen = strlen(key);
    if (t.i >= t.len || t.s[t.i] != '{') {
        return false;
    }
    t.i++;
    for (;;) {
        skip_ws(&t);
        if (t.i >= t.len || t.s[t.i] != '"') {
            return false;
        }
        size_t ks = t.i + 1;
        skip_string(&t);
        size_t ke = t.i - 1;
        skip_ws(&t);
        if (t.i < t.len && t.s[t.i] == ':') {
            t.i++;
        }
        skip_ws(&t);
        if (ke - ks == klen && !memcmp(t.s + ks, key, klen)) {
            *w = t;
            return true;
        }
        skip_value(&t);
        skip_ws(&t);
        if (t.i >= t.len || t.s[t.i] != ',') {
            return false;
        }
        t.i++;
    }
}

/* At '[': moves to element idx. False (position unchanged) if absent. */
static bool find_element(struct walker *w, size_t idx)
{
    struct walker t = *w;
    if (t.i >= t.len || t.s[t.i] != '[') {
        return false;
    }
    t.i++;
    for (size_t k = 0;; k++) {
        skip_ws(&t);
        if (t.i >= t.len || t.s[t.i] == ']') {
            return false;
        }
        if (k == idx) {
            *w = t;
            return true;
        }
        skip_value(&t);
        skip_ws(&t);
        if (t.i >= t.len || t.s[t.i] != ',') {
            return false;
        }
        t.i++;
    }
}

/* 1-based line and column (in code points) of byte offset off. */
static void line_col(const char *s, size_t off, int *line, int *col)
{
    int l = 1;
    int c = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

struct loadctx {
    const char *name;
    const char *buf;
    size_t len;
};

#define ROOT ((size_t)-1)

/*
 * Position of the root (entry == ROOT, key == NULL), a root member (entry == ROOT), entry
 * `entry` of the entries array, or a member of that entry; the nearest enclosing value
 * when the exact one cannot be found.
 */
static void where(const struct loadctx *c, size_t entry, const char *key, int *line, int *col)
{
    struct walker w = {c->buf, c->len, 0};
    skip_ws(&w);
    if (entry != ROOT) {
        if (find_member(&w, "entries")) {
            find_element(&w, entry);
        }
    }
    if (key) {
        find_member(&w, key);
    }
    line_col(c->buf, w.i < c->len ? w.i : c->len, line, col);
}

static int fail_at(const struct loadctx *c, size_t entry, const char *key, const char *fmt, ...)
    LH_PRINTF(4, 5);

static int fail_at(const struct loadctx *c, size_t entry, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    int line;
    int col;
    where(c, entry, key, &line, &col);
    if (entry == ROOT) {
        lh_error_set("%s:%d:%d: %s", c->name, line, col, msg);
    } else {
        lh_error_set("%s:%d:%d: baseline entry %zu: %s", c->name, line, col, entry + 1, msg);
    }
    return LH_EINVAL;
}

/* ---- loading ---- */

static bool is_fingerprint(const char *s)
{
    if (strlen(s) != LH_FINGERPRINT_LEN) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool lh_baseline_has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            return true;
        }
    }
    return false;
}

/* Copies a text member (string, 1..LH_BASELINE_MAX_TEXT bytes, no control characters) into *out. */
static int text_member(const struct loadctx *c, size_t idx, const char *key, json_t *v, char **out)
{
    if (!json_is_string(v)) {
        return fail_at(c, idx, key, "'%s' must be a string", key);
    }
    size_t n = json_string_length(v);
    if (n == 0 || n > LH_BASELINE_MAX_TEXT) {
        return fail_at(c, idx, key, "'%s' must be 1 to %d bytes long", key, LH_BASELINE_MAX_TEXT);
    }
    if (lh_baseline_has_control(json_string_value(v), n)) {
        return fail_at(c, idx, key, "'%s' must not contain control characters", key);
    }
    *out = strdup(json_string_value(v));
    return *out ? 0 : lh_error_oom();
}

static int parse_entry(const struct loadctx *c, size_t idx, json_t *o, int line,
                       struct lh_baseline_entry *e)
{
    if (!json_is_object(o)) {
        return fail_at(c, idx, NULL, "must be an object");
    }
    const char *key;
    json_t *v;
    int rc = 0;
    bool has_fp = false;
    json_object_foreach(o, key, v)
    {
        if (!strcmp(key, "fingerprint")) {
            if (!json_is_string(v) || !is_fingerprint(json_string_value(v))) {
                return fail_at(c, idx, key,
                               "'fingerprint' must be %d lower-case hex digits (as written by "
                               "'leakhound baseline create')",
                               LH_FINGERPRINT_LEN);
            }
            memcpy(e->fingerprint, json_string_value(v), LH_FINGERPRINT_LEN + 1);
            has_fp = true;
        } else if (!strcmp(key, "rule_id")) {
            rc = text_member(c, idx, key, v, &e->rule_id);
        } else if (!strcmp(key, "path")) {
            rc = text_member(c, idx, key, v, &e->path);
        } else if (!strcmp(key, "commit")) {
            if (!json_is_string(v) || !lh_baseline_is_commit(json_string_value(v))) {
                return fail_at(c, idx, key,
                               "'commit' must be a commit id of 7 to %d lower-case hex digits",
                               LH_BASELINE_COMMIT_MAX);
            }
            memcpy(e->commit, json_string_value(v), strlen(json_string_value(v)) + 1);
        } else if (!strcmp(key, "reason")) {
            rc = text_member(c, idx, key, v, &e->reason);
        } else if (!strcmp(key, "owner")) {
            rc = text_member(c, idx, key, v, &e->owner);
        } else if (!strcmp(key, "expires")) {
            if (!json_is_string(v) || !lh_baseline_valid_date(json_string_value(v))) {
                return fail_at(c, idx, key, "'expires' must be a date written YYYY-MM-DD");
            }
            memcpy(e->expires, json_string_value(v), LH_BASELINE_DATE_LEN + 1);
        } else {
            return fail_at(c, idx, key,
                           "unknown key '%s' (expected fingerprint, rule_id, path, commit, "
                           "reason, owner, expires)",
                           key);
        }
        if (rc < 0) {
            return rc;
        }
    }
    if (!has_fp || !e->rule_id) {
        return fail_at(c, idx, NULL, "missing required key '%s'",
                       has_fp ? "rule_id" : "fingerprint");
    }
    e->line = line;
    return 0;
}

/*
 * Line of every element of the root's `entries` array, in one pass over the text (entries
 * are many; looking each up from the start would be quadratic). Missing ones stay 0.
 */
static void entry_lines(const struct loadctx *c, int *lines, size_t n)
{
    struct walker w = {c->buf, c->len, 0};
    skip_ws(&w);
    if (!find_member(&w, "entries") || w.s[w.i] != '[') {
        return;
    }
    int line = 1;
    size_t counted = 0; /* newlines before this offset are in `line` */
    w.i++;
    for (size_t k = 0; k < n; k++) {
        skip_ws(&w);
        if (w.i >= w.len || w.s[w.i] == ']') {
            return;
        }
        for (; counted < w.i; counted++) {
            line += w.s[counted] == '\n';
        }
        lines[k] = line;
        skip_value(&w);
        skip_ws(&w);
        if (w.i >= w.len || w.s[w.i] != ',') {
            return;
        }
        w.i++;
    }
}

static int parse_root(const struct loadctx *c, json_t *root, struct lh_baseline *into)
{
    if (!json_is_object(root)) {
        return fail_at(c, ROOT, NULL,
                       "a baseline must be a JSON object with 'version' and "
                       "'entries' (see 'leakhound baseline create')");
    }
    const char *key;
    json_t *v;
    json_t *entries = NULL;
    bool has_version = false;
    json_object_foreach(root, key, v)
    {
        if (!strcmp(key, "version")) {
            if (!json_is_integer(v) || json_integer_value(v) != LH_BASELINE_VERSION) {
                return fail_at(c, ROOT, key, "unsupported baseline version (expected %d)",
                               LH_BASELINE_VERSION);
            }
            has_version = true;
        } else if (!strcmp(key, "entries")) {
            if (!json_is_array(v)) {
                return fail_at(c, ROOT, key, "'entries' must be a list");
            }
            entries = v;
        } else {
            return fail_at(c, ROOT, key, "unknown key '%s' (expected version, entries)", key);
        }
    }
    if (!has_version || !entries) {
        return fail_at(c, ROOT, NULL, "missing required key '%s'",
                       has_version ? "entries" : "version");
    }
    size_t n = json_array_size(entries);
    int *lines = calloc(n ? n : 1, sizeof(*lines));
    int rc = lines ? lh_baseline_reserve(into, n) : lh_error_oom();
    if (rc == 0) {
        entry_lines(c, lines, n);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct lh_baseline_entry *e = &into->entries[into->count];
        memset(e, 0, sizeof(*e));
        rc = parse_entry(c, i, json_array_get(entries, i), lines[i], e);
        if (rc < 0) {
            lh_baseline_entry_dispose(e);
        } else {
            into->count++;
        }
    }
    free(lines);
    if (rc < 0) {
        return rc;
    }
    lh_baseline_sort(into);
    for (size_t i = 1; i < into->count; i++) {
        const struct lh_baseline_entry *a = &into->entries[i - 1];
        const struct lh_baseline_entry *b = &into->entries[i];
        if (!strcmp(a->fingerprint, b->fingerprint)) {
            const struct lh_baseline_entry *later = a->line > b->line ? a : b;
            const struct lh_baseline_entry *first = a->line > b->line ? b : a;
            lh_error_set("%s:%d: duplicate baseline entry for fingerprint %s (first at line %d)",
                         c->name, later->line, a->fingerprint, first->line);
            return LH_EINVAL;
        }
    }
    return 0;
}

int lh_baseline_load_buffer(struct lh_baseline *b, const char *name, const char *buf, size_t len)
{
    if (len > LH_BASELINE_MAX_BYTES) {
        lh_error_set("%s: baseline is larger than %u MiB", name, LH_BASELINE_MAX_BYTES >> 20);
        return LH_ETOOBIG;
    }
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        /*
         * Hardening (issue #9): jansson ends its message with "near '<the failing token>'",
         * bytes of the file; a file given as --baseline by mistake (an .env) would have a
         * secret echoed to stderr. Keep the message, drop the quote.
         */
        char *near = strstr(je.text, " near '");
        if (near) {
            *near = '\0';
        }
        lh_error_set("%s:%d:%d: invalid baseline JSON: %s", name, je.line > 0 ? je.line : 1,
                     je.column > 0 ? je.column : 1, je.text);
        return LH_EINVAL;
    }
    struct loadctx c = {name, buf, len};
    struct lh_baseline tmp;
    lh_baseline_init(&tmp);
    int rc = parse_root(&c, root, &tmp);
    json_decref(root);
    if (rc == 0) {
        rc = lh_baseline_reserve(b, tmp.count);
    }
    if (rc < 0) {
        lh_baseline_dispose(&tmp);
        return rc;
    }
    /* b's own entries are unique; a clash with the new ones is a duplicate too */
    for (size_t i = 0; i < tmp.count; i++) {
        if (lh_baseline_find(b, tmp.entries[i].fingerprint)) {
            lh_error_set("%s:%d: duplicate baseline entry for fingerprint %s", name,
                         tmp.entries[i].line, tmp.entries[i].fingerprint);
            lh_baseline_dispose(&tmp);
            return LH_EINVAL;
        }
    }
    if (tmp.count) {
        memcpy(b->entries + b->count, tmp.entries, tmp.count * sizeof(*tmp.entries));
        b->count += tmp.count;
    }
    free(tmp.entries);
    lh_baseline_sort(b);
    return 0;
}

int lh_baseline_load_file(struct lh_baseline *b, const char *path)
{
    struct lh_buf buf;
    lh_buf_init(&buf, LH_BASELINE_MAX_BYTES);
    FILE *probe = fopen(path, "rb");
    int rc = 0;
    if (!probe) {
        lh_error_set("cannot open baseline '%s': %s", path, strerror(errno));
        rc = errno == ENOENT ? LH_ENOTFOUND : LH_EIO;
        goto out;
    }
    fclose(probe);
    rc = lh_fs_read_file(&buf, path);
    if (rc == LH_ETOOBIG) {
        lh_error_set("%s: baseline is larger than %u MiB", path, LH_BASELINE_MAX_BYTES >> 20);
    }
    if (rc == 0) {
        rc = lh_baseline_load_buffer(b, path, buf.ptr ? buf.ptr : "", buf.len);
    }
out:
    lh_buf_dispose(&buf);
    return rc;
}
