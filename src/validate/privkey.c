/* SPDX-License-Identifier: MIT */
/*
 * Private-key blocks (PEM and OpenSSH), confirmed by parsing them. The secret is the whole
 * block from `-----BEGIN X-----` to `-----END X-----`, as it appears in the blob: plain
 * lines, or inside a JSON/YAML string with `\n` escapes, or split over concatenated string
 * literals (`"...\n" +`). The body is reduced to its base64 characters (escapes, quotes,
 * `+` between literals, commas and white space are separators; header lines such as
 * `Comment:` are skipped), decoded, and then:
 *
 *  - `OPENSSH PRIVATE KEY`: the openssh-key-v1 container is walked; cipher `none` with the
 *    two equal 32-bit check integers is a parsed key, another cipher an encrypted one;
 *  - `ENCRYPTED PRIVATE KEY` (PKCS#8 EncryptedPrivateKeyInfo, parsed as X509_SIG) and
 *    traditional PEM with `Proc-Type: 4,ENCRYPTED` are encrypted keys;
 *  - every other label (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA`, SEC1 `EC`, `DSA`) goes to
 *    OpenSSL's d2i_AutoPrivateKey.
 *
 * The outcome is the finding's confidence: confirmed (OpenSSL or the OpenSSH container
 * parsed a private key), low (an encrypted key: worthless without its passphrase, still
 * worth removing), probable (a block that does not parse, e.g. truncated or made up). So the
 * validator passes every block; it sets `key_type` metadata (`RSA 2048`, `ED25519`,
 * `encrypted`, `unparsed`). Bounded: bodies over MAX_B64 base64 characters are not decoded
 * (probable). No heap use by this file; OpenSSL allocates internally and everything it
 * allocates is freed before return. Thread-safe.
 */
#include "util/encode.h"
#include "validate/checks.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#define MAX_B64 16384
#define MAX_DER (MAX_B64 / 4 * 3 + 3)

static void set_meta(struct lh_validation *out, enum lh_confidence conf, const char *type)
{
    if (!out) {
        return;
    }
    out->pass = true;
    out->confidence = conf;
    snprintf(out->meta_key, sizeof(out->meta_key), "key_type");
    snprintf(out->meta_value, sizeof(out->meta_value), "%s", type);
}

static const uint8_t *find(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i + k <= n; i++) {
        if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, k) == 0) {
            return p + i;
        }
    }
    return NULL;
}

static bool is_b64(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/*
 * Collects the base64 characters of body[0..n) into out (at most cap), skipping escapes
 * (`\n`, `\r`, `\t`, after any number of backslashes) and header lines (a line with a ':'
 * is dropped from its start). Returns the count, or SIZE_MAX when over cap.
 */
static size_t collect_b64(const uint8_t *body, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    size_t line = 0;
    bool skip_line = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = body[i];
        if (c == '\\') {
            while (i + 1 < n && body[i + 1] == '\\') {
                i++;
            }
            if (i + 1 < n && (body[i + 1] == 'n' || body[i + 1] == 'r' || body[i + 1] == 't')) {
                i++;
                if (body[i] != 't') {
                    line = k;
                    skip_line = false;
                }
            }
            continue;
        }
        if (c == '\n' || c == '\r') {
            line = k;
            skip_line = false;
            continue;
        }
        if (c == ':') {
            k = line; /* a header line (`Comment: ...`): drop what it contributed */
            skip_line = true;
            continue;
        }
        if (skip_line) {
            continue;
        }
        if (c == '+' && (i + 1 == n || (!is_b64(body[i + 1]) && body[i + 1] != '=')) &&
            (i == 0 || !is_b64(body[i - 1]))) {
            continue; /* `" + "`: string concatenation (a lone '+' is never base64) */
        }
        if (is_b64(c)) {
            if (k == cap) {
                return SIZE_MAX;
            }
            out[k++] = (char)c;
        }
    }
    return k;
}

/* An SSH `string` at *p: length-prefixed; advances. Returns false when out of bounds. */
static bool ssh_string(const uint8_t **p, const uint8_t *end, const uint8_t **s, uint32_t *len)
{
    if (end - *p < 4) {
        return false;
    }
    uint32_t n =
        (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];
    if ((size_t)(end - *p - 4) < n) {
        return false;
    }
    *s = *p + 4;
    *len = n;
    *p += 4 + (size_t)n;
    return true;
}

static bool ssh_u32(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
    if (end - *p < 4) {
        return false;
    }
    *v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];
    *p += 4;
    return true;
}

