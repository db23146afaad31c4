/* SPDX-License-Identifier: MIT */
/*
 * The compiled-database cache: a second matcher over the same literals maps the cached
 * database, a different literal set never reuses it (even under the same file name), damaged
 * files are rebuilt, and the directory stays bounded.
 */
#include "match/matcher.h"
#include "rules/ruleset.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

static char *dir;

static void setup(void)
{
    dir = lh_tmpdir();
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(match_cache, .init = setup, .fini = teardown);

static struct lh_ruleset *rules(const char *keyword)
{
    char yaml[512];
    snprintf(yaml, sizeof(yaml),
             "rules:\n"
             "  - {id: tok, name: T, keywords: [%s], max_length: 64,\n"
             "     pattern: '(?<secret>%s[a-z0-9]{8})'}\n",
             keyword, keyword);
    struct lh_ruleset *rs = NULL;
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(eq(int, lh_ruleset_load_buffer(rs, "t.yml", (const uint8_t *)yaml, strlen(yaml)), 0),
              "%s", lh_error_get());
    return rs;
}

struct hits {
    size_t n;
    size_t start;
};

static int collect(const struct lh_match *m, void *payload)
{
    struct hits *h = payload;
    h->start = m->start;
    h->n++;
    return 0;
}

/* Builds a matcher for `keyword` with the test cache, scans `text`, returns the hit count. */
static size_t scan_with(const char *keyword, const char *text, bool *from_cache)
{
    struct lh_ruleset *rs = rules(keyword);
    struct lh_matcher *m = NULL;
    struct lh_matcher_scratch *s = NULL;
    struct lh_matcher_opts o = {.use_cache = true, .cache_dir = dir};
    cr_assert(eq(int, lh_matcher_new(&m, rs->rules, rs->count, &o), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_matcher_scratch_new(&s, m), 0));
    struct hits h = {0};
    cr_assert(eq(int, lh_matcher_scan(m, s, (const uint8_t *)text, strlen(text), collect, &h), 0));
    *from_cache = lh_matcher_from_cache(m);
    lh_matcher_scratch_free(s);
    lh_matcher_free(m);
    lh_ruleset_free(rs);
    return h.n;
}

/* Paths of the hsdb-*.bin files in the cache directory (at most 64). */
static size_t cached_files(char out[][4096], size_t max)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    cr_assert(not(eq(ptr, d, NULL)));
    while ((e = readdir(d)) != NULL) {
        if (!strncmp(e->d_name, "hsdb-", 5) && n < max) {
            snprintf(out[n++], 4096, "%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    return n;
}

/* Builds the abc_ database; returns its cache file's content (heap), path and size. */
static char *first_database(char path[4096], size_t *len)
{
    bool cached = true;
    cr_assert(eq(sz, scan_with("abc_", "abc_12345678", &cached), 1));
    cr_assert(not(cached), "the first matcher must compile");
    char a[4][4096];
    cr_assert(eq(sz, cached_files(a, 4), 1));
    memcpy(path, a[0], 4096);
    struct stat st;
    cr_assert(eq(int, stat(path, &st), 0));
    *len = (size_t)st.st_size;
    char *bytes = lh_read_file(path);
    cr_assert(not(eq(ptr, bytes, NULL)));
    return bytes;
}

Test(match_cache, second_matcher_maps_the_cached_database_and_still_matches)
{
    bool cached = true;
    cr_assert(eq(sz, scan_with("abc_", "x abc_12345678 y", &cached), 1));
    cr_assert(not(cached), "the first matcher must compile");
    char files[4][4096];
    cr_assert(eq(sz, cached_files(files, 4), 1));
    cr_assert(eq(sz, scan_with("abc_", "x abc_12345678 y", &cached), 1));
    cr_assert(cached, "the second matcher must load the cache");
    cr_assert(eq(sz, scan_with("abc_", "nothing here", &cached), 0));
}

Test(match_cache, another_literal_set_under_the_same_name_is_not_used)
{
    bool cached = false;
    char a[1][4096];
    size_t saved_len = 0;
    char *saved = first_database(a[0], &saved_len);
    /* a second literal set gets its own file */
    cr_assert(eq(sz, scan_with("xyz_", "xyz_12345678", &cached), 1));
    cr_assert(not(cached));
    char b[4][4096];
    cr_assert(eq(sz, cached_files(b, 4), 2));
    const char *other = strcmp(b[0], a[0]) ? b[0] : b[1];
    /* plant the abc_ database under the xyz_ name: the stored key differs, so it is rebuilt */
    FILE *f = fopen(other, "wb");
    cr_assert(not(eq(ptr, f, NULL)));
    cr_assert(eq(sz, fwrite(saved, 1, saved_len, f), saved_len));
    fclose(f);
    free(saved);
    cr_assert(eq(sz, scan_with("xyz_", "xyz_12345678", &cached), 1));
    cr_assert(not(cached), "a database built for other literals must never be loaded");
    cr_assert(eq(sz, scan_with("xyz_", "abc_12345678", &cached), 0));
    cr_assert(cached, "the rebuilt database replaces the planted one");
}

Test(match_cache, damaged_files_are_rebuilt)
{
    bool cached = false;
    char a[1][4096];
    size_t len = 0;
    char *good = first_database(a[0], &len);
    /* every kind of damage: truncated anywhere, a flipped byte in key or database, growth */
    size_t cuts[] = {0, 7, 16, 23, 24, 31, 32, 100, len / 2, len - 9, len - 8, len - 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]) + 3; i++) {
        FILE *f = fopen(a[0], "wb");
        cr_assert(not(eq(ptr, f, NULL)));
        if (i < sizeof(cuts) / sizeof(cuts[0])) {
            fwrite(good, 1, cuts[i], f);
        } else if (i == sizeof(cuts) / sizeof(cuts[0])) {
            good[20] ^= 0x20; /* inside the key */
            fwrite(good, 1, len, f);
            good[20] ^= 0x20;
        } else if (i == sizeof(cuts) / sizeof(cuts[0]) + 1) {
            fwrite(good, 1, len, f);
            fputc('x', f);
        } else {
            good[len - 8] ^= 0x01; /* inside the database bytes */
            fwrite(good, 1, len, f);
            good[len - 8] ^= 0x01;
        }
        fclose(f);
        cr_assert(eq(sz, scan_with("abc_", "abc_12345678", &cached), 1), "damage case %zu", i);
        cr_assert(not(cached), "damage case %zu was trusted", i);
        /* the rebuild rewrote a good file */
        cr_assert(eq(sz, scan_with("abc_", "abc_12345678", &cached), 1));
        cr_assert(cached, "damage case %zu was not repaired", i);
    }
    free(good);
}

Test(match_cache, directory_keeps_the_sixteen_newest_databases)
{
    /* twenty stale databases from earlier rule sets, oldest first */
    for (int i = 0; i < 20; i++) {
        char name[64];
        snprintf(name, sizeof(name), "hsdb-stale%02d.bin", i);
        lh_write_file(dir, name, "old", 3);
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        struct utimbuf t = {.actime = 1000000 + i, .modtime = 1000000 + i};
        cr_assert(eq(int, utime(path, &t), 0));
    }
    lh_write_file(dir, "unrelated.txt", "keep", 4);
    bool cached = true;
    cr_assert(eq(sz, scan_with("abc_", "abc_12345678", &cached), 1));
    char files[64][4096];
    size_t n = cached_files(files, 64);
    cr_assert(eq(sz, n, 16));
    bool fresh = false;
    for (size_t i = 0; i < n; i++) {
        fresh = fresh || !strstr(files[i], "stale");
    }
    cr_assert(fresh, "the database just written must be kept");
    for (int i = 0; i < 20; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/hsdb-stale%02d.bin", dir, i);
        cr_assert(eq(int, stat(path, &st) == 0, i >= 5), "hsdb-stale%02d.bin: the five oldest go",
                  i);
    }
    char keep[4096];
    snprintf(keep, sizeof(keep), "%s/unrelated.txt", dir);
    char *k = lh_read_file(keep);
    cr_assert(not(eq(ptr, k, NULL)), "only hsdb-*.bin files are pruned");
    free(k);
}
