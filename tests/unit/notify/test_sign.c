/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the small pieces of revocation: the signature header (known answers computed
 * with Python's hmac module), its verification, the full-jitter backoff bounds, URL display
 * without credentials and the default state directory.
 */
#include "notify/revoke.h"
#include "notify/sign.h"
#include "notify/webhook.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(sign, header_matches_known_answer)
{
    char h[LH_SIGN_HEADER_MAX];
    const char *body = "{\"a\":1}";
    int rc = lh_sign_header(h, sizeof(h), (const uint8_t *)"whsec_test", 10, 1700000000,
                            (const uint8_t *)body, strlen(body));
    cr_assert(eq(int, rc, 0));
    cr_assert(
        eq(str, h,
           "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"));
}

Test(sign, empty_secret_and_body_known_answer)
{
    char h[LH_SIGN_HEADER_MAX];
    int rc = lh_sign_header(h, sizeof(h), (const uint8_t *)"", 0, 0, (const uint8_t *)"", 0);
    cr_assert(eq(int, rc, 0));
    cr_assert(
        eq(str, h, "t=0,v1=b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3"));
}

Test(sign, small_buffer_is_refused)
{
    char h[16];
    int rc = lh_sign_header(h, sizeof(h), (const uint8_t *)"k", 1, 1, (const uint8_t *)"b", 1);
    cr_assert(eq(int, rc, LH_ETOOBIG));
}

Test(sign, verify_accepts_own_and_rejects_tampering)
{
    const char *body = "{\"token\":\"x\"}";
    const uint8_t *key = (const uint8_t *)"secret";
    char h[LH_SIGN_HEADER_MAX];
    cr_assert(eq(
        int, lh_sign_header(h, sizeof(h), key, 6, 1000, (const uint8_t *)body, strlen(body)), 0));
    cr_assert(
        eq(int, lh_sign_verify(h, key, 6, (const uint8_t *)body, strlen(body), 1010, 300), 0));
    /* body changed */
    cr_assert(eq(int, lh_sign_verify(h, key, 6, (const uint8_t *)"{}", 2, 1010, 300), LH_EINVAL));
    /* wrong key */
    cr_assert(eq(int,
                 lh_sign_verify(h, (const uint8_t *)"secreT", 6, (const uint8_t *)body,
                                strlen(body), 1010, 300),
                 LH_EINVAL));
    /* too old */
    cr_assert(eq(int, lh_sign_verify(h, key, 6, (const uint8_t *)body, strlen(body), 2000, 300),
                 LH_EINVAL));
    /* a rotated header with an extra, wrong v1 still verifies */
    char two[256];
    snprintf(two, sizeof(two), "%s,v1=%064d", h, 0);
    cr_assert(
        eq(int, lh_sign_verify(two, key, 6, (const uint8_t *)body, strlen(body), 1000, 300), 0));
    cr_assert(eq(int,
                 lh_sign_verify("garbage", key, 6, (const uint8_t *)body, strlen(body), 1000, 300),
                 LH_EINVAL));
    cr_assert(eq(int,
                 lh_sign_verify("t=1000", key, 6, (const uint8_t *)body, strlen(body), 1000, 300),
                 LH_EINVAL));
    /* the secret never shows up in the error message */
    cr_assert(strstr(lh_error_get(), "secret") == NULL);
}

Test(webhook, backoff_stays_within_full_jitter_bounds)
{
    int saw_low = 0;
    int saw_high = 0;
    for (unsigned retry = 0; retry < 8; retry++) {
        uint64_t ceiling = 100u << retry;
        ceiling = ceiling > 2000 ? 2000 : ceiling;
        for (int i = 0; i < 200; i++) {
            uint64_t d = lh_webhook_backoff_ms(retry, 100, 2000);
            cr_assert(le(u64, d, ceiling), "retry %u drew %llu > %llu", retry,
                      (unsigned long long)d, (unsigned long long)ceiling);
            saw_low |= d < ceiling / 4;
            saw_high |= d > ceiling * 3 / 4;
        }
    }
    /* jitter: the draws spread over the range instead of sitting at the ceiling */
    cr_assert(eq(int, saw_low, 1));
    cr_assert(eq(int, saw_high, 1));
    cr_assert(eq(u64, lh_webhook_backoff_ms(3, 0, 1000), 0));
}

Test(revoke, url_display_hides_credentials_and_query)
{
    char out[256];
    lh_revoke_url_display(out, sizeof(out), "https://user:pw@hooks.example.com/r?key=abc#x");
    cr_assert(eq(str, out, "https://***@hooks.example.com/r?***"));
    lh_revoke_url_display(out, sizeof(out), "http://127.0.0.1:8080/hook");
    cr_assert(eq(str, out, "http://127.0.0.1:8080/hook"));
    lh_revoke_url_display(out, sizeof(out), "https://h.example/p#frag");
    cr_assert(eq(str, out, "https://h.example/p"));
    lh_revoke_url_display(out, 8, "https://h.example/p");
    cr_assert(eq(sz, strlen(out), 7));
}

Test(revoke, default_state_dir_precedence)
{
    setenv("HOME", "/home/u", 1);
    unsetenv("XDG_STATE_HOME");
    unsetenv("LEAKHOUND_STATE_DIR");
    char *d = lh_revoke_default_state_dir();
    cr_assert(d != NULL);
    cr_assert(eq(str, d, "/home/u/.local/state/leakhound"));
    free(d);
    setenv("XDG_STATE_HOME", "/xdg", 1);
    d = lh_revoke_default_state_dir();
    cr_assert(eq(str, d, "/xdg/leakhound"));
    free(d);
    setenv("XDG_STATE_HOME", "relative", 1); /* the XDG spec ignores relative paths */
    d = lh_revoke_default_state_dir();
    cr_assert(eq(str, d, "/home/u/.local/state/leakhound"));
    free(d);
    setenv("LEAKHOUND_STATE_DIR", "/lh", 1);
    d = lh_revoke_default_state_dir();
    cr_assert(eq(str, d, "/lh"));
    free(d);
}
