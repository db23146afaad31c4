/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of archives and container images: the real binary on archives built by
 * the test with the real tools (zip, tar, gzip, bzip2, xz, zstd, bsdtar for 7z), a zip in
 * a tar in a tgz, a zip in git history and staged, images written with tar and sha256sum
 * (OCI layout directory and tar, docker save tarball), and hostile archives (nested bomb,
 * ratio bomb, 100,000 members, truncated, '../../etc/passwd'), each of which must end with a
 * warning naming the archive while the rest of the scan is still reported.
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

LH_TMPDIR_SUITE(archive);

static char tok[41];

static void token(char out[41], int n)
{
    char body[31];
    snprintf(body, sizeof(body), "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh%04d", n);
    lh_make_github_token(out, "ghp_", body);
}

/* Runs leakhound with --format json in dir; *arr gets the parsed findings. */
static struct lh_run run_json(json_t **arr, const char *a1, const char *a2, const char *a3,
                              const char *a4)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, a1, "--format", "json", "--no-cache", a2, a3, a4, NULL);
    json_error_t je;
    *arr = json_loads(r.out, 0, &je);
    json_t *parsed = *arr;
    cr_assert(parsed != NULL, "not json: %s / %s", r.out, r.err);
    return r;
}

static bool has_path(json_t *arr, const char *path)
{
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        if (!strcmp(json_string_value(json_object_get(f, "path")), path)) {
            return true;
        }
    }
    return false;
}

static json_t *by_path(json_t *arr, const char *path)
{
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        if (!strcmp(json_string_value(json_object_get(f, "path")), path)) {
            return f;
        }
    }
    return NULL;
}

static void plant(const char *rel)
{
    char text[128];
    snprintf(text, sizeof(text), "spring:\n  token: %s\n", tok);
    lh_write_file(dir, rel, text, strlen(text));
}

Test(archive, token_found_in_every_archive_type)
{
    token(tok, 1);
    plant("src/BOOT-INF/classes/application.yml");
    cr_assert(
        eq(int,
           lh_sh(dir,
                 "mkdir -p a && cd src && zip -qr ../a/app.zip BOOT-INF && "
                 "zip -qr ../a/app.jar BOOT-INF && zip -qr ../a/app.war BOOT-INF && "
                 "zip -qr ../a/pkg.whl BOOT-INF && zip -qr ../a/pkg.nupkg BOOT-INF && "
                 "tar -cf ../a/app.tar BOOT-INF && tar -czf ../a/app.tgz BOOT-INF && "
                 "tar -cjf ../a/app.tar.bz2 BOOT-INF && tar -cJf ../a/app.tar.xz BOOT-INF && "
                 "tar -cf - BOOT-INF | zstd -q -o ../a/app.tar.zst && "
                 "bsdtar --format 7zip -cf ../a/app.7z BOOT-INF && "
                 "F=BOOT-INF/classes/application.yml && gzip -c $F > ../a/application.yml.gz && "
                 "bzip2 -c $F > ../a/application.yml.bz2 && xz -c $F > ../a/application.yml.xz && "
                 "zstd -q -c $F > ../a/application.yml.zst && "
                 "cp ../a/app.jar ../a/renamed.bin && rm -rf ../src"),
           0));
    json_t *arr;
    struct lh_run r = run_json(&arr, "scan", "a", NULL, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    static const char *const want[] = {
        "a/app.zip!/BOOT-INF/classes/application.yml",
        "a/app.jar!/BOOT-INF/classes/application.yml",
        "a/app.war!/BOOT-INF/classes/application.yml",
        "a/pkg.whl!/BOOT-INF/classes/application.yml",
        "a/pkg.nupkg!/BOOT-INF/classes/application.yml",
        "a/app.tar!/BOOT-INF/classes/application.yml",
        "a/app.tgz!/BOOT-INF/classes/application.yml",
        "a/app.tar.bz2!/BOOT-INF/classes/application.yml",
        "a/app.tar.xz!/BOOT-INF/classes/application.yml",
        "a/app.tar.zst!/BOOT-INF/classes/application.yml",
        "a/app.7z!/BOOT-INF/classes/application.yml",
        "a/application.yml.gz!/application.yml",
        "a/application.yml.bz2!/application.yml",
        "a/application.yml.xz!/application.yml",
        "a/application.yml.zst!/application.yml",
        "a/renamed.bin!/BOOT-INF/classes/application.yml", /* by content, not by name */
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        cr_assert(has_path(arr, want[i]), "missing %s in %s", want[i], r.out);
    }
    cr_assert(eq(sz, json_array_size(arr), sizeof(want) / sizeof(want[0])), "%s", r.out);
    json_t *f = by_path(arr, want[1]);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f, "confidence")), "confirmed"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "line")), 2));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(f, "column")), 10));
    cr_assert(strstr(r.out, tok) == NULL && strstr(r.err, tok) == NULL);
    json_decref(arr);
    lh_run_dispose(&r);

    /* the same path in text and SARIF; --max-archive-depth 0 turns archives off */
    lh_run_lh(&r, dir, NULL, "scan", "--no-cache", "a/app.jar", NULL);
    cr_assert(strstr(r.out, "a/app.jar!/BOOT-INF/classes/application.yml:2:10") != NULL, "%s",
              r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--no-cache", "-f", "sarif", "a/app.jar", NULL);
    cr_assert(strstr(r.out, "\"a/app.jar!/BOOT-INF/classes/application.yml\"") != NULL, "%s",
              r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "scan", "--no-cache", "--max-archive-depth", "0", "a", NULL);
    cr_assert(eq(int, r.status, 0), "%s%s", r.out, r.err);
    lh_run_dispose(&r);
}

