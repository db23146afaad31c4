/* SPDX-License-Identifier: MIT */
/*
 * Option values: how each kind of argument (opt.h) is checked and stored at its entry's
 * offset, and how it is named in help and messages. A bad value is one usage-error line that
 * names the option, what it takes and what was given.
 */
#include "cli/common.h"
#include "cli/exit.h"
#include "cli/opt.h"
#include "report/multi.h"
#include "rules/rule.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *lh_cli_metavar(const struct lh_cli_option *o)
{
    if (o->metavar) {
        return o->metavar;
    }
    switch (o->arg) {
    case LH_ARG_FLAG:
        return "";
    case LH_ARG_CHOICE:
        return o->choices;
    case LH_ARG_CONFIDENCE:
        return "LEVEL";
    case LH_ARG_SIZE:
    case LH_ARG_SIZE64:
        return "SIZE";
    case LH_ARG_SECONDS:
    case LH_ARG_DURATION:
        return "SECONDS";
    case LH_ARG_NUMBER:
    case LH_ARG_U32:
    case LH_ARG_UINT:
    case LH_ARG_U64:
    case LH_ARG_EXIT_STATUS:
        return "N";
    default:
        return "VALUE";
    }
}

/* "auto|always|never" -> "auto, always or never" */
void lh_cli_choice_words(char *out, size_t cap, const char *choices)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = choices; *p && n + 8 < cap; p++) {
        if (*p != '|') {
            out[n++] = *p;
            continue;
        }
        const char *sep = strchr(p + 1, '|') ? ", " : " or ";
        size_t sl = strlen(sep);
        memcpy(out + n, sep, sl);
        n += sl;
    }
    out[n] = '\0';
}

static bool in_choices(const char *choices, const char *v)
{
    size_t vl = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vl && !strncmp(p, v, n)) {
            return true;
        }
        p += n + (bar ? 1 : 0);
    }
    return false;
}

/* A byte count as a size argument would be written: 256M, 16G, 64. */
static void size_name(char *out, size_t cap, double v)
{
    unsigned long long n = (unsigned long long)v;
    const char *suffix = "KMGT";
    int i = -1;
    while (i < 3 && n >= 1024 && n % 1024 == 0) {
        n /= 1024;
        i++;
    }
    snprintf(out, cap, "%llu%.*s", n, i >= 0 ? 1 : 0, i >= 0 ? suffix + i : "");
}

static int check_string(const char *cmd, const struct lh_cli_option *o, const char *v)
{
    if (o->check == LH_CHECK_URL && strncmp(v, "https://", 8) != 0 &&
        strncmp(v, "http://", 7) != 0) {
        return lh_cli_usage_error(cmd, "--%s must start with https:// or http://, not '%s'",
                                  o->name, v);
    }
    if (o->check == LH_CHECK_SLASH && v[0] != '/') {
        return lh_cli_usage_error(cmd, "--%s must start with '/', not '%s'", o->name, v);
    }
    if (o->check == LH_CHECK_REPORT) {
        struct lh_report_dest d;
        int rc = lh_report_dest_parse(&d, v);
        lh_report_dest_dispose(&d);
        if (rc < 0) {
            return lh_cli_usage_error(cmd, "--%s: %s", o->name, lh_error_get());
        }
    }
    return 0;
}

/* A size argument in [o->lo, o->hi] into *out; prints the error. */
static int size_arg(uint64_t *out, const char *cmd, const struct lh_cli_option *o, const char *v)
{
    size_t n = 0;
    if (lh_cli_parse_size(&n, v) < 0 || (double)n < o->lo || (double)n > o->hi) {
        char lo[32];
        char hi[32];
        size_name(lo, sizeof(lo), o->lo);
        size_name(hi, sizeof(hi), o->hi);
        return lh_cli_usage_error(cmd, "--%s takes a size from %s to %s (such as 25M), not '%s'",
                                  o->name, lo, hi, v);
    }
    *out = n;
    return 0;
}

