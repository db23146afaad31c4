/* SPDX-License-Identifier: MIT */
/*
 * A finding: rule + secret span + location + provenance + confidence + fingerprint, and a
 * thread-safe list of findings. The raw secret is kept only in memory (for --show-secrets,
 * revocation and hashing) and wiped when the finding is freed. The fingerprint depends on
 * the rule id and the secret's SHA-256 only, so it survives moves, renames and rebases.
 */
#ifndef LH_FINDING_FINDING_H
#define LH_FINDING_FINDING_H

#include "decode/decode.h"
#include "rules/rule.h"
#include "util/error.h"
#include "util/hash.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_FINGERPRINT_LEN 32

struct lh_provenance {
    char *commit;           /* introducing commit (hex) */
    char *author;           /* "Name <email>" */
    char *date;             /* ISO 8601 */
    char *blob;             /* blob id (hex) */
    char *message;          /* commit summary line */
    struct lh_strlist refs; /* refs whose tips still contain the blob */
    char *layer;            /* container image: digest of the layer (or config) holding the file */
    char *repository;       /* the repository's name, for findings of several (audit/), or NULL */
    bool deleted; /* ...and a later layer deletes the file (whiteout): still in the image */
};

/* Why a finding is suppressed (counted in the summary, listed by --show-suppressed). */
enum lh_suppression {
    LH_SUPP_NONE = 0,
    LH_SUPP_INLINE,     /* a `leakhound:allow` comment on its line */
    LH_SUPP_BASELINE,   /* an entry of the baseline */
    LH_SUPP_CONFIDENCE, /* below --min-confidence */
    LH_SUPP_TRIAGE,     /* its secret is triaged (not `open`) in the scan database */
};

/* "inline", "baseline", "min-confidence", "triage" or "" */
const char *lh_suppression_name(enum lh_suppression s);

struct lh_finding {
    const struct lh_rule *rule; /* borrowed from the ruleset */
    enum lh_confidence confidence;
    bool invalid;    /* a validator rejected it: not a finding, listed only with --show-invalid */
    bool suppressed; /* inline allow / baseline / below --min-confidence: not reported */
    enum lh_suppression suppressed_by; /* why, when suppressed */
    const char *triage;          /* LH_SUPP_TRIAGE: the status ("false-positive", ...; static) */
    char *path;                  /* owned */
    size_t line, column;         /* 1-based, columns in Unicode code points */
    size_t end_line, end_column; /* end_column is exclusive (SARIF convention) */
    size_t offset, length;       /* byte span of the secret in the blob */
    /* a secret found in decoded text: the decoders applied, outermost first (enum
     * lh_decode_kind); line..end_column and offset/length locate its encoded text */
    uint8_t decoded[LH_DECODE_MAX_DEPTH];
    uint8_t ndecoded;
    uint8_t *secret; /* owned, NUL-terminated, wiped on free; NULL for a finding read back from
                        a scan database (audit/), which keeps only `redacted` */
    size_t secret_len;
    char *redacted; /* owned: the redacted form when secret is NULL, else NULL */
    char secret_sha256[LH_SHA256_HEX_LEN + 1];
    char fingerprint[LH_FINGERPRINT_LEN + 1];
    char meta_key[32];
    char meta_value[96];
    struct lh_provenance prov;
};

/* Sets secret (copied), secret_sha256 and fingerprint. LH_ENOMEM. */
int lh_finding_set_secret(struct lh_finding *f, const uint8_t *secret, size_t len) LH_WUR;

/* Computes the fingerprint for a rule id and secret hash into out (33 bytes). */
void lh_finding_fingerprint(char out[LH_FINGERPRINT_LEN + 1], const char *rule_id,
                            const char *secret_sha256);

/* Frees what the finding owns (wiping the secret); the struct itself is not freed. */
void lh_finding_dispose(struct lh_finding *f);
void lh_provenance_dispose(struct lh_provenance *p);
int lh_provenance_copy(struct lh_provenance *dst, const struct lh_provenance *src) LH_WUR;

/*
 * Formats the secret for humans: a short prefix and the last 4 characters, e.g.
 * "ghp_sbUs…T38" style "ghp_sb****3T38". Never the whole secret (short secrets show less).
 * Writes at most cap bytes including NUL. This is the only code that formats secrets.
 */
void lh_redact(char *out, size_t cap, const uint8_t *secret, size_t len);

/*
 * The finding's secret for humans: lh_redact of the secret, or the stored redacted form of a
 * finding without its raw secret. Writers call this, never lh_redact on f->secret directly.
 */
void lh_finding_redact(char *out, size_t cap, const struct lh_finding *f);

/* A growable, mutex-protected list of findings (takes ownership of pushed findings). */
struct lh_findings {
    struct lh_finding *items;
    size_t count;
    size_t alloc;
    pthread_mutex_t lock;
};

void lh_findings_init(struct lh_findings *l);
void lh_findings_dispose(struct lh_findings *l);

/* Moves *f into the list (thread-safe); *f is zeroed. */
int lh_findings_push(struct lh_findings *l, struct lh_finding *f) LH_WUR;

/* Sorts by path, line, column, rule id, commit, layer, blob, repository; then drops exact
 * duplicates. */
void lh_findings_sort(struct lh_findings *l);

#endif
