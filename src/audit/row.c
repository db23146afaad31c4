/* SPDX-License-Identifier: MIT */
/* Findings as database rows and back; see row.h. */
#include "audit/row.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s) {
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, i);
    }
}

/* The finding columns from index `at` on (LH_AUDIT_ROW_COLS order). */
static void bind_common(sqlite3_stmt *st, int at, const struct lh_finding *f)
{
    char red[64];
    char dec[LH_DECODE_MAX_DEPTH * 4 + 1] = "";
    size_t o = 0;
    for (size_t i = 0; i < f->ndecoded && o + 4 < sizeof(dec); i++) {
        int n = snprintf(dec + o, sizeof(dec) - o, "%s%u", i ? "," : "", (unsigned)f->decoded[i]);
        o += n > 0 ? (size_t)n : 0;
    }
    lh_finding_redact(red, sizeof(red), f);
    bind_text(st, at + 0, f->rule->id);
    bind_text(st, at + 1, f->rule->name);
    bind_text(st, at + 2, f->rule->provider);
    bind_text(st, at + 3, f->rule->validator);
    bind_text(st, at + 4, f->path);
    sqlite3_bind_int64(st, at + 5, (sqlite3_int64)f->line);
    sqlite3_bind_int64(st, at + 6, (sqlite3_int64)f->column);
    sqlite3_bind_int64(st, at + 7, (sqlite3_int64)f->end_line);
    sqlite3_bind_int64(st, at + 8, (sqlite3_int64)f->end_column);
    sqlite3_bind_int(st, at + 9, (int)f->confidence);
    sqlite3_bind_int(st, at + 10, f->invalid);
    sqlite3_bind_int(st, at + 11, f->suppressed_by == LH_SUPP_INLINE ? LH_SUPP_INLINE : 0);
    bind_text(st, at + 12, dec);
    bind_text(st, at + 13, f->secret_sha256);
    bind_text(st, at + 14, f->fingerprint);
    bind_text(st, at + 15, red);
    bind_text(st, at + 16, f->meta_key[0] ? f->meta_key : NULL);
    bind_text(st, at + 17, f->meta_key[0] ? f->meta_value : NULL);
}

int lh_audit_row_bind_blob_finding(sqlite3_stmt *st, const struct lh_finding *f,
                                   const uint8_t blob[20], int64_t ruleset)
{
    sqlite3_bind_blob(st, 1, blob, 20, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, ruleset);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)f->offset);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)f->length);
    bind_common(st, 5, f);
    return 0;
}

