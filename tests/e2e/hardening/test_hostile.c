/* SPDX-License-Identifier: MIT */
/*
 * Hostile inputs for `leakhound scan` (issue #9), generated at test time: a file that is
 * one huge line, 100,000 tiny files, directory trees deeper than the walker's limit and
 * longer than PATH_MAX, symlink loops, FIFOs and devices, files that are not UTF-8, a
 * file full of secrets, and a malformed private-key block placed to blind the PEM rule.
 * Each must be scanned (or skipped with a warning) within bounded time and memory; the
 * bounds below are generous for the ASan build (bench/hostile.sh runs full-size versions
 * on the release build and prints the real numbers).
 */
#include "support/measure.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MB (1024L * 1024L)

static char *dir;
static char tok[41];
static char tok2[41];

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_make_github_token(tok, "ghp_", "Hq7Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    lh_make_github_token(tok2, "ghp_", "Zz9Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk1");
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static json_t *parse(const struct hh_run *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->out ? r->out : "", r->out_len, 0, &je);
    cr_assert(j != NULL, "stdout is not JSON: %.200s / stderr: %.400s", r->out, r->err);
    return j;
}

static size_t count_rule(json_t *arr, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *id = json_string_value(json_object_get(json_array_get(arr, i), "rule_id"));
        n += id && strcmp(id, rule) == 0;
    }
    return n;
}

/* A line of keyword-dense filler: every rule's prefilter fires all along it. */
static const char filler[] = "data=ghp_short npm_x glsa_ AKIA xoxb- sk-ant- eyJhbG -----BEGIN "
                             "zpka_ ATATT3 AccountKey= ;";

Test(hostile, single_huge_line_is_scanned_with_bounded_memory_and_output)
{
    char *path = hh_path(dir, "one-line.min.js");
    size_t size = 20 * MB;
    hh_write_repeat(path, filler, size);
    char ins[64];
    snprintf(ins, sizeof(ins), " %s ", tok);
    hh_patch(path, size / 2, ins, strlen(ins));
    hh_patch(path, size - strlen(ins) - 1, ins, strlen(ins));
    struct hh_run r;
    hh_lh(&r, "scan 20 MB single line", dir, 300, "scan", "--no-config", "--threads", "2",
          "--format", "json", "one-line.min.js", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    json_t *j = parse(&r);
    cr_assert(eq(sz, count_rule(j, "github-pat-classic"), 2));
    /* the report is about the secrets, never the line: small, and redacted */
    cr_assert(r.out_size < 64 * 1024);
    cr_assert(eq(int, hh_contains(r.out, r.out_len, tok), 0));
    for (size_t i = 0; i < json_array_size(j); i++) {
        json_t *f = json_array_get(j, i);
        cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 1));
    }
    cr_assert(hh_rss_below(&r, 600 * 1024), "peak RSS %ld kB", r.rss_kb);
    json_decref(j);
    hh_run_dispose(&r);
    free(path);
}

Test(hostile, file_over_the_size_cap_is_skipped_with_a_warning)
{
    char *path = hh_path(dir, "big.txt");
    hh_write_repeat(path, filler, 3 * MB);
    char ins[64];
    snprintf(ins, sizeof(ins), " %s ", tok);
    hh_patch(path, MB, ins, strlen(ins));
    lh_write_file(dir, "small.txt", ins, strlen(ins));
    struct hh_run r;
    hh_lh(&r, "scan with a file over --max-file-size", dir, 120, "scan", "--no-config",
          "--max-file-size", "1M", "--format", "json", ".", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "big.txt"), 1), "stderr: %s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "--max-file-size"), 1));
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "1 too large"), 1), "stderr: %s", r.err);
    json_t *j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 1));
    json_decref(j);
    hh_run_dispose(&r);
    /* regression: a file just over a small limit fitted the rounded-up read buffer */
    char over[70000];
    memset(over, 'x', sizeof(over));
    memcpy(over, ins, strlen(ins));
    lh_write_file(dir, "d2/over.txt", over, sizeof(over));
    hh_lh(&r, "scan a 70000-byte file with --max-file-size 64K", dir, 60, "scan", "--no-config",
          "--max-file-size", "64K", "--format", "json", "d2", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "over.txt"), 1), "stderr: %s", r.err);
    hh_run_dispose(&r);
    free(path);
}