Test(archive, zip_in_tar_in_tgz_and_depth_limit)
{
    token(tok, 2);
    plant("creds/secret.yml");
    cr_assert(eq(int,
                 lh_sh(dir, "zip -qr creds.zip creds && tar -cf inner.tar creds.zip && "
                            "tar -czf outer.tgz inner.tar && rm -rf creds creds.zip inner.tar"),
                 0));
    json_t *arr;
    struct lh_run r = run_json(&arr, "scan", "outer.tgz", NULL, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    cr_assert(has_path(arr, "outer.tgz!/inner.tar!/creds.zip!/creds/secret.yml"), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    /* two levels allowed: the zip is the third; a warning names it */
    r = run_json(&arr, "scan", "--max-archive-depth", "2", "outer.tgz");
    cr_assert(eq(int, r.status, 0), "%s", r.out);
    cr_assert(strstr(r.err, "'outer.tgz!/inner.tar!/creds.zip' is an archive nested deeper than "
                            "--max-archive-depth 2") != NULL,
              "%s", r.err);
    json_decref(arr);
    lh_run_dispose(&r);
}

Test(archive, zip_blob_in_history_and_staged_zip)
{
    token(tok, 3);
    plant("cfg/app.yml");
    cr_assert(
        eq(int,
           lh_sh(dir, "git -c init.defaultBranch=main init -q repo && zip -qr repo/bundle.zip cfg "
                      "&& cd repo && git add bundle.zip && "
                      "git -c user.name=A -c user.email=a@example.com commit -qm add && "
                      "git rm -q bundle.zip && "
                      "git -c user.name=A -c user.email=a@example.com commit -qm rm"),
           0));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "history", "--no-cache", "-f", "json", "repo", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    json_t *arr = json_loads(r.out, 0, NULL);
    cr_assert(eq(sz, json_array_size(arr), 1), "%s", r.out);
    json_t *f = json_array_get(arr, 0);
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(f, "path")), "bundle.zip!/cfg/app.yml"));
    cr_assert(json_string_value(json_object_get(f, "commit")) != NULL, "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);

    /* staged: the zip is added for commit */
    cr_assert(eq(int, lh_sh(dir, "zip -qr repo/again.zip cfg && cd repo && git add again.zip"), 0));
    char repo[4096];
    snprintf(repo, sizeof(repo), "%s/repo", dir);
    const char *argv[] = {LH_BIN, "staged", "--no-cache", "-f", "json", NULL};
    lh_run_in(&r, repo, NULL, 0, argv);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, "\"again.zip!/cfg/app.yml\"") != NULL, "%s", r.out);
    lh_run_dispose(&r);
}

