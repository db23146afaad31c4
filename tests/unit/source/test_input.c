/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for what every input shares (source/input.h): the reported path of an origin
 * chain, the nearest blob id, exclude globs, the binary test, and skip/error accounting
 * with the warning each one gives.
 */
#include "source/input.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

Test(input, origin_path_of_a_top_level_item_is_borrowed)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    struct lh_origin o = {.kind = LH_ORIGIN_FILE, .path = "src/a.c"};
    cr_assert(lh_origin_path(&o, &b) == o.path);
    cr_assert(eq(sz, b.alloc, 0), "no allocation for the common case");
    cr_assert(eq(sz, lh_origin_depth(&o), 1));
    cr_assert(lh_origin_blob(&o) == NULL);
    lh_buf_dispose(&b);
}

Test(input, origin_chain_joins_paths_and_skips_links_without_one)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    struct lh_origin image = {.kind = LH_ORIGIN_FILE, .path = "img.tar"};
    struct lh_origin layer = {.kind = LH_ORIGIN_LAYER, .id = "sha256:ab", .parent = &image};
    struct lh_origin jar = {.kind = LH_ORIGIN_MEMBER, .path = "app/app.jar", .parent = &layer};
    struct lh_origin yml = {.kind = LH_ORIGIN_MEMBER, .path = "BOOT-INF/a.yml", .parent = &jar};
    cr_assert(eq(str, (char *)lh_origin_path(&yml, &b), "img.tar!/app/app.jar!/BOOT-INF/a.yml"));
    cr_assert(eq(sz, lh_origin_depth(&yml), 4));
    cr_assert(lh_origin_blob(&yml) == NULL, "no blob in this chain");
    /* the scratch is reused: a shorter chain after a longer one */
    cr_assert(eq(str, (char *)lh_origin_path(&jar, &b), "img.tar!/app/app.jar"));
    lh_buf_dispose(&b);
}

Test(input, origin_blob_is_the_nearest_in_the_chain)
{
    struct lh_origin outer = {.kind = LH_ORIGIN_BLOB, .path = "a.zip", .id = "1111"};
    struct lh_origin inner = {
        .kind = LH_ORIGIN_BLOB, .path = "b.zip", .id = "2222", .parent = &outer};
    struct lh_origin member = {.kind = LH_ORIGIN_MEMBER, .path = "c.txt", .parent = &inner};
    cr_assert(eq(str, (char *)lh_origin_blob(&member), "2222"));
    cr_assert(eq(str, (char *)lh_origin_blob(&outer), "1111"));
}

Test(input, excluded_matches_globs_and_ignores_a_dot_slash)
{
    const char *globs[] = {"vendor/*", "*.min.js"};
    struct lh_input_env env = {.exclude = globs, .nexclude = 2};
    cr_assert(lh_input_excluded(&env, "vendor/x/y.go"), "'*' crosses '/'");
    cr_assert(lh_input_excluded(&env, "./vendor/a"));
    cr_assert(lh_input_excluded(&env, "web/app.min.js"));
    cr_assert(lh_input_excluded(&env, "src/vendor.go") == false);
    struct lh_input_env none = {0};
    cr_assert(lh_input_excluded(&none, "anything") == false);
}

Test(input, binary_is_a_nul_in_the_first_8000_bytes)
{
    uint8_t *buf = calloc(1, 9000);
    cr_assert(buf != NULL);
    memset(buf, 'a', 9000);
    cr_assert(lh_input_is_binary(buf, 9000) == false);
    buf[8000] = 0;
    cr_assert(lh_input_is_binary(buf, 9000) == false, "past the probe");
    buf[7999] = 0;
    cr_assert(lh_input_is_binary(buf, 9000));
    cr_assert(lh_input_is_binary(buf, 0) == false);
    free(buf);
}

struct warnings {
    size_t n;
    char last[256];
};

static void on_warn(const char *msg, void *payload)
{
    struct warnings *w = payload;
    w->n++;
    strncat(w->last, msg, sizeof(w->last) - 1); /* test code: bounded */
}

Test(input, skip_and_error_count_and_warn)
{
    struct lh_scan_stats st;
    struct warnings w = {0};
    memset(&st, 0, sizeof(st));
    struct lh_input_env env = {.stats = &st, .warn = on_warn, .warn_payload = &w};
    lh_input_skip(&env, LH_SKIP_BINARY, NULL);
    lh_input_skip(&env, LH_SKIP_LARGE, "'%s' is big; skipped", "a.bin");
    lh_input_skip(&env, LH_SKIP_OTHER, NULL);
    lh_input_skip(&env, LH_SKIP_ERROR, "cannot read '%s'", "b");
    lh_input_error(&env, "cannot open directory '%s'", "d");
    w.last[0] = '\0';
    lh_input_warn(&env, "just %s", "this");
    cr_assert(eq(sz, atomic_load(&st.items), 4), "skips are items, an error outside one is not");
    cr_assert(eq(sz, atomic_load(&st.skipped_binary), 1));
    cr_assert(eq(sz, atomic_load(&st.skipped_large), 1));
    cr_assert(eq(sz, atomic_load(&st.skipped_other), 1));
    cr_assert(eq(sz, atomic_load(&st.errors), 2));
    cr_assert(eq(sz, w.n, 4));
    cr_assert(eq(str, w.last, "just this"));
    cr_assert(eq(sz, lh_input_max_size(&env), LH_DEFAULT_MAX_FILE_SIZE));
}
