/* SPDX-License-Identifier: MIT */
/* Unit tests for util: bounded buffer, file reads, YAML helpers, worker pool. */
#include "support/support.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/pool.h"
#include "util/yaml.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

Test(buf, grows_and_respects_cap)
{
    struct lh_buf b;
    lh_buf_init(&b, 10);
    cr_assert(eq(int, lh_buf_puts(&b, "hello"), 0));
    cr_assert(eq(int, lh_buf_printf(&b, "%d", 1234), 0));
    cr_assert(eq(str, b.ptr, "hello1234"));
    cr_assert(eq(int, lh_buf_puts(&b, "xy"), LH_ETOOBIG));
    cr_assert(eq(sz, b.len, 9));
    cr_assert(eq(int, lh_buf_putc(&b, '!'), 0));
    char *s = lh_buf_take(&b);
    cr_assert(eq(str, s, "hello1234!"));
    free(s);
    lh_buf_dispose(&b);
}

Test(buf, wipe_covers_the_largest_content_since_init)
{
    struct lh_buf b;
    char big[300];
    memset(big, 'S', sizeof(big));
    lh_buf_init(&b, 0);
    cr_assert(eq(int, lh_buf_put(&b, big, sizeof(big)), 0));
    lh_buf_clear(&b);
    cr_assert(eq(int, lh_buf_puts(&b, "short"), 0));
    lh_buf_clear(&b);
    /* the 300 secret bytes of the first content are still in memory: wipe must cover them */
    cr_assert(eq(sz, b.dirty, sizeof(big)));
    cr_assert(eq(int, memcmp(b.ptr + 10, big + 10, 100), 0));
    lh_buf_wipe(&b);
    cr_assert(eq(ptr, b.ptr, NULL));
    cr_assert(eq(sz, b.dirty, 0));
}

static bool naive_contains(const uint8_t *h, size_t hl, const uint8_t *nd, size_t n)
{
    for (size_t i = 0; i + n <= hl; i++) {
        if (memcmp(h + i, nd, n) == 0) {
            return true;
        }
    }
    return false;
}

/* lh_mem_contains against a plain scan: a 3-letter alphabet makes near misses common, and
 * every needle is also tried at the very end of a haystack cut to its length. */
Test(buf, mem_contains_agrees_with_a_plain_scan)
{
    uint8_t h[64];
    uint8_t nd[8];
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t hl = (size_t)(rand_r(&seed) % 40);
        size_t n = 1 + (size_t)(rand_r(&seed) % 6);
        for (size_t i = 0; i < hl; i++) {
            h[i] = (uint8_t)('a' + rand_r(&seed) % 3);
        }
        for (size_t i = 0; i < n; i++) {
            nd[i] = (uint8_t)('a' + rand_r(&seed) % 3);
        }
        cr_assert(eq(int, lh_mem_contains(h, hl, nd, n), naive_contains(h, hl, nd, n)), "round %d",
                  round);
        if (hl >= n) {
            memcpy(h + hl - n, nd, n);
            cr_assert(lh_mem_contains(h, hl, nd, n), "round %d (at the end)", round);
            cr_assert(eq(int, lh_mem_contains(h, hl - 1, nd, n), naive_contains(h, hl - 1, nd, n)));
        }
    }
    cr_assert(lh_mem_contains("abc", 3, "", 0));
    cr_assert(not(lh_mem_contains("ab", 2, "abc", 3)));
}

Test(fs, read_file_caps_size_and_names_path)
{
    char *dir = lh_tmpdir();
    lh_write_file(dir, "f.txt", "0123456789", 10);
    char path[4096];
    snprintf(path, sizeof(path), "%s/f.txt", dir);
    struct lh_buf b;
    lh_buf_init(&b, 10);
    cr_assert(eq(int, lh_fs_read_file(&b, path), 0));
    cr_assert(eq(sz, b.len, 10));
    lh_buf_dispose(&b);
    lh_buf_init(&b, 9);
    cr_assert(eq(int, lh_fs_read_file(&b, path), LH_ETOOBIG));
    cr_assert(strstr(lh_error_get(), "f.txt") != NULL);
    lh_buf_dispose(&b);
    lh_buf_init(&b, 0);
    snprintf(path, sizeof(path), "%s/missing", dir);
    cr_assert(eq(int, lh_fs_read_file(&b, path), LH_EIO));
    cr_assert(strstr(lh_error_get(), "missing") != NULL);
    lh_buf_dispose(&b);
    lh_rmtree(dir);
    free(dir);
}

