/* SPDX-License-Identifier: MIT */
/*
 * Checksum validators that are not Microsoft's: GitHub, npm, Grafana, Atlassian, Zuplo,
 * Confluent, GitLab, Stellar, Bitcoin WIF, bech32 keys, Luhn. Vectors are the worked
 * examples of the reference (partner-and-checksums.md part 2); each valid token also goes
 * through the checksum contract (one character changed, truncation, empty input).
 */
#include "support/validate.h"
#include "validate/crc16.h"

/* ---- github-crc32 ---------------------------------------------------------------- */

Test(validate_github, reference_vectors_pass)
{
    cr_assert(vt_check("github-crc32", "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", NULL));
    cr_assert(vt_check("github-crc32", "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", NULL));
    cr_assert(vt_check("github-crc32", "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", NULL));
}

Test(validate_github, checksum_contract)
{
    vt_checksum_contract("github-crc32", "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", 4, 0, NULL,
                         NULL, NULL, NULL, NULL, NULL);
    vt_checksum_contract("github-crc32", "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", 4, 0, NULL,
                         NULL, NULL, NULL, NULL, NULL);
}

Test(validate_github, documentation_placeholders_fail)
{
    static const char *const docs[] = {
        "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "ghs_16C7e42F292c69C2E7C10c838347Ae178B4a",
        "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        cr_assert(not(vt_check("github-crc32", docs[i], NULL)), "%s", docs[i]);
    }
}

Test(validate_github, prefix_must_be_lower_case_word)
{
    cr_assert(not(vt_check("github-crc32", "GHP_sbUsUmRNn8X74dFU0DJ9Fm1mvdCgtH474T38", NULL)));
    cr_assert(not(vt_check("github-crc32", "_sbUsUmRNn8X74dFU0DJ9Fm1mvdCgtH474T38", NULL)));
    cr_assert(not(vt_check("github-crc32", "ghp-sbUsUmRNn8X74dFU0DJ9Fm1mvdCgtH474T38", NULL)));
    cr_assert(not(vt_check("github-crc32", "ghp_474T38", NULL)));
    cr_assert(not(vt_check("github-crc32", "ghp_sbUsUmRNn8X74dFU0DJ9Fm1mvdCgt-474T38", NULL)));
}

/* ---- github-pat-sha256-b32 ------------------------------------------------------- */

#define GH_PAT                                                                                     \
    "github_pat_11AAYCBDQ0tjwxY3uiVv5v_"                                                           \
    "lo8vfONwp06Vaq9ORB7pSxWM1UT5wSEuqxoxNv15mbAJTNMO62SdeYHLyzV"

Test(validate_github_pat, reference_vector_and_contract)
{
    /* the last 8 characters carry no known checksum: leave them out of the mutations */
    vt_checksum_contract("github-pat-sha256-b32", GH_PAT, 0, 8, NULL, NULL, NULL, NULL, NULL, NULL);
}

Test(validate_github_pat, synthetic_fixtures_and_case_fail)
{
    char buf[128];

    memcpy(buf, GH_PAT, sizeof(GH_PAT));
    for (size_t i = 0; i < 10; i++) {
        buf[i] = vt_swapcase(buf[i]);
    }
    cr_assert(not(vt_check("github-pat-sha256-b32", buf, NULL)));
    /* noseyparker's synthetic fixture prefix with a made-up tail */
    cr_assert(not(vt_check("github-pat-sha256-b32",
                           "github_pat_11AALKJEA04kc5lo8vfONwp06_Vaq9ORB7pSxWM1UT5wSEuqxoxNv15mbA"
                           "JTNMO62SdeYHLyzVabcdefgh",
                           NULL)));
}

/* ---- crc32-le-hex / crc32-hex / crc32-le-b64 ------------------------------------- */

