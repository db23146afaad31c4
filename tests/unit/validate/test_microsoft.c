/* SPDX-License-Identifier: MIT */
/*
 * Marvin32 and the Microsoft identifiable-secret validators: SymCrypt's Marvin vectors,
 * the security-utilities library's own test keys (reference §2.8), the published Azure
 * DevOps PAT vectors and the CASK bench key.
 */
#include "support/validate.h"
#include "validate/marvin.h"

/* ---- Marvin32 -------------------------------------------------------------------- */

Test(validate_marvin, symcrypt_vectors)
{
    cr_assert(eq(u64, lh_marvin_hash64(0xd53cd9cecd0893b7ull, (const uint8_t *)"abc", 3),
                 0x22c74339492769bfull));
    cr_assert(eq(
        u64,
        lh_marvin_hash64(0x0ddddeeeeffff000ull, (const uint8_t *)"abcdefghijklmnopqrstuvwxyz", 26),
        0xa128eb7e7260aca2ull));
    cr_assert(eq(u32, lh_marvin_hash32(0xd53cd9cecd0893b7ull, (const uint8_t *)"abc", 3),
                 0x22c74339u ^ 0x492769bfu));
}

Test(validate_marvin, seed_names_are_big_endian)
{
    cr_assert(eq(u64, lh_marvin_seed("Default0"), 0x44656661756c7430ull));
    cr_assert(eq(u64, lh_marvin_seed("AadPwd00"), 0x4161645077643030ull));
}

Test(validate_marvin, every_tail_length_differs)
{
    /* the 0x80 terminator makes "", "\0", "\0\0", ... hash differently */
    static const uint8_t zeros[8] = {0};
    for (size_t a = 0; a < 8; a++) {
        for (size_t b = a + 1; b < 8; b++) {
            cr_assert(ne(u64, lh_marvin_hash64(1, zeros, a), lh_marvin_hash64(1, zeros, b)));
        }
    }
}

/* ---- marvin-identifiable --------------------------------------------------------- */

#define MS_FUNCTIONS "ddddddddddddddddddddddddddddddddddddddddddddAzFu182vhA=="
#define MS_STORAGE                                                                                 \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+ASt5mnCaw=="
#define MS_SEARCH "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAzSeCjhzCu"
#define MS_COSMOS                                                                                  \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaACDbOpqrYA=="

Test(validate_identifiable, library_test_keys)
{
    cr_assert(vt_check("marvin-identifiable", MS_FUNCTIONS, "signature", "AzFu", "seeds",
                       "Functi00,Master00,System00", "urlsafe", "true", NULL));
    cr_assert(vt_check("marvin-identifiable", MS_STORAGE, "signature", "+ASt", "seeds", "Default0",
                       NULL));
    cr_assert(vt_check("marvin-identifiable", MS_SEARCH, "signature", "AzSe", "seeds", "Query000",
                       "urlsafe", "true", NULL));
    cr_assert(vt_check("marvin-identifiable", MS_COSMOS, "signature", "ACDb", "seeds",
                       "Encryp00, MastRO00, MastRW00, Resour00, SysAll00, SystRO00, SystRW00",
                       NULL));
    /* hex seed form */
    cr_assert(vt_check("marvin-identifiable", MS_STORAGE, "signature", "+ASt", "seeds",
                       "0x44656661756c7430", NULL));
}

Test(validate_identifiable, padding_may_be_elided_for_urlsafe_only)
{
    cr_assert(
        not(vt_check("marvin-identifiable",
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                     "+ASt5mnCaw",
                     "signature", "+ASt", "seeds", "Default0", NULL)));
    cr_assert(vt_check("marvin-identifiable",
                       "ddddddddddddddddddddddddddddddddddddddddddddAzFu182vhA", "signature",
                       "AzFu", "seeds", "System00", "urlsafe", "true", NULL));
}

Test(validate_identifiable, wrong_seed_signature_or_alphabet_fails)
{
    cr_assert(not(vt_check("marvin-identifiable", MS_STORAGE, "signature", "+ASt", "seeds",
                           "Default1", NULL)));
    cr_assert(not(vt_check("marvin-identifiable", MS_STORAGE, "signature", "+ABa", "seeds",
                           "Default0", NULL)));
    /* a standard-alphabet key validated as URL-safe: '+' is refused */
    cr_assert(not(vt_check("marvin-identifiable", MS_STORAGE, "signature", "+ASt", "seeds",
                           "Default0", "urlsafe", "true", NULL)));
    /* and a URL-safe key with '_' validated as standard: '_' is refused */
    cr_assert(vt_check("marvin-identifiable",
                       "06TmyDFc8hVgE3QygHz0idslh_70XZMNco2u_a2BLAN8AzFufK97qA==", "signature",
                       "AzFu", "seeds", "Functi00", "urlsafe", "true", NULL));
    cr_assert(not(vt_check("marvin-identifiable",
                           "06TmyDFc8hVgE3QygHz0idslh_70XZMNco2u_a2BLAN8AzFufK97qA==", "signature",
                           "AzFu", "seeds", "Functi00", NULL)));
    /* missing parameters never pass */
    cr_assert(not(vt_check("marvin-identifiable", MS_STORAGE, NULL)));
}

