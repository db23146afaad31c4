/* SPDX-License-Identifier: MIT */
/* Findings, fingerprints, redaction and the finding list; see finding.h. */
#include "finding/finding.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lh_finding_set_secret(struct lh_finding *f, const uint8_t *secret, size_t len)
{
    f->secret = malloc(len + 1);
    if (!f->secret) {
        return lh_error_oom();
    }
    memcpy(f->secret, secret, len);
    f->secret[len] = 0;
    f->secret_len = len;
    lh_sha256_hex(f->secret_sha256, secret, len);
    lh_finding_fingerprint(f->fingerprint, f->rule->id, f->secret_sha256);
    return 0;
}

void lh_finding_fingerprint(char out[LH_FINGERPRINT_LEN + 1], const char *rule_id,
                            const char *secret_sha256)
{
    char in[512];
    char hex[LH_SHA256_HEX_LEN + 1];
    int n = snprintf(in, sizeof(in), "leakhound-fp-v1:%s:%s", rule_id, secret_sha256);
    size_t l = n < 0 ? 0 : (size_t)n >= sizeof(in) ? sizeof(in) - 1 : (size_t)n;
    lh_sha256_hex(hex, in, l);
    memcpy(out, hex, LH_FINGERPRINT_LEN);
    out[LH_FINGERPRINT_LEN] = '\0';
}

void lh_provenance_dispose(struct lh_provenance *p)
{
    free(p->commit);
    free(p->author);
    free(p->date);
    free(p->blob);
    free(p->message);
    free(p->layer);
    free(p->repository);
    lh_strlist_dispose(&p->refs);
    memset(p, 0, sizeof(*p));
}

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

int lh_provenance_copy(struct lh_provenance *dst, const struct lh_provenance *src)
{
    memset(dst, 0, sizeof(*dst));
    if (dup_opt(&dst->commit, src->commit) || dup_opt(&dst->author, src->author) ||
        dup_opt(&dst->date, src->date) || dup_opt(&dst->blob, src->blob) ||
        dup_opt(&dst->message, src->message) || dup_opt(&dst->layer, src->layer) ||
        dup_opt(&dst->repository, src->repository)) {
        lh_provenance_dispose(dst);
        return LH_ENOMEM;
    }
    for (size_t i = 0; i < src->refs.count; i++) {
        if (lh_strlist_push(&dst->refs, src->refs.items[i]) < 0) {
            lh_provenance_dispose(dst);
            return LH_ENOMEM;
        }
    }
    return 0;
}

void lh_finding_dispose(struct lh_finding *f)
{
    free(f->path);
    if (f->secret) {
        OPENSSL_cleanse(f->secret, f->secret_len);
        free(f->secret);
    }
    free(f->redacted);
    lh_provenance_dispose(&f->prov);
    memset(f, 0, sizeof(*f));
}

void lh_finding_redact(char *out, size_t cap, const struct lh_finding *f)
{
    if (!f->secret && f->redacted) {
        snprintf(out, cap, "%s", f->redacted);
        return;
    }
    lh_redact(out, cap, f->secret ? f->secret : (const uint8_t *)"", f->secret_len);
}

void lh_redact(char *out, size_t cap, const uint8_t *secret, size_t len)
{
    size_t head;
    size_t tail;
    if (cap == 0) {
        return;
    }
    if (len >= 24) {
        head = 6;
        tail = 4;
    } else if (len >= 12) {
        head = 4;
        tail = 2;
    } else {
        head = len >= 6 ? 2 : 0;
        tail = 0;
    }
    size_t o = 0;
    for (size_t i = 0; i < head && o + 1 < cap; i++) {
        uint8_t c = secret[i];
        out[o++] = (c >= 0x21 && c < 0x7f) ? (char)c : '?';
    }
    for (int i = 0; i < 4 && o + 1 < cap; i++) {
        out[o++] = '*';
    }
    for (size_t i = len - tail; i < len && o + 1 < cap; i++) {
        uint8_t c = secret[i];
        out[o++] = (c >= 0x21 && c < 0x7f) ? (char)c : '?';
    }
    out[o] = '\0';
}

void lh_findings_init(struct lh_findings *l)
{
    memset(l, 0, sizeof(*l));
    pthread_mutex_init(&l->lock, NULL);
}

void lh_findings_dispose(struct lh_findings *l)
{
    for (size_t i = 0; i < l->count; i++) {
        lh_finding_dispose(&l->items[i]);
    }
    free(l->items);
    pthread_mutex_destroy(&l->lock);
    l->items = NULL;
    l->count = l->alloc = 0;
}

int lh_findings_push(struct lh_findings *l, struct lh_finding *f)
{
    int rc = 0;
    pthread_mutex_lock(&l->lock);
    if (l->count == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 16;
        struct lh_finding *items = realloc(l->items, n * sizeof(*items));
        if (!items) {
            rc = lh_error_oom();
            goto out;
        }
        l->items = items;
        l->alloc = n;
    }
    l->items[l->count++] = *f;
    memset(f, 0, sizeof(*f));
out:
    pthread_mutex_unlock(&l->lock);
    return rc;
}

static int cmp_opt(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *pa, const void *pb)
{
    const struct lh_finding *a = pa;
    const struct lh_finding *b = pb;
    int c = cmp_opt(a->path, b->path);
    if (c) {
        return c;
    }
    if (a->line != b->line) {
        return a->line < b->line ? -1 : 1;
    }
    if (a->column != b->column) {
        return a->column < b->column ? -1 : 1;
    }
    c = strcmp(a->rule->id, b->rule->id);
    if (c) {
        return c;
    }
    c = cmp_opt(a->prov.commit, b->prov.commit);
    if (c) {
        return c;
    }
    c = cmp_opt(a->prov.layer, b->prov.layer);
    if (c) {
        return c;
    }
    c = cmp_opt(a->prov.blob, b->prov.blob);
    if (c) {
        return c;
    }
    /* a fork's occurrence is its own (reports from a scan database) */
    return cmp_opt(a->prov.repository, b->prov.repository);
}

void lh_findings_sort(struct lh_findings *l)
{
    if (l->count < 2) {
        return;
    }
    qsort(l->items, l->count, sizeof(*l->items), cmp_finding);
    size_t w = 1;
    for (size_t i = 1; i < l->count; i++) {
        if (cmp_finding(&l->items[w - 1], &l->items[i]) == 0 &&
            l->items[w - 1].length == l->items[i].length) {
            lh_finding_dispose(&l->items[i]);
            continue;
        }
        l->items[w++] = l->items[i];
    }
    l->count = w;
}

const char *lh_suppression_name(enum lh_suppression s)
{
    switch (s) {
    case LH_SUPP_INLINE:
        return "inline";
    case LH_SUPP_BASELINE:
        return "baseline";
    case LH_SUPP_CONFIDENCE:
        return "min-confidence";
    case LH_SUPP_TRIAGE:
        return "triage";
    default:
        return "";
    }
}
