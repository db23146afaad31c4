/* SPDX-License-Identifier: MIT */
/* Shannon entropy over byte frequencies (see entropy.h); one pass plus 256 bins. */
#include "validate/entropy.h"

#include <math.h>

double lh_entropy_shannon(const uint8_t *buf, size_t len)
{
    size_t counts[256] = {0};
    double h = 0.0;

    if (buf == NULL || len == 0) {
        return 0.0;
    }
    for (size_t i = 0; i < len; i++) {
        counts[buf[i]]++;
    }
    for (int c = 0; c < 256; c++) {
        if (counts[c] > 0) {
            double p = (double)counts[c] / (double)len;
            h -= p * log2(p);
        }
    }
    /* -0.0 for a single repeated byte reads oddly in reports */
    return h > 0.0 ? h : 0.0;
}
