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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "finding/finding.h"
#include "server/keygen.h"
#include "util/hash.h"

#define MAX_COUNT 1000

enum { K_PREFIX = 256, K_LENGTH, K_COUNT, K_JSON, K_RULE, K_RULE_ID, K_REGEX, K_HELP };

static void usage(FILE *f)
{
    fputs("usage: leakhound keygen --prefix PREFIX [options]\n"
          "\n"
          "Issues API keys: PREFIX + random base62 characters from the system CSPRNG +\n"
          "a 6-character base62 CRC-32 of the random part (GitHub's token layout), so\n"
          "leakhound confirms leaked keys offline. Each key is printed once with its\n"
          "SHA-256 (store that, not the key) and a masked form.\n"
          "\n"
          "  --prefix PREFIX   e.g. acme_live_ (letters, digits, '_'; ends in '_')\n"
          "  --length N        random characters before the checksum (22-200, default 30)\n"
          "  --count N         number of keys (default 1, at most 1000)\n"
          "  --json            one JSON object per key: key, sha256, masked\n"
          "  --rule            print the leakhound rule (YAML) for these keys instead\n"
          "  --rule-id ID      rule id for --rule (default derived from the prefix)\n"
          "  --regex           print the regex to register with GitHub's partner program\n"
          "\n"
          "Exit: 0 success, 2 usage (bad prefix or length), 4 random generator failure.\n",
          f);
}

struct kopts {
    const char *prefix;
    size_t length;
    size_t count;
    bool json;
    bool rule;
    const char *rule_id;
    bool regex;
};

static int parse_num(size_t *out, const char *arg, size_t lo, size_t hi, const char *name)
{
    if (lh_cli_parse_size(out, arg) < 0 || *out < lo || *out > hi) {
        lh_cli_error("%s takes a number from %zu to %zu, not '%s'", name, lo, hi, arg);
        return -1;
    }
    return 0;
}

static int parse(struct kopts *k, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"prefix", required_argument, NULL, K_PREFIX},
        {"length", required_argument, NULL, K_LENGTH},
        {"count", required_argument, NULL, K_COUNT},
        {"json", no_argument, NULL, K_JSON},
        {"rule", no_argument, NULL, K_RULE},
        {"rule-id", required_argument, NULL, K_RULE_ID},
        {"regex", no_argument, NULL, K_REGEX},
        {"help", no_argument, NULL, K_HELP},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case K_PREFIX:
            k->prefix = optarg;
            break;
        case K_LENGTH:
            if (parse_num(&k->length, optarg, LH_KEYGEN_MIN_RANDOM, LH_KEYGEN_MAX_RANDOM,
                          "--length") < 0) {
                return LH_EXIT_USAGE;
            }
            break;
        case K_COUNT:
            if (parse_num(&k->count, optarg, 1, MAX_COUNT, "--count") < 0) {
                return LH_EXIT_USAGE;
            }
            break;
        case K_JSON:
            k->json = true;
            break;
        case K_RULE:
            k->rule = true;
            break;
        case K_RULE_ID:
            k->rule_id = optarg;
            break;
        case K_REGEX:
            k->regex = true;
            break;
        case 'h':
        case K_HELP:
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return LH_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        lh_cli_error("keygen takes no arguments ('%s')", argv[optind]);
        return LH_EXIT_USAGE;
    }
    if (!k->prefix) {
        lh_cli_error("keygen needs --prefix (e.g. --prefix acme_live_)");
        return LH_EXIT_USAGE;
    }
    if (lh_keygen_check_prefix(k->prefix) < 0) {
        lh_cli_error("%s", lh_error_get());
        return LH_EXIT_USAGE;
    }
    if (k->rule_id &&
        (strlen(k->rule_id) == 0 || strlen(k->rule_id) > 64 ||
         strspn(k->rule_id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(k->rule_id))) {
        lh_cli_error("--rule-id takes 1-64 characters of a-z 0-9 -, not '%s'", k->rule_id);
        return LH_EXIT_USAGE;
    }
    return 0;
}

static int fail(int rc)
{
    lh_cli_error("%s", lh_error_get());
    return rc == LH_EINVAL ? LH_EXIT_USAGE : LH_EXIT_IO;
}

/* Generates a throw-away key and proves the rule confirms it. */
static int self_check(const struct kopts *k)
{
    char key[LH_KEYGEN_MAX_KEY];
    int rc = lh_keygen_key(key, sizeof(key), k->prefix, k->length);
    if (rc == 0) {
        rc = lh_keygen_self_check(k->prefix, k->length, key, strlen(key));
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

int lh_cmd_keygen(int argc, char **argv)
{
    struct kopts k = {.length = LH_KEYGEN_DEFAULT_RANDOM, .count = 1};
    int ex = parse(&k, argc, argv);
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
