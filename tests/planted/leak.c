/* SPDX-License-Identifier: MIT */
/*
 * A planted fault, linked only into the test binary `leakhound_planted_leak`: 64 bytes
 * allocated when the binary starts and never freed. tests/planted/test_planted.c runs an
 * ordinary scan with that binary; the suite must fail on LeakSanitizer's report (see
 * cmake/expect_sanitizer_failure.cmake). Never part of the real binary.
 */
#include <stdlib.h>

void *volatile lh_planted_leak; /* overwritten below: the first block becomes unreachable */

__attribute__((constructor)) static void plant(void)
{
    lh_planted_leak = malloc(64);
    lh_planted_leak = NULL;
}
