/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the partner key list parser (lh_keyring_load_buffer), the JSON a
 * reporter serves at its public-keys URL and the operator's local copy. Invariants: a
 * list is either installed (at least one P-256 key) or refused with a message and the
 * previous set kept, so the key of the harness's own list is still found afterwards.
 */
#include "fuzz/common.h"
#include "partner/keyring.h"

#include <openssl/evp.h>
#include <string.h>

static struct lh_keyring *ring;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ring) {
        struct lh_keyring_opts ko;
        memset(&ko, 0, sizeof(ko));
        ko.name = "fuzz";
        ko.file = lh_fuzz_keyfile(NULL);
        ko.min_refetch = 3600;
        LH_FUZZ_CHECK(lh_keyring_new(&ring, &ko) == 0);
    }
    int rc = lh_keyring_load_buffer(ring, data, size, "fuzz-keys.json");
    if (rc < 0) {
        LH_FUZZ_CHECK(rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_ENOMEM);
        LH_FUZZ_CHECK(lh_error_get()[0] != '\0');
    }
    LH_FUZZ_CHECK(lh_keyring_count(ring) > 0);
    /* put the harness's own list back, so every input starts from the same set */
    if (rc == 0) {
        LH_FUZZ_CHECK(lh_keyring_refresh(ring, true) == 0);
    }
    EVP_PKEY *pk = NULL;
    LH_FUZZ_CHECK(lh_keyring_lookup(ring, &pk, NULL, LH_FUZZ_KEY_ID, strlen(LH_FUZZ_KEY_ID)) == 0);
    EVP_PKEY_free(pk);
    lh_error_clear();
    return 0;
}
