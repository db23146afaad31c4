/* SPDX-License-Identifier: MIT */
/*
 * CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no final XOR), the checksum of
 * Stellar StrKeys (SEP-23). Pure, thread-safe. Check value: "123456789" -> 0x31C3.
 */
#ifndef LH_VALIDATE_CRC16_H
#define LH_VALIDATE_CRC16_H

#include <stddef.h>
#include <stdint.h>

uint16_t lh_crc16_xmodem(const uint8_t *buf, size_t len);

#endif
