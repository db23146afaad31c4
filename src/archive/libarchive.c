/* SPDX-License-Identifier: MIT */
/* The lazily loaded libarchive; see libarchive.h. */
#include "archive/libarchive.h"

#include "util/dynlib.h"

struct lh_libarchive lh_libarchive_api;

static const struct lh_dynlib_sym syms[] = {
#define LH_LIBARCHIVE_SYM(f) {#f, offsetof(struct lh_libarchive, fn_##f)},
    LH_LIBARCHIVE_FUNCTIONS(LH_LIBARCHIVE_SYM)
#undef LH_LIBARCHIVE_SYM
};

static struct lh_dynlib lib = LH_DYNLIB_INIT(LH_LIBARCHIVE_SONAME, syms, &lh_libarchive_api, NULL);

int lh_libarchive_load(void)
{
    return lh_dynlib_load(&lib, "archives");
}