#define GLSA "glsa_iNValIdinValiDinvalidinvalidinva_5b582697"
#define ATLASSIAN                                                                                  \
    "ATATT3xFfGF0K3irG5tKKi-6u-wwaXQFeGwZ-IHR-hQ3CulkKtMSuteRQFfLZ6jihHThzZCg_UjnDt-4Wl_gIRf4zrZ"  \
    "Js5JqaeuBhsfJ4W5GD6yGg3W7903gbvaxZPBjxIQQ7BgFDSkPS8oPispw4KLz56mdK-"                          \
    "G6CIvLO6hHRrZHY0Q3tvJ6JxE="                                                                   \
    "C63992E6"
#define CFLT "cfltqPLd2lLPAtWtHGNhN32WlZxoEj30pcg8mzaPlPJ937JlMa7n9YCRLooqgifw"

Test(validate_crc32, grafana_service_account)
{
    vt_checksum_contract("crc32-le-hex", GLSA, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
    cr_assert(
        not(vt_check("crc32-le-hex", "GLSA_iNValIdinValiDinvalidinvalidinva_5b582697", NULL)));
    cr_assert(
        not(vt_check("crc32-le-hex", "glsa_iNValIdinValiDinvalidinvalidinva_5B582697", NULL)));
    /* gitleaks' synthetic example */
    cr_assert(
        not(vt_check("crc32-le-hex", "glsa_pITqMOBIfNH2KL4PkXJqmTyQl0D9QGxF_486f63e1", NULL)));
}

Test(validate_crc32, atlassian_upper_hex_through_separator)
{
    vt_checksum_contract("crc32-hex", ATLASSIAN, 0, 0, "separator", "=", "covers",
                         "through_separator", "case", "upper");
    cr_assert(not(vt_check("crc32-hex", ATLASSIAN, "separator", "=", "covers", "before_separator",
                           "case", "upper", NULL)));
    cr_assert(not(vt_check("crc32-hex", ATLASSIAN, "separator", "=", "covers", "through_separator",
                           "case", "lower", NULL)));
    cr_assert(vt_check("crc32-hex", ATLASSIAN, "separator", "=", "covers", "through_separator",
                       "case", "any", NULL));
    {
        /* the CRC covers the prefix: swapping its case fails */
        char swapped[sizeof(ATLASSIAN)];
        memcpy(swapped, ATLASSIAN, sizeof(ATLASSIAN));
        for (size_t i = 0; i < 5; i++) {
            swapped[i] = vt_swapcase(swapped[i]);
        }
        cr_assert(not(vt_check("crc32-hex", swapped, "separator", "=", "covers",
                               "through_separator", "case", "upper", NULL)));
    }
}

Test(validate_crc32, zuplo_defaults)
{
    vt_checksum_contract("crc32-hex", "zpka_3e6c4f7d39954ca29353b7ab88589b64_de26cd55", 5, 0, NULL,
                         NULL, NULL, NULL, NULL, NULL);
    cr_assert(vt_check("crc32-hex", "zpka_b3f94d8d3d4d4a6ea5c5b20d0a5bb407_18eb262b", NULL));
    cr_assert(not(vt_check("crc32-hex", "zpka_00000000000000000000000000000000_00000000", NULL)));
    /* the CRC covers only the body: the prefix's case does not matter */
    cr_assert(vt_check("crc32-hex", "ZPKA_b3f94d8d3d4d4a6ea5c5b20d0a5bb407_18eb262b", NULL));
    cr_assert(not(vt_check("crc32-hex", "zpka_b3f94d8d3d4d4a6ea5c5b20d0a5bb407_18EB262B", NULL)));
    cr_assert(not(vt_check("crc32-hex", "zpka_b3f94d8d3d4d4a6ea5c5b20d0a5bb407_18eb262b", "endian",
                           "little", NULL)));
}

Test(validate_crc32, confluent)
{
    vt_checksum_contract("crc32-le-b64", CFLT, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
    cr_assert(not(vt_check("crc32-le-b64",
                           "CFLTqPLd2lLPAtWtHGNhN32WlZxoEj30pcg8mzaPlPJ937JlMa7n9YC"
                           "RLooqgifw",
                           NULL)));
    cr_assert(vt_check("crc32-le-b64", CFLT, "prefix", "cflt", NULL));
    cr_assert(not(vt_check("crc32-le-b64", CFLT, "prefix", "cfl", NULL)));
}

/* ---- gitlab-routable ------------------------------------------------------------- */

#define GLPAT_SPEC "glpat-YWFhYWFhYWFhYWFhYWFhYW86MQM.01.0r0i4k17x"

Test(validate_gitlab, spec_vector_and_contract)
{
    vt_checksum_contract("gitlab-routable", GLPAT_SPEC, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
    cr_assert(
        not(vt_check("gitlab-routable", "GLPAT-YWFhYWFhYWFhYWFhYWFhYW86MQM.01.0r0i4k17x", NULL)));
}

Test(validate_gitlab, crc_only_synthetic_fixture_fails_structure)
{
    /* Kingfisher's fixture has a valid CRC but no GitLab payload (last byte != len - 17) */
    cr_assert(not(
        vt_check("gitlab-routable", "glpat-vSY1cyL948aAB440qB6L4zlu9OzsUmEV.01.0w0sfevch", NULL)));
    cr_assert(not(vt_check("gitlab-routable", "glpat-xxxxxxxxxxxxxxxxxxxx", NULL)));
    cr_assert(not(vt_check("gitlab-routable", ".01.0r0i4k17x", NULL)));
    cr_assert(not(vt_check("gitlab-routable", "YWFhYWFhYWFhYWFhYWFhYW86MQM.01.0r0i4k17x", NULL)));
}

/* ---- crc16-xmodem (Stellar) ------------------------------------------------------ */

#define STELLAR_ZERO "SAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABSU2"
#define STELLAR_G "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ"

Test(validate_stellar, crc16_check_value)
{
    cr_assert(eq(u16, lh_crc16_xmodem((const uint8_t *)"123456789", 9), 0x31C3));
    cr_assert(eq(u16, lh_crc16_xmodem(NULL, 0), 0));
}

Test(validate_stellar, seeds_and_version_param)
{
    cr_assert(vt_check("crc16-xmodem", STELLAR_ZERO, NULL));
    cr_assert(not(vt_check("crc16-xmodem", STELLAR_G, NULL)));
    cr_assert(vt_check("crc16-xmodem", STELLAR_G, "version", "0x30", NULL));
    cr_assert(vt_check("crc16-xmodem", STELLAR_G, "version", "48", NULL));
    cr_assert(not(vt_check("crc16-xmodem",
                           "saaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabsu2", NULL)));
}

Test(validate_stellar, checksum_contract)
{
    vt_checksum_contract("crc16-xmodem", STELLAR_ZERO, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
    vt_checksum_contract("crc16-xmodem", STELLAR_G, 0, 0, "version", "0x30", NULL, NULL, NULL,
                         NULL);
}

/* ---- base58check (WIF) ----------------------------------------------------------- */

#define WIF_WIKI "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"

Test(validate_wif, wiki_vector_and_contract)
{
    vt_checksum_contract("base58check", WIF_WIKI, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
    cr_assert(
        not(vt_check("base58check", "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyT0", NULL)));
    cr_assert(
        not(vt_check("base58check", "1111111111111111111111111111111111111111111111111111", NULL)));
}

/* ---- bech32 ---------------------------------------------------------------------- */

#define AGE_SPEC "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
#define NSEC_SPEC "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"

Test(validate_bech32, age_identity)
{
    vt_checksum_contract("bech32", AGE_SPEC, 0, 0, "hrp", "age-secret-key-", "case", "upper", NULL,
                         NULL);
    cr_assert(vt_check("bech32", AGE_SPEC, "hrp", "AGE-SECRET-KEY-", NULL));
    cr_assert(
        not(vt_check("bech32", AGE_SPEC, "hrp", "age-secret-key-", "variant", "bech32m", NULL)));
    cr_assert(not(vt_check("bech32", AGE_SPEC, "hrp", "age-secret-key-", "bytes", "33", NULL)));
    /* README variant and the recipient (public key, other HRP) */
    cr_assert(not(vt_check("bech32",
                           "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYY7"
                           "H7CCH",
                           "hrp", "age-secret-key-", NULL)));
    cr_assert(
        not(vt_check("bech32", "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
                     "hrp", "age-secret-key-", NULL)));
}

Test(validate_bech32, age_case_pin)
{
    char lower[128];
    size_t n = strlen(AGE_SPEC);

    for (size_t i = 0; i <= n; i++) {
        lower[i] =
            (char)((AGE_SPEC[i] >= 'A' && AGE_SPEC[i] <= 'Z') ? AGE_SPEC[i] + 32 : AGE_SPEC[i]);
    }
    cr_assert(vt_check("bech32", lower, "hrp", "age-secret-key-", NULL));
    cr_assert(not(vt_check("bech32", lower, "hrp", "age-secret-key-", "case", "upper", NULL)));
    lower[3] = 'E'; /* mixed case is never bech32 */
    cr_assert(not(vt_check("bech32", lower, "hrp", "age-secret-key-", NULL)));
}

Test(validate_bech32, nostr_nsec)
{
    vt_checksum_contract("bech32", NSEC_SPEC, 0, 0, "hrp", "nsec", "case", "lower", NULL, NULL);
    cr_assert(not(vt_check("bech32", NSEC_SPEC, "hrp", "npub", NULL)));
}

/* ---- luhn ------------------------------------------------------------------------ */

Test(validate_luhn, stripe_test_numbers_pass)
{
    static const char *const pans[] = {
        "4242424242424242", "4000056655665556", "4012888888881881", "5555555555554444",
        "5200828282828210", "5105105105105100", "378282246310005",  "371449635398431",
        "6011111111111117", "6011000990139424", "30569309025904",   "38520000023237",
        "3530111333300000", "3566002020360505", "4111111111111111",
    };
    for (size_t i = 0; i < sizeof(pans) / sizeof(pans[0]); i++) {
        cr_assert(vt_check("luhn", pans[i], NULL), "%s", pans[i]);
    }
}

Test(validate_luhn, grouping_and_failures)
{
    cr_assert(vt_check("luhn", "4242 4242 4242 4242", NULL));
    cr_assert(vt_check("luhn", "4242-4242-4242-4242", NULL));
    cr_assert(not(vt_check("luhn", "4242  4242 4242 4242", NULL)));
    cr_assert(not(vt_check("luhn", " 4242424242424242", NULL)));
    cr_assert(not(vt_check("luhn", "4242424242424242-", NULL)));
    cr_assert(not(vt_check("luhn", "4242424242424241", NULL)));
    cr_assert(not(vt_check("luhn", "424242424242", NULL)));         /* 12 digits */
    cr_assert(not(vt_check("luhn", "42424242424242424242", NULL))); /* 20 digits */
    cr_assert(not(vt_check("luhn", "4242x24242424242", NULL)));
    vt_checksum_contract("luhn", "4012888888881881", 0, 0, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Cloudflare cfut_/cfat_/cfk_: CRC-32 of the 40-character body, big-endian hex, no separator */
Test(validate_crc32, cloudflare_no_separator_body)
{
    const char *tok = "cfut_oL3cWZhPh2aRDmtZH92CAQdO5J5XvdbtZ8oEbCWMe886d361";
    vt_checksum_contract("crc32-hex", tok, 5, 0, "separator", "none", "covers", "body", NULL, NULL);
    /* the prefix is not covered: another prefix with the same body and sum still passes */
    cr_assert(vt_check("crc32-hex", "cfat_oL3cWZhPh2aRDmtZH92CAQdO5J5XvdbtZ8oEbCWMe886d361",
                       "separator", "none", "covers", "body", NULL));
    /* with the default '_' separator the same token fails (no '_' before the digits) */
    cr_assert(not(vt_check("crc32-hex", tok, "covers", "body", NULL)));
}
