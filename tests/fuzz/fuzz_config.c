/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the `.leakhound.yml` loader (lh_config_load_buffer). Every input either
 * loads or fails with LH_EINVAL / LH_ETOOBIG / LH_ENOMEM and a message; either way the
 * config is disposed without leaks. The loader is also run twice into the same struct, as
 * a config file and command-line defaults layer in practice.
 */
#include "config/config.h"
#include "fuzz/common.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_config c;
    lh_config_init(&c);
    int rc = lh_config_load_buffer(&c, "fuzz.leakhound.yml", data, size);
    if (rc < 0) {
        LH_FUZZ_CHECK(rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM);
        LH_FUZZ_CHECK(lh_error_get()[0] != '\0');
    } else {
        for (size_t i = 0; i < c.revoke.nroutes; i++) {
            LH_FUZZ_CHECK(c.revoke.routes[i].url != NULL);
        }
    }
    lh_error_clear();
    lh_config_dispose(&c);
    return 0;
}
