/* SPDX-License-Identifier: MIT */
/*
 * The `private-key` validator on keys made at test time by the real tools (openssl
 * genpkey/genrsa, ssh-keygen): every unencrypted kind is confirmed with its type, encrypted
 * keys are low, damaged blocks are probable; the same keys inside JSON strings (`\n`
 * escapes) and split over string literals give the same answer; every prefix and suffix
 * of a block is read without running past its end.
 */
#include "support/support.h"
#include "support/validate.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(privkey);

/* Runs a shell command in dir that writes file `name`; returns its content (heap). */
static char *make_key(const char *name, const char *cmd)
{
    cr_assert(eq(int, lh_sh(dir, "%s >/dev/null 2>&1", cmd), 0), "%s", cmd);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *text = lh_read_file(path);
    cr_assert(text != NULL, "%s", name);
    return text;
}

static enum lh_confidence judge(const char *text, size_t len, char type[96])
{
    struct vt_rule r;
    struct lh_validation out;
    vt_rule_init(&r, "private-key", NULL);
    memset(&out, 0, sizeof(out));
    cr_assert(vt_find("private-key")->check((const uint8_t *)text, len, &r.rule, &out));
    cr_assert(out.pass);
    cr_assert(eq(str, out.meta_key, "key_type"));
    memcpy(type, out.meta_value, sizeof(out.meta_value));
    return out.confidence;
}

/* The block with every newline written as the two characters `\n` (a JSON string). */
static char *escaped(const char *pem)
{
    char *o = malloc(strlen(pem) * 2 + 1);
    cr_assert(o != NULL);
    char *p = o;
    for (const char *s = pem; *s; s++) {
        if (*s == '\n') {
            *p++ = '\\';
            *p++ = 'n';
        } else {
            *p++ = *s;
        }
    }
    *p = '\0';
    return o;
}

/* The block split over Java-style string literals: `"line\n" +` per line. */
static char *concatenated(const char *pem)
{
    char *o = malloc(strlen(pem) * 3 + 64);
    cr_assert(o != NULL);
    char *p = o;
    *p++ = '"';
    for (const char *s = pem; *s; s++) {
        if (*s == '\n') {
            memcpy(p, "\\n\" +\n    \"", 11);
            p += 11;
        } else {
            *p++ = *s;
        }
    }
    *p++ = '"';
    *p = '\0';
    return o;
}

static void expect(const char *name, const char *cmd, enum lh_confidence want, const char *type)
{
    char *pem = make_key(name, cmd);
    char got[96];
    cr_assert(eq(int, judge(pem, strlen(pem), got), want), "%s", name);
    cr_assert(eq(str, got, (char *)type), "%s", name);
    char *e = escaped(pem);
    cr_assert(eq(int, judge(e, strlen(e), got), want), "%s escaped", name);
    char *c = concatenated(pem);
    cr_assert(eq(int, judge(c, strlen(c), got), want), "%s concatenated", name);
    free(c);
    free(e);
    free(pem);
}

Test(privkey, pkcs8_keys_of_every_algorithm_are_confirmed)
{
    expect("ed25519.pem", "openssl genpkey -algorithm ed25519 -out ed25519.pem", LH_CONF_CONFIRMED,
           "ED25519");
    expect("x25519.pem", "openssl genpkey -algorithm x25519 -out x25519.pem", LH_CONF_CONFIRMED,
           "X25519");
    expect("ed448.pem", "openssl genpkey -algorithm ed448 -out ed448.pem", LH_CONF_CONFIRMED,
           "ED448");
    expect("ec.pem", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem",
           LH_CONF_CONFIRMED, "EC 256");
    expect("rsa.pem", "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem",
           LH_CONF_CONFIRMED, "RSA 2048");
}

Test(privkey, traditional_and_openssh_keys_are_confirmed)
{
    expect("pkcs1.pem", "openssl genrsa -traditional -out pkcs1.pem 1024", LH_CONF_CONFIRMED,
           "RSA 1024");
    expect("sec1.pem", "openssl ecparam -name secp384r1 -genkey -noout -out sec1.pem",
           LH_CONF_CONFIRMED, "EC 384");
    expect("id_ed25519", "ssh-keygen -q -t ed25519 -N '' -C '' -f id_ed25519", LH_CONF_CONFIRMED,
           "ssh-ed25519");
    expect("id_ecdsa", "ssh-keygen -q -t ecdsa -N '' -C '' -f id_ecdsa", LH_CONF_CONFIRMED,
           "ecdsa-sha2-nistp256");
}

Test(privkey, encrypted_keys_are_low)
{
    expect("enc8.pem", "openssl genpkey -algorithm ed25519 -aes256 -pass pass:pw -out enc8.pem",
           LH_CONF_LOW, "encrypted");
    expect("enc1.pem", "openssl genrsa -traditional -aes128 -passout pass:pw -out enc1.pem 1024",
           LH_CONF_LOW, "encrypted");
    expect("id_enc", "ssh-keygen -q -t ed25519 -N secret-pw -C '' -f id_enc", LH_CONF_LOW,
           "encrypted");
}

Test(privkey, damaged_blocks_are_probable)
{
    char *pem = make_key("rsa.pem", "openssl genrsa -traditional -out rsa.pem 1024");
    char got[96];
    /* drop the second base64 line: the DER no longer parses */
    char *l1 = strchr(pem, '\n');
    char *l2 = strchr(strchr(l1 + 1, '\n') + 1, '\n');
    memmove(strchr(l1 + 1, '\n') + 1, l2 + 1, strlen(l2 + 1) + 1);
    cr_assert(eq(int, judge(pem, strlen(pem), got), LH_CONF_PROBABLE));
    cr_assert(eq(str, got, "unparsed"));
    free(pem);
    /* an OpenSSH key whose check integers differ */
    pem = make_key("id", "ssh-keygen -q -t ed25519 -N '' -C '' -f id");
    const char *garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                          "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAAA==\n"
                          "-----END OPENSSH PRIVATE KEY-----\n";
    cr_assert(eq(int, judge(garbage, strlen(garbage), got), LH_CONF_PROBABLE));
    free(pem);
    const char *made_up = "-----BEGIN PRIVATE KEY-----\n"
                          "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
                          "-----END PRIVATE KEY-----\n";
    cr_assert(eq(int, judge(made_up, strlen(made_up), got), LH_CONF_PROBABLE));
}

Test(privkey, never_reads_past_the_block)
{
    char *pem = make_key("g.pem", "openssl genpkey -algorithm ed25519 -out g.pem");
    char *e = escaped(pem);
    struct vt_rule r;
    vt_rule_init(&r, "private-key", NULL);
    vt_guard_validator("private-key", &r.rule, pem);
    vt_guard_validator("private-key", &r.rule, e);
    free(e);
    free(pem);
}