Test(validate_identifiable, checksum_contract)
{
    vt_checksum_contract("marvin-identifiable", MS_STORAGE, 0, 0, "signature", "+ASt", "seeds",
                         "Default0", NULL, NULL);
    vt_checksum_contract("marvin-identifiable", MS_SEARCH, 0, 0, "signature", "AzSe", "seeds",
                         "Query000", "urlsafe", "true");
    vt_checksum_contract("marvin-identifiable", MS_FUNCTIONS, 0, 0, "signature", "AzFu", "seeds",
                         "System00", "urlsafe", "true");
}

/* ---- azure-aad-secret ------------------------------------------------------------ */

Test(validate_aad, library_vector_and_contract)
{
    vt_checksum_contract("azure-aad-secret", "zzz8Q~zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzblP", 0, 0, NULL,
                         NULL, NULL, NULL, NULL, NULL);
    cr_assert(not(vt_check("azure-aad-secret", "zzz8q~zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzblP", NULL)));
    /* legacy 7Q~ secrets carry no checksum */
    cr_assert(not(vt_check("azure-aad-secret", "yyy7Q~yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", NULL)));
}

/* ---- azure-devops-pat ------------------------------------------------------------ */

Test(validate_ado, published_vectors)
{
    static const char *const pats[] = {
        "cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3y",
        "cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3x", /* same bytes */
        "67csyuknm2k4azb2q3ktjb7dwnafo2xj5bwpv7vt7ei2l5a7wwfb",
        "nj3ithqqxdghjtxuo6a27lebc4ko5jyqsthyqshtnnlpvowh2oaq",
        "36tbhyubwbvmi3xzek5n7gz2mxxx3ywxoujzjoxtb3ptgdyfauia",
    };
    for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
        cr_assert(vt_check("azure-devops-pat", pats[i], NULL), "%s", pats[i]);
    }
}

Test(validate_ado, contract_and_case)
{
    /* the last character's low 4 bits are not part of the 32 bytes: skip it */
    vt_checksum_contract("azure-devops-pat", "67csyuknm2k4azb2q3ktjb7dwnafo2xj5bwpv7vt7ei2l5a7wwfb",
                         0, 1, NULL, NULL, NULL, NULL, NULL, NULL);
    cr_assert(not(vt_check("azure-devops-pat",
                           "67CSYUKNM2K4AZB2Q3KTJB7DWNAFO2XJ5BWPV7VT7EI2L5A7WWFB", NULL)));
}

/* ---- cask ------------------------------------------------------------------------ */

#define CASK_BENCH                                                                                 \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJQQJ99AGAAAAAAAAAAAAAAAAABCDTZJ9JA=="

Test(validate_cask, bench_key_long_and_standard)
{
    char std[85];

    cr_assert(vt_check("cask", CASK_BENCH, NULL));
    memcpy(std, CASK_BENCH, 84);
    std[84] = '\0';
    cr_assert(vt_check("cask", std, NULL));
    vt_checksum_contract("cask", CASK_BENCH, 0, 2, NULL, NULL, NULL, NULL, NULL, NULL);
    vt_checksum_contract("cask", std, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
}

Test(validate_cask, shape_violations_fail)
{
    /* Rust scan-test style string: passes the regex, fails the checksum */
    cr_assert(
        not(vt_check("cask",
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJQQJ99AGAAAAAAAAAAAA"
                     "AAAAAZFU03Ml",
                     NULL)));
    cr_assert(
        not(vt_check("cask",
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAjqqj99AGAAAAAAAAAAAA"
                     "AAAAABCDTZJ9JA==",
                     NULL)));
}

Test(validate_cask, base62_detour_with_leading_zero_byte)
{
    /*
     * Generated by scripts/mktoken.py with checksums 0x00ef9dba / 0x00dad5b7 (LE bytes start
     * with 0x00): rule (a) must render the zero byte as one leading '0' digit. Plain base64 of
     * those bytes ("AO+d...") would not match, so these exercise rule (a) only.
     */
    cr_assert(
        vt_check("cask",
                 "twO5c3AsFt4DKGKRJALSTYOH0jQgcILe2oh8RCvadBmBl64ochnjJQQJ992KoIbmlLpWqAEzHum5"
                 "TEST013t",
                 NULL));
    cr_assert(
        vt_check("cask",
                 "OJO5UXY99SiMTbTK07e0EvfOqfT4t4JYeaxXGOuARNxa5MgGoCrBJQQJ992KcYLn8KRpdi2MKKse"
                 "TEST0yAtTw==",
                 NULL));
    cr_assert(
        not(vt_check("cask",
                     "twO5c3AsFt4DKGKRJALSTYOH0jQgcILe2oh8RCvadBmBl64ochnjJQQJ992KoIbmlLpWqAEzHu"
                     "m5TEST13t0",
                     NULL)));
}
