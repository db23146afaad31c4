/* SPDX-License-Identifier: MIT */
/*
 * Decoding end to end (issue 14), through the real binary on files written as they are met
 * in practice, each holding a checksum-valid GitHub token: a Kubernetes Secret (base64
 * `data:`), a `.dockerconfigjson` pull secret (base64 of JSON holding a base64 `auth`), a
 * percent-encoded token in a URL, a `\u`-escaped token in JSON, base64 of base64 (depth 2,
 * not 1), a base64 value wrapped in a YAML block scalar. Checked: the location of the
 * encoded text, the decode chain in JSON, text and SARIF (validated against the official
 * schema), the fingerprint (the plain token's, so a baseline of it covers both), no second
 * finding where a token is seen plain and decoded or where the Docker `auth` validator
 * reported it, validators and placeholders applied to decoded secrets, --max-decode-depth
 * and its config key, stdin, git history and staged blobs, archive members, and a rule's
 * `decode: [hex]`.
 */
#include "support/report.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(decoding);

static char tok[41];

static void token(void)
{
    lh_make_github_token(tok, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
}

/* base64 of s (heap). */
static char *b64(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    cr_assert(out != NULL);
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

/* Writes dir/rel from a printf format (the arguments are test data). */
static void putf(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(const char *rel, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0);
    char *text = malloc((size_t)n + 1);
    cr_assert(text != NULL);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    va_end(ap);
    lh_write_file(dir, rel, text, strlen(text));
    free(text);
}

/* Runs leakhound with args (NULL-terminated) in dir; returns the parsed stdout JSON. */
static json_t *run_json(int want_status, const char *const *args)
{
    const char *argv[32] = {LH_BIN};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    struct lh_run r;
    cr_assert(eq(int, lh_run_in(&r, dir, NULL, 0, argv), 0));
    cr_assert(eq(int, r.status, want_status), "exit %d, stderr: %s", r.status, r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    cr_assert(doc != NULL, "%s / %s", r.out, r.err);
    lh_run_dispose(&r);
    return doc;
}

#define SCAN(status, ...) run_json(status, (const char *const[]){"scan", __VA_ARGS__, NULL})

/* The findings of arr in `path` (borrowed from arr; NULL-terminated static list). */
static json_t **in_file(json_t *arr, const char *path, size_t *n)
{
    static json_t *list[64];
    size_t i;
    json_t *f;
    *n = 0;
    json_array_foreach(arr, i, f)
    {
        const char *p = json_string_value(json_object_get(f, "path"));
        if (p && (!strcmp(p, path) || (!strncmp(p, "./", 2) && !strcmp(p + 2, path)))) {
            cr_assert(lt(sz, *n, 63));
            list[(*n)++] = f;
        }
    }
    list[*n] = NULL;
    return list;
}

/* The single finding in path, which must be rule's. */
static json_t *only(json_t *arr, const char *path, const char *rule)
{
    size_t n;
    json_t **l = in_file(arr, path, &n);
    cr_assert(eq(sz, n, 1), "%zu findings in %s", n, path);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(l[0], "rule_id")), (char *)rule));
    return l[0];
}

static long num(json_t *f, const char *key)
{
    return (long)json_integer_value(json_object_get(f, key));
}

/* The "decoded" chain of f joined with ',' ("" when absent). */
static const char *chain(json_t *f)
{
    static char buf[128];
    json_t *a = json_object_get(f, "decoded");
    size_t i;
    json_t *e;
    buf[0] = '\0';
    json_array_foreach(a, i, e)
    {
        strcat(buf, i ? "," : "");
        strcat(buf, json_string_value(e));
    }
    return buf;
}

static void expect_at(json_t *f, long line, long col, long end_line, long end_col)
{
    cr_assert(eq(long, num(f, "line"), line));
    cr_assert(eq(long, num(f, "column"), col));
    cr_assert(eq(long, num(f, "end_line"), end_line));
    cr_assert(eq(long, num(f, "end_column"), end_col));
}

Test(decoding, kubernetes_secret_base64_data)
{
    token();
    char *v = b64(tok);
    putf("k8s/secret.yaml",
         "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ntype: Opaque\ndata:\n"
         "  username: ZGVwbG95\n  token: %s\n",
         v);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "k8s/secret.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f, "confidence")), "confirmed"));
    cr_assert(eq(str, (char *)chain(f), "base64"));
    /* the encoded text: from the value's first character to the last one holding token
     * bits (54 of the 56 characters: "==" is padding) */
    expect_at(f, 8, 10, 8, 10 + 54);
    json_decref(arr);
    free(v);
}