Test(hostile, hundred_thousand_tiny_files)
{
    const int ndirs = 100;
    const int per = 1000;
    char p[512];
    for (int d = 0; d < ndirs; d++) {
        snprintf(p, sizeof(p), "%s/t/d%03d", dir, d);
        cr_assert(eq(int, lh_sh(dir, "mkdir -p t/d%03d", d), 0));
        for (int f = 0; f < per; f++) {
            snprintf(p, sizeof(p), "%s/t/d%03d/f%04d.txt", dir, d, f);
            int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            cr_assert(fd >= 0);
            const char *body = (d == 57 && f == 421) ? tok : "x=1\n";
            cr_assert(eq(int, (int)write(fd, body, strlen(body)), (int)strlen(body)));
            close(fd);
        }
    }
    struct hh_run r;
    hh_lh(&r, "scan 100000 tiny files", dir, 300, "scan", "--no-config", "--threads", "2",
          "--format", "json", "t", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "in 100000 files"), 1), "stderr: %s", r.err);
    json_t *j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 1));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_array_get(j, 0), "path")),
                 "t/d057/f0421.txt"));
    cr_assert(hh_rss_below(&r, 400 * 1024), "peak RSS %ld kB", r.rss_kb);
    json_decref(j);
    hh_run_dispose(&r);
}

Test(hostile, tree_deeper_than_the_walker_limit)
{
    /* 300 levels: the walker stops at 256 with a warning and scans everything above */
    cr_assert(eq(int,
                 lh_sh(dir,
                       "p=deep; for i in $(seq 300); do p=$p/d; done; mkdir -p $p && "
                       "printf 'T=%%s\\n' '%s' > deep/d/d/d/d/d/d/d/d/d/d/shallow.env && "
                       "printf 'T=%%s\\n' '%s' > $p/deepest.env",
                       tok, tok2),
                 0));
    struct hh_run r;
    hh_lh(&r, "scan a 300-level tree", dir, 120, "scan", "--no-config", "--format", "json", "deep",
          NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "nested more than 256"), 1), "stderr: %s",
              r.err);
    json_t *j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 1));
    json_decref(j);
    hh_run_dispose(&r);
}

