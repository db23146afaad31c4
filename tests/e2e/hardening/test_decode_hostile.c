/* SPDX-License-Identifier: MIT */
/*
 * Hostile inputs for decoding (issue 14), generated at test time: a 20 MB base64 value on
 * one line and wrapped over lines, 20 MB of separate base64 lines that each decode to text,
 * base64 nested deeper than the depth limit, base64 of random bytes (wrapped and as
 * hundreds of thousands of short values), a 20 MB percent-encoded URL and a 20 MB string of
 * `\u` escapes. Each scan must end, with bounded memory, and still report the token planted
 * next to the hostile part. Peak RSS and time are printed by hh_lh; the bounds are generous
 * for the ASan build.
 */
#include "support/measure.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB (1024L * 1024L)

static char *dir;
static char tok[41];

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_make_github_token(tok, "ghp_", "Dc4Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(decode_hostile, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static char *b64(const char *s, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    cr_assert(out != NULL);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

/* Scans file (JSON, 2 threads); checks the exit, RSS and the planted token's findings. */
static json_t *scan(const char *name, const char *file, long max_rss_mb, size_t want_tokens,
                    const char *depth)
{
    struct hh_run r;
    hh_lh(&r, name, dir, 600, "scan", "--no-config", "--threads", "2", "--max-file-size", "64M",
          "--max-decode-depth", depth, "--format", "json", file, NULL);
    cr_assert(eq(int, r.status, want_tokens ? 1 : 0), "%s: exit %d, stderr: %s", name, r.status,
              r.err);
    cr_assert(hh_rss_below(&r, max_rss_mb * 1024), "%s: peak RSS %ld kB", name, r.rss_kb);
    json_error_t je;
    json_t *j = json_loadb(r.out, r.out_len, 0, &je);
    cr_assert(j != NULL, "%s", r.out);
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(j); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(j, i), "rule_id"));
        n += id && !strcmp(id, "github-pat-classic");
    }
    cr_assert(eq(sz, n, want_tokens), "%s: %zu tokens in %s", name, n, r.out);
    hh_run_dispose(&r);
    return j;
}

/* Writes path: `size` bytes of chunk repeated, then "\ntoken: <tok>\n". */
static void write_with_token(const char *rel, const char *chunk, size_t size)
{
    char *path = hh_path(dir, rel);
    hh_write_repeat(path, chunk, size);
    FILE *f = fopen(path, "a");
    cr_assert(f != NULL);
    fprintf(f, "\ntoken: %s\n", tok);
    fclose(f);
    free(path);
}

Test(decode_hostile, one_20mb_base64_value_on_a_line_and_wrapped)
{
    /* base64 of text, 16 characters a period: one 20 MB run with no end of group */
    write_with_token("line.txt", "aGVsbG8gd29ybGQh", 20 * MB);
    json_decref(scan("decode: 20 MB base64 run on one line", "line.txt", 400, 1, "2"));
    /* the same wrapped at 76 characters: one 20 MB wrapped value */
    char chunk[78];
    for (int i = 0; i < 76; i++) {
        chunk[i] = "aGVsbG8gd29ybGQh"[i % 16];
    }
    chunk[76] = '\n';
    chunk[77] = '\0';
    write_with_token("wrapped.txt", chunk, 20 * MB);
    json_decref(scan("decode: 20 MB base64 value wrapped", "wrapped.txt", 400, 1, "2"));
}

Test(decode_hostile, many_lines_that_each_decode_to_text)
{
    /* 20 MB of separate 76-character values (blank lines between), each decoding to text
     * that is itself base64 of text: two full levels of decoding */
    char *inner = b64("hello world, hello decoder, hello again!!!", 42);
    char *outer = b64(inner, strlen(inner));
    char chunk[256];
    snprintf(chunk, sizeof(chunk), "%s\n\n", outer);
    write_with_token("many.txt", chunk, 20 * MB);
    json_decref(scan("decode: 20 MB of decodable lines, 2 levels", "many.txt", 400, 1, "2"));
    free(inner);
    free(outer);
}

Test(decode_hostile, nesting_deeper_than_the_limit)
{
    char *v = strdup(tok);
    for (int i = 0; i < 12; i++) {
        char *next = b64(v, strlen(v));
        free(v);
        v = next;
    }
    char *path = hh_path(dir, "deep.txt");
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    for (int i = 0; i < 2000; i++) {
        fprintf(f, "k%d: %s\n", i, v);
    }
    fclose(f);
    json_decref(scan("decode: 12 levels of base64 x 2000, depth 8", "deep.txt", 400, 0, "8"));
    /* 8 levels are within reach of --max-decode-depth 8 */
    char *w = strdup(tok);
    for (int i = 0; i < 8; i++) {
        char *next = b64(w, strlen(w));
        free(w);
        w = next;
    }
    f = fopen(path, "w");
    cr_assert(f != NULL);
    fprintf(f, "k: %s\n", w);
    fclose(f);
    json_t *j = scan("decode: 8 levels of base64, depth 8", "deep.txt", 400, 1, "8");
    json_t *chain = json_object_get(json_array_get(j, 0), "decoded");
    cr_assert(eq(sz, json_array_size(chain), 8));
    json_decref(j);
    free(path);
    free(v);
    free(w);
}

Test(decode_hostile, base64_of_random_bytes)
{
    /* 20 MB: wrapped base64 of random bytes, then short values of random bytes */
    char *path = hh_path(dir, "random.txt");
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    unsigned seed = 7;
    unsigned char raw[57];
    for (long written = 0; written < 10 * MB;) {
        for (size_t i = 0; i < sizeof(raw); i++) {
            raw[i] = (unsigned char)rand_r(&seed);
        }
        char *line = b64((const char *)raw, sizeof(raw));
        written += fprintf(f, "%s\n", line);
        free(line);
    }
    for (long written = 0; written < 10 * MB;) {
        for (size_t i = 0; i < 18; i++) {
            raw[i] = (unsigned char)rand_r(&seed);
        }
        char *v = b64((const char *)raw, 18);
        written += fprintf(f, "%s ", v);
        free(v);
    }
    fprintf(f, "\ntoken: %s\n", tok);
    fclose(f);
    json_decref(scan("decode: 20 MB base64 of random bytes", "random.txt", 400, 1, "2"));
    free(path);
}

Test(decode_hostile, one_20mb_percent_url_and_escaped_string)
{
    write_with_token("url.txt", "%41%42%43%44%45%46%47%48", 20 * MB);
    json_decref(scan("decode: 20 MB percent-encoded URL", "url.txt", 400, 1, "2"));
    write_with_token("esc.json", "\\u0041\\u0062\\u0043\\u0064", 20 * MB);
    json_decref(scan("decode: 20 MB string of \\u escapes", "esc.json", 400, 1, "2"));
}
