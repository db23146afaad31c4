/* SPDX-License-Identifier: MIT */
/*
 * The matcher's data, shared by its three files: matcher.c builds the compiled ruleset (the
 * Vectorscan database, the path-rule pre-checks) and the per-thread scratch, pattern.c
 * compiles rule patterns (lazily for built-in rules, JIT after a few uses) and scan.c runs
 * a scan (prefilter hits -> regions -> PCRE2). Nothing outside src/match/ includes it.
 */
#ifndef LH_MATCH_MATCHER_INT_H
#define LH_MATCH_MATCHER_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include "match/matcher.h"

#include <hs/hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEFAULT_MATCH_LIMIT LH_MATCHER_MATCH_LIMIT
#define DEFAULT_DEPTH_LIMIT LH_MATCHER_DEPTH_LIMIT
#define MAX_NAMED_ALTS 8 /* alternatives that may each name `secret` (or `id`) */
#define LH_MATCHER_JIT_LOCKS 16

struct lit {
    uint32_t rule;
    uint32_t len;     /* keyword length; 0 for a prefilter regex (its start is unknown) */
    uint8_t boundary; /* enum lh_kw_boundary: a hit inside a word is ignored */
};

/*
 * A rule bound to `paths`, with the longest literal run of each glob (text between
 * wildcards): a path that holds none of them (at its end, for a run that ends the glob)
 * cannot match, so the glob matching proper (fnmatch over every tail of the path) runs only
 * for the few blobs that pass this test.
 */
struct path_lit {
    const char *s; /* borrowed from the rule's glob */
    size_t len;
    bool at_end; /* the glob ends with it: the path must end with it */
};

struct path_rule {
    uint32_t rule;
    bool always; /* a glob with no usable literal (escapes, or wildcards only): no quick test */
    bool whole;  /* no keyword or prefilter: the rule's region is the whole of a matching file */
    size_t nlits;
    struct path_lit *lits;
};

struct crule {
    const struct lh_rule *rule;
    pcre2_code *code;
    uint32_t secret_groups[MAX_NAMED_ALTS]; /* every group named `secret` */
    size_t nsecret;
    uint32_t id_groups[MAX_NAMED_ALTS]; /* every group named `id` (pair rules) */
    size_t nid;
    _Atomic int compiled; /* compiled (built-in rules: on first use): once, under its lock */
    /* a JIT-compiled copy of code, made after JIT_AFTER regions and published once; a copy,
     * because other threads may be matching with code (the interpreter) meanwhile */
    pcre2_code *_Atomic jit;
    _Atomic unsigned uses; /* regions matched with the interpreter so far */
    _Atomic int jit_tried;
    bool pair; /* has an `id` group; fixed at lh_matcher_new (read by all threads) */
    bool active;
};

struct lh_matcher {
    struct crule *rules;
    size_t nrules;
    struct lit *lits; /* literal id -> rule + keyword length */
    size_t nlits;
    size_t nregex;                /* how many of the literals are prefilter regexes */
    struct path_rule *path_rules; /* active rules bound to `paths` */
    size_t npath_rules;
    hs_database_t *db; /* NULL when no active rule */
    size_t db_map_len; /* non-zero: db lives in an anonymous mapping of this size (cache) */
    pcre2_match_context *mctx;
    /* compiling and JIT-compiling a rule happen under jit_lock[rule % JIT_LOCKS]: one lock
     * for all rules made a worker wait while another compiled an unrelated rule */
    pthread_mutex_t jit_lock[LH_MATCHER_JIT_LOCKS];
    bool from_cache;
};

struct region {
    uint32_t rule;
    uint32_t order; /* 0 pair rules (run first), 1 others, 2 rules that yield (run last) */
    size_t start, end;
};

struct lh_matcher_scratch {
    hs_scratch_t *hs;
    pcre2_match_data *md;
    pcre2_jit_stack *jit_stack;
    pcre2_match_context *mctx;
    /* per-rule open region while collecting hits */
    size_t *open_start;
    size_t *open_end;
    uint8_t *open;
    uint32_t *opened; /* the rules whose open[] is set, in order of first hit */
    size_t nopened;
    uint8_t *skip; /* per rule: 1 when its `paths` do not apply to the current blob */
    struct region *regions;
    size_t nregions, aregions;
    const struct lh_matcher *m;
    const uint8_t *buf;
    size_t len;
    int error;
};

/*
 * Compiles r's pattern into cr (whose rule pointer is set already: other threads read it)
 * and finds its `secret` and `id` groups. Returns 0 or LH_ERULE with the error set.
 */
int lh_matcher_compile_rule(struct crule *cr, const struct lh_rule *r) LH_WUR;

/*
 * The code to match a rule with over a region of region_len bytes: compiles a lazy rule
 * once, switches to a JIT-compiled copy after a few regions or for a large one. NULL when
 * the rule has no usable code (a built-in pattern that does not compile: it then finds
 * nothing). Thread-safe.
 */
const pcre2_code *lh_matcher_rule_code(const struct lh_matcher *m, struct crule *cr,
                                       size_t region_len);

#endif
