/* SPDX-License-Identifier: MIT */
/*
 * Base64-wrapped JSON, shared by the `base64-json` and `jwt` validators: decode into a
 * caller scratch buffer, parse with jansson, require a JSON object. Thread-safe.
 */
#ifndef LH_VALIDATE_B64JSON_H
#define LH_VALIDATE_B64JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes buf[0..len) as base64 (lh_encode_flag flags) into scratch[cap] and parses the
 * bytes as one JSON object (duplicate keys rejected). Returns a new jansson reference the
 * caller must json_decref(), or NULL when the text is not base64, does not fit in cap, or
 * is not a JSON object. The scratch buffer is not referenced afterwards.
 */
json_t *lh_b64json_load_object(const uint8_t *buf, size_t len, unsigned flags, uint8_t *scratch,
                               size_t cap);

#endif