int lh_audit_row_bind_occurrence(sqlite3_stmt *st, const struct lh_finding *f, int64_t repo)
{
    const struct lh_provenance *p = &f->prov;
    bind_common(st, 1, f);
    int at = LH_AUDIT_ROW_NCOLS + 1;
    bind_text(st, at + 0, p->commit);
    bind_text(st, at + 1, p->date);
    bind_text(st, at + 2, p->author);
    bind_text(st, at + 3, p->message);
    bind_text(st, at + 4, p->blob);
    json_t *refs = json_array();
    for (size_t i = 0; refs && i < p->refs.count; i++) {
        json_array_append_new(refs, json_string(p->refs.items[i]));
    }
    char *text = refs ? json_dumps(refs, JSON_COMPACT) : NULL;
    json_decref(refs);
    if (!text) {
        return lh_error_oom();
    }
    sqlite3_bind_text(st, at + 5, text, -1, SQLITE_TRANSIENT);
    free(text);
    sqlite3_bind_int64(st, at + 6, repo);
    return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

static int dup_col(char **out, sqlite3_stmt *st, int i)
{
    const char *t = col_text(st, i);
    *out = NULL;
    if (!t) {
        return 0;
    }
    *out = strdup(t);
    return *out ? 0 : lh_error_oom();
}

/* A stand-in rule for reports of a database whose rules are not loaded. */
static const struct lh_rule *stub_rule(struct lh_ruleset *stubs, sqlite3_stmt *st)
{
    const char *id = col_text(st, 0);
    struct lh_rule *r = lh_ruleset_find(stubs, id);
    if (r) {
        return r;
    }
    r = calloc(1, sizeof(*r));
    if (!r) {
        return NULL;
    }
    r->id = strdup(id);
    const char *name = col_text(st, 1);
    r->name = strdup(name ? name : id);
    int rc = r->id && r->name ? 0 : LH_ENOMEM;
    rc = rc ? rc : dup_col(&r->provider, st, 2);
    rc = rc ? rc : dup_col(&r->validator, st, 3);
    r->confidence = LH_CONF_LOW;
    rc = rc ? rc : lh_ruleset_add(stubs, r, "scan database");
    if (rc < 0) {
        lh_rule_free(r);
        return NULL;
    }
    return r;
}

static int read_common(struct lh_finding *f, sqlite3_stmt *st, const struct lh_ruleset *rules,
                       struct lh_ruleset *stubs)
{
    memset(f, 0, sizeof(*f));
    const char *id = col_text(st, 0);
    if (!id) {
        return 1;
    }
    f->rule = rules ? lh_ruleset_find(rules, id) : NULL;
    if (!f->rule && stubs) {
        f->rule = stub_rule(stubs, st);
        if (!f->rule) {
            return lh_error_oom();
        }
    }
    if (!f->rule) {
        return 1;
    }
    int rc = dup_col(&f->path, st, 4);
    f->line = (size_t)sqlite3_column_int64(st, 5);
    f->column = (size_t)sqlite3_column_int64(st, 6);
    f->end_line = (size_t)sqlite3_column_int64(st, 7);
    f->end_column = (size_t)sqlite3_column_int64(st, 8);
    int conf = sqlite3_column_int(st, 9);
    f->confidence =
        conf >= LH_CONF_LOW && conf <= LH_CONF_CONFIRMED ? (enum lh_confidence)conf : LH_CONF_LOW;
    f->invalid = sqlite3_column_int(st, 10) != 0;
    if (sqlite3_column_int(st, 11) == LH_SUPP_INLINE) {
        f->suppressed = true;
        f->suppressed_by = LH_SUPP_INLINE;
    }
    const char *dec = col_text(st, 12);
    for (const char *p = dec; p && *p && f->ndecoded < LH_DECODE_MAX_DEPTH;) {
        char *end = NULL;
        unsigned long k = strtoul(p, &end, 10);
        if (end == p) {
            break;
        }
        f->decoded[f->ndecoded++] = (uint8_t)k;
        p = *end == ',' ? end + 1 : end;
    }
    snprintf(f->secret_sha256, sizeof(f->secret_sha256), "%s",
             col_text(st, 13) ? col_text(st, 13) : "");
    snprintf(f->fingerprint, sizeof(f->fingerprint), "%s",
             col_text(st, 14) ? col_text(st, 14) : "");
    rc = rc ? rc : dup_col(&f->redacted, st, 15);
    if (rc == 0 && !f->redacted) {
        f->redacted = strdup("****");
        rc = f->redacted ? 0 : lh_error_oom();
    }
    if (col_text(st, 16)) {
        snprintf(f->meta_key, sizeof(f->meta_key), "%s", col_text(st, 16));
        snprintf(f->meta_value, sizeof(f->meta_value), "%s",
                 col_text(st, 17) ? col_text(st, 17) : "");
    }
    return rc;
}

int lh_audit_row_blob_finding(struct lh_finding *f, sqlite3_stmt *st, const uint8_t blob[20],
                              const struct lh_ruleset *rules)
{
    int rc = read_common(f, st, rules, NULL);
    if (rc != 0) {
        return rc;
    }
    char hex[41];
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 20; i++) {
        hex[2 * i] = digits[blob[i] >> 4];
        hex[2 * i + 1] = digits[blob[i] & 15];
    }
    hex[40] = 0;
    f->prov.blob = strdup(hex);
    if (!f->prov.blob) {
        lh_finding_dispose(f);
        return lh_error_oom();
    }
    return 0;
}

int lh_audit_row_occurrence(struct lh_finding *f, sqlite3_stmt *st, const struct lh_ruleset *rules,
                            struct lh_ruleset *stubs)
{
    int rc = read_common(f, st, rules, stubs);
    if (rc != 0) {
        return rc;
    }
    struct lh_provenance *p = &f->prov;
    int at = LH_AUDIT_ROW_NCOLS;
    rc = dup_col(&p->commit, st, at + 0);
    rc = rc ? rc : dup_col(&p->date, st, at + 1);
    rc = rc ? rc : dup_col(&p->author, st, at + 2);
    rc = rc ? rc : dup_col(&p->message, st, at + 3);
    rc = rc ? rc : dup_col(&p->blob, st, at + 4);
    const char *refs = col_text(st, at + 5);
    json_t *a = refs ? json_loads(refs, 0, NULL) : NULL;
    for (size_t i = 0; rc == 0 && json_is_array(a) && i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s && lh_strlist_push(&p->refs, s) < 0) {
            rc = lh_error_oom();
        }
    }
    json_decref(a);
    if (rc < 0) {
        lh_finding_dispose(f);
    }
    return rc;
}
