/* SPDX-License-Identifier: MIT */
/*
 * scancost: where a directory scan's CPU goes, without the file system. Reads every file a
 * directory scan would scan (regular files, .git/ skipped, binary and over-25 MiB files
 * left out) into memory, builds the built-in rules' matcher the way a scan does, and times
 * on one thread (CPU time, best of several passes):
 *
 *   prefilter   the Vectorscan pass over every file alone (lh_matcher_prefilter)
 *   matcher     the Vectorscan pass plus PCRE2 in the regions (lh_matcher_scan_path); the
 *               first pass, which compiles and JIT-compiles the rules it meets, apart
 *
 *   scancost DIR [PASSES]        (default 5 passes)
 *
 * One "key value" pair per line on standard output, for bench/scan.sh. Not installed: a
 * benchmark tool. Exit status 0, 2 usage, 4 an error (one line on stderr).
 */
#include "cli/exit.h"
#include "match/matcher.h"
#include "rules/ruleset.h"
#include "source/input.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_FILE ((size_t)25 << 20)

struct corpus {
    char **paths;
    struct lh_buf *bufs;
    size_t n, alloc;
    size_t bytes;
};

static int add(struct corpus *c, const char *path)
{
    struct lh_buf b;
    lh_buf_init(&b, MAX_FILE);
    if (lh_fs_read_file(&b, path) != 0 || b.len == 0 ||
        lh_input_is_binary((const uint8_t *)b.ptr, b.len)) {
        lh_error_clear();
        lh_buf_dispose(&b);
        return 0;
    }
    if (c->n == c->alloc) {
        size_t na = c->alloc ? c->alloc * 2 : 1024;
        char **np = realloc(c->paths, na * sizeof(*np));
        if (np) {
            c->paths = np;
        }
        struct lh_buf *nb = realloc(c->bufs, na * sizeof(*nb));
        if (nb) {
            c->bufs = nb;
        }
        if (!np || !nb) {
            lh_buf_dispose(&b);
            return lh_error_oom();
        }
        c->alloc = na;
    }
    c->paths[c->n] = strdup(path);
    if (!c->paths[c->n]) {
        lh_buf_dispose(&b);
        return lh_error_oom();
    }
    c->bufs[c->n++] = b;
    c->bytes += b.len;
    return 0;
}

static int walk(struct corpus *c, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        lh_error_set("cannot open directory '%s'", dir);
        return depth ? 0 : LH_EIO;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git")) {
            continue;
        }
        char *p = lh_path_join(dir, e->d_name);
        struct stat st;
        if (!p) {
            rc = lh_error_oom();
        } else if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth < 256) {
            rc = walk(c, p, depth + 1);
        } else if (S_ISREG(st.st_mode) && (size_t)st.st_size <= MAX_FILE) {
            rc = add(c, p);
        }
        free(p);
    }
    closedir(d);
    return rc;
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int count(const struct lh_match *m, void *payload)
{
    (void)m;
    (*(size_t *)payload)++;
    return 0;
}

/* One pass over the corpus: the prefilter alone, or the whole matcher. */
static int pass(const struct corpus *c, const struct lh_matcher *m, struct lh_matcher_scratch *s,
                bool whole, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const uint8_t *buf = (const uint8_t *)c->bufs[i].ptr;
        size_t len = c->bufs[i].len;
        int rc = whole ? lh_matcher_scan_path(m, s, buf, len, c->paths[i], count, n)
                       : lh_matcher_prefilter(m, s, buf, len, n);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: scancost DIR [PASSES]\n");
        return LH_EXIT_USAGE;
    }
    char *end = NULL;
    long passes = argc == 3 ? strtol(argv[2], &end, 10) : 5;
    if (passes < 1 || passes > 1000 || (end && *end)) {
        fprintf(stderr, "scancost: PASSES must be 1 to 1000\n");
        return LH_EXIT_USAGE;
    }
    struct corpus c = {0};
    struct lh_ruleset *rs = NULL;
    struct lh_matcher *m = NULL;
    struct lh_matcher_scratch *s = NULL;
    struct lh_matcher_opts o = {0};
    int rc = walk(&c, argv[1], 0);
    rc = rc ? rc : lh_ruleset_new(&rs);
    rc = rc ? rc : lh_ruleset_load_builtin(rs);
    rc = rc ? rc : lh_matcher_new(&m, rs->rules, rs->count, &o);
    rc = rc ? rc : lh_matcher_scratch_new(&s, m);
    double best_pre = 1e18, best_all = 1e18, first_all = 0;
    size_t hits = 0, matches = 0;
    for (long i = 0; rc == 0 && i < passes; i++) {
        double t0 = cpu_ms();
        rc = pass(&c, m, s, false, &hits);
        double t1 = cpu_ms();
        rc = rc ? rc : pass(&c, m, s, true, &matches);
        double t2 = cpu_ms();
        best_pre = t1 - t0 < best_pre ? t1 - t0 : best_pre;
        best_all = t2 - t1 < best_all ? t2 - t1 : best_all;
        first_all = i == 0 ? t2 - t1 : first_all;
    }
    if (rc == 0) {
        printf("files %zu\nbytes %zu\nprefilter_hits %zu\nmatches %zu\n", c.n, c.bytes, hits,
               matches);
        printf("prefilter_ms %.1f\nmatcher_ms %.1f\nmatcher_first_ms %.1f\n", best_pre, best_all,
               first_all);
    } else {
        fprintf(stderr, "scancost: %s\n", lh_error_get());
    }
    lh_matcher_scratch_free(s);
    lh_matcher_free(m);
    lh_ruleset_free(rs);
    for (size_t i = 0; i < c.n; i++) {
        free(c.paths[i]);
        lh_buf_dispose(&c.bufs[i]);
    }
    free(c.paths);
    free(c.bufs);
    return rc == 0 ? 0 : LH_EXIT_IO;
}
