/* SPDX-License-Identifier: MIT */
/*
 * Rule patterns: compiling one (byte patterns, the `secret` and `id` groups it names) and
 * choosing the code a region is matched with -- the interpreter for a rule's first few
 * regions, then a JIT-compiled copy (see matcher_int.h).
 */
#include "match/matcher_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * Collects the numbers of the groups called `name` from the name table (duplicate names
 * are allowed so that each alternative of a pair pattern can name its own groups).
 * Returns how many there are, or -1 when there are more than MAX_NAMED_ALTS.
 */
static int named_groups(const pcre2_code *code, const char *name, uint32_t *out)
{
    uint32_t count = 0;
    uint32_t size = 0;
    PCRE2_SPTR table = NULL;
    int n = 0;
    if (pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count) != 0 ||
        pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &size) != 0 ||
        pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table) != 0) {
        return 0;
    }
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (size_t)i * size;
        if (strcmp((const char *)e + 2, name) != 0) {
            continue;
        }
        if (n == MAX_NAMED_ALTS) {
            return -1;
        }
        out[n++] = (uint32_t)e[0] << 8 | e[1];
    }
    return n;
}

/* Compiles r's pattern into cr (whose rule pointer is set already: other threads read it). */
int lh_matcher_compile_rule(struct crule *cr, const struct lh_rule *r)
{
    int err = 0;
    PCRE2_SIZE off = 0;
    /*
     * NEVER_UTF (hardening, issue #9): patterns are byte patterns (docs/rules.md); a
     * `(*UTF)` pattern would make every region that is not valid UTF-8 fail with an error,
     * so the rule would silently find nothing in Latin-1 or binary-ish files.
     */
    cr->code = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                             PCRE2_DUPNAMES | PCRE2_NEVER_UTF, &err, &off, NULL);
    if (!cr->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof(msg));
        lh_error_set("%s:%d:%d: rule '%s': pattern does not compile at offset %zu: %s",
                     r->pattern_pos.file, r->pattern_pos.line, r->pattern_pos.column, r->id,
                     (size_t)off, (const char *)msg);
        return LH_ERULE;
    }
    int n = named_groups(cr->code, "secret", cr->secret_groups);
    if (n == 0) {
        lh_error_set("%s:%d:%d: rule '%s': pattern has no capture group named 'secret'",
                     r->pattern_pos.file, r->pattern_pos.line, r->pattern_pos.column, r->id);
        return LH_ERULE;
    }
    int k = n > 0 ? named_groups(cr->code, "id", cr->id_groups) : 0;
    if (n < 0 || k < 0) {
        lh_error_set("%s:%d:%d: rule '%s': more than %d groups are named '%s'", r->pattern_pos.file,
                     r->pattern_pos.line, r->pattern_pos.column, r->id, MAX_NAMED_ALTS,
                     n < 0 ? "secret" : "id");
        return LH_ERULE;
    }
    cr->nsecret = (size_t)n;
    cr->nid = (size_t)k;
    return 0;
}

/*
 * Whether a pattern defines a group named `id` (a pair rule), from its text: lazy rules need
 * the answer before they are compiled (pair regions run first). `rules check` compiles every
 * built-in rule eagerly and compares (lh_matcher_rule_is_pair vs the compiled name table).
 */
bool lh_matcher_pattern_names_id(const char *pattern)
{
    return strstr(pattern, "(?<id>") || strstr(pattern, "(?P<id>") || strstr(pattern, "(?'id'");
}

/*
 * A rule's regions are matched by PCRE2's interpreter until it has had JIT_AFTER of them,
 * then by a JIT-compiled copy. JIT-compiling costs ~0.1-1 ms a pattern: a one-file scan
 * (the pre-commit hook) that touches a dozen rules paid more for it than for matching.
 * The copy is compiled for PCRE2_PARTIAL_HARD only, the one mode scan.c matches in (a
 * match with other options, such as its anchored re-match, runs in the interpreter):
 * compiling the complete mode as well doubled the JIT's cost for matches it never ran.
 * A region of JIT_BYTES or more is JIT-compiled at once: a whole-file rule has one region
 * per file, and the interpreter ran its large alternations over a 25 MB hostile .env at
 * ~5 MB/s.
 */
#define JIT_AFTER 8
#define JIT_BYTES (64u * 1024u)

/* Compiles a lazy rule, once. Returns the code to match with, or NULL when the rule has no
 * usable code (a built-in pattern that does not compile: it then finds nothing). */
const pcre2_code *lh_matcher_rule_code(const struct lh_matcher *cm, struct crule *cr,
                                       size_t region_len)
{
    struct lh_matcher *m = (struct lh_matcher *)cm;
    pthread_mutex_t *lock = &m->jit_lock[(size_t)(cr - m->rules) % LH_MATCHER_JIT_LOCKS];
    pcre2_code *jit = atomic_load_explicit(&cr->jit, memory_order_acquire);
    if (jit) {
        return jit;
    }
    if (!atomic_load_explicit(&cr->compiled, memory_order_acquire)) {
        pthread_mutex_lock(lock);
        if (!atomic_load_explicit(&cr->compiled, memory_order_relaxed)) {
            if (!cr->code && lh_matcher_compile_rule(cr, cr->rule) < 0) {
                pcre2_code_free(cr->code);
                cr->code = NULL;
                lh_error_clear();
            }
            atomic_store_explicit(&cr->compiled, 1, memory_order_release);
        }
        pthread_mutex_unlock(lock);
    }
    if (!cr->code) {
        return NULL;
    }
    if ((atomic_fetch_add_explicit(&cr->uses, 1, memory_order_relaxed) + 1 < JIT_AFTER &&
         region_len < JIT_BYTES) ||
        atomic_load_explicit(&cr->jit_tried, memory_order_relaxed)) {
        return cr->code;
    }
    pthread_mutex_lock(lock);
    if (!atomic_load_explicit(&cr->jit_tried, memory_order_relaxed)) {
        /* A JIT failure (e.g. no executable memory) is not fatal: the interpreter is used. */
        pcre2_code *c = pcre2_code_copy(cr->code);
        if (c && pcre2_jit_compile(c, PCRE2_JIT_PARTIAL_HARD) == 0) {
            atomic_store_explicit(&cr->jit, c, memory_order_release);
        } else {
            pcre2_code_free(c);
        }
        atomic_store_explicit(&cr->jit_tried, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(lock);
    jit = atomic_load_explicit(&cr->jit, memory_order_acquire);
    return jit ? jit : cr->code;
}
