/* SPDX-License-Identifier: MIT */
/*
 * PyPI API tokens (reference §2.11): `pypi-` + unpadded base64url of a version-2 binary
 * macaroon (pymacaroons binary_serializer.py). Layout: 0x02; header section = [LOCATION]
 * IDENTIFIER EOS; zero or more caveat sections = [LOCATION] IDENTIFIER [VID] EOS; EOS;
 * SIGNATURE of 32 bytes; nothing after. Packets are `type(uvarint) len(uvarint) data`,
 * EOS is the single byte 0. The parser is bounds-checked against the decoded length at
 * every step and caps caveats and decoded size; there is no checksum, but random text
 * never parses.
 */
#include "util/encode.h"
#include "validate/checks.h"
#include "validate/params.h"

#include <string.h>

#define PYPI_PREFIX "pypi-"
#define PYPI_MAX 4096
#define PYPI_MAX_CAVEATS 64
#define MAC_VERSION 2
#define MAC_EOS 0
#define MAC_LOCATION 1
#define MAC_IDENTIFIER 2
#define MAC_VID 4
#define MAC_SIGNATURE 6
#define MAC_SIGNATURE_LEN 32

struct mac_reader {
    const uint8_t *p;
    size_t n;
    size_t at;
};

static bool read_uvarint(struct mac_reader *r, uint32_t *out)
{
    uint32_t v = 0;

    for (unsigned shift = 0; shift < 32; shift += 7) {
        uint8_t b;
        if (r->at >= r->n) {
            return false;
        }
        b = r->p[r->at++];
        v |= (uint32_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Reads one packet; EOS has no length. */
static bool read_packet(struct mac_reader *r, uint32_t *type, size_t *dlen)
{
    uint32_t len;

    if (!read_uvarint(r, type)) {
        return false;
    }
    if (*type == MAC_EOS) {
        *dlen = 0;
        return true;
    }
    if (!read_uvarint(r, &len) || len > r->n - r->at) {
        return false;
    }
    r->at += len;
    *dlen = len;
    return true;
}

/* [LOCATION] IDENTIFIER [VID] EOS; VID only in caveats. */
static bool read_section(struct mac_reader *r, bool caveat)
{
    uint32_t type;
    size_t dlen;

    if (!read_packet(r, &type, &dlen)) {
        return false;
    }
    if (type == MAC_LOCATION && !read_packet(r, &type, &dlen)) {
        return false;
    }
    if (type != MAC_IDENTIFIER || dlen == 0 || !read_packet(r, &type, &dlen)) {
        return false;
    }
    if (caveat && type == MAC_VID && !read_packet(r, &type, &dlen)) {
        return false;
    }
    return type == MAC_EOS;
}

bool lh_pypi_check_macaroon(const uint8_t *secret, size_t len, const struct lh_rule *rule,
                            struct lh_validation *out)
{
    uint8_t raw[PYPI_MAX];
    struct mac_reader r = {raw, 0, 0};
    size_t plen = sizeof(PYPI_PREFIX) - 1;
    uint32_t type;
    size_t dlen;
    int ncaveats = 0;

    (void)rule;
    if (secret == NULL || len <= plen || memcmp(secret, PYPI_PREFIX, plen) != 0 ||
        lh_encode_base64_decode(raw, sizeof(raw), &r.n, secret + plen, len - plen, LH_ENC_URL) !=
            0) {
        return lh_params_verdict(out, false);
    }
    if (r.n == 0 || raw[r.at++] != MAC_VERSION || !read_section(&r, false)) {
        return lh_params_verdict(out, false);
    }
    for (;;) {
        if (r.at >= r.n) {
            return lh_params_verdict(out, false);
        }
        if (raw[r.at] == MAC_EOS) {
            r.at++;
            break;
        }
        if (++ncaveats > PYPI_MAX_CAVEATS || !read_section(&r, true)) {
            return lh_params_verdict(out, false);
        }
    }
    if (!read_packet(&r, &type, &dlen) || type != MAC_SIGNATURE || dlen != MAC_SIGNATURE_LEN) {
        return lh_params_verdict(out, false);
    }
    return lh_params_verdict(out, r.at == r.n);
}
