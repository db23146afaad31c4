/* SPDX-License-Identifier: MIT */
/* End-to-end tests of `leakhound scan` and `leakhound rules`: the real binary on real files. */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static char tok[41];
static char bad[41];

static void setup(void)
{
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_make_github_token(tok, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    memcpy(bad, tok, sizeof(tok));
    bad[10] = bad[10] == 'A' ? 'B' : 'A'; /* one body character changed */
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(scan, .init = setup, .fini = teardown);

/* Writes fmt with its one "%s" replaced by arg (no printf: fmt is test data). */
static void put(const char *rel, const char *fmt, const char *arg)
{
    char buf[8192];
    const char *p = strstr(fmt, "%s");
    if (p) {
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - fmt), fmt, arg, p + 2);
    } else {
        snprintf(buf, sizeof(buf), "%s", fmt);
    }
    lh_write_file(dir, rel, buf, strlen(buf));
}

Test(scan, reports_checksum_valid_token_in_nested_file)
{
    put("a/b/c/config.env", "# settings\nname = demo\n  GITHUB_TOKEN=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "json", "a", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    json_error_t je;
    json_t *arr = json_loads(r.out, 0, &je);
    cr_assert(eq(int, json_is_array(arr) ? 1 : 0, 1), "not json: %s", r.out);
    cr_assert(eq(sz, json_array_size(arr), 1));
    json_t *f = json_array_get(arr, 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f, "path")), "a/b/c/config.env"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 3));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "column")), 16));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "end_line")), 3));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "end_column")), 56));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(f, "rule_id")), "github-pat-classic"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f, "confidence")), "confirmed"));
    static const char *const fields[] = {"rule_id", "rule_name",     "confidence", "path",
                                         "line",    "column",        "end_line",   "end_column",
                                         "secret",  "secret_sha256", "fingerprint"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        cr_assert(json_object_get(f, fields[i]) != NULL, "missing field %s", fields[i]);
    }
    cr_assert(eq(sz, strlen(json_string_value(json_object_get(f, "secret_sha256"))), 64));
    /* redacted by default: the whole token appears nowhere */
    cr_assert(strstr(r.out, tok) == NULL);
    cr_assert(strstr(r.err, tok) == NULL);
    json_decref(arr);
    lh_run_dispose(&r);
}

Test(scan, one_changed_character_is_not_reported)
{
    put("a/b/c/config.env", "GITHUB_TOKEN=%s\n", bad);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "a", NULL);
    cr_assert(eq(int, r.status, 0), "stdout: %s stderr: %s", r.out, r.err);
    cr_assert(strstr(r.out, "ghp_") == NULL);
    lh_run_dispose(&r);
}

Test(scan, stdin_valid_and_invalid)
{
    char in[128];
    snprintf(in, sizeof(in), "x\ntoken: %s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, in, "scan", "--format", "jsonl", "-", NULL);
    cr_assert(eq(int, r.status, 1), "stderr: %s", r.err);
    json_t *o = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(o != NULL);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(o, "path")), "-"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(o, "line")), 2));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(o, "column")), 8));
    json_decref(o);
    lh_run_dispose(&r);
    snprintf(in, sizeof(in), "x\ntoken: %s\n", bad);
    lh_run_lh(&r, dir, in, "scan", "-", NULL);
    cr_assert(eq(int, r.status, 0), "stdout: %s", r.out);
    lh_run_dispose(&r);
}

Test(scan, text_output_redacts_and_show_secrets_reveals)
{
    put("f.txt", "%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "f.txt", NULL);
    cr_assert(eq(int, r.status, 1));
    cr_assert(strstr(r.out, "f.txt:1:1") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "github-pat-classic") != NULL);
    cr_assert(strstr(r.out, "confirmed") != NULL);
    cr_assert(strstr(r.out, tok) == NULL, "whole secret printed: %s", r.out);
    cr_assert(strstr(r.out, tok + 36) != NULL, "last 4 characters missing: %s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--show-secrets", "f.txt", NULL);
    cr_assert(strstr(r.out, tok) != NULL);
    lh_run_dispose(&r);
}