/* A count in [o->lo, o->hi]; digits only for the kinds that want them (no suffixes). */
static int number_arg(uint64_t *out, const char *cmd, const struct lh_cli_option *o, const char *v)
{
    bool digits_only =
        o->arg == LH_ARG_UINT || o->arg == LH_ARG_U64 || o->arg == LH_ARG_EXIT_STATUS;
    bool digits = v[0] && strspn(v, "0123456789") == strlen(v) && strlen(v) <= 12;
    size_t n = 0;
    if ((digits_only && !digits) || lh_cli_parse_size(&n, v) < 0 || (double)n < o->lo ||
        (double)n > o->hi) {
        return lh_cli_usage_error(cmd, "--%s takes a number from %.0f to %.0f, not '%s'", o->name,
                                  o->lo, o->hi, v);
    }
    *out = n;
    return 0;
}

/* Seconds: (lo, hi] for LH_ARG_SECONDS; [lo, hi] with an "s" or "m" suffix for durations. */
static int seconds_arg(double *out, const char *cmd, const struct lh_cli_option *o, const char *v)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    bool duration = o->arg == LH_ARG_DURATION;
    if (duration && end != v && (*end == 's' || *end == 'm') && end[1] == '\0') {
        d *= *end == 'm' ? 60 : 1;
        end++;
    }
    bool in_range = duration ? d >= o->lo && d <= o->hi : d > o->lo && d <= o->hi;
    if (end == v || *end || errno || !isfinite(d) || !in_range) {
        return lh_cli_usage_error(cmd, "--%s takes seconds%s between %.0f and %.0f, not '%s'",
                                  o->name, duration ? " (or 2m)" : "", o->lo, o->hi, v);
    }
    *out = d;
    return 0;
}

int lh_cli_store(const char *cmd, const struct lh_cli_option *o, void *base, const char *v)
{
    void *at = (char *)base + o->offset;
    char words[160];
    uint64_t n = 0;
    switch (o->arg) {
    case LH_ARG_FLAG:
        *(bool *)at = true;
        return 0;
    case LH_ARG_STRING:
        if (check_string(cmd, o, v)) {
            return LH_EXIT_USAGE;
        }
        *(const char **)at = v;
        return 0;
    case LH_ARG_LIST:
        if (check_string(cmd, o, v)) {
            return LH_EXIT_USAGE;
        }
        if (lh_strlist_push(at, v) < 0) {
            lh_cli_error("out of memory");
            return LH_EXIT_IO;
        }
        return 0;
    case LH_ARG_CHOICE:
        if (!in_choices(o->choices, v)) {
            lh_cli_choice_words(words, sizeof(words), o->choices);
            return lh_cli_usage_error(cmd, "--%s takes %s, not '%s'", o->name, words, v);
        }
        *(const char **)at = v;
        return 0;
    case LH_ARG_CONFIDENCE:
        if (lh_confidence_parse(at, v) < 0) {
            return lh_cli_usage_error(cmd, "--%s takes confirmed, probable or low, not '%s'",
                                      o->name, v);
        }
        return 0;
    case LH_ARG_SIZE:
    case LH_ARG_SIZE64:
        if (size_arg(&n, cmd, o, v)) {
            return LH_EXIT_USAGE;
        }
        if (o->arg == LH_ARG_SIZE) {
            *(size_t *)at = (size_t)n;
        } else {
            *(uint64_t *)at = n;
        }
        return 0;
    case LH_ARG_NUMBER:
    case LH_ARG_U32:
    case LH_ARG_UINT:
    case LH_ARG_U64:
    case LH_ARG_EXIT_STATUS:
        if (number_arg(&n, cmd, o, v)) {
            return LH_EXIT_USAGE;
        }
        if (o->arg == LH_ARG_NUMBER) {
            *(size_t *)at = (size_t)n;
        } else if (o->arg == LH_ARG_U32) {
            *(uint32_t *)at = (uint32_t)n;
        } else if (o->arg == LH_ARG_UINT) {
            *(unsigned *)at = (unsigned)n;
        } else if (o->arg == LH_ARG_U64) {
            *(uint64_t *)at = n;
        } else {
            *(int *)at = (int)n;
        }
        return 0;
    case LH_ARG_SECONDS:
    case LH_ARG_DURATION:
        return seconds_arg(at, cmd, o, v) ? LH_EXIT_USAGE : 0;
    }
    return LH_EXIT_USAGE;
}
