/* SPDX-License-Identifier: MIT */
/*
 * Marvin32 (see marvin.h). Written from the published algorithm: two 32-bit lanes, each
 * little-endian 32-bit word added to p0 then mixed by one "block", and a final word made
 * of the 0-3 tail bytes plus a 0x80 terminator, followed by two blocks. Reads the input
 * byte by byte, so alignment and length never matter.
 */
#include "validate/marvin.h"

static uint32_t rotl32(uint32_t v, unsigned n)
{
    return v << n | v >> (32 - n);
}

static void marvin_block(uint32_t *p0, uint32_t *p1)
{
    *p1 ^= *p0;
    *p0 = rotl32(*p0, 20);
    *p0 += *p1;
    *p1 = rotl32(*p1, 9);
    *p1 ^= *p0;
    *p0 = rotl32(*p0, 27);
    *p0 += *p1;
    *p1 = rotl32(*p1, 19);
}

static void marvin_run(uint32_t *p0, uint32_t *p1, const uint8_t *buf, size_t len)
{
    size_t i = 0;
    uint32_t tail = 0x80;

    for (; len - i >= 4; i += 4) {
        *p0 += (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 | (uint32_t)buf[i + 2] << 16 |
               (uint32_t)buf[i + 3] << 24;
        marvin_block(p0, p1);
    }
    /* tail bytes little-endian, then the 0x80 terminator byte above them */
    for (size_t k = len - i; k > 0; k--) {
        tail = tail << 8 | buf[i + k - 1];
    }
    *p0 += tail;
    marvin_block(p0, p1);
    marvin_block(p0, p1);
}

uint64_t lh_marvin_hash64(uint64_t seed, const uint8_t *buf, size_t len)
{
    uint32_t p0 = (uint32_t)seed;
    uint32_t p1 = (uint32_t)(seed >> 32);

    marvin_run(&p0, &p1, buf, len);
    return (uint64_t)p1 << 32 | p0;
}

uint32_t lh_marvin_hash32(uint64_t seed, const uint8_t *buf, size_t len)
{
    uint32_t p0 = (uint32_t)seed;
    uint32_t p1 = (uint32_t)(seed >> 32);

    marvin_run(&p0, &p1, buf, len);
    return p0 ^ p1;
}

uint64_t lh_marvin_seed(const char name[8])
{
    uint64_t seed = 0;

    for (int i = 0; i < 8; i++) {
        seed = seed << 8 | (uint8_t)name[i];
    }
    return seed;
}