Test(fs, write_atomic_and_mkdirs)
{
    char *dir = lh_tmpdir();
    char path[4096];
    snprintf(path, sizeof(path), "%s/a/b/c", dir);
    cr_assert(eq(int, lh_fs_mkdirs(path), 0));
    snprintf(path, sizeof(path), "%s/a/b/c/out.bin", dir);
    cr_assert(eq(int, lh_fs_write_atomic(path, "abc", 3), 0));
    char *got = lh_read_file(path);
    cr_assert(eq(str, got, "abc"));
    free(got);
    lh_rmtree(dir);
    free(dir);
}

Test(yaml, errors_carry_line_and_column)
{
    yaml_document_t doc;
    const char *bad = "a: 1\nb: [1, 2\n";
    cr_assert(eq(int, lh_yaml_load(&doc, "x.yml", (const uint8_t *)bad, strlen(bad)), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "x.yml:") != NULL, "%s", lh_error_get());
}

Test(yaml, nul_byte_in_a_value_is_an_error_at_its_position)
{
    static const char y[] = "rules:\n  - id: x\n    keywords: [\"ab\\0c\"]\n";
    yaml_document_t doc;
    cr_assert(eq(int, lh_yaml_load(&doc, "nul.yml", (const uint8_t *)y, sizeof(y) - 1), LH_EINVAL));
    cr_assert(eq(str, (char *)lh_error_get(),
                 "nul.yml:3:16: a value contains a NUL byte, which is not supported"));
    /* the same text without the escape loads */
    static const char ok[] = "rules:\n  - id: x\n    keywords: [\"abc\"]\n";
    cr_assert(eq(int, lh_yaml_load(&doc, "ok.yml", (const uint8_t *)ok, sizeof(ok) - 1), 0));
    yaml_document_delete(&doc);
}

Test(yaml, nesting_is_capped)
{
    struct lh_buf b;
    lh_buf_init(&b, 0);
    for (int i = 0; i < 100; i++) {
        cr_assert(eq(int, lh_buf_puts(&b, "["), 0));
    }
    for (int i = 0; i < 100; i++) {
        cr_assert(eq(int, lh_buf_puts(&b, "]"), 0));
    }
    yaml_document_t doc;
    cr_assert(eq(int, lh_yaml_load(&doc, "deep.yml", (const uint8_t *)b.ptr, b.len), LH_ETOOBIG));
    lh_buf_dispose(&b);
}

static atomic_int processed;

static int w_init(void **state, size_t index, void *payload)
{
    (void)payload;
    *state = malloc(8);
    (void)index;
    return *state ? 0 : LH_ENOMEM;
}

static void w_fini(void *state, void *payload)
{
    (void)payload;
    free(state);
}

static int w_work(void *state, void *job, void *payload)
{
    (void)payload;
    int v = *(int *)job;
    free(job);
    if (!state) {
        return 0;
    }
    atomic_fetch_add(&processed, 1);
    return v == -1 ? LH_EIO : 0;
}

Test(pool, processes_every_job_with_small_queue)
{
    struct lh_pool *p = NULL;
    atomic_store(&processed, 0);
    cr_assert(eq(int, lh_pool_new(&p, 3, 2, w_init, w_work, w_fini, NULL), 0));
    for (int i = 0; i < 1000; i++) {
        int *j = malloc(sizeof(*j));
        *j = i;
        cr_assert(eq(int, lh_pool_submit(p, j), 0));
    }
    cr_assert(eq(int, lh_pool_finish(p), 0));
    cr_assert(eq(int, atomic_load(&processed), 1000));
}

Test(pool, worker_error_stops_submission_and_is_returned)
{
    struct lh_pool *p = NULL;
    cr_assert(eq(int, lh_pool_new(&p, 2, 4, w_init, w_work, w_fini, NULL), 0));
    int rc = 0;
    for (int i = 0; i < 10000 && rc == 0; i++) {
        int *j = malloc(sizeof(*j));
        *j = i == 10 ? -1 : i;
        rc = lh_pool_submit(p, j);
        if (rc) {
            free(j);
        }
    }
    cr_assert(eq(int, lh_pool_finish(p), LH_EIO));
}
