/* SPDX-License-Identifier: MIT */
/*
 * Marvin32, Microsoft's seeded 64-bit hash (SymCrypt; the C# port in
 * microsoft/security-utilities Marvin.Net5.cs), which the HIS v1 "identifiable" Azure keys,
 * CASK keys and Azure AD client secrets embed as their checksum. Pure functions, no state,
 * thread-safe. Seeds are the u64 the Microsoft library uses: an 8-character kind name read
 * big-endian ("Default0" = 0x44656661756c7430).
 */
#ifndef LH_VALIDATE_MARVIN_H
#define LH_VALIDATE_MARVIN_H

#include <stddef.h>
#include <stdint.h>

/* Full 64-bit Marvin result (p1 << 32 | p0), as SymCrypt's test vectors give it. */
uint64_t lh_marvin_hash64(uint64_t seed, const uint8_t *buf, size_t len);

/*
 * The 32-bit fold Microsoft's keys embed: p0 XOR p1 (the C# library's ComputeHash32,
 * returned there as int and stored little-endian).
 */
uint32_t lh_marvin_hash32(uint64_t seed, const uint8_t *buf, size_t len);

/* Reads an 8-character kind name as a big-endian seed ("Default0" -> 0x44656661756c7430). */
uint64_t lh_marvin_seed(const char name[8]);

#endif
