/* SPDX-License-Identifier: MIT */
/*
 * A planted fault, linked only into the test binary `leakhound_planted_oob`: a one-byte read
 * past the end of a heap block when the binary starts. tests/planted/test_planted.c runs an
 * ordinary scan with that binary; the suite must fail on AddressSanitizer's report (see
 * cmake/expect_sanitizer_failure.cmake). Never part of the real binary.
 */
#include <stdlib.h>

volatile char lh_planted_byte;

__attribute__((constructor)) static void plant(void)
{
    char *p = calloc(16, 1);
    volatile size_t n = 16;
    if (p) {
        lh_planted_byte = p[n]; /* heap-buffer-overflow */
        free(p);
    }
}