static void build_image(char tokens[3][41])
{
    token(tokens[0], 10);
    token(tokens[1], 11);
    token(tokens[2], 12);
    cr_assert(eq(int,
                 lh_sh(dir, "sh '%s/tests/e2e/scan/data/mkimage.sh' img %s %s %s >/dev/null",
                       LH_SOURCE_DIR, tokens[0], tokens[1], tokens[2]),
                 0));
}

Test(archive, image_layouts_layers_whiteouts_and_config)
{
    char t[3][41];
    build_image(t);
    static const char *const forms[] = {"img/oci", "img/oci.tar", "img/docker.tar"};
    for (size_t i = 0; i < 3; i++) {
        json_t *arr;
        struct lh_run r = run_json(&arr, "image", forms[i], NULL, NULL);
        cr_assert(eq(int, r.status, 1), "%s: %s", forms[i], r.err);
        cr_assert(eq(sz, json_array_size(arr), 3), "%s: %s", forms[i], r.out);
        json_t *kept = by_path(arr, "app/config.env");
        json_t *gone = by_path(arr, "app/old.yml");
        json_t *env = by_path(arr, "config!/Env");
        cr_assert(kept && gone && env, "%s: %s", forms[i], r.out);
        const char *layer = json_string_value(json_object_get(kept, "layer"));
        cr_assert(layer && !strncmp(layer, "sha256:", 7) && strlen(layer) == 71, "%s", r.out);
        cr_assert(
            eq(str, (char *)json_string_value(json_object_get(gone, "layer")), (char *)layer));
        int kept_deleted = json_is_true(json_object_get(kept, "deleted"));
        int gone_deleted = json_is_true(json_object_get(gone, "deleted"));
        cr_assert(eq(int, kept_deleted, 0), "%s", r.out);
        cr_assert(eq(int, gone_deleted, 1), "%s", r.out);
        cr_assert(eq(int, (int)json_integer_value(json_object_get(env, "line")), 2));
        cr_assert(json_string_value(json_object_get(env, "layer")) != NULL);
        cr_assert(strcmp(json_string_value(json_object_get(env, "layer")), layer) != 0);
        json_decref(arr);
        lh_run_dispose(&r);
    }
    /* text marks the deleted file; SARIF carries layer and deleted */
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "image", "--no-cache", "img/docker.tar", NULL);
    cr_assert(strstr(r.out, "app/old.yml:2:10") != NULL && strstr(r.out, "[deleted]") != NULL, "%s",
              r.out);
    cr_assert(strstr(r.out, "(file deleted by a later layer)") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "image", "--no-cache", "-f", "sarif", "img/oci", NULL);
    cr_assert(strstr(r.out, "\"deleted\": true") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"layer\": \"sha256:") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* not an image; usage */
    lh_write_file(dir, "plain.tar.txt", "x", 1);
    cr_assert(eq(int, lh_sh(dir, "tar -cf notimg.tar plain.tar.txt"), 0));
    lh_run_lh(&r, dir, NULL, "image", "--no-cache", "notimg.tar", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    cr_assert(strstr(r.err, "'notimg.tar' is not a container image") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "image", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    lh_run_dispose(&r);
}

/* Scans bomb next to plain.env: a warning naming the archive, plain.env still reported. */
static void hostile(const char *bomb, const char *warning)
{
    char text[64];
    snprintf(text, sizeof(text), "TOKEN=%s\n", tok);
    lh_write_file(dir, "plain.env", text, strlen(text));
    json_t *arr;
    struct lh_run r = run_json(&arr, "scan", bomb, "plain.env", NULL);
    cr_assert(eq(int, r.status, 1), "%s: %s", bomb, r.err);
    cr_assert(has_path(arr, "plain.env"), "%s: %s", bomb, r.out);
    cr_assert(strstr(r.err, warning) != NULL, "%s: expected '%s' in: %s", bomb, warning, r.err);
    json_decref(arr);
    lh_run_dispose(&r);
}

Test(archive, nested_zip_bomb)
{
    token(tok, 20);
    cr_assert(eq(int,
                 lh_sh(dir, "mkdir l && yes AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | head -c 100M "
                            "> l/p.txt && (cd l && zip -q -9 ../lvl0.zip p.txt) && rm -rf l && "
                            "for n in 1 2 3 4; do mkdir t && for i in $(seq 0 15); do "
                            "cp lvl$((n-1)).zip t/$i.zip; done && (cd t && zip -q -9 -n .none "
                            "../lvl$n.zip *.zip) && rm -rf t lvl$((n-1)).zip; done && "
                            "mv lvl4.zip 42.zip"),
                 0));
    hostile("42.zip", "archive '42.zip': 4095 more archives nested deeper than "
                      "--max-archive-depth 3 were not opened");
    /* deeper allowed: the ratio limit stops every payload */
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--no-cache", "--max-archive-depth", "5", "--max-archive-size",
              "64M", "42.zip", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "expands more than 100 times its compressed size") != NULL, "%s",
              r.err);
    cr_assert(strstr(r.err, "archive '42.zip': more than 64M of uncompressed data") != NULL, "%s",
              r.err);
    lh_run_dispose(&r);
}

