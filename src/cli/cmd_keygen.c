/* SPDX-License-Identifier: MIT */
/*
 * `leakhound keygen --prefix acme_live_`: issues API keys in GitHub's recommended format
 * (prefix, CSPRNG base62 random part, base62 CRC-32 checksum) and prints each exactly
 * once with its SHA-256 (what the issuer stores) and a masked form (what the issuer shows
 * later). `--rule` prints the leakhound rule that finds such keys and the regex to
 * register with the GitHub secret scanning partner program. Before printing anything the
 * command proves that the rule confirms a fresh key, so it never issues keys that
 * leakhound would not find.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "finding/detect.h"
#include "finding/finding.h"
#include "rules/ruleset.h"
#include "util/hash.h"
#include "validate/keygen.h"

#include <openssl/crypto.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COUNT 1000

struct kopts {
    const char *prefix;
    size_t length;
    size_t count;
    bool json;
    bool rule;
    const char *rule_id;
    bool regex;
};

/* Checks what the option table cannot: the prefix's and the rule id's syntax. */
static int check(const struct lh_cli_command *cmd, const struct kopts *k)
{
    if (!k->prefix) {
        return lh_cli_usage_error(cmd->name, "keygen needs --prefix (e.g. --prefix acme_live_)");
    }
    if (lh_keygen_check_prefix(k->prefix) < 0) {
        return lh_cli_usage_error(cmd->name, "%s", lh_error_get());
    }
    if (k->rule_id &&
        (strlen(k->rule_id) == 0 || strlen(k->rule_id) > 64 ||
         strspn(k->rule_id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(k->rule_id))) {
        return lh_cli_usage_error(
            cmd->name, "--rule-id takes 1-64 characters of a-z 0-9 -, not '%s'", k->rule_id);
    }
    return 0;
}

static int fail(int rc)
{
    lh_cli_error("%s", lh_error_get());
    return rc == LH_EINVAL ? LH_EXIT_USAGE : LH_EXIT_IO;
}

/*
 * Proves the round trip: compiles the rule lh_keygen_rule makes (no cache) and checks
 * that key[0..len) is found as `confirmed` by it. Returns 0, LH_EINVAL when it is not
 * (message says so; the key is not quoted), or an error from loading the rule.
 */
static int confirm_key(const char *prefix, size_t random_len, const char *key, size_t len)
{
    struct lh_buf yaml;
    struct lh_ruleset *rs = NULL;
    struct lh_detector *d = NULL;
    struct lh_detect_scratch *s = NULL;
    struct lh_detect_opts dopts;
    lh_buf_init(&yaml, 0);
    memset(&dopts, 0, sizeof(dopts));
    int rc = lh_keygen_rule(&yaml, prefix, random_len, NULL);
    if (rc == 0) {
        rc = lh_ruleset_new(&rs);
    }
    if (rc == 0) {
        rc = lh_ruleset_load_buffer(rs, "keygen", (const uint8_t *)yaml.ptr, yaml.len);
    }
    if (rc == 0) {
        rc = lh_detector_new(&d, rs, &dopts);
    }
    if (rc == 0) {
        rc = lh_detect_scratch_new(&s, d);
    }
    if (rc == 0 &&
        lh_detect_token(d, s, (const uint8_t *)key, len, NULL, NULL) != LH_CONF_CONFIRMED) {
        lh_error_set("a key with the prefix '%s' is not confirmed by the github-crc32 "
                     "validator, so leakhound could not find it; choose another prefix",
                     prefix);
        rc = LH_EINVAL;
    }
    lh_detect_scratch_free(s);
    lh_detector_free(d);
    lh_ruleset_free(rs);
    lh_buf_wipe(&yaml);
    return rc;
}

/* Generates a throw-away key and proves the rule confirms it. */
static int self_check(const struct kopts *k)
{
    char key[LH_KEYGEN_MAX_KEY];
    int rc = lh_keygen_key(key, sizeof(key), k->prefix, k->length);
    if (rc == 0) {
        rc = confirm_key(k->prefix, k->length, key, strlen(key));
    }
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

static int print_key(const struct kopts *k)
{
    char key[LH_KEYGEN_MAX_KEY];
    char hex[LH_SHA256_HEX_LEN + 1];
    char masked[128];
    int rc = lh_keygen_key(key, sizeof(key), k->prefix, k->length);
    if (rc < 0) {
        return rc;
    }
    size_t len = strlen(key);
    lh_sha256_hex(hex, key, len);
    lh_redact(masked, sizeof(masked), (const uint8_t *)key, len);
    if (k->json) {
        printf("{\"key\":\"%s\",\"sha256\":\"%s\",\"masked\":\"%s\"}\n", key, hex, masked);
    } else {
        printf("key:    %s\nsha256: %s\nmasked: %s\n", key, hex, masked);
    }
    OPENSSL_cleanse(key, sizeof(key));
    return 0;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct kopts k = {.length = LH_KEYGEN_DEFAULT_RANDOM, .count = 1};
    struct lh_cli_parsed p;
    int ex = lh_cli_parse(&p, cmd, argc, argv, first, NULL, &k);
    lh_cli_parsed_dispose(&p);
    if (ex == 0) {
        ex = check(cmd, &k);
    }
    if (ex) {
        return ex < 0 ? 0 : ex;
    }
    int rc = self_check(&k);
    if (rc < 0) {
        return fail(rc);
    }
    if (k.rule || k.regex) {
        struct lh_buf b;
        lh_buf_init(&b, 0);
        rc = k.rule ? lh_keygen_rule(&b, k.prefix, k.length, k.rule_id)
                    : lh_keygen_partner_regex(&b, k.prefix, k.length);
        if (rc == 0) {
            fwrite(b.ptr, 1, b.len, stdout);
            if (!k.rule) {
                fputc('\n', stdout);
            }
        }
        lh_buf_dispose(&b);
        return rc < 0 ? fail(rc) : LH_EXIT_CLEAN;
    }
    for (size_t i = 0; i < k.count; i++) {
        rc = print_key(&k);
        if (rc < 0) {
            return fail(rc);
        }
    }
    if (fflush(stdout) != 0) {
        lh_cli_error("cannot write the keys to stdout");
        return LH_EXIT_IO;
    }
    if (!k.json) {
        fputs("leakhound: keys are printed once and stored nowhere: keep the sha256, hand the "
              "key to its owner\n",
              stderr);
    }
    return LH_EXIT_CLEAN;
}

#define AT(field) offsetof(struct kopts, field)

static const struct lh_cli_option options[] = {
    {.name = "prefix",
     .arg = LH_ARG_STRING,
     .metavar = "PREFIX",
     .offset = AT(prefix),
     .help = "the keys' prefix: letters, digits and '_', ending in '_' (e.g. acme_live_)"},
    {.name = "length",
     .arg = LH_ARG_NUMBER,
     .lo = LH_KEYGEN_MIN_RANDOM,
     .hi = LH_KEYGEN_MAX_RANDOM,
     .offset = AT(length),
     .help = "random characters before the checksum",
     .dflt = "30"},
    {.name = "count",
     .arg = LH_ARG_NUMBER,
     .lo = 1,
     .hi = MAX_COUNT,
     .offset = AT(count),
     .help = "number of keys",
     .dflt = "1"},
    {.name = "json",
     .arg = LH_ARG_FLAG,
     .offset = AT(json),
     .help = "one JSON object per key: key, sha256, masked"},
    {.name = "rule",
     .arg = LH_ARG_FLAG,
     .offset = AT(rule),
     .help = "print the leakhound rule (YAML) that finds these keys instead"},
    {.name = "rule-id",
     .arg = LH_ARG_STRING,
     .metavar = "ID",
     .offset = AT(rule_id),
     .help = "the rule's id for --rule",
     .dflt = "derived from the prefix"},
    {.name = "regex",
     .arg = LH_ARG_FLAG,
     .offset = AT(regex),
     .help = "print the regex to register with GitHub's secret scanning partner program"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_keygen = {
    .name = "keygen",
    .bit = LH_CMD_KEYGEN,
    .summary = "issue API keys with a checksum leakhound confirms",
    .description = "Issues API keys: PREFIX, random base62 characters from the system CSPRNG "
                   "and a 6-character base62 CRC-32 of the random part (GitHub's token "
                   "layout), so that leakhound confirms leaked keys offline. Each key is "
                   "printed once with its SHA-256 (store that, not the key) and a masked form. "
                   "Before printing anything, the command proves that the rule confirms a "
                   "fresh key.",
    .exit_status = "0 success, 2 usage (bad prefix or length), 4 random generator failure.",
    .options = options,
    .run = run,
};
