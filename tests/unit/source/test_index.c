/* SPDX-License-Identifier: MIT */
/*
 * The staged fast path: the index reader on indexes git writes (versions 2, 3 and 4, with
 * and without a cache-tree), guarded against reads past the buffer (every truncation and
 * random corruption of a real index, ending right before a PROT_NONE page), and the fast
 * comparison checked against libgit2's tree-to-index diff on the same changes.
 */
#include "source/git.h"
#include "source/git_index.h"
#include "source/git_staged.h"
#include "support/git.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

TestSuite(git_index, .init = gf_setup, .fini = gf_teardown, .timeout = LH_TEST_TIMEOUT);

/* A buffer whose last byte sits right before an inaccessible page. */
struct guarded {
    uint8_t *map;
    size_t maplen;
    uint8_t *buf;
};

static void guard(struct guarded *g, const uint8_t *data, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    g->maplen = pages * page;
    g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(g->map != MAP_FAILED);
    cr_assert(eq(int, mprotect(g->map + (pages - 1) * page, page, PROT_NONE), 0));
    g->buf = g->map + (pages - 1) * page - len;
    memcpy(g->buf, data, len);
}

static void unguard(struct guarded *g)
{
    munmap(g->map, g->maplen);
}

static void build_tree_of_files(void)
{
    gf_write("README.md", "readme\n", NULL);
    gf_write("src/a.c", "int a;\n", NULL);
    gf_write("src/b.c", "int b;\n", NULL);
    gf_write("src/net/http.c", "http\n", NULL);
    gf_write("src-old/x.c", "x\n", NULL);
    gf_write("docs/guide/intro.md", "intro\n", NULL);
    gf_write("a-b.txt", "dash\n", NULL);
    gf_write("z.txt", "z\n", NULL);
    gf_commit_q("tree");
}

static char *read_index(size_t *len)
{
    char *data = lh_read_file(gf_path("repo/.git/index"));
    cr_assert(data != NULL);
    FILE *f = fopen(gf_path("repo/.git/index"), "rb");
    cr_assert(f != NULL);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fclose(f);
    return data;
}

Test(git_index, parses_versions_2_3_4_with_cache_tree)
{
    build_tree_of_files();
    /* a cache-tree is written by commit; version 3 comes with an extended flag */
    for (int v = 2; v <= 4; v++) {
        if (v == 3) {
            gf_sh("git update-index --skip-worktree z.txt");
        } else {
            gf_sh("git update-index --index-version %d", v);
        }
        gf_sh("git write-tree >/dev/null"); /* re-primes the cache-tree */
        size_t len = 0;
        char *data = read_index(&len);
        struct guarded g;
        guard(&g, (const uint8_t *)data, len);
        struct lh_git_index ix;
        int rc = lh_git_index_parse(&ix, g.buf, len);
        cr_assert(eq(int, rc, 0), "version %d: %s", v, lh_error_get());
        cr_assert(eq(u32, (uint32_t)data[7], (uint32_t)v));
        cr_assert(eq(sz, ix.count, 8));
        cr_assert(eq(str, (char *)ix.entries[0].path, "README.md"));
        cr_assert(eq(str, (char *)ix.entries[1].path, "a-b.txt"));
        cr_assert(eq(str, (char *)ix.entries[3].path, "src-old/x.c"));
        cr_assert(eq(str, (char *)ix.entries[7].path, "z.txt"));
        cr_assert(eq(u32, ix.entries[4].mode, 0100644));
        char *id = gf_out("git rev-parse :src/a.c");
        char hex[GIT_OID_HEXSZ + 1];
        lh_git_hex(hex, ix.entries[4].id);
        cr_assert(eq(str, hex, id));
        cr_assert(eq(int, ix.has_tree ? 1 : 0, 1));
        cr_assert(eq(int, ix.trees[0].entries, 8));
        char *root = gf_out("git rev-parse HEAD^{tree}");
        lh_git_hex(hex, &ix.trees[0].id);
        cr_assert(eq(str, hex, root));
        lh_git_index_dispose(&ix);
        unguard(&g);
        free(id);
        free(root);
        free(data);
    }
}

