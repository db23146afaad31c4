/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the inputs of `history` that come from outside a repository: git's pre-push
 * protocol on stdin (lh_git_push_parse) and the --since date (lh_date_parse). Invariants: a
 * failed parse leaves the update list empty with a message that never quotes the input; a
 * successful one holds no more updates than non-blank lines, and every ref name is a
 * non-empty string without control characters or spaces. A date either parses or says why.
 */
#include "fuzz/common.h"
#include "source/git_range.h"
#include "util/date.h"

#include <stdlib.h>
#include <string.h>

static void check_push(const uint8_t *data, size_t size)
{
    static int loaded = -1;
    if (loaded < 0) {
        loaded = lh_libgit2_load("fuzz") == 0 ? 1 : 0;
    }
    if (!loaded) {
        return;
    }
    struct lh_git_push p;
    int rc = lh_git_push_parse(&p, (const char *)data, size);
    if (rc < 0) {
        LH_FUZZ_CHECK(p.count == 0 && p.items == NULL);
        LH_FUZZ_CHECK(strncmp(lh_error_get(), "pre-push input", 14) == 0);
        return;
    }
    size_t lines = 0;
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n';
    }
    LH_FUZZ_CHECK(p.count <= lines + 1);
    for (size_t i = 0; i < p.count; i++) {
        const char *refs[2] = {p.items[i].local_ref, p.items[i].remote_ref};
        for (int k = 0; k < 2; k++) {
            LH_FUZZ_CHECK(refs[k] && refs[k][0]);
            for (const char *c = refs[k]; *c; c++) {
                LH_FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f && *c != ' ');
            }
        }
    }
    lh_git_push_dispose(&p);
}

static void check_date(const uint8_t *data, size_t size)
{
    char s[256];
    size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    int64_t t = 0;
    int rc = lh_date_parse(&t, s, 1700000000);
    LH_FUZZ_CHECK(rc == 0 || rc == LH_ENOTFOUND || rc == LH_EINVAL);
    if (rc == LH_EINVAL) {
        LH_FUZZ_CHECK(strstr(lh_error_get(), "invalid date") != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_push(data, size);
    check_date(data, size);
    return 0;
}
