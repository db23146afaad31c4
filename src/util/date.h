/* SPDX-License-Identifier: MIT */
/*
 * Dates as a user types them for `history --since`: an ISO 8601 date or date-time
 * ("2024-05-01", "2024-05-01T12:30", "2024-05-01 12:30:15Z", "...+02:00"), "@<Unix
 * seconds>", or a relative "<N> <unit>[s] ago" (seconds to years; a month is 30 days, a
 * year 365, as git's approxidate counts them). A date or time without a zone is local time,
 * as in git. Deliberately not git's whole approxidate ("last friday", "noon yesterday"):
 * what is accepted is exact, and anything else is not a date.
 */
#ifndef LH_UTIL_DATE_H
#define LH_UTIL_DATE_H

#include "util/error.h"

#include <stdint.h>

/*
 * Parses s into Unix seconds, relative forms counted back from `now`. Returns 0;
 * LH_ENOTFOUND when s is not written as a date at all (a caller may then take it as a
 * revision); LH_EINVAL when it is written as one but is not valid ("2024-02-30", "5
 * fortnights ago"), with a message quoting s. Pure apart from the time zone; thread-safe.
 */
int lh_date_parse(int64_t *out, const char *s, int64_t now) LH_WUR;

#endif
