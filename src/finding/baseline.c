/* SPDX-License-Identifier: MIT */
/*
 * Baseline model, match and save (jansson); see baseline.h. Entries are kept sorted by
 * fingerprint so matching is a binary search and saving is deterministic. Loading (and
 * locating content errors in the file) is baseline_load.c.
 */
#include "finding/baseline_int.h"
#include "util/buf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void lh_baseline_init(struct lh_baseline *b)
{
    memset(b, 0, sizeof(*b));
}

/* 7 to LH_BASELINE_COMMIT_MAX lower-case hex digits. */
bool lh_baseline_is_commit(const char *s)
{
    size_t n = strlen(s);
    return n >= 7 && n <= LH_BASELINE_COMMIT_MAX && strspn(s, "0123456789abcdef") == n;
}

void lh_baseline_entry_dispose(struct lh_baseline_entry *e)
{
    free(e->rule_id);
    free(e->path);
    free(e->reason);
    free(e->owner);
    memset(e, 0, sizeof(*e));
}

void lh_baseline_dispose(struct lh_baseline *b)
{
    for (size_t i = 0; i < b->count; i++) {
        lh_baseline_entry_dispose(&b->entries[i]);
    }
    free(b->entries);
    memset(b, 0, sizeof(*b));
}

int lh_baseline_reserve(struct lh_baseline *b, size_t extra)
{
    if (b->alloc - b->count >= extra) {
        return 0;
    }
    size_t n = b->alloc ? b->alloc : 16;
    while (n - b->count < extra) {
        if (n > SIZE_MAX / 2 / sizeof(*b->entries)) {
            return lh_error_oom();
        }
        n *= 2;
    }
    struct lh_baseline_entry *e = realloc(b->entries, n * sizeof(*e));
    if (!e) {
        return lh_error_oom();
    }
    b->entries = e;
    b->alloc = n;
    return 0;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct lh_baseline_entry *a = pa;
    const struct lh_baseline_entry *b = pb;
    int c = strcmp(a->fingerprint, b->fingerprint);
    if (c) {
        return c;
    }
    return strcmp(a->path ? a->path : "", b->path ? b->path : "");
}

/* qsort and memcpy must not see the NULL array of an empty baseline */
void lh_baseline_sort(struct lh_baseline *b)
{
    if (b->count > 1) {
        qsort(b->entries, b->count, sizeof(*b->entries), cmp_entry);
    }
}

struct lh_baseline_entry *lh_baseline_find(const struct lh_baseline *b, const char *fingerprint)
{
    size_t lo = 0;
    size_t hi = b->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->entries[mid].fingerprint, fingerprint);
        if (c == 0) {
            return &b->entries[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* ---- dates ---- */

void lh_baseline_today(char out[LH_BASELINE_DATE_LEN + 1])
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(out, LH_BASELINE_DATE_LEN + 1, "%Y-%m-%d", &tm) == 0) {
        /* cannot happen for the current time; fail safe: everything dated counts as expired */
        memcpy(out, "9999-12-31", LH_BASELINE_DATE_LEN + 1);
    }
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool lh_baseline_valid_date(const char *s)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != LH_BASELINE_DATE_LEN || s[4] != '-' || s[7] != '-') {
        return false;
    }
    int y = digits(s, 4);
    int m = digits(s + 5, 2);
    int d = digits(s + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1) {
        return false;
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap ? 1 : 0);
    return d <= max;
}

bool lh_baseline_expired(const struct lh_baseline_entry *e, const char *today)
{
    /* YYYY-MM-DD strings order like the dates they name */
    return e->expires[0] != '\0' && strcmp(today, e->expires) > 0;
}

/* ---- matching ---- */

void lh_baseline_apply(struct lh_baseline *b, struct lh_findings *l, const char *today,
                       struct lh_baseline_stats *stats)
{
    struct lh_baseline_stats st = {0, 0};
    for (size_t i = 0; i < b->count; i++) {
        b->entries[i].matched = 0;
    }
    for (size_t i = 0; i < l->count; i++) {
        struct lh_finding *f = &l->items[i];
        if (f->invalid) {
            continue;
        }
        struct lh_baseline_entry *e = lh_baseline_find(b, f->fingerprint);
        if (!e || strcmp(e->rule_id, f->rule->id) != 0) {
            continue;
        }
        e->matched++;
        if (lh_baseline_expired(e, today)) {
            st.expired++;
        } else if (!f->suppressed) {
            f->suppressed = true;
            f->suppressed_by = LH_SUPP_BASELINE;
            st.suppressed++;
        }
    }
    if (stats) {
        *stats = st;
    }
}

/* ---- building and saving ---- */

static int dup_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (src) {
        *dst = strdup(src);
        if (!*dst) {
            return lh_error_oom();
        }
    }
    return 0;
}

/* A path hint is kept only when it can be written and read back unchanged. */
static bool usable_hint(const char *path)
{
    if (!path || !*path || strlen(path) > LH_BASELINE_MAX_TEXT ||
        lh_baseline_has_control(path, strlen(path))) {
        return false;
    }
    json_t *s = json_string(path); /* NULL when not valid UTF-8 */
    json_decref(s);
    return s != NULL;
}