/* openssh-key-v1 (OpenSSH PROTOCOL.key). */
static void check_openssh(const uint8_t *der, size_t n, struct lh_validation *out)
{
    static const char magic[] = "openssh-key-v1";
    const uint8_t *p = der;
    const uint8_t *end = der + n;
    const uint8_t *cipher, *kdf, *kdfopt, *pub, *priv;
    uint32_t lc, lk, lo, nkeys, lp, lv;
    if (n < sizeof(magic) || memcmp(der, magic, sizeof(magic)) != 0) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        return;
    }
    p += sizeof(magic);
    if (!ssh_string(&p, end, &cipher, &lc) || !ssh_string(&p, end, &kdf, &lk) ||
        !ssh_string(&p, end, &kdfopt, &lo) || !ssh_u32(&p, end, &nkeys) || nkeys != 1 ||
        !ssh_string(&p, end, &pub, &lp) || !ssh_string(&p, end, &priv, &lv)) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        return;
    }
    if (!(lc == 4 && memcmp(cipher, "none", 4) == 0)) {
        set_meta(out, LH_CONF_LOW, "encrypted");
        return;
    }
    const uint8_t *q = priv;
    const uint8_t *qend = priv + lv;
    uint32_t c1, c2, lt;
    const uint8_t *type;
    if (!ssh_u32(&q, qend, &c1) || !ssh_u32(&q, qend, &c2) || c1 != c2 ||
        !ssh_string(&q, qend, &type, &lt) || lt == 0 || lt > 40) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        return;
    }
    char name[48];
    snprintf(name, sizeof(name), "%.*s", (int)lt, (const char *)type);
    for (char *c = name; *c; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
            *c = '?';
        }
    }
    set_meta(out, LH_CONF_CONFIRMED, name);
}

static void check_der(const uint8_t *der, size_t n, bool encrypted_label, struct lh_validation *out)
{
    const unsigned char *p = der;
    if (encrypted_label) {
        X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)n);
        set_meta(out, sig ? LH_CONF_LOW : LH_CONF_PROBABLE, sig ? "encrypted" : "unparsed");
        X509_SIG_free(sig);
        ERR_clear_error();
        return;
    }
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)n);
    if (!k) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        ERR_clear_error();
        return;
    }
    char type[64];
    const char *name = EVP_PKEY_get0_type_name(k);
    int bits = EVP_PKEY_get_bits(k);
    int id = EVP_PKEY_get_base_id(k);
    if (id == EVP_PKEY_RSA || id == EVP_PKEY_DSA || id == EVP_PKEY_EC) {
        snprintf(type, sizeof(type), "%s %d", name ? name : "?", bits);
    } else {
        snprintf(type, sizeof(type), "%s", name ? name : "?");
    }
    EVP_PKEY_free(k);
    ERR_clear_error();
    set_meta(out, LH_CONF_CONFIRMED, type);
}

bool lh_privkey_check(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                      struct lh_validation *out)
{
    (void)rule;
    const uint8_t *end = secret + len;
    const uint8_t *begin = find(secret, len, "-----BEGIN ");
    if (!begin) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        return true;
    }
    const uint8_t *label = begin + 11;
    const uint8_t *lend = find(label, (size_t)(end - label), "-----");
    const uint8_t *stop = lend ? find(lend + 5, (size_t)(end - lend - 5), "-----END ") : NULL;
    if (!lend || !stop || lend - label > 40) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        return true;
    }
    size_t llen = (size_t)(lend - label);
    const uint8_t *body = lend + 5;
    size_t blen = (size_t)(stop - body);
    if (find(body, blen, "Proc-Type: 4,ENCRYPTED")) {
        set_meta(out, LH_CONF_LOW, "encrypted");
        return true;
    }
    char b64[MAX_B64];
    uint8_t der[MAX_DER];
    size_t nb = collect_b64(body, blen, b64, sizeof(b64));
    size_t nd = 0;
    if (nb == SIZE_MAX ||
        lh_encode_base64_decode(der, sizeof(der), &nd, (const uint8_t *)b64, nb, LH_ENC_NOPAD) <
            0 ||
        nd == 0) {
        set_meta(out, LH_CONF_PROBABLE, "unparsed");
        return true;
    }
    if (llen == 19 && memcmp(label, "OPENSSH PRIVATE KEY", 19) == 0) {
        check_openssh(der, nd, out);
    } else {
        bool enc = llen == 21 && memcmp(label, "ENCRYPTED PRIVATE KEY", 21) == 0;
        check_der(der, nd, enc, out);
    }
    return true;
}