Test(hostile, paths_longer_than_path_max)
{
    /* 90 levels of 60-character names: 5,400-byte paths, beyond PATH_MAX (4096) */
    char line[64];
    snprintf(line, sizeof(line), "T=%s\n", tok);
    lh_write_file(dir, "long/top.env", line, strlen(line));
    char *top = hh_path(dir, "long");
    int fd = open(top, O_RDONLY | O_DIRECTORY);
    cr_assert(fd >= 0);
    char name[61];
    memset(name, 'x', 60);
    name[60] = '\0';
    for (int i = 0; i < 90; i++) {
        cr_assert(eq(int, mkdirat(fd, name, 0755), 0));
        int sub = openat(fd, name, O_RDONLY | O_DIRECTORY);
        cr_assert(sub >= 0);
        close(fd);
        fd = sub;
    }
    snprintf(line, sizeof(line), "T=%s\n", tok2);
    int f = openat(fd, "bottom.env", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(f >= 0);
    cr_assert(eq(int, (int)write(f, line, strlen(line)), (int)strlen(line)));
    close(f);
    close(fd);
    struct hh_run r;
    hh_lh(&r, "scan paths over PATH_MAX", dir, 120, "scan", "--no-config", "--format", "json",
          "long", NULL);
    /* what can be reached is scanned; what cannot is an I/O warning, not a crash */
    cr_assert(r.status == 1 || r.status == 4, "status %d, stderr: %s", r.status, r.err);
    json_t *j = parse(&r);
    cr_assert(ge(sz, json_array_size(j), 1));
    json_decref(j);
    hh_run_dispose(&r);
    free(top);
}

Test(hostile, symlink_loops_fifos_and_devices)
{
    cr_assert(eq(int,
                 lh_sh(dir,
                       "mkdir -p tree/a/b && printf 'T=%%s\\n' '%s' > tree/a/b/t.env && "
                       "ln -s ../.. tree/a/b/up && ln -s . tree/a/here && "
                       "ln -s self tree/a/self && ln -s tree/a tree/a/b/rel && "
                       "ln -s /dev/zero tree/zero && ln -s /dev/urandom tree/random && "
                       "mkfifo tree/fifo && ln -s fifo tree/fifo-link && "
                       "ln -s /nonexistent tree/dangling",
                       tok),
                 0));
    const char *modes[] = {"--follow-symlinks", "--no-cache"};
    for (size_t m = 0; m < 2; m++) {
        struct hh_run r;
        hh_lh(&r, m == 0 ? "scan symlink loops (followed)" : "scan symlink loops", dir, 60, "scan",
              "--no-config", modes[m], "--format", "json", "tree", NULL);
        cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
        json_t *j = parse(&r);
        /* loops are cut by device/inode, so the one file is reported once */
        cr_assert(eq(sz, json_array_size(j), 1), "%s", r.out);
        cr_assert(r.secs < 30);
        json_decref(j);
        hh_run_dispose(&r);
    }
}

Test(hostile, files_that_are_not_utf8)
{
    char buf[256];
    /* Latin-1, a lone continuation byte, a truncated sequence, an overlong form */
    int n = snprintf(buf, sizeof(buf), "caf\xe9 \x80\xbf \xe2\x82 \xc0\xaf key=%s \xff\xfe\n", tok);
    lh_write_file(dir, "latin1.txt", buf, (size_t)n);
    /* UTF-16LE: every other byte NUL, so it is binary and skipped unless asked */
    char u16[200];
    size_t k = 0;
    for (const char *p = "key="; *p; p++) {
        u16[k++] = *p;
        u16[k++] = 0;
    }
    for (size_t i = 0; i < 40; i++) {
        u16[k++] = tok2[i];
        u16[k++] = 0;
    }
    lh_write_file(dir, "utf16.txt", u16, k);
    /* a NUL early on, the token after it */
    n = snprintf(buf, sizeof(buf), "bin%cary\nkey=%s\n", 0, tok2);
    lh_write_file(dir, "nul.bin", buf, (size_t)n);
    struct hh_run r;
    hh_lh(&r, "scan non-UTF-8 files", dir, 60, "scan", "--no-config", "--format", "json", ".",
          NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(eq(int, hh_contains(r.err, r.err_len, "2 binary"), 1), "stderr: %s", r.err);
    json_t *j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 1));
    json_t *f = json_array_get(j, 0);
    /* columns count code points (lone continuation bytes count as none): never past the byte */
    int col = (int)json_integer_value(json_object_get(f, "column"));
    cr_assert(ge(int, col, 1));
    cr_assert(le(int, col, 23));
    json_decref(j);
    hh_run_dispose(&r);
    hh_lh(&r, "scan non-UTF-8 files (binary too)", dir, 60, "scan", "--no-config", "--scan-binary",
          "--format", "json", ".", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 2)); /* latin1 + nul.bin; UTF-16 has no token shape */
    json_decref(j);
    hh_run_dispose(&r);
}

Test(hostile, findings_per_file_are_capped)
{
    char *path = hh_path(dir, "many.txt");
    char line[64];
    snprintf(line, sizeof(line), "t=%s\n", tok);
    hh_write_repeat(path, line, strlen(line) * 3000);
    struct hh_run r;
    hh_lh(&r, "scan 3000 secrets in one file", dir, 120, "scan", "--no-config", "--format", "json",
          "many.txt", NULL);
    cr_assert(eq(int, r.status, 1));
    json_t *j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 1000));
    json_decref(j);
    hh_run_dispose(&r);
    hh_lh(&r, "scan 3000 secrets, --max-findings-per-file 5", dir, 120, "scan", "--no-config",
          "--max-findings-per-file", "5", "--format", "json", "many.txt", NULL);
    cr_assert(eq(int, r.status, 1));
    j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 5));
    json_decref(j);
    hh_run_dispose(&r);
    /* checksum failures listed with --show-invalid are capped too */
    char bad[41];
    memcpy(bad, tok, sizeof(bad));
    bad[10] = bad[10] == 'A' ? 'B' : 'A';
    snprintf(line, sizeof(line), "t=%s\n", bad);
    hh_write_repeat(path, line, strlen(line) * 3000);
    hh_lh(&r, "scan 3000 invalid look-alikes, --show-invalid", dir, 120, "scan", "--no-config",
          "--show-invalid", "--max-findings-per-file", "7", "--format", "json", "many.txt", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 7));
    json_decref(j);
    hh_run_dispose(&r);
    hh_lh(&r, "bad --max-findings-per-file", dir, 60, "scan", "--max-findings-per-file", "0",
          "many.txt", NULL);
    cr_assert(eq(int, r.status, 2));
    hh_run_dispose(&r);
    free(path);
}