Test(decoding, dockerconfigjson_pull_secret_is_two_levels_of_base64)
{
    token();
    char auth_plain[128];
    snprintf(auth_plain, sizeof(auth_plain), "octocat:%s", tok);
    char *auth = b64(auth_plain);
    char json[512];
    snprintf(json, sizeof(json), "{\"auths\":{\"ghcr.io\":{\"auth\":\"%s\"}}}", auth);
    char *v = b64(json);
    putf("deploy/pull-secret.yaml",
         "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n"
         "type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: %s\n",
         v);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "deploy/pull-secret.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)chain(f), "base64,base64"));
    cr_assert(eq(long, num(f, "line"), 7));
    /* inside the value, which starts at column 22 */
    long vlen = (long)strlen(v);
    cr_assert(num(f, "column") > 22 && num(f, "end_column") <= 22 + vlen, "%ld..%ld",
              num(f, "column"), num(f, "end_column"));
    json_decref(arr);
    free(v);
    free(auth);
}

Test(decoding, percent_encoded_token_in_a_url)
{
    token();
    putf("ci/hooks.yml", "notify:\n  url: https://ci.example.test/hook?token=%%67%%68%%70%%5F%s\n",
         tok + 4);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "ci/hooks.yml", "github-pat-classic");
    cr_assert(eq(str, (char *)chain(f), "percent"));
    /* from "%67" to the token's end */
    long at = (long)strlen("  url: https://ci.example.test/hook?token=") + 1;
    expect_at(f, 2, at, 2, at + 12 + 36);
    json_decref(arr);
}

Test(decoding, unicode_escaped_token_in_json)
{
    token();
    putf("settings.json", "{\n  \"github\": {\"token\": \"\\u0067\\u0068\\u0070\\u005f%s\"}\n}\n",
         tok + 4);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "settings.json", "github-pat-classic");
    cr_assert(eq(str, (char *)chain(f), "escape"));
    long at = (long)strlen("  \"github\": {\"token\": \"") + 1;
    expect_at(f, 2, at, 2, at + 24 + 36);
    json_decref(arr);
}

Test(decoding, base64_of_base64_needs_depth_two)
{
    token();
    char *once = b64(tok);
    char *twice = b64(once);
    putf("double.txt", "blob = %s\n", twice);
    putf("k8s.yaml", "data:\n  token: %s\n", once);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "double.txt", "github-pat-classic");
    cr_assert(eq(str, (char *)chain(f), "base64,base64"));
    cr_assert(eq(long, num(f, "column"), 8));
    json_decref(arr);
    /* depth 1: the single encoding only */
    arr = SCAN(1, "--format", "json", "--max-decode-depth", "1", ".");
    size_t n;
    (void)in_file(arr, "double.txt", &n);
    cr_assert(eq(sz, n, 0));
    cr_assert(eq(str, (char *)chain(only(arr, "k8s.yaml", "github-pat-classic")), "base64"));
    json_decref(arr);
    /* depth 0: decoding off */
    arr = SCAN(0, "--format", "json", "--max-decode-depth", "0", ".");
    cr_assert(eq(sz, json_array_size(arr), 0));
    json_decref(arr);
    free(once);
    free(twice);
}

Test(decoding, same_fingerprint_as_plain_so_one_baseline_entry_covers_both)
{
    token();
    char *v = b64(tok);
    putf("plain/.env.local", "GITHUB_TOKEN=%s\n", tok);
    putf("k8s/secret.yaml", "data:\n  token: %s\n", v);
    json_t *arr = SCAN(1, "--format", "json", ".");
    size_t n;
    json_t **plain = in_file(arr, "plain/.env.local", &n);
    cr_assert(eq(sz, n, 1));
    const char *fp = json_string_value(json_object_get(plain[0], "fingerprint"));
    json_t *dec = only(arr, "k8s/secret.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(dec, "fingerprint")), (char *)fp));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(dec, "secret_sha256")),
                 (char *)json_string_value(json_object_get(plain[0], "secret_sha256"))));
    json_decref(arr);
    /* a baseline made from the plain file suppresses the decoded finding */
    struct lh_run r;
    cr_assert(eq(
        int, lh_run_lh(&r, dir, NULL, "baseline", "create", "-o", "base.json", "plain", NULL), 0));
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    arr = SCAN(0, "--format", "json", "--baseline", "base.json", "--show-suppressed", "k8s");
    dec = only(arr, "k8s/secret.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(dec, "suppressed")), "baseline"));
    json_decref(arr);
    free(v);
}

