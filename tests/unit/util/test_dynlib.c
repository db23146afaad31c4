/* SPDX-License-Identifier: MIT */
/*
 * util/dynlib: resolving functions into a table, and each way loading fails (no such
 * library, a file that is no library, a missing symbol) reported through the error
 * buffer without touching the thread's error message.
 */
#include "support/support.h"
#include "util/dynlib.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct libc_table {
    size_t (*strlen_)(const char *s);
    int (*abs_)(int v);
};

static const struct lh_dynlib_sym libc_syms[] = {
    LH_DYNLIB_SYM(struct libc_table, strlen_, "strlen"),
    LH_DYNLIB_SYM(struct libc_table, abs_, "abs"),
};

Test(dynlib, resolves_every_function_into_the_table)
{
    struct libc_table t = {0};
    char err[256] = "untouched";
    cr_assert(eq(int, lh_dynlib_open(&t, "libc.so.6", libc_syms, 2, err, sizeof(err)), 0));
    cr_assert(eq(str, err, ""));
    cr_assert(t.strlen_ != NULL && t.abs_ != NULL);
    cr_assert(eq(sz, t.strlen_("leakhound"), 9));
    cr_assert(eq(int, t.abs_(-7), 7));
}

Test(dynlib, reports_a_missing_library)
{
    struct libc_table t = {0};
    char err[256];
    lh_error_set("earlier message");
    int rc =
        lh_dynlib_open(&t, "libleakhound-no-such-library.so.9", libc_syms, 2, err, sizeof(err));
    cr_assert(eq(int, rc, LH_EIO));
    cr_assert(strstr(err, "libleakhound-no-such-library.so.9") != NULL, "%s", err);
    cr_assert(strchr(err, '\n') == NULL, "%s", err);
    cr_assert(eq(str, (char *)lh_error_get(), "earlier message"));
}

Test(dynlib, reports_a_file_that_is_no_library)
{
    char *d = lh_tmpdir();
    cr_assert(d != NULL);
    lh_write_file(d, "libbogus.so.1", "not a library\n", 14);
    char path[4096];
    snprintf(path, sizeof(path), "%s/libbogus.so.1", d);
    struct libc_table t = {0};
    char err[256];
    cr_assert(eq(int, lh_dynlib_open(&t, path, libc_syms, 2, err, sizeof(err)), LH_EIO));
    cr_assert(strstr(err, path) != NULL, "%s", err);
    lh_rmtree(d);
    free(d);
}

Test(dynlib, reports_a_missing_symbol_by_name)
{
    static const struct lh_dynlib_sym syms[] = {
        LH_DYNLIB_SYM(struct libc_table, strlen_, "strlen"),
        LH_DYNLIB_SYM(struct libc_table, abs_, "lh_no_such_function"),
    };
    struct libc_table t = {0};
    char err[256];
    cr_assert(eq(int, lh_dynlib_open(&t, "libc.so.6", syms, 2, err, sizeof(err)), LH_EIO));
    cr_assert(strstr(err, "lh_no_such_function") != NULL, "%s", err);
}

Test(dynlib, truncates_the_message_to_the_buffer)
{
    struct libc_table t = {0};
    char err[8];
    int rc =
        lh_dynlib_open(&t, "libleakhound-no-such-library.so.9", libc_syms, 2, err, sizeof(err));
    cr_assert(eq(int, rc, LH_EIO));
    cr_assert(eq(sz, strlen(err), 7));
}
