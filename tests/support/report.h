/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the report, baseline, config and inline-allow tests: a temporary directory
 * per test, files written with one token substituted (no printf on test data), checksum-
 * valid GitHub tokens, JSON runs of the binary and SARIF validation against the official
 * schema kept in fixtures/. Header-only (static inline) so every test file stands alone.
 */
#ifndef LH_TEST_SUPPORT_REPORT_H
#define LH_TEST_SUPPORT_REPORT_H

#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_SCHEMA LH_SOURCE_DIR "/fixtures/sarif-schema-2.1.0.json"

/* Checksum-valid (never issued) GitHub classic tokens: distinct bodies, distinct secrets. */
static inline void rt_token(char out[41], int which)
{
    static const char *const bodies[] = {
        "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0",
        "Hb7Tq2Wm9Lx4Cv8Np3Rz6Kd1Fs5Gy0",
        "Pw4Nc8Rv1Lk6Tq3Xz9Bm2Hd7Js5Fy0",
        "Mt6Kq1Vz8Rb3Wn5Lc9Xp2Hf7Dj4Gs0",
    };
    lh_make_github_token(out, "ghp_", bodies[which % 4]);
}

/* Writes dir/rel with the first "%s" of tmpl replaced by arg (tmpl is not a format). */
static inline void rt_put(const char *dir, const char *rel, const char *tmpl, const char *arg)
{
    size_t cap = strlen(tmpl) + (arg ? strlen(arg) : 0) + 1;
    char *buf = malloc(cap);
    cr_assert(buf != NULL);
    const char *p = arg ? strstr(tmpl, "%s") : NULL;
    if (p) {
        size_t head = (size_t)(p - tmpl);
        memcpy(buf, tmpl, head);
        memcpy(buf + head, arg, strlen(arg));
        memcpy(buf + head + strlen(arg), p + 2, strlen(p + 2) + 1);
    } else {
        memcpy(buf, tmpl, strlen(tmpl) + 1);
    }
    lh_write_file(dir, rel, buf, strlen(buf));
    free(buf);
}

/* Path dir/rel in a static buffer (one at a time). */
static inline const char *rt_path(const char *dir, const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", dir, rel);
    return buf;
}

/* Parses a run's stdout as JSON; fails the test if it is not. Caller decrefs. */
static inline json_t *rt_json(const struct lh_run *r)
{
    json_error_t je;
    json_t *j = json_loads(r->out, 0, &je);
    cr_assert(j != NULL, "stdout is not JSON (%s): %s\nstderr: %s", je.text, r->out, r->err);
    return j;
}

/* Number of elements of a JSON array report (the json format). */
static inline size_t rt_count(const struct lh_run *r)
{
    json_t *j = rt_json(r);
    cr_assert(eq(int, json_is_array(j) ? 1 : 0, 1), "%s", r->out);
    size_t n = json_array_size(j);
    json_decref(j);
    return n;
}

/* Validates a SARIF file against the official 2.1.0 schema; 0 when valid. */
static inline int rt_sarif_validate(const char *dir, const char *file)
{
    return lh_sh(dir,
                 "python3 -c 'import json, sys, jsonschema\n"
                 "schema = json.load(open(sys.argv[1]))\n"
                 "doc = json.load(open(sys.argv[2]))\n"
                 "jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())\n"
                 "' '%s' '%s'",
                 RT_SCHEMA, file);
}

/*
 * The fixture most of these suites share: per test, a fresh temporary directory `dir` and
 * two distinct checksum-valid tokens `tok` and `tok2`; declares TestSuite(suite).
 */
#define RT_FIXTURE(suite)                                                                          \
    static char *dir;                                                                              \
    static char tok[41];                                                                           \
    static char tok2[41];                                                                          \
    static void rt_setup(void)                                                                     \
    {                                                                                              \
        dir = lh_tmpdir();                                                                         \
        cr_assert(dir != NULL);                                                                    \
        rt_token(tok, 0);                                                                          \
        rt_token(tok2, 1);                                                                         \
    }                                                                                              \
    static void rt_teardown(void)                                                                  \
    {                                                                                              \
        lh_rmtree(dir);                                                                            \
        free(dir);                                                                                 \
    }                                                                                              \
    TestSuite(suite, .init = rt_setup, .fini = rt_teardown)

/* Number of lines of s (a final line without newline counts). */
static inline size_t rt_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

#endif