Test(scan, columns_count_unicode_code_points)
{
    put("u.txt", "mot de passe é€: %s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--format", "jsonl", "u.txt", NULL);
    json_t *o = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(o != NULL, "%s", r.err);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(o, "column")), 18));
    json_decref(o);
    lh_run_dispose(&r);
}

Test(scan, missing_path_is_io_error)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "does/not/exist", NULL);
    cr_assert(eq(int, r.status, 4));
    cr_assert(strstr(r.err, "does/not/exist") != NULL, "%s", r.err);
    cr_assert(eq(int, (int)(strchr(r.err, '\n') - r.err + 1), (int)r.err_len), "not one line: %s",
              r.err);
    lh_run_dispose(&r);
}

Test(scan, unreadable_file_is_reported_and_scan_continues)
{
    put("ok/secret.txt", "%s\n", tok);
    struct lh_run r;
    if (geteuid() != 0) {
        put("ok/locked.txt", "%s", "x");
        char p[4096];
        snprintf(p, sizeof(p), "%s/ok/locked.txt", dir);
        chmod(p, 0);
        lh_run_lh(&r, dir, NULL, "scan", "ok", NULL);
    } else {
        /* root reads everything; /proc/self/mem is a regular file whose read fails */
        lh_run_lh(&r, dir, NULL, "scan", "ok", "/proc/self/mem", NULL);
    }
    cr_assert(eq(int, r.status, 4), "stderr: %s", r.err);
    cr_assert(strstr(r.err, "cannot") != NULL, "%s", r.err);
    cr_assert(strstr(r.out, "ok/secret.txt") != NULL, "scan did not continue: %s", r.out);
    lh_run_dispose(&r);
}

Test(scan, binary_and_oversized_files_are_skipped_and_counted)
{
    char bin[256];
    memset(bin, 'A', sizeof(bin));
    bin[3] = 0;
    memcpy(bin + 100, tok, 40);
    bin[99] = ' ';
    bin[140] = ' ';
    lh_write_file(dir, "bin.dat", bin, sizeof(bin));
    size_t big = 3u * 1024u * 1024u;
    char *b = malloc(big);
    memset(b, 'x', big);
    memcpy(b + 1000, tok, 40);
    lh_write_file(dir, "big.txt", b, big);
    free(b);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--max-file-size", "1M", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s %s", r.out, r.err);
    cr_assert(strstr(r.err, "1 binary") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "1 too large") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--scan-binary", "bin.dat", NULL);
    cr_assert(eq(int, r.status, 1), "%s %s", r.out, r.err);
    lh_run_dispose(&r);
}

Test(scan, symlinks_not_followed_by_default)
{
    put("real/t.txt", "%s\n", tok);
    lh_sh(dir, "mkdir -p scan && ln -s ../real scan/link && ln -s . scan/loop");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "scan", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--follow-symlinks", "scan", NULL);
    cr_assert(eq(int, r.status, 1), "%s %s", r.out, r.err);
    lh_run_dispose(&r);
}

Test(scan, git_directory_is_skipped)
{
    put(".git/config", "%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", ".", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.out);
    lh_run_dispose(&r);
}

