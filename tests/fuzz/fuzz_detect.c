/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the matcher, the detector and every validator over arbitrary bytes.
 * Once per process it builds a detector over the built-in rules (all of them, opt-in ones
 * included, invalid matches kept so the location code runs for them too). Each input is
 * then scanned as a blob at a path its first and last bytes pick (mostly a credential file's
 * name, so the whole-file rules run too; see input_path) (lh_detect_blob: Vectorscan prefilter,
 * PCRE2 windows, partial matching at window edges, two levels of decoding (base64, percent,
 * escapes), placeholder/stopword/entropy checks, validators, line and column computation,
 * fingerprint), classified as a whole token (lh_detect_token, the partner endpoint's path) and
 * handed to every validator of lh_validator_all() directly, once per parameter set below (each must
 * pass its own check_params). A validator that the table below does not know is called with the
 * parameters of a built-in rule that uses it, else with none when its check_params accepts that, so
 * a new validator is fuzzed without touching this file. Invariants: findings lie inside the input,
 * their secret is the input at their offset (unless found in decoded text, where the offset is that
 * of the encoded text), their line and columns are those a naive count gives, the redacted form
 * shows at most 10 of its bytes.
 */
#include "finding/detect.h"
#include "fuzz/common.h"
#include "rules/ruleset.h"
#include "validate/entropy.h"
#include "validate/placeholder.h"
#include "validate/validator.h"

#include <stdlib.h>
#include <string.h>

#define MAX_VARIANTS 128
#define MAX_PARAMS 5

struct variant {
    const char *validator;
    const char *kv[MAX_PARAMS * 2 + 1]; /* key, value, ..., NULL */
};

/* Parameter sets per validator (docs/validators.md); validators not listed get none. */
static const struct variant table[] = {
    {"crc32-le-hex", {NULL}},
    {"crc32-le-hex", {"separator", "-", "covers", "through_separator", "case", "any", NULL}},
    {"crc32-hex", {NULL}},
    {"crc32-hex", {"separator", "=", "covers", "through_separator", "case", "upper", NULL}},
    {"crc32-hex", {"covers", "before_separator", "endian", "little", NULL}},
    {"crc32-le-b64", {NULL}},
    {"crc32-le-b64", {"prefix", "x", NULL}},
    {"marvin-identifiable", {"signature", "+ASt", "seeds", "Default0", NULL}},
    {"marvin-identifiable",
     {"signature", "AzFu", "seeds", "Functi00,Master00,System00", "urlsafe", "true", NULL}},
    {"marvin-identifiable", {"signature", "AZEG", "seeds", "0x53656e6452656376", NULL}},
    {"crc16-xmodem", {NULL}},
    {"crc16-xmodem", {"version", "0x30", NULL}},
    {"bech32", {"hrp", "age-secret-key-", "case", "upper", NULL}},
    {"bech32", {"hrp", "nsec", NULL}},
    {"bech32", {"hrp", "x", "variant", "bech32m", "bytes", "320", "case", "lower", NULL}},
    {"bech32", {"hrp", "a", "bytes", "1", NULL}},
    {"base64-json", {NULL}},
    {"base64-json", {"prefix", "glc_", "required_keys", "o,n,k", NULL}},
    {"base64-json", {"prefix", "sntrys_", "split", "_", "part", "0", NULL}},
    {"base64-json", {"prefix", "ops_", "encoding", "url", "split", ".", "part", "1", NULL}},
    {"openai-marker", {NULL}},
    {"openai-marker", {"balanced", "true", NULL}},
};

struct vrule {
    const struct lh_validator *v;
    struct lh_rule rule;
    struct lh_param params[MAX_PARAMS];
};

static struct lh_ruleset *rs;
static struct lh_detector *det;
static struct lh_detect_scratch *scratch;
static struct vrule vrules[MAX_VARIANTS];
static size_t nvrules;

static void add_variant(const struct lh_validator *v, const char *const *kv,
                        const struct lh_rule *from)
{
    LH_FUZZ_CHECK(nvrules < MAX_VARIANTS);
    struct vrule *vr = &vrules[nvrules];
    vr->v = v;
    vr->rule.id = (char *)"fuzz-validator";
    vr->rule.validator = (char *)v->name;
    if (from) {
        vr->rule.params = from->params;
        vr->rule.nparams = from->nparams;
    } else {
        size_t n = 0;
        for (; kv && kv[2 * n]; n++) {
            LH_FUZZ_CHECK(n < MAX_PARAMS);
            vr->params[n].key = (char *)kv[2 * n];
            vr->params[n].value = (char *)kv[2 * n + 1];
        }
        vr->rule.params = vr->params;
        vr->rule.nparams = n;
    }
    if (v->check_params && v->check_params(&vr->rule) < 0) {
        /* a listed parameter set must stay valid: the table drifted from the validator */
        LH_FUZZ_CHECK(!kv || !kv[0]);
        lh_error_clear();
        return;
    }
    nvrules++;
}

static void init_validators(void)
{
    for (const struct lh_validator *v = lh_validator_all(); v->name; v++) {
        bool listed = false;
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
            if (!strcmp(table[i].validator, v->name)) {
                add_variant(v, table[i].kv, NULL);
                listed = true;
            }
        }
        if (listed) {
            continue;
        }
        const struct lh_rule *from = NULL;
        for (size_t i = 0; i < rs->count && !from; i++) {
            if (rs->rules[i]->validator && !strcmp(rs->rules[i]->validator, v->name)) {
                from = rs->rules[i];
            }
        }
        add_variant(v, NULL, from);
    }
}