Test(decoding, one_finding_where_a_token_is_seen_plain_and_decoded)
{
    token();
    char tok2[41];
    lh_make_github_token(tok2, "ghp_", "Hb7Tq2Wm9Lx4Cv8Np3Rz6Kd1Fs5Gy0");
    /* the token is plain inside a percent span and inside an escape span; another token
     * further down is reported between the plain and the decoded pass */
    putf("dup.txt", "url: https://ci.example.test/x?a=%%20b&token=%s\nother: %s\n", tok, tok2);
    putf("dup.json", "{\"m\": \"see https:\\/\\/example.test\\/ %s\",\n \"n\": \"%s\"}\n", tok,
         tok2);
    json_t *arr = SCAN(1, "--format", "json", ".");
    static const char *const files[] = {"dup.txt", "dup.json"};
    for (size_t k = 0; k < 2; k++) {
        size_t n;
        json_t **l = in_file(arr, files[k], &n);
        cr_assert(eq(sz, n, 2), "%s: %zu findings", files[k], n);
        for (size_t i = 0; i < n; i++) {
            cr_assert(eq(str, (char *)chain(l[i]), ""));
            cr_assert(eq(long, num(l[i], "line"), (long)i + 1));
        }
    }
    json_decref(arr);
}

Test(decoding, docker_auth_is_reported_once_by_its_validator)
{
    token();
    char up[128];
    snprintf(up, sizeof(up), "octocat:%s", tok);
    char *auth = b64(up);
    putf("home/ada/.docker/config.json", "{\"auths\":{\"ghcr.io\":{\"auth\":\"%s\"}}}\n", auth);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "home/ada/.docker/config.json", "docker-config-auth");
    cr_assert(eq(str, (char *)chain(f), ""));
    json_decref(arr);
    free(auth);
}

Test(decoding, validators_and_placeholders_apply_to_decoded_secrets)
{
    token();
    char bad[41];
    memcpy(bad, tok, sizeof(bad));
    bad[20] = bad[20] == 'A' ? 'B' : 'A'; /* checksum fails */
    char *v1 = b64(bad);
    char *v2 = b64("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    char *v3 = b64("password: ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    putf("a.yaml", "data:\n  a: %s\n  b: %s\n  c: %s\n", v1, v2, v3);
    json_t *arr = SCAN(0, "--format", "json", "--show-invalid", ".");
    cr_assert(eq(sz, json_array_size(arr), 0), "%s", json_dumps(arr, 0));
    json_decref(arr);
    free(v1);
    free(v2);
    free(v3);
}

Test(decoding, chain_in_sarif_jsonl_and_text)
{
    token();
    char *once = b64(tok);
    char *twice = b64(once);
    putf("double.txt", "blob = %s\n", twice);
    putf("plain.txt", "t = %s\n", tok);
    struct lh_run r;
    cr_assert(
        eq(int, lh_run_lh(&r, dir, NULL, "scan", "--format", "sarif", "-o", "out.sarif", ".", NULL),
           0));
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, rt_sarif_validate(dir, "out.sarif"), 0));
    json_error_t e;
    char path[4096];
    snprintf(path, sizeof(path), "%s/out.sarif", dir);
    json_t *doc = json_load_file(path, 0, &e);
    cr_assert(doc != NULL);
    json_t *results = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
    cr_assert(eq(sz, json_array_size(results), 2));
    size_t nd = 0;
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res)
    {
        json_t *d = json_object_get(json_object_get(res, "properties"), "decoded");
        if (d) {
            nd++;
            cr_assert(eq(sz, json_array_size(d), 2));
            cr_assert(eq(str, (char *)json_string_value(json_array_get(d, 0)), "base64"));
            cr_assert(eq(str, (char *)json_string_value(json_array_get(d, 1)), "base64"));
        }
    }
    cr_assert(eq(sz, nd, 1));
    json_decref(doc);

    cr_assert(
        eq(int, lh_run_lh(&r, dir, NULL, "scan", "--format", "jsonl", "double.txt", NULL), 0));
    cr_assert(eq(int, r.status, 1));
    cr_assert(strstr(r.out, "\"decoded\":[\"base64\",\"base64\"]") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    cr_assert(eq(int, lh_run_lh(&r, dir, NULL, "scan", "--color", "never", ".", NULL), 0));
    cr_assert(strstr(r.out, "(decoded: base64 > base64)") != NULL, "%s", r.out);
    cr_assert(eq(int, strstr(r.out, tok) != NULL, 0)); /* redacted */
    lh_run_dispose(&r);
    free(once);
    free(twice);
}

