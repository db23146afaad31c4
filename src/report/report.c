/* SPDX-License-Identifier: MIT */
/* Writer table and the summary line; see report.h. */
#include "report/report.h"

#include <string.h>

extern const struct lh_report_ops lh_report_text_ops;
extern const struct lh_report_ops lh_report_json_ops;
extern const struct lh_report_ops lh_report_jsonl_ops;

static const struct lh_report_ops *const writers[] = {
    &lh_report_text_ops,
    &lh_report_json_ops,
    &lh_report_jsonl_ops,
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
    return "text json jsonl";
}

void lh_report_summary_line(char *out, size_t cap, const struct lh_findings *l,
                            const struct lh_report_summary *s, bool show_invalid)
{
    size_t confirmed = 0;
    size_t probable = 0;
    size_t low = 0;
    size_t invalid = 0;
    size_t suppressed = 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (f->suppressed) {
            suppressed++;
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
    int n = snprintf(out, cap,
                     "%zu finding%s (%zu confirmed, %zu probable, %zu low) in %zu %s "
                     "(%.1f MB) in %.2f s",
                     total, total == 1 ? "" : "s", confirmed, probable, low, s->files,
                     s->unit ? s->unit : "files", (double)s->bytes / 1e6, s->seconds);
    size_t off = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap;
    if (suppressed && off < cap) {
        n = snprintf(out + off, cap - off, "; %zu suppressed", suppressed);
        off += n < 0 ? 0 : (size_t)n;
    }
    if (show_invalid && invalid && off < cap) {
        n = snprintf(out + off, cap - off, "; %zu invalid", invalid);
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