int lh_baseline_add_findings(struct lh_baseline *b, const struct lh_findings *l,
                             const struct lh_baseline *previous)
{
    struct lh_baseline fresh;
    lh_baseline_init(&fresh);
    int rc = lh_baseline_reserve(&fresh, l->count ? l->count : 1);
    for (size_t i = 0; rc == 0 && i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (f->invalid || f->suppressed || lh_baseline_find(b, f->fingerprint)) {
            continue;
        }
        struct lh_baseline_entry *e = &fresh.entries[fresh.count++];
        memset(e, 0, sizeof(*e));
        memcpy(e->fingerprint, f->fingerprint, sizeof(e->fingerprint));
        const struct lh_baseline_entry *p =
            previous ? lh_baseline_find(previous, f->fingerprint) : NULL;
        if (p && strcmp(p->rule_id, f->rule->id) != 0) {
            p = NULL;
        }
        rc = dup_opt(&e->rule_id, f->rule->id);
        if (rc == 0) {
            rc = dup_opt(&e->path, usable_hint(f->path) ? f->path : NULL);
        }
        if (f->prov.commit && lh_baseline_is_commit(f->prov.commit)) {
            memcpy(e->commit, f->prov.commit, strlen(f->prov.commit) + 1);
        }
        if (rc == 0 && p) {
            rc = dup_opt(&e->reason, p->reason);
            if (rc == 0) {
                rc = dup_opt(&e->owner, p->owner);
            }
            memcpy(e->expires, p->expires, sizeof(e->expires));
        }
    }
    if (rc == 0) {
        rc = lh_baseline_reserve(b, fresh.count);
    }
    if (rc < 0) {
        lh_baseline_dispose(&fresh);
        return rc;
    }
    /* one entry per fingerprint; the smallest path is the hint, whatever the input order */
    lh_baseline_sort(&fresh);
    for (size_t i = 0; i < fresh.count; i++) {
        if (i > 0 && !strcmp(fresh.entries[i].fingerprint, fresh.entries[i - 1].fingerprint)) {
            lh_baseline_entry_dispose(&fresh.entries[i]);
            continue;
        }
        b->entries[b->count++] = fresh.entries[i];
    }
    free(fresh.entries);
    lh_baseline_sort(b);
    return 0;
}

int lh_baseline_add_entry(struct lh_baseline *b, const struct lh_baseline_entry *src)
{
    if (lh_baseline_find(b, src->fingerprint)) {
        return 0;
    }
    int rc = lh_baseline_reserve(b, 1);
    if (rc < 0) {
        return rc;
    }
    struct lh_baseline_entry e = *src;
    e.rule_id = e.path = e.reason = e.owner = NULL;
    e.matched = 0;
    rc = dup_opt(&e.rule_id, src->rule_id);
    if (rc == 0) {
        rc = dup_opt(&e.path, src->path);
    }
    if (rc == 0) {
        rc = dup_opt(&e.reason, src->reason);
    }
    if (rc == 0) {
        rc = dup_opt(&e.owner, src->owner);
    }
    if (rc < 0) {
        lh_baseline_entry_dispose(&e);
        return rc;
    }
    b->entries[b->count++] = e;
    lh_baseline_sort(b);
    return 0;
}

void lh_baseline_remove(struct lh_baseline *b, size_t i)
{
    LH_ASSERT(i < b->count);
    lh_baseline_entry_dispose(&b->entries[i]);
    memmove(&b->entries[i], &b->entries[i + 1], (b->count - i - 1) * sizeof(*b->entries));
    b->count--;
}

static int set_text(json_t *o, const char *key, const char *value)
{
    if (!value) {
        return 0;
    }
    json_t *s = json_string(value);
    return s && json_object_set_new(o, key, s) == 0 ? 0 : lh_error_oom();
}

static int dump_entry(struct lh_buf *out, const struct lh_baseline_entry *e, bool last)
{
    json_t *o = json_object();
    int rc = o ? 0 : lh_error_oom();
    if (rc == 0) {
        rc = set_text(o, "fingerprint", e->fingerprint);
    }
    if (rc == 0) {
        rc = set_text(o, "rule_id", e->rule_id);
    }
    if (rc == 0) {
        rc = set_text(o, "path", e->path);
    }
    if (rc == 0) {
        rc = set_text(o, "commit", e->commit[0] ? e->commit : NULL);
    }
    if (rc == 0) {
        rc = set_text(o, "reason", e->reason);
    }
    if (rc == 0) {
        rc = set_text(o, "owner", e->owner);
    }
    if (rc == 0) {
        rc = set_text(o, "expires", e->expires[0] ? e->expires : NULL);
    }
    /* indent 0 without JSON_COMPACT: one line, ", " and ": " separators */
    char *line = rc == 0 ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_INDENT(0)) : NULL;
    if (rc == 0 && !line) {
        rc = lh_error_oom();
    }
    if (rc == 0) {
        rc = lh_buf_printf(out, "    %s%s\n", line, last ? "" : ",");
    }
    free(line);
    json_decref(o);
    return rc;
}

int lh_baseline_dump(char **out, const struct lh_baseline *b)
{
    struct lh_buf buf;
    lh_buf_init(&buf, 0);
    int rc = lh_buf_printf(&buf, "{\n  \"version\": %d,\n  \"entries\": [%s", LH_BASELINE_VERSION,
                           b->count ? "\n" : "");
    for (size_t i = 0; rc == 0 && i < b->count; i++) {
        rc = dump_entry(&buf, &b->entries[i], i + 1 == b->count);
    }
    if (rc == 0) {
        rc = lh_buf_puts(&buf, b->count ? "  ]\n}\n" : "]\n}\n");
    }
    if (rc < 0) {
        lh_buf_dispose(&buf);
        return rc;
    }
    *out = lh_buf_take(&buf);
    return *out ? 0 : lh_error_oom();
}