static void init(void)
{
    if (det) {
        return;
    }
    LH_FUZZ_CHECK(lh_ruleset_new(&rs) == 0);
    LH_FUZZ_CHECK(lh_ruleset_load_builtin(rs) == 0);
    (void)lh_ruleset_select(rs, "*", true);
    struct lh_detect_opts o;
    memset(&o, 0, sizeof(o));
    o.inline_allow = true;
    o.keep_invalid = true;
    o.decode_depth = 2; /* as the CLI: base64, percent and escapes decoded, twice */
    LH_FUZZ_CHECK(lh_detector_new(&det, rs, &o) == 0);
    LH_FUZZ_CHECK(lh_detect_scratch_new(&scratch, det) == 0);
    init_validators();
}

struct blob {
    const uint8_t *buf;
    size_t len;
};

/* Line and column (1-based, code points as the detector counts them) of offset off. */
static void where(const uint8_t *buf, size_t off, size_t *line, size_t *col)
{
    size_t l = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    size_t c = 1;
    for (size_t i = start; i < off; i++) {
        c += (buf[i] & 0xC0) != 0x80;
    }
    *line = l;
    *col = c;
}

static int on_finding(struct lh_finding *f, void *payload)
{
    const struct blob *b = payload;
    LH_FUZZ_CHECK(f->offset <= b->len && f->length <= b->len - f->offset);
    /* a finding in decoded text is located at its encoded text; its secret is decoded */
    LH_FUZZ_CHECK(f->length > 0 && f->secret_len > 0);
    LH_FUZZ_CHECK(f->ndecoded <= 2 && (f->ndecoded || f->secret_len == f->length));
    LH_FUZZ_CHECK(f->ndecoded || memcmp(f->secret, b->buf + f->offset, f->length) == 0);
    LH_FUZZ_CHECK(!f->ndecoded || !f->invalid);
    size_t line;
    size_t col;
    where(b->buf, f->offset, &line, &col);
    LH_FUZZ_CHECK(f->line == line && f->column == col);
    where(b->buf, f->offset + f->length, &line, &col);
    LH_FUZZ_CHECK(f->end_line == line && f->end_column == col);
    LH_FUZZ_CHECK(f->path != NULL && f->rule != NULL);
    char red[128];
    lh_redact(red, sizeof(red), f->secret, f->secret_len);
    /* at most 6 leading and 4 trailing characters around the mask, whatever the length */
    LH_FUZZ_CHECK(strlen(red) <= 14);
    lh_finding_dispose(f);
    return 0;
}

/*
 * The path the input is scanned at: its first and last bytes pick a credential file's name
 * (21 of 32 values), so the whole-file rules bound to paths (no keywords: their pattern
 * runs over all of it) are fuzzed too; the other values give a name no such rule claims.
 * Every rule that is not bound to paths runs whatever the name.
 */
static const char *input_path(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"home/u/.env",
                                        "home/u/.netrc",
                                        "home/u/.git-credentials",
                                        "home/u/.npmrc",
                                        "home/u/.pgpass",
                                        "home/u/.my.cnf",
                                        "home/u/.docker/config.json",
                                        "home/u/.aws/credentials",
                                        "app/settings.py",
                                        "www/wp-config.php",
                                        "www/.htpasswd",
                                        "etc/shadow",
                                        "home/u/.m2/settings.xml",
                                        "home/u/.pypirc",
                                        "conf/tomcat-users.xml",
                                        "home/u/.gitconfig",
                                        "home/u/.yarnrc.yml",
                                        "home/u/.config/composer/auth.json",
                                        "home/u/.gem/credentials",
                                        "home/u/.s3cfg",
                                        "config/master.key"};
    size_t n = sizeof(paths) / sizeof(paths[0]);
    unsigned pick = size ? (unsigned)(data[0] ^ data[size - 1]) % 32u : 31u;
    return pick < n ? paths[pick] : "fuzz/input.txt";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    struct blob b = {data, size};
    LH_FUZZ_CHECK(
        lh_detect_blob(det, scratch, data, size, input_path(data, size), on_finding, &b) == 0);
    if (size <= 16384) {
        (void)lh_detect_token(det, scratch, data, size, NULL, NULL);
    }
    for (size_t i = 0; i < nvrules; i++) {
        struct lh_validation val;
        memset(&val, 0, sizeof(val));
        bool pass = vrules[i].v->check(data, size, &vrules[i].rule, &val);
        LH_FUZZ_CHECK(val.pass == pass);
        LH_FUZZ_CHECK(memchr(val.meta_key, 0, sizeof(val.meta_key)) != NULL);
        LH_FUZZ_CHECK(memchr(val.meta_value, 0, sizeof(val.meta_value)) != NULL);
    }
    (void)lh_placeholder_check(data, size, NULL);
    double h = lh_entropy_shannon(data, size);
    LH_FUZZ_CHECK(h >= 0.0 && h <= 8.0 + 1e-9);
    return 0;
}
