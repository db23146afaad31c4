/* SPDX-License-Identifier: MIT */
/* Dates for --since; see date.h. */
#include "util/date.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads exactly n digits at *p into *v and advances; false if they are not all digits. */
static bool digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) {
            return false;
        }
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int invalid(const char *s)
{
    lh_error_set("invalid date '%.80s' (expected YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM], @SECONDS "
                 "or 'N days ago')",
                 s);
    return LH_EINVAL;
}

static int parse_iso(int64_t *out, const char *s)
{
    const char *p = s;
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int sec = 0;
    digits(&p, 4, &y);
    p++; /* '-', checked by the caller */
    if (!digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d)) {
        return invalid(s);
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
        return invalid(s);
    }
    bool has_time = false;
    if ((*p == 'T' || *p == ' ') && p[1]) {
        p++;
        has_time = true;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi)) {
            return invalid(s);
        }
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec)) {
                return invalid(s);
            }
        }
        if (h > 23 || mi > 59 || sec > 59) {
            return invalid(s);
        }
    }
    bool has_zone = false;
    int64_t offset = 0;
    if (has_time && (*p == 'Z' || *p == 'z')) {
        p++;
        has_zone = true;
    } else if (has_time && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;
        int oh = 0;
        int om = 0;
        if (!digits(&p, 2, &oh)) {
            return invalid(s);
        }
        if (*p == ':') {
            p++;
        }
        if (isdigit((unsigned char)*p) && !digits(&p, 2, &om)) {
            return invalid(s);
        }
        if (oh > 23 || om > 59) {
            return invalid(s);
        }
        has_zone = true;
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*p) {
        return invalid(s);
    }
    if (has_zone) {
        *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
        return 0;
    }
    /* no zone: local time, as git reads it */
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1) {
        return invalid(s);
    }
    *out = (int64_t)t;
    return 0;
}

static const struct {
    const char *name;
    int64_t seconds;
} units[] = {
    {"second", 1},       {"minute", 60},        {"hour", 3600},        {"day", 86400},
    {"week", 7 * 86400}, {"month", 30 * 86400}, {"year", 365 * 86400},
};

static int parse_relative(int64_t *out, const char *s, int64_t now)
{
    const char *p = s;
    int64_t n = 0;
    while (isdigit((unsigned char)*p)) {
        if (n > 1000000) {
            return invalid(s);
        }
        n = n * 10 + (*p++ - '0');
    }
    while (*p == ' ' || *p == '.') {
        p++;
    }
    const char *w = p;
    while (isalpha((unsigned char)*p)) {
        p++;
    }
    size_t wl = (size_t)(p - w);
    if (wl > 1 && w[wl - 1] == 's') {
        wl--; /* plural */
    }
    int64_t unit = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].name) == wl && !strncmp(units[i].name, w, wl)) {
            unit = units[i].seconds;
        }
    }
    while (*p == ' ' || *p == '.') {
        p++;
    }
    if (!unit || strcmp(p, "ago") != 0) {
        return invalid(s);
    }
    *out = now - n * unit;
    return 0;
}

int lh_date_parse(int64_t *out, const char *s, int64_t now)
{
    const char *p = s;
    if (s[0] == '@' && s[1]) {
        p = s + 1;
        int64_t v = 0;
        for (; *p; p++) {
            if (!isdigit((unsigned char)*p) || v > INT64_MAX / 10 - 10) {
                return invalid(s);
            }
            v = v * 10 + (*p - '0');
        }
        *out = v;
        return 0;
    }
    size_t nd = strspn(s, "0123456789");
    if (nd == 4 && s[4] == '-') {
        return parse_iso(out, s);
    }
    /* "3 days ago", "3.days.ago": digits, then separators and a letter */
    size_t sep = nd + strspn(s + nd, " .");
    if (nd > 0 && sep > nd && isalpha((unsigned char)s[sep])) {
        return parse_relative(out, s, now);
    }
    return LH_ENOTFOUND;
}
