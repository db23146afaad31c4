/* SPDX-License-Identifier: MIT */
/* lh_date_parse: the forms --since accepts, their exact values, and what is refused. */
#include "util/date.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <time.h>

#define NOW ((int64_t)1700000000) /* 2023-11-14T22:13:20Z */

static void utc(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
}

TestSuite(date, .init = utc);

Test(date, absolute_forms)
{
    static const struct {
        const char *in;
        int64_t want;
    } cases[] = {
        {"2023-11-14", 1699920000},
        {"2023-11-14T22:13:20Z", 1700000000},
        {"2023-11-14T22:13Z", 1699999980},
        {"2023-11-14 22:13:20z", 1700000000},
        {"2023-11-14T23:13:20+01:00", 1700000000},
        {"2023-11-14T23:13:20+0100", 1700000000},
        {"2023-11-14T20:13:20-02", 1700000000},
        {"2024-02-29", 1709164800},
        {"1970-01-01T00:00:00Z", 0},
        {"@1700000000", 1700000000},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = -1;
        cr_assert(eq(int, lh_date_parse(&v, cases[i].in, NOW), 0), "%s", cases[i].in);
        cr_assert(eq(i64, v, cases[i].want), "%s", cases[i].in);
    }
    /* no zone: local time */
    setenv("TZ", "EST5", 1);
    tzset();
    int64_t v = 0;
    cr_assert(eq(int, lh_date_parse(&v, "2023-11-14", NOW), 0));
    cr_assert(eq(i64, v, 1699920000 + 5 * 3600));
}

Test(date, relative_forms)
{
    static const struct {
        const char *in;
        int64_t back;
    } cases[] = {
        {"1 second ago", 1},      {"90 minutes ago", 5400}, {"2 hours ago", 7200},
        {"3 days ago", 259200},   {"2 weeks ago", 1209600}, {"1 month ago", 2592000},
        {"1 year ago", 31536000}, {"3.days.ago", 259200},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 0;
        cr_assert(eq(int, lh_date_parse(&v, cases[i].in, NOW), 0), "%s", cases[i].in);
        cr_assert(eq(i64, v, NOW - cases[i].back), "%s", cases[i].in);
    }
}

Test(date, invalid_dates_and_revisions)
{
    static const char *const invalid[] = {
        "2023-02-29",          "2023-13-01",       "2023-11-31",
        "2023-11-14T24:00",    "2023-11-14T12:60", "2023-11-14T12:00:61",
        "2023-11-14T12:00+25", "2023-11-14x",      "2023-1-14",
        "3 fortnights ago",    "3 days",           "@12ab",
        "99999999 years ago",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        int64_t v = 0;
        cr_assert(eq(int, lh_date_parse(&v, invalid[i], NOW), LH_EINVAL), "%s", invalid[i]);
        cr_assert(strstr(lh_error_get(), invalid[i]) != NULL, "%s", lh_error_get());
    }
    /* not dates at all: revisions */
    static const char *const revs[] = {"main", "v1.2", "HEAD~3", "origin/main", "abc1234", "2023"};
    for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]); i++) {
        int64_t v = 0;
        cr_assert(eq(int, lh_date_parse(&v, revs[i], NOW), LH_ENOTFOUND), "%s", revs[i]);
    }
}
