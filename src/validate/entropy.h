/* SPDX-License-Identifier: MIT */
/*
 * Shannon entropy of a byte string, used by rules' `min_entropy` to drop low-information
 * matches (placeholders such as "xxxxxxxx"). Pure, thread-safe, no allocation.
 */
#ifndef LH_VALIDATE_ENTROPY_H
#define LH_VALIDATE_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns the empirical Shannon entropy of buf[0..len) in bits per byte, from 0.0 (empty
 * input or one repeated byte) to 8.0. A string of n distinct bytes scores log2(n), so a
 * 20-character token can never exceed about 4.32.
 */
double lh_entropy_shannon(const uint8_t *buf, size_t len);

#endif