Test(git_index, truncated_or_corrupted_never_reads_past_the_end)
{
    build_tree_of_files();
    for (int v = 2; v <= 4; v += 2) {
        gf_sh("git update-index --index-version %d", v);
        size_t len = 0;
        char *data = read_index(&len);
        for (size_t cut = 0; cut < len; cut++) {
            struct guarded g;
            struct lh_git_index ix;
            guard(&g, (const uint8_t *)data, cut);
            int rc = lh_git_index_parse(&ix, g.buf, cut);
            if (rc == 0) {
                lh_git_index_dispose(&ix);
            }
            unguard(&g);
        }
        srand(7);
        for (int round = 0; round < 3000; round++) {
            uint8_t *copy = malloc(len);
            memcpy(copy, data, len);
            for (int k = 0; k < 1 + round % 4; k++) {
                copy[(size_t)rand() % len] = (uint8_t)rand();
            }
            struct guarded g;
            struct lh_git_index ix;
            guard(&g, copy, len);
            int rc = lh_git_index_parse(&ix, g.buf, len);
            if (rc == 0) {
                for (size_t i = 0; i < ix.count; i++) {
                    cr_assert(eq(sz, strlen(ix.entries[i].path), ix.entries[i].path_len));
                }
                lh_git_index_dispose(&ix);
            }
            unguard(&g);
            free(copy);
        }
        free(data);
    }
}

/* Both implementations of the staged comparison, as one comparable string. */
static char *staged_string(int use_libgit2)
{
    git_repository *repo = NULL;
    struct lh_git_staged sg;
    struct lh_git_staged_opts o = {.use_libgit2 = use_libgit2 != 0};
    cr_assert(eq(int, lh_git_global_init(), 0));
    cr_assert(eq(int, lh_git_open(&repo, gf_path("repo")), 0));
    cr_assert(eq(int, lh_git_staged_load(&sg, repo, &o), 0), "%s", lh_error_get());
    char *s = calloc(1, 65536);
    size_t n = 0;
    for (size_t i = 0; i < sg.count; i++) {
        const struct lh_git_staged_file *f = &sg.files[i];
        char hex[GIT_OID_HEXSZ + 1];
        lh_git_hex(hex, &f->blob);
        n += (size_t)snprintf(s + n, 65536 - n, "%s %.8s %s", f->path, hex,
                              f->all_lines ? "all" : "");
        for (size_t r = 0; r < f->nranges && !f->all_lines; r++) {
            n += (size_t)snprintf(s + n, 65536 - n, " %zu+%zu", f->ranges[r].start,
                                  f->ranges[r].count);
        }
        n += (size_t)snprintf(s + n, 65536 - n, "\n");
    }
    lh_git_staged_dispose(&sg);
    git_repository_free(repo);
    lh_git_global_shutdown();
    return s;
}

static void assert_paths_agree(const char *expect)
{
    char *fast = staged_string(0);
    char *slow = staged_string(1);
    cr_assert(eq(str, fast, slow));
    cr_assert(eq(str, fast, (char *)expect));
    free(fast);
    free(slow);
}

Test(git_index, fast_comparison_matches_libgit2)
{
    build_tree_of_files();
    gf_write("src/a.c", "int a;\nint added;\n", NULL);
    gf_write("src/net/tls.c", "tls\n", NULL);
    gf_write("newdir/deep/n.txt", "n1\nn2\n", NULL);
    gf_sh("printf 'x\\0y\\n' > binary.dat");
    gf_sh("git mv src-old/x.c moved-x.c && git rm -q -r docs && chmod +x z.txt");
    gf_sh("git add -A && touch later.txt && git add -N later.txt");
    char *a = gf_out("git rev-parse :src/a.c");
    char *t = gf_out("git rev-parse :src/net/tls.c");
    char *nn = gf_out("git rev-parse :newdir/deep/n.txt");
    char *bin = gf_out("git rev-parse :binary.dat");
    char expect[1024];
    snprintf(expect, sizeof(expect),
             "binary.dat %.8s all\nnewdir/deep/n.txt %.8s all\nsrc/a.c %.8s  2+1\n"
             "src/net/tls.c %.8s all\n",
             bin, nn, a, t);
    for (int v = 2; v <= 4; v++) {
        gf_sh("git update-index --index-version %d", v);
        assert_paths_agree(expect);
    }
    /* an index without a cache-tree compares every entry, with the same result */
    gf_sh("rm .git/index && git add -A");
    assert_paths_agree(expect);
    free(a);
    free(t);
    free(nn);
    free(bin);
}

Test(git_index, before_the_first_commit)
{
    gf_write("one.txt", "1\n", NULL);
    gf_write("dir/two.txt", "2\n", NULL);
    gf_sh("git add -A");
    char *one = gf_out("git rev-parse :one.txt");
    char *two = gf_out("git rev-parse :dir/two.txt");
    char expect[256];
    snprintf(expect, sizeof(expect), "dir/two.txt %.8s all\none.txt %.8s all\n", two, one);
    assert_paths_agree(expect);
    free(one);
    free(two);
}
