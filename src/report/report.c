/* SPDX-License-Identifier: MIT */
/* Writer table and the summary line; see report.h. */
#include "report/report.h"

#include "util/buf.h"

#include <string.h>

extern const struct lh_report_ops lh_report_text_ops;
extern const struct lh_report_ops lh_report_json_ops;
extern const struct lh_report_ops lh_report_jsonl_ops;
extern const struct lh_report_ops lh_report_sarif_ops;
extern const struct lh_report_ops lh_report_github_ops;
extern const struct lh_report_ops lh_report_gitlab_ops;

static const struct lh_report_ops *const writers[] = {
    &lh_report_text_ops,
    &lh_report_json_ops,
    &lh_report_jsonl_ops,
    &lh_report_sarif_ops,
    &lh_report_github_ops,
    &lh_report_gitlab_ops,
    NULL,
};

const struct lh_report_ops *lh_report_find(const char *format)
{
    for (size_t i = 0; writers[i]; i++) {
        if (!strcmp(writers[i]->name, format)) {
            return writers[i];
        }
    }
    return NULL;
}

const char *lh_report_formats(void)
{
    return "text json jsonl sarif github gitlab";
}

void lh_report_decoded_text(char *out, size_t cap, const struct lh_finding *f)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < f->ndecoded && n < cap; i++) {
        int w =
            snprintf(out + n, cap - n, "%s%s", i ? " > " : "", lh_decode_kind_name(f->decoded[i]));
        n += w > 0 ? (size_t)w : 0;
    }
}

void lh_report_summary_line(char *out, size_t cap, const struct lh_findings *l,
                            const struct lh_report_summary *s, bool show_invalid)
{
    size_t confirmed = 0;
    size_t probable = 0;
    size_t low = 0;
    size_t invalid = 0;
    size_t suppressed = 0;
    size_t by[LH_SUPP_TRIAGE + 1] = {0};
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (f->suppressed) {
            suppressed++;
            by[f->suppressed_by <= LH_SUPP_TRIAGE ? f->suppressed_by : LH_SUPP_NONE]++;
        } else if (f->invalid) {
            invalid++;
        } else if (f->confidence == LH_CONF_CONFIRMED) {
            confirmed++;
        } else if (f->confidence == LH_CONF_PROBABLE) {
            probable++;
        } else {
            low++;
        }
    }
    size_t total = confirmed + probable + low;
    const char *unit = s->unit ? s->unit : "files";
    size_t ulen = strlen(unit);
    /* "1 file", "1 blob": drop the plural s of the unit */
    int ushow = s->files == 1 && ulen > 1 && unit[ulen - 1] == 's' ? (int)ulen - 1 : (int)ulen;
    int n = snprintf(out, cap,
                     "%zu finding%s (%zu confirmed, %zu probable, %zu low) in %zu %.*s "
                     "(%.1f MB) in %.2f s",
                     total, total == 1 ? "" : "s", confirmed, probable, low, s->files, ushow, unit,
                     (double)s->bytes / 1e6, s->seconds);
    size_t off = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap;
    if (suppressed && off < cap) {
        /* suppressions are visible: a pull request cannot add a `leakhound:allow` unnoticed */
        char triaged[64] = "";
        if (by[LH_SUPP_TRIAGE]) {
            snprintf(triaged, sizeof(triaged), ", %zu triaged in the scan database",
                     by[LH_SUPP_TRIAGE]);
        }
        n = snprintf(out + off, cap - off,
                     "; %zu suppressed (%zu inline allow, %zu baseline, %zu "
                     "below --min-confidence%s)",
                     suppressed, by[LH_SUPP_INLINE], by[LH_SUPP_BASELINE], by[LH_SUPP_CONFIDENCE],
                     triaged);
        off += n < 0 ? 0 : (size_t)n;
    }
    if (show_invalid && invalid && off < cap) {
        n = snprintf(out + off, cap - off, "; %zu invalid", invalid);
        off += n < 0 ? 0 : (size_t)n;
    }
    if (s->incremental && off < cap) {
        n = snprintf(out + off, cap - off, "; %zu blob%s skipped (scanned before, in the database)",
                     s->skipped_known, s->skipped_known == 1 ? "" : "s");
        off += n < 0 ? 0 : (size_t)n;
    }
    if ((s->skipped_binary || s->skipped_large || s->skipped_other) && off < cap) {
        n = snprintf(out + off, cap - off, "; skipped %zu binary, %zu too large, %zu other",
                     s->skipped_binary, s->skipped_large, s->skipped_other);
        off += n < 0 ? 0 : (size_t)n;
    }
    if (s->errors && off < cap) {
        snprintf(out + off, cap - off, "; %zu unreadable", s->errors);
    }
}

size_t lh_report_utf8_len(const uint8_t *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    uint8_t c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    /* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        return 0;
    }
    return len;
}

bool lh_report_under_root(struct lh_buf *out, const char *prefix, const char *path)
{
    const char *parts[2] = {prefix, path};
    for (int k = 0; k < 2; k++) {
        for (const char *p = parts[k]; *p;) {
            const char *end = strchr(p, '/');
            size_t n = end ? (size_t)(end - p) : strlen(p);
            if (n == 2 && p[0] == '.' && p[1] == '.') {
                if (!out->len) {
                    return false; /* above the root */
                }
                while (out->len && out->ptr[out->len - 1] != '/') {
                    out->len--;
                }
                out->len -= out->len ? 1 : 0; /* the '/' before the dropped segment */
            } else if (n && !(n == 1 && p[0] == '.')) {
                if ((out->len && lh_buf_putc(out, '/') < 0) || lh_buf_put(out, p, n) < 0) {
                    return false;
                }
            }
            p += n + (end ? 1 : 0);
        }
    }
    return true;
}
