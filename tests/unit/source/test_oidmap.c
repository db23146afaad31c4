/* SPDX-License-Identifier: MIT */
/* Unit tests of the history walk's object-id map and path interning table. */
#include "source/git_oidmap.h"
#include "source/git_strtab.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void make_id(uint8_t id[20], uint32_t n)
{
    /* ids that share their first bytes, to exercise probing */
    memset(id, 0xab, 20);
    id[16] = (uint8_t)(n >> 24);
    id[17] = (uint8_t)(n >> 16);
    id[18] = (uint8_t)(n >> 8);
    id[19] = (uint8_t)n;
}

Test(git_oidmap, inserts_finds_and_grows)
{
    struct lh_git_oidmap m;
    lh_git_oidmap_init(&m);
    uint8_t id[20];
    for (uint32_t i = 1; i <= 50000; i++) {
        struct lh_git_oidmap_entry *e = NULL;
        make_id(id, i);
        cr_assert(eq(int, lh_git_oidmap_put(&e, &m, id), 1));
        e->a = i;
        e->b = i * 2;
    }
    cr_assert(eq(sz, m.count, 50000));
    for (uint32_t i = 1; i <= 50000; i++) {
        make_id(id, i);
        struct lh_git_oidmap_entry *e = lh_git_oidmap_get(&m, id);
        cr_assert(e != NULL);
        cr_assert(eq(u32, e->a, i));
        cr_assert(eq(u32, e->b, i * 2));
        cr_assert(eq(int, lh_git_oidmap_put(NULL, &m, id), 0));
    }
    make_id(id, 50001);
    cr_assert(lh_git_oidmap_get(&m, id) == NULL);
    size_t pos = 0;
    size_t seen = 0;
    while (lh_git_oidmap_next(&m, &pos) != NULL) {
        seen++;
    }
    cr_assert(eq(sz, seen, 50000));
    lh_git_oidmap_dispose(&m);
}

Test(git_oidmap, rejects_the_null_id)
{
    struct lh_git_oidmap m;
    uint8_t zero[20] = {0};
    lh_git_oidmap_init(&m);
    cr_assert(eq(int, lh_git_oidmap_put(NULL, &m, zero), LH_EINVAL));
    cr_assert(lh_git_oidmap_get(&m, zero) == NULL);
    lh_git_oidmap_dispose(&m);
}

Test(git_strtab, interns_each_string_once)
{
    struct lh_git_strtab t;
    lh_git_strtab_init(&t);
    uint32_t a = 0;
    uint32_t b = 0;
    uint32_t c = 0;
    cr_assert(eq(int, lh_git_strtab_intern(&a, &t, "src/main.c", 10), 0));
    cr_assert(eq(int, lh_git_strtab_intern(&b, &t, "src/main.c.orig", 10), 0));
    cr_assert(eq(int, lh_git_strtab_intern(&c, &t, "src/main.h", 10), 0));
    cr_assert(eq(u32, a, b));
    cr_assert(a != c);
    const char *pa = lh_git_strtab_get(&t, a);
    char name[32];
    for (int i = 0; i < 20000; i++) {
        uint32_t id = 0;
        int n = snprintf(name, sizeof(name), "dir%d/file%d", i % 97, i);
        cr_assert(eq(int, lh_git_strtab_intern(&id, &t, name, (size_t)n), 0));
        cr_assert(eq(str, (char *)lh_git_strtab_get(&t, id), name));
    }
    /* strings never move */
    cr_assert(eq(ptr, (void *)lh_git_strtab_get(&t, a), (void *)pa));
    cr_assert(eq(str, (char *)pa, "src/main.c"));
    cr_assert(eq(sz, t.count, 20002));
    lh_git_strtab_dispose(&t);
}