Test(decoding, depth_from_config_and_command_line)
{
    token();
    char *v = b64(tok);
    putf("secret.yaml", "data:\n  token: %s\n", v);
    putf(".leakhound.yml", "max_decode_depth: 0\n");
    json_t *arr = SCAN(0, "--format", "json", ".");
    cr_assert(eq(sz, json_array_size(arr), 0));
    json_decref(arr);
    arr = SCAN(1, "--format", "json", "--max-decode-depth", "2", ".");
    cr_assert(eq(str, (char *)chain(only(arr, "secret.yaml", "github-pat-classic")), "base64"));
    json_decref(arr);
    struct lh_run r;
    static const char *const bad[] = {"9", "-1", "2K", "", "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert(
            eq(int, lh_run_lh(&r, dir, NULL, "scan", "--max-decode-depth", bad[i], ".", NULL), 0));
        cr_assert(eq(int, r.status, 2), "'%s': %d %s", bad[i], r.status, r.err);
        char *line = lh_error_line(r.err);
        cr_assert(line != NULL && strstr(line, "--max-decode-depth takes a number from 0 to 8"),
                  "%s", r.err);
        free(line);
        lh_run_dispose(&r);
    }
    putf(".leakhound.yml", "fail_on: low\nmax_decode_depth: 9\n");
    cr_assert(eq(int, lh_run_lh(&r, dir, NULL, "scan", ".", NULL), 0));
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(strstr(r.err, ".leakhound.yml:2:19: max_decode_depth must be between 0 and 8") !=
                  NULL,
              "%s", r.err);
    lh_run_dispose(&r);
    free(v);
}

Test(decoding, stdin_git_history_and_staged_are_decoded)
{
    token();
    char *v = b64(tok);
    char doc[256];
    snprintf(doc, sizeof(doc), "data:\n  token: %s\n", v);
    struct lh_run r;
    cr_assert(eq(int, lh_run_lh(&r, dir, doc, "scan", "--format", "json", "-", NULL), 0));
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"decoded\": [\n      \"base64\"\n    ]") != NULL, "%s", r.out);
    lh_run_dispose(&r);

    cr_assert(eq(int,
                 lh_sh(dir, "git init -q repo && cd repo && git config user.name t && "
                            "git config user.email t@t"),
                 0));
    lh_write_file(dir, "repo/secret.yaml", doc, strlen(doc));
    cr_assert(eq(int,
                 lh_sh(dir, "cd repo && git add secret.yaml && git commit -qm s && "
                            "git rm -q secret.yaml && git commit -qm gone"),
                 0));
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", dir);
    cr_assert(eq(int, lh_run_lh(&r, repo, NULL, "history", "--format", "jsonl", NULL), 0));
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"decoded\":[\"base64\"]") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"line\":2,\"column\":10") != NULL, "%s", r.out);
    lh_run_dispose(&r);

    lh_write_file(dir, "repo/new.yaml", doc, strlen(doc));
    cr_assert(eq(int, lh_sh(dir, "cd repo && git add new.yaml"), 0));
    cr_assert(eq(int, lh_run_lh(&r, repo, NULL, "staged", "--format", "jsonl", NULL), 0));
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"path\":\"new.yaml\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"decoded\":[\"base64\"]") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    free(v);
}

Test(decoding, hex_for_rules_that_ask_and_the_decode_key_is_checked)
{
    token();
    putf("rules/acme.yml", "rules:\n"
                           "  - id: acme-api-key\n"
                           "    name: ACME API key\n"
                           "    keywords: [acme_live_]\n"
                           "    pattern: '(?<secret>acme_live_[a-z0-9]{24})'\n"
                           "    decode: [hex, base64]\n");
    const char *key = "acme_live_q8x2k9m4v7b1n5c3z6w0p4r8";
    char hex[128] = "";
    char ghhex[128] = "";
    for (size_t i = 0; key[i]; i++) {
        sprintf(hex + 2 * i, "%02x", (unsigned char)key[i]);
    }
    for (size_t i = 0; tok[i]; i++) {
        sprintf(ghhex + 2 * i, "%02x", (unsigned char)tok[i]);
    }
    char pct[256] = "";
    for (size_t i = 0; key[i]; i++) {
        sprintf(pct + 3 * i, "%%%02X", (unsigned char)key[i]);
    }
    putf("src/config.py", "ACME = bytes.fromhex('%s')\nGH = bytes.fromhex('%s')\nP = '%s'\n", hex,
         ghhex, pct);
    json_t *arr = SCAN(1, "--format", "json", "--rules", "rules/acme.yml", "src");
    json_t *f = only(arr, "src/config.py", "acme-api-key");
    cr_assert(eq(str, (char *)chain(f), "hex"));
    expect_at(f, 1, 23, 1, 23 + (long)strlen(hex));
    json_decref(arr);

    static const char *const bad[] = {"[rot13]", "[hex, hex]", "hex"};
    static const char *const msg[] = {"decode takes base64, percent, escape or hex",
                                      "decode lists 'hex' twice",
                                      "decode must be a list of base64, percent, escape, hex"};
    for (size_t i = 0; i < 3; i++) {
        putf("rules/bad.yml",
             "rules:\n  - id: x-bad\n    name: X\n    keywords: [x_]\n"
             "    pattern: '(?<secret>x_[a-z]{8})'\n    decode: %s\n",
             bad[i]);
        struct lh_run r;
        cr_assert(
            eq(int, lh_run_lh(&r, dir, NULL, "scan", "--rules", "rules/bad.yml", "src", NULL), 0));
        cr_assert(eq(int, r.status, 3), "%s", r.err);
        cr_assert(strstr(r.err, "bad.yml:6:") && strstr(r.err, msg[i]), "%s", r.err);
        lh_run_dispose(&r);
    }
}