Test(scan, malformed_rule_yaml_names_file_line_col)
{
    put("bad.yml", "%s", "rules:\n  - id: x\n    name: [unclosed\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "bad.yml", ".", NULL);
    cr_assert(eq(int, r.status, 3));
    cr_assert(strstr(r.err, "bad.yml:") != NULL, "%s", r.err);
    cr_assert(eq(int, (int)(strchr(r.err, '\n') - r.err + 1), (int)r.err_len), "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, unknown_rule_key_is_an_error)
{
    put("bad.yml", "%s",
        "rules:\n  - id: x\n    name: X\n    keywords: [abc]\n    patern: 'abc'\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "bad.yml", ".", NULL);
    cr_assert(eq(int, r.status, 3));
    cr_assert(strstr(r.err, "bad.yml:5:5") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "patern") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, nul_escape_in_a_rule_is_an_error_not_a_shorter_pattern)
{
    /* "\0" would have cut the pattern to 'abc' and matched far more than intended */
    put("nul.yml", "%s",
        "rules:\n  - id: x\n    name: X\n    keywords: [abc]\n"
        "    pattern: \"(?<secret>abc\\0def)\"\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "nul.yml", ".", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(not(eq(ptr, strstr(r.err, "nul.yml:5:14: a value contains a NUL byte"), NULL)), "%s",
              r.err);
    lh_run_dispose(&r);
}

Test(scan, pattern_that_does_not_compile_names_rule)
{
    put("bad.yml", "%s",
        "rules:\n  - id: broken-rule\n    name: X\n    keywords: [abc]\n"
        "    pattern: '(?<secret>abc[)'\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "bad.yml", ".", NULL);
    cr_assert(eq(int, r.status, 3));
    cr_assert(strstr(r.err, "broken-rule") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "bad.yml:5:") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, pattern_without_secret_group_is_an_error)
{
    put("bad.yml", "%s",
        "rules:\n  - id: no-group\n    name: X\n    keywords: [abc]\n    pattern: 'abc[0-9]+'\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--rules", "bad.yml", ".", NULL);
    cr_assert(eq(int, r.status, 3));
    cr_assert(strstr(r.err, "no-group") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "secret") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, custom_rules_only_and_usage_errors)
{
    put("r.yml", "%s",
        "rules:\n  - id: acme-key\n    name: Acme key\n    keywords: [acme_]\n"
        "    pattern: '(?<secret>acme_[a-z0-9]{16})'\n"
        "    examples: [acme_9f3a71c0e45b28d6]\n    negative_examples: [acme_short]\n");
    put("in.txt", "%s", "k=acme_9f3a71c0e45b28d6\n");
    put("gh.txt", "%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-builtin-rules", "--rules", "r.yml", ".", NULL);
    cr_assert(eq(int, r.status, 1), "%s %s", r.out, r.err);
    cr_assert(strstr(r.out, "acme-key") != NULL);
    cr_assert(strstr(r.out, "github") == NULL, "built-in rule ran: %s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "rules", "check", "--no-builtin-rules", "--rules", "r.yml", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--format", "xml", ".", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--bogus", NULL);
    cr_assert(eq(int, r.status, 2));
    lh_run_dispose(&r);
}

Test(scan, rules_check_fails_on_bad_example)
{
    put("r.yml", "%s",
        "rules:\n  - id: acme-key\n    name: Acme key\n    keywords: [acme_]\n"
        "    pattern: '(?<secret>acme_[a-z0-9]{16})'\n"
        "    examples: [acme_tooshort]\n    negative_examples: [acme_9f3a71c0e45b28d6]\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "rules", "check", "--no-builtin-rules", "--rules", "r.yml", NULL);
    cr_assert(eq(int, r.status, 3));
    cr_assert(strstr(r.err, "acme-key") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "example 1") != NULL, "%s", r.err);
    cr_assert(strstr(r.err, "negative example 1") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, rules_check_strict_refuses_repeated_keywords)
{
    put("dup.yml", "%s",
        "rules:\n  - id: acme-key\n    name: Acme key\n"
        "    description: An Acme key (acme_ + 16 characters). Delete it in the Acme console.\n"
        "    keywords: [acme_, ACME_]\n    keywords_case: insensitive\n"
        "    pattern: '(?<secret>acme_[a-z0-9]{16})'\n"
        "    references: [https://example.com/acme]\n"
        "    examples: [acme_9f3a71c0e45b28d6, acme_fedcba9876543210]\n"
        "    negative_examples: [acme_short, acme_]\n");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "rules", "check", "--strict", "--no-builtin-rules", "--rules",
              "dup.yml", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(
        not(eq(ptr, strstr(r.err, "rule 'acme-key': keyword 2: repeats an earlier keyword"), NULL)),
        "%s", r.err);
    lh_run_dispose(&r);
    /* not a detection problem: without --strict the rule passes */
    lh_run_lh(&r, dir, NULL, "rules", "check", "--no-builtin-rules", "--rules", "dup.yml", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    /* case matters for case-sensitive keywords */
    put("dup.yml", "%s",
        "rules:\n  - id: acme-key\n    name: Acme key\n"
        "    description: An Acme key (acme_ + 16 characters). Delete it in the Acme console.\n"
        "    keywords: [acme_, ACME_]\n"
        "    pattern: '(?<secret>(?i:acme_)[a-z0-9]{16})'\n"
        "    references: [https://example.com/acme]\n"
        "    examples: [acme_9f3a71c0e45b28d6, ACME_fedcba9876543210]\n"
        "    negative_examples: [acme_short, ACME_]\n");
    lh_run_lh(&r, dir, NULL, "rules", "check", "--strict", "--no-builtin-rules", "--rules",
              "dup.yml", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, rules_list_json)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "rules", "list", "--format", "json", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    json_t *arr = json_loads(r.out, 0, NULL);
    cr_assert(eq(int, json_is_array(arr) ? 1 : 0, 1));
    cr_assert(json_array_size(arr) >= 15);
    json_t *first = json_array_get(arr, 0);
    cr_assert(json_object_get(first, "id") != NULL);
    cr_assert(json_object_get(first, "validator") != NULL);
    cr_assert(json_object_get(first, "confidence") != NULL);
    json_decref(arr);
    lh_run_dispose(&r);
}

Test(scan, vectorscan_cache_is_used_and_corrupt_cache_rebuilt)
{
    char cache[4096];
    snprintf(cache, sizeof(cache), "%s/cache", dir);
    setenv("LEAKHOUND_CACHE_DIR", cache, 1);
    put("f.txt", "%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "f.txt", NULL);
    cr_assert(eq(int, r.status, 1));
    lh_run_dispose(&r);
    cr_assert(eq(int, lh_sh(dir, "ls cache/hsdb-*.bin >/dev/null"), 0));
    /* corrupt every cached database: the scan must still find the token */
    lh_sh(dir, "for f in cache/hsdb-*.bin; do head -c 100 /dev/urandom > $f; done");
    lh_run_lh(&r, dir, NULL, "scan", "f.txt", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    lh_sh(dir, "for f in cache/hsdb-*.bin; do : > $f; done");
    lh_run_lh(&r, dir, NULL, "scan", "f.txt", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
}

Test(scan, many_files_multithreaded_are_all_found)
{
    for (int i = 0; i < 200; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "d%d/f%d.txt", i % 7, i);
        if (i % 10 == 0) {
            put(rel, "x=%s\n", tok);
        } else {
            put(rel, "%s", "nothing to see here\n");
        }
    }
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--threads", "4", "--format", "jsonl", ".", NULL);
    cr_assert(eq(int, r.status, 1));
    size_t lines = 0;
    for (char *p = r.out; *p; p++) {
        lines += *p == '\n';
    }
    cr_assert(eq(sz, lines, 20), "%s", r.out);
    lh_run_dispose(&r);
}

/*
 * Files under a directory argument are opened relative to that directory (openat on a copy
 * of its descriptor): every way of naming the directories, several of them and a file next
 * to them, gives the same files under the paths as written.
 */
Test(scan, directory_arguments_in_every_spelling_report_their_paths)
{
    put("top/a/b/deep.env", "x=%s\n", tok);
    put("top/flat.env", "x=%s\n", tok);
    put("other/o.env", "x=%s\n", tok);
    put("lone.env", "x=%s\n", tok);
    char abs_top[4096];
    snprintf(abs_top, sizeof(abs_top), "%s/top", dir);
    const struct {
        const char *arg;
        const char *prefix;
    } cases[] = {{"top", "top/"}, {"top/", "top/"}, {"./top", "./top/"}, {abs_top, NULL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lh_run r;
        lh_run_lh(&r, dir, NULL, "scan", "--threads", "2", "--format", "jsonl", cases[i].arg,
                  "other", "lone.env", NULL);
        cr_assert(eq(int, r.status, 1), "%s: %s", cases[i].arg, r.err);
        char want[3][4400];
        const char *pre = cases[i].prefix;
        char abs_pre[4200];
        if (!pre) {
            snprintf(abs_pre, sizeof(abs_pre), "%s/", abs_top);
            pre = abs_pre;
        }
        snprintf(want[0], sizeof(want[0]), "\"path\":\"%sa/b/deep.env\"", pre);
        snprintf(want[1], sizeof(want[1]), "\"path\":\"%sflat.env\"", pre);
        snprintf(want[2], sizeof(want[2]), "\"path\":\"other/o.env\"");
        for (size_t k = 0; k < 3; k++) {
            cr_assert(not(eq(ptr, strstr(r.out, want[k]), NULL)), "%s: %s missing from %s",
                      cases[i].arg, want[k], r.out);
        }
        cr_assert(not(eq(ptr, strstr(r.out, "\"path\":\"lone.env\""), NULL)), "%s", r.out);
        size_t lines = 0;
        for (char *p = r.out; *p; p++) {
            lines += *p == '\n';
        }
        cr_assert(eq(sz, lines, 4), "%s: %s", cases[i].arg, r.out);
        lh_run_dispose(&r);
    }
}

/*
 * Explicit file arguments (what a pre-commit hook passes): up to one batch is scanned by the
 * calling thread, more go to the pool; either way every file is scanned exactly once.
 */
static void scan_explicit_files(size_t nfiles, bool with_dir)
{
    const char *argv[160] = {LH_BIN, "scan", "--threads", "2", "--format", "jsonl"};
    size_t argc = 6;
    char names[128][32];
    for (size_t i = 0; i < nfiles; i++) {
        snprintf(names[i], sizeof(names[i]), "f%03zu.env", i);
        put(names[i], i % 2 ? "x=%s\n" : "%s", i % 2 ? tok : "nothing\n");
        argv[argc++] = names[i];
    }
    if (with_dir) {
        put("sub/deep.env", "y=%s\n", tok);
        argv[argc++] = "sub";
    }
    argv[argc] = NULL;
    struct lh_run r;
    lh_run_in(&r, dir, NULL, 0, argv);
    size_t want = nfiles / 2 + (with_dir ? 1 : 0);
    cr_assert(eq(int, r.status, want ? 1 : 0), "stderr: %s", r.err);
    size_t lines = 0;
    for (char *p = r.out; *p; p++) {
        lines += *p == '\n';
    }
    cr_assert(eq(sz, lines, want), "%zu files%s: %s", nfiles, with_dir ? " + dir" : "", r.out);
    for (size_t i = 1; i < nfiles; i += 2) {
        char needle[64];
        snprintf(needle, sizeof(needle), "\"path\":\"%s\"", names[i]);
        cr_assert(not(eq(ptr, strstr(r.out, needle), NULL)), "%s not reported", names[i]);
    }
    lh_run_dispose(&r);
}

Test(scan, explicit_files_inline_and_pooled_are_each_scanned_once)
{
    scan_explicit_files(1, false);
    scan_explicit_files(2, false);
    scan_explicit_files(64, false); /* one full batch: still inline */
    scan_explicit_files(65, false); /* two batches: the pool */
    scan_explicit_files(120, false);
    scan_explicit_files(3, true); /* a directory argument always uses the pool */
}

/* `leakhound version` names the commit it was built from (git describe at build time) */
Test(scan, version_names_the_build_commit)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "version", NULL);
    cr_assert(eq(int, r.status, 0));
    cr_assert(strncmp(r.out, "leakhound ", 10) == 0, "%s", r.out);
    cr_assert(strstr(r.out, " (git ") != NULL, "%s", r.out);
    struct lh_run g;
    const char *argv[] = {"git", "-C", LH_SOURCE_DIR, "rev-parse", "--short", "HEAD", NULL};
    lh_run_in(&g, NULL, NULL, 0, argv);
    if (g.status == 0 && g.out_len > 1) {
        g.out[strcspn(g.out, "\n")] = '\0';
        cr_assert(strstr(r.out, g.out) != NULL, "'%s' does not name commit %s", r.out, g.out);
    }
    lh_run_dispose(&g);
    lh_run_dispose(&r);
}