Test(archive, ratio_bomb)
{
    token(tok, 21);
    cr_assert(eq(int,
                 lh_sh(dir, "yes BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB | head -c 300M > "
                            "big.txt && zip -q bomb.zip big.txt && tar -czf bomb.tgz big.txt && "
                            "rm big.txt"),
                 0));
    hostile("bomb.zip", "'bomb.zip!/big.txt' expands more than 100 times its compressed size "
                        "(--max-archive-ratio)");
    hostile("bomb.tgz", "'bomb.tgz!/big.txt' expands more than 100 times its compressed size");
}

Test(archive, hundred_thousand_members)
{
    token(tok, 22);
    cr_assert(eq(int,
                 lh_sh(dir, "mkdir m && cd m && seq 1 100000 | xargs touch && "
                            "zip -q -r ../many.zip . && cd .. && rm -rf m"),
                 0));
    hostile("many.zip", "archive 'many.zip': more than 50000 members (--max-archive-members)");
}

Test(archive, truncated_and_unsafe_names)
{
    token(tok, 23);
    plant("x/app.yml");
    cr_assert(
        eq(int,
           lh_sh(dir,
                 "head -c 100000 /dev/urandom > x/noise.bin && zip -q -0 -r t.zip x && "
                 "head -c $(( $(wc -c < t.zip) - 300 )) t.zip > cut.zip && "
                 "tar -czf t.tgz x && head -c 200 t.tgz > cut.tgz && "
                 "printf 'TOKEN=%s\\n' > passwd && "
                 "tar --transform 's,^passwd,../../etc/passwd,' -cf evil.tar passwd 2>/dev/null "
                 "&& rm -rf x passwd",
                 tok),
           0));
    hostile("cut.tgz", "cannot read archive 'cut.tgz'");
    hostile("cut.zip", "cut.zip");
    hostile("evil.tar", "archive 'evil.tar' has a member named '../../etc/passwd'");
    json_t *arr;
    struct lh_run r = run_json(&arr, "scan", "evil.tar", NULL, NULL);
    cr_assert(has_path(arr, "evil.tar!/../../etc/passwd"), "%s", r.out);
    json_decref(arr);
    lh_run_dispose(&r);
    struct stat st;
    cr_assert(stat("/etc/passwd", &st) == 0); /* nothing written anywhere: only names */
}