Test(decoding, inline_allow_on_the_line_of_the_encoded_text)
{
    token();
    char *v = b64(tok);
    putf("fixture.yaml", "data:\n  token: %s  # test fixture, leakhound:allow\n", v);
    json_t *arr = SCAN(0, "--format", "json", "--show-suppressed", ".");
    json_t *f = only(arr, "fixture.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f, "suppressed")), "inline"));
    json_decref(arr);
    free(v);
}

Test(decoding, wrapped_base64_in_a_yaml_block_scalar_is_located_line_by_line)
{
    token();
    char text[1024];
    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: ci\n  user:\n"
             "    token: %s\n",
             tok);
    char *v = b64(text);
    /* 76 characters a line, indented by 4, as `base64` and editors wrap */
    char doc[4096];
    size_t o = (size_t)sprintf(doc, "data:\n  kubeconfig: |\n");
    size_t vlen = strlen(v);
    for (size_t i = 0; i < vlen; i += 76) {
        o += (size_t)sprintf(doc + o, "    %.76s\n", v + i);
    }
    lh_write_file(dir, "kubeconfig-secret.yaml", doc, o);
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "kubeconfig-secret.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)chain(f), "base64"));
    /* the token's bytes [t, t + 40) of text are characters [4t/3, ...) of the value */
    size_t t = (size_t)(strstr(text, tok) - text);
    size_t c0 = 4 * (t / 3) + t % 3;
    size_t last = t + 39;
    size_t c1 = 4 * (last / 3) + last % 3 + 1; /* the last character with token bits */
    expect_at(f, 3 + (long)(c0 / 76), 5 + (long)(c0 % 76), 3 + (long)(c1 / 76),
              5 + (long)(c1 % 76) + 1);
    json_decref(arr);
    free(v);
}

Test(decoding, archive_members_are_decoded_too)
{
    token();
    char *v = b64(tok);
    putf("src/deploy/secret.yaml", "data:\n  token: %s\n", v);
    cr_assert(eq(int, lh_sh(dir, "cd src && zip -qr ../bundle.zip deploy && rm -r ../src"), 0));
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "bundle.zip!/deploy/secret.yaml", "github-pat-classic");
    cr_assert(eq(str, (char *)chain(f), "base64"));
    expect_at(f, 2, 10, 2, 10 + 54);
    json_decref(arr);
    free(v);
}

Test(decoding, private_key_in_json_with_escaped_slashes)
{
    /* PHP's json_encode writes '/' as '\/': the key body is no PEM until it is unescaped;
     * one with plain '\n' escapes only is the private-key rules' own, and found once */
    cr_assert(
        eq(int,
           lh_sh(dir, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 "
                      "-out k.pem 2>/dev/null && python3 -c 'import json; "
                      "k = open(\"k.pem\").read(); "
                      "open(\"php.json\", \"w\").write(json.dumps({\"key\": k})"
                      ".replace(\"/\", \"\\\\/\") + \"\\n\"); "
                      "open(\"plain.json\", \"w\").write(json.dumps({\"key\": k}) + \"\\n\")' "
                      "&& rm k.pem && grep -q '\\\\/' php.json"),
           0));
    json_t *arr = SCAN(1, "--format", "json", ".");
    json_t *f = only(arr, "php.json", "pem-private-key");
    cr_assert(eq(str, (char *)chain(f), "escape"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f, "confidence")), "confirmed"));
    cr_assert(eq(str, (char *)chain(only(arr, "plain.json", "pem-private-key")), ""));
    json_decref(arr);
}
