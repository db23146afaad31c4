/* SPDX-License-Identifier: MIT */
/*
 * Shared harness helpers; see fuzz_common.h. The scratch directory lives on /dev/shm when
 * it exists, so harnesses that go through files (the revocation spool) stay fast, and is
 * removed by an atexit handler (libFuzzer exits through exit() on -max_total_time).
 */
#include "fuzz/common.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

_Noreturn void lh_fuzz_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", expr, file, line);
    abort();
}

static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
                continue;
            }
            char sub[512];
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void cleanup(void)
{
    if (tmpdir[0]) {
        rm_tree(tmpdir);
    }
}

const char *lh_fuzz_tmpdir(void)
{
    if (tmpdir[0]) {
        return tmpdir;
    }
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    snprintf(tmpdir, sizeof(tmpdir), "%s/lh-fuzz-XXXXXX", base);
    if (!mkdtemp(tmpdir)) {
        lh_fuzz_fail("mkdtemp", __FILE__, __LINE__);
    }
    atexit(cleanup);
    return tmpdir;
}

void lh_fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    LH_FUZZ_CHECK(fd >= 0);
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        LH_FUZZ_CHECK(n > 0);
        off += (size_t)n;
    }
    close(fd);
}

static EVP_PKEY *fuzz_key;
static char keyfile[300];

const char *lh_fuzz_keyfile(void **key)
{
    if (!fuzz_key) {
        fuzz_key = EVP_EC_gen("P-256");
        LH_FUZZ_CHECK(fuzz_key != NULL);
        BIO *bio = BIO_new(BIO_s_mem());
        LH_FUZZ_CHECK(bio != NULL && PEM_write_bio_PUBKEY(bio, fuzz_key) == 1);
        char *pem = NULL;
        long n = BIO_get_mem_data(bio, &pem);
        json_t *list = json_pack("{s:[{s:s,s:s%,s:b}]}", "public_keys", "key_identifier",
                                 LH_FUZZ_KEY_ID, "key", pem, (size_t)n, "is_current", 1);
        LH_FUZZ_CHECK(list != NULL);
        char *text = json_dumps(list, JSON_COMPACT);
        LH_FUZZ_CHECK(text != NULL);
        snprintf(keyfile, sizeof(keyfile), "%s/keys.json", lh_fuzz_tmpdir());
        lh_fuzz_write(keyfile, (const uint8_t *)text, strlen(text));
        free(text);
        json_decref(list);
        BIO_free(bio);
    }
    if (key) {
        *key = fuzz_key;
    }
    return keyfile;
}

void lh_fuzz_sign(char *out, size_t cap, const uint8_t *data, size_t size)
{
    unsigned char der[160];
    size_t dlen = sizeof(der);
    (void)lh_fuzz_keyfile(NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    LH_FUZZ_CHECK(ctx != NULL);
    LH_FUZZ_CHECK(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, fuzz_key) == 1);
    LH_FUZZ_CHECK(EVP_DigestSign(ctx, der, &dlen, data, size) == 1);
    EVP_MD_CTX_free(ctx);
    LH_FUZZ_CHECK(cap >= 4 * ((dlen + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, der, (int)dlen);
}