Test(hostile, malformed_key_block_does_not_blind_the_pem_rule)
{
    /*
     * Regression (issue #9): the PEM rule's base64 chunks and separators overlapped ('n',
     * '+'), so a BEGIN line followed by a long run of 'n' backtracked until the PCRE2 match
     * limit, and the matcher then gave up on the whole region: a real key after it went
     * unreported. The chunks are possessive now.
     */
    char *key = NULL;
    const char *body = "-----BEGIN RSA PRIVATE KEY-----\n"
                       "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
                       "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
                       "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo\n"
                       "-----END RSA PRIVATE KEY-----\n";
    size_t cap = 4096;
    key = malloc(cap);
    cr_assert(key != NULL);
    size_t n = (size_t)snprintf(key, cap,
                                "-----BEGIN RSA PRIVATE KEY-----\n"
                                "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t\n");
    memset(key + n, 'n', 300);
    n += 300;
    n += (size_t)snprintf(key + n, cap - n, "\n\nsome text\n%s", body);
    lh_write_file(dir, "keys.txt", key, n);
    struct hh_run r;
    hh_lh(&r, "scan a PEM key behind a malformed block", dir, 60, "scan", "--no-config", "--format",
          "json", "keys.txt", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    json_t *j = parse(&r);
    cr_assert(eq(sz, count_rule(j, "pem-private-key"), 1));
    json_decref(j);
    hh_run_dispose(&r);
    free(key);
}

Test(hostile, huge_revocation_journal_opens_in_linear_time)
{
    /*
     * Regression (issue #9): entries were looked up by a linear search, so replaying n
     * records cost O(n^2): 150,000 took minutes. A journal near its 64 MiB cap must open in
     * seconds (the bound below is for the ASan build on a loaded machine).
     */
    char *state = hh_path(dir, "state");
    cr_assert(eq(int, mkdir(state, 0700), 0));
    char *path = hh_path(state, "revoke.jsonl");
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    for (unsigned i = 0; i < 150000; i++) {
        fprintf(f,
                "{\"v\":1,\"op\":\"done\",\"id\":\"%016x\",\"ts\":1,\"key\":\"%064x\","
                "\"url\":\"https://hook.example/r\",\"rule_id\":\"github-pat-classic\","
                "\"route\":0,\"queued_at\":1,\"attempts\":1,\"status\":200}\n",
                i, i);
    }
    fclose(f);
    struct hh_run r;
    hh_lh(&r, "revoke status over 150,000 journal entries", dir, 300, "revoke", "status",
          "--no-config", "--state-dir", "state", NULL);
    cr_assert(eq(int, r.status, 0), "stderr: %s", r.err);
    cr_assert(lt(dbl, r.secs, 60.0), "took %.1f s", r.secs);
    hh_run_dispose(&r);
    free(path);
    free(state);
}

Test(hostile, many_findings_on_one_long_line_stay_linear)
{
    /*
     * Regression (issue #9): every finding's column was counted from the start of its line,
     * so 1000 findings on one 20 MB line took 23 s (release build). Columns are now counted
     * on from the previous finding.
     */
    char *path = hh_path(dir, "long-line.txt");
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    char pad[20001];
    memset(pad, 'x', 20000);
    pad[20000] = '\0';
    for (int i = 0; i < 1000; i++) {
        fprintf(f, "%s %s ", pad, tok);
    }
    fputc('\n', f);
    fclose(f);
    struct hh_run r;
    hh_lh(&r, "scan 1000 findings on one 20 MB line", dir, 300, "scan", "--no-config", "--format",
          "json", "long-line.txt", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    cr_assert(lt(dbl, r.secs, 30.0), "took %.1f s", r.secs);
    json_t *j = parse(&r);
    cr_assert(eq(sz, json_array_size(j), 1000));
    json_t *last = json_array_get(j, 999);
    cr_assert(
        eq(int, (int)json_integer_value(json_object_get(last, "column")), 999 * 20042 + 20002));
    cr_assert(
        eq(int, (int)json_integer_value(json_object_get(last, "end_column")), 999 * 20042 + 20042));
    json_decref(j);
    hh_run_dispose(&r);
    free(path);
}
