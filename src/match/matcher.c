/* SPDX-License-Identifier: MIT */
/*
 * Vectorscan literal prefilter + PCRE2 (JIT) confirmation; see matcher.h. Compiled
 * databases are cached on disk by dbcache.c, which trusts nothing it reads back.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "match/matcher.h"

#include "match/dbcache.h"
#include "util/buf.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#define DEFAULT_MATCH_LIMIT LH_MATCHER_MATCH_LIMIT
#define DEFAULT_DEPTH_LIMIT LH_MATCHER_DEPTH_LIMIT
#define MAX_NAMED_ALTS 8 /* alternatives that may each name `secret` (or `id`) */

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
    _Atomic int compiled; /* compiled (built-in rules: on first use): once, under jit_lock */
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
    pthread_mutex_t jit_lock;
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
    uint8_t *skip; /* per rule: 1 when its `paths` do not apply to the current blob */
    struct region *regions;
    size_t nregions, aregions;
    const struct lh_matcher *m;
    const uint8_t *buf;
    size_t len;
    int error;
};

/* ---- compile ---- */

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
static int compile_rule(struct crule *cr, const struct lh_rule *r)
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
 */
#define JIT_AFTER 8

/* Compiles a lazy rule, once. Returns the code to match with, or NULL when the rule has no
 * usable code (a built-in pattern that does not compile: it then finds nothing). */
static const pcre2_code *rule_code(const struct lh_matcher *cm, struct crule *cr)
{
    struct lh_matcher *m = (struct lh_matcher *)cm;
    pcre2_code *jit = atomic_load_explicit(&cr->jit, memory_order_acquire);
    if (jit) {
        return jit;
    }
    if (!atomic_load_explicit(&cr->compiled, memory_order_acquire)) {
        pthread_mutex_lock(&m->jit_lock);
        if (!atomic_load_explicit(&cr->compiled, memory_order_relaxed)) {
            if (!cr->code && compile_rule(cr, cr->rule) < 0) {
                pcre2_code_free(cr->code);
                cr->code = NULL;
                lh_error_clear();
            }
            atomic_store_explicit(&cr->compiled, 1, memory_order_release);
        }
        pthread_mutex_unlock(&m->jit_lock);
    }
    if (!cr->code) {
        return NULL;
    }
    if (atomic_fetch_add_explicit(&cr->uses, 1, memory_order_relaxed) + 1 < JIT_AFTER ||
        atomic_load_explicit(&cr->jit_tried, memory_order_relaxed)) {
        return cr->code;
    }
    pthread_mutex_lock(&m->jit_lock);
    if (!atomic_load_explicit(&cr->jit_tried, memory_order_relaxed)) {
        /* A JIT failure (e.g. no executable memory) is not fatal: the interpreter is used. */
        pcre2_code *c = pcre2_code_copy(cr->code);
        if (c && pcre2_jit_compile(c, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD) == 0) {
            atomic_store_explicit(&cr->jit, c, memory_order_release);
        } else {
            pcre2_code_free(c);
        }
        atomic_store_explicit(&cr->jit_tried, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&m->jit_lock);
    jit = atomic_load_explicit(&cr->jit, memory_order_acquire);
    return jit ? jit : cr->code;
}

/*
 * With prefilter regexes the database is compiled through the regex API: every keyword
 * becomes a regex of escaped bytes (\xHH), which Vectorscan decomposes into the same
 * literal matcher, and the regexes are added as they are. Sets m->db.
 */
static hs_error_t compile_mixed(struct lh_matcher *m, const char **exprs, const unsigned *flags,
                                const unsigned *ids, const size_t *lens, hs_compile_error_t **cerr)
{
    char **owned = calloc(m->nlits, sizeof(*owned));
    const char **res = calloc(m->nlits, sizeof(*res));
    hs_error_t e = HS_NOMEM;
    *cerr = NULL;
    if (!owned || !res) {
        goto out;
    }
    for (size_t i = 0; i < m->nlits; i++) {
        if (!m->lits[i].len) {
            res[i] = exprs[i];
            continue;
        }
        owned[i] = malloc(lens[i] * 4 + 1);
        if (!owned[i]) {
            goto out;
        }
        for (size_t j = 0; j < lens[i]; j++) {
            snprintf(owned[i] + j * 4, 5, "\\x%02x", (unsigned char)exprs[i][j]);
        }
        res[i] = owned[i];
    }
    e = hs_compile_multi(res, flags, ids, (unsigned)m->nlits, HS_MODE_BLOCK, NULL, &m->db, cerr);
out:
    for (size_t i = 0; owned && i < m->nlits; i++) {
        free(owned[i]);
    }
    free(owned);
    free(res);
    return e;
}

static int build_db(struct lh_matcher *m, const struct lh_matcher_opts *opts)
{
    const char **exprs = calloc(m->nlits ? m->nlits : 1, sizeof(*exprs));
    unsigned *flags = calloc(m->nlits ? m->nlits : 1, sizeof(*flags));
    unsigned *ids = calloc(m->nlits ? m->nlits : 1, sizeof(*ids));
    size_t *lens = calloc(m->nlits ? m->nlits : 1, sizeof(*lens));
    bool *regex = calloc(m->nlits ? m->nlits : 1, sizeof(*regex));
    char *dir = NULL;
    char *path = NULL;
    struct lh_buf key;
    int rc = 0;
    lh_buf_init(&key, 0);
    if (!exprs || !flags || !ids || !lens || !regex) {
        rc = lh_error_oom();
        goto out;
    }
    size_t k = 0;
    size_t canary = SIZE_MAX;
    for (size_t i = 0; i < m->nrules; i++) {
        const struct lh_rule *r = m->rules[i].rule;
        if (!m->rules[i].active) {
            continue;
        }
        for (size_t j = 0; j < r->keywords.count; j++, k++) {
            exprs[k] = r->keywords.items[j];
            lens[k] = strlen(r->keywords.items[j]);
            flags[k] = r->keywords_caseless ? HS_FLAG_CASELESS : 0;
            ids[k] = (unsigned)k;
            canary = canary == SIZE_MAX ? k : canary;
        }
        for (size_t j = 0; j < r->prefilters.count; j++, k++) {
            exprs[k] = r->prefilters.items[j];
            regex[k] = true;
            lens[k] = strlen(r->prefilters.items[j]);
            flags[k] = r->keywords_caseless ? HS_FLAG_CASELESS : 0;
            ids[k] = (unsigned)k;
        }
    }
    if (m->nlits == 0) {
        goto out;
    }
    const char *clit = canary == SIZE_MAX ? NULL : exprs[canary];
    size_t clen = canary == SIZE_MAX ? 0 : lens[canary];
    if (opts && opts->use_cache) {
        dir = opts->cache_dir ? strdup(opts->cache_dir) : lh_fs_cache_dir();
        if (dir && lh_dbcache_key(&key, exprs, flags, lens, regex, m->nlits) == 0) {
            char name[64];
            lh_dbcache_name(name, &key);
            path = lh_path_join(dir, name);
        }
        lh_error_clear();
        if (path) {
            m->db = lh_dbcache_load(&m->db_map_len, path, &key, clit, clen);
            if (m->db) {
                m->from_cache = true;
                goto out;
            }
        }
    }
    hs_compile_error_t *cerr = NULL;
    hs_error_t he = m->nregex ? compile_mixed(m, exprs, flags, ids, lens, &cerr)
                              : hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)m->nlits,
                                                     HS_MODE_BLOCK, NULL, &m->db, &cerr);
    if (he != HS_SUCCESS) {
        if (!cerr) {
            rc = lh_error_oom();
            goto out;
        }
        size_t bad = cerr->expression >= 0 ? (size_t)cerr->expression : 0;
        const struct lh_rule *r = m->rules[m->lits[bad].rule].rule;
        lh_error_set("%s:%d:%d: rule '%s': %s cannot be compiled: %s", r->pos.file, r->pos.line,
                     r->pos.column, r->id, m->lits[bad].len ? "keyword" : "prefilter",
                     cerr->message);
        hs_free_compile_error(cerr);
        m->db = NULL;
        rc = LH_ERULE;
        goto out;
    }
    if (path) {
        lh_dbcache_store(dir, path, &key, m->db);
    }
out:
    lh_buf_dispose(&key);
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    free(regex);
    free(dir);
    free(path);
    return rc;
}

static bool is_glob_special(char c)
{
    return c == '*' || c == '?' || c == '[' || c == ']';
}

/* Fills pr with the longest literal run of each of r's globs (see struct path_rule). */
static int path_rule_init(struct path_rule *pr, uint32_t rule, const struct lh_rule *r)
{
    pr->rule = rule;
    pr->lits = calloc(r->paths.count, sizeof(*pr->lits));
    if (!pr->lits) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < r->paths.count; i++) {
        const char *g = r->paths.items[i];
        struct path_lit best = {NULL, 0, false};
        if (strchr(g, '\\')) {
            pr->always = true;
            continue;
        }
        for (const char *c = g; *c;) {
            if (is_glob_special(*c)) {
                c++;
                continue;
            }
            const char *start = c;
            while (*c && !is_glob_special(*c)) {
                c++;
            }
            if ((size_t)(c - start) > best.len) {
                best = (struct path_lit){start, (size_t)(c - start), *c == '\0'};
            }
        }
        if (!best.len) {
            pr->always = true;
            continue;
        }
        pr->lits[pr->nlits++] = best;
    }
    return 0;
}

/* Whether r's globs may match path (a cheap necessary test; see struct path_rule). */
static bool path_may_apply(const struct path_rule *pr, const char *path, size_t plen)
{
    if (pr->always) {
        return true;
    }
    for (size_t i = 0; i < pr->nlits; i++) {
        const struct path_lit *l = &pr->lits[i];
        if (l->len > plen) {
            continue;
        }
        if (l->at_end ? memcmp(path + plen - l->len, l->s, l->len) == 0
                      : lh_mem_contains(path, plen, l->s, l->len)) {
            return true;
        }
    }
    return false;
}

int lh_matcher_new(struct lh_matcher **out, struct lh_rule *const *rules, size_t nrules,
                   const struct lh_matcher_opts *opts)
{
    struct lh_matcher *m = calloc(1, sizeof(*m));
    int rc = 0;
    if (!m) {
        return lh_error_oom();
    }
    pthread_mutex_init(&m->jit_lock, NULL);
    m->nrules = nrules;
    m->rules = calloc(nrules ? nrules : 1, sizeof(*m->rules));
    if (!m->rules) {
        rc = lh_error_oom();
        goto fail;
    }
    size_t nlits = 0;
    for (size_t i = 0; i < nrules; i++) {
        m->rules[i].rule = rules[i];
        if (rules[i]->builtin && !(opts && opts->eager_compile)) {
            m->rules[i].pair = lh_matcher_pattern_names_id(rules[i]->pattern);
        } else {
            rc = compile_rule(&m->rules[i], rules[i]);
            if (rc < 0) {
                goto fail;
            }
            m->rules[i].pair = m->rules[i].nid > 0;
        }
        for (size_t j = 0; j < rules[i]->keywords.count; j++) {
            if (!rules[i]->keywords.items[j][0]) {
                lh_error_set("%s:%d:%d: rule '%s': empty keyword", rules[i]->pos.file,
                             rules[i]->pos.line, rules[i]->pos.column, rules[i]->id);
                rc = LH_ERULE;
                goto fail;
            }
        }
        m->rules[i].active = lh_rule_active(rules[i]);
        if (m->rules[i].active) {
            nlits += rules[i]->keywords.count + rules[i]->prefilters.count;
            m->npath_rules += rules[i]->paths.count > 0;
        }
    }
    m->nlits = nlits;
    m->lits = calloc(nlits ? nlits : 1, sizeof(*m->lits));
    m->path_rules = calloc(m->npath_rules ? m->npath_rules : 1, sizeof(*m->path_rules));
    if (!m->lits || !m->path_rules) {
        rc = lh_error_oom();
        goto fail;
    }
    size_t k = 0;
    size_t np = 0;
    for (size_t i = 0; i < nrules; i++) {
        if (!m->rules[i].active) {
            continue;
        }
        for (size_t j = 0; j < rules[i]->keywords.count; j++, k++) {
            m->lits[k].rule = (uint32_t)i;
            m->lits[k].len = (uint32_t)strlen(rules[i]->keywords.items[j]);
            m->lits[k].boundary = (uint8_t)rules[i]->keywords_boundary;
        }
        for (size_t j = 0; j < rules[i]->prefilters.count; j++, k++) {
            m->lits[k].rule = (uint32_t)i;
            m->nregex++;
        }
        if (rules[i]->paths.count) {
            rc = path_rule_init(&m->path_rules[np++], (uint32_t)i, rules[i]);
            if (rc < 0) {
                goto fail;
            }
        }
    }
    m->mctx = pcre2_match_context_create(NULL);
    if (!m->mctx) {
        rc = lh_error_oom();
        goto fail;
    }
    pcre2_set_match_limit(m->mctx,
                          opts && opts->match_limit ? opts->match_limit : DEFAULT_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mctx,
                          opts && opts->depth_limit ? opts->depth_limit : DEFAULT_DEPTH_LIMIT);
    rc = build_db(m, opts);
    if (rc < 0) {
        goto fail;
    }
    *out = m;
    return 0;
fail:
    lh_matcher_free(m);
    return rc;
}

void lh_matcher_free(struct lh_matcher *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; m->rules && i < m->nrules; i++) {
        pcre2_code_free(m->rules[i].code);
        pcre2_code_free(atomic_load_explicit(&m->rules[i].jit, memory_order_relaxed));
    }
    free(m->rules);
    free(m->lits);
    for (size_t i = 0; m->path_rules && i < m->npath_rules; i++) {
        free(m->path_rules[i].lits);
    }
    free(m->path_rules);
    if (m->db && m->db_map_len) {
        munmap(m->db, m->db_map_len);
    } else if (m->db) {
        hs_free_database(m->db);
    }
    pcre2_match_context_free(m->mctx);
    pthread_mutex_destroy(&m->jit_lock);
    free(m);
}

bool lh_matcher_from_cache(const struct lh_matcher *m)
{
    return m->from_cache;
}

bool lh_matcher_rule_is_pair(const struct lh_matcher *m, size_t rule)
{
    LH_ASSERT(rule < m->nrules);
    return m->rules[rule].pair;
}

size_t lh_matcher_rule_count(const struct lh_matcher *m)
{
    return m->nrules;
}

/* ---- scratch ---- */

int lh_matcher_scratch_new(struct lh_matcher_scratch **out, const struct lh_matcher *m)
{
    struct lh_matcher_scratch *s = calloc(1, sizeof(*s));
    if (!s) {
        return lh_error_oom();
    }
    size_t n = m->nrules ? m->nrules : 1;
    s->open_start = calloc(n, sizeof(size_t));
    s->open_end = calloc(n, sizeof(size_t));
    s->open = calloc(n, 1);
    s->skip = calloc(n, 1);
    s->md = pcre2_match_data_create(64, NULL);
    s->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    s->mctx = pcre2_match_context_copy(m->mctx);
    if (!s->open_start || !s->open_end || !s->open || !s->skip || !s->md || !s->jit_stack ||
        !s->mctx) {
        lh_matcher_scratch_free(s);
        return lh_error_oom();
    }
    pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
    if (m->db && hs_alloc_scratch(m->db, &s->hs) != HS_SUCCESS) {
        lh_matcher_scratch_free(s);
        return lh_error_oom();
    }
    *out = s;
    return 0;
}

void lh_matcher_scratch_free(struct lh_matcher_scratch *s)
{
    if (!s) {
        return;
    }
    if (s->hs) {
        hs_free_scratch(s->hs);
    }
    pcre2_match_data_free(s->md);
    pcre2_jit_stack_free(s->jit_stack);
    pcre2_match_context_free(s->mctx);
    free(s->open_start);
    free(s->open_end);
    free(s->open);
    free(s->skip);
    free(s->regions);
    free(s);
}

/* ---- scan ---- */

static int push_region(struct lh_matcher_scratch *s, uint32_t rule, size_t start, size_t end)
{
    if (s->nregions == s->aregions) {
        size_t n = s->aregions ? s->aregions * 2 : 64;
        struct region *r = realloc(s->regions, n * sizeof(*r));
        if (!r) {
            return lh_error_oom();
        }
        s->regions = r;
        s->aregions = n;
    }
    const struct crule *cr = &s->m->rules[rule];
    uint32_t order = cr->pair ? 0u : cr->rule->yields ? 2u : 1u;
    s->regions[s->nregions++] = (struct region){rule, order, start, end};
    return 0;
}

static bool is_lower(uint8_t c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_upper(uint8_t c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum(uint8_t c)
{
    return is_lower(c) || is_upper(c) || (c >= '0' && c <= '9');
}

/*
 * Whether buf[start..end) stands at identifier boundaries: on each side either a character
 * that is not a letter or digit (so `_`, `-`, `.` separate words), or a camel-case step
 * (`myOkta`, `oktaToken`). `okta` inside `rookTable` is not at a boundary.
 */
static bool at_boundary(const uint8_t *buf, size_t len, size_t start, size_t end, bool both)
{
    bool left = start == 0 || !is_alnum(buf[start]) || !is_alnum(buf[start - 1]) ||
                (is_upper(buf[start]) && !is_upper(buf[start - 1]));
    bool right = !both || end >= len || !is_alnum(buf[end - 1]) || !is_alnum(buf[end]) ||
                 (is_upper(buf[end]) && !is_upper(buf[end - 1]));
    return left && right;
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    (void)from;
    (void)flags;
    struct lh_matcher_scratch *s = ctx;
    const struct lit *l = &s->m->lits[id];
    if (s->skip[l->rule]) {
        return 0;
    }
    size_t maxlen = s->m->rules[l->rule].rule->max_length;
    size_t hit_start = (size_t)to - l->len;
    if (l->boundary &&
        !at_boundary(s->buf, s->len, hit_start, (size_t)to, l->boundary == LH_KWB_IDENTIFIER)) {
        return 0;
    }
    size_t ws = hit_start > maxlen ? hit_start - maxlen : 0;
    size_t we = (size_t)to + maxlen < s->len ? (size_t)to + maxlen : s->len;
    uint32_t r = l->rule;
    if (s->open[r] && ws <= s->open_end[r]) {
        if (we > s->open_end[r]) {
            s->open_end[r] = we;
        }
        return 0;
    }
    if (s->open[r]) {
        int rc = push_region(s, r, s->open_start[r], s->open_end[r]);
        if (rc < 0) {
            s->error = rc;
            return 1;
        }
    }
    s->open[r] = 1;
    s->open_start[r] = ws;
    s->open_end[r] = we;
    return 0;
}

static int cmp_region(const void *a, const void *b)
{
    const struct region *x = a;
    const struct region *y = b;
    if (x->order != y->order) {
        return x->order < y->order ? -1 : 1;
    }
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The first of groups[0..n) that took part in the match; 0 if none did. */
static size_t set_group(const PCRE2_SIZE *ov, const uint32_t *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ov[2 * groups[i]] != PCRE2_UNSET) {
            return groups[i];
        }
    }
    return 0;
}

/*
 * Runs rule r's pattern over buf[start..end) (lookbehind may see before start). When the
 * region ends before the buffer, PCRE2_PARTIAL_HARD tells us that a match attempt ran into
 * the cut; that candidate is then re-matched anchored on the whole buffer, so a match longer
 * than the window is still found whole.
 */
static int match_region(const struct lh_matcher *m, struct lh_matcher_scratch *s, uint32_t r,
                        const uint8_t *buf, size_t len, size_t start, size_t end, lh_match_cb cb,
                        void *payload)
{
    struct crule *cr = &m->rules[r];
    const pcre2_code *code = rule_code(m, cr);
    if (!code) {
        return 0;
    }
    uint32_t partial = end < len ? PCRE2_PARTIAL_HARD : 0;
    size_t pos = start;
    while (pos <= end) {
        int n = pcre2_match(code, buf, end, pos, partial, s->md, s->mctx);
        if (n == PCRE2_ERROR_NOMATCH) {
            return 0;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        if (n == PCRE2_ERROR_PARTIAL) {
            size_t ps = ov[0];
            n = pcre2_match(code, buf, len, ps, PCRE2_ANCHORED, s->md, s->mctx);
            if (n < 0) {
                pos = ps + 1;
                continue;
            }
            ov = pcre2_get_ovector_pointer(s->md);
        } else if (n < 0) {
            /* match/depth limit: give up on this region, never on the scan */
            return 0;
        }
        size_t ms = ov[0];
        size_t me = ov[1];
        size_t g = set_group(ov, cr->secret_groups, cr->nsecret);
        if (g && ov[2 * g + 1] > ov[2 * g]) {
            struct lh_match mt = {r, ms, me, ov[2 * g], ov[2 * g + 1], 0, 0};
            size_t ig = set_group(ov, cr->id_groups, cr->nid);
            if (ig) {
                mt.istart = ov[2 * ig];
                mt.iend = ov[2 * ig + 1];
            }
            int rc = cb(&mt, payload);
            if (rc < 0) {
                return rc;
            }
        }
        pos = me > ms ? me : ms + 1;
    }
    return 0;
}

int lh_matcher_scan(const struct lh_matcher *m, struct lh_matcher_scratch *s, const uint8_t *buf,
                    size_t len, lh_match_cb cb, void *payload)
{
    return lh_matcher_scan_path(m, s, buf, len, NULL, cb, payload);
}

int lh_matcher_scan_path(const struct lh_matcher *m, struct lh_matcher_scratch *s,
                         const uint8_t *buf, size_t len, const char *path, lh_match_cb cb,
                         void *payload)
{
    if (!m->db || len == 0) {
        return 0;
    }
    if (len > UINT32_MAX) {
        lh_error_set("buffer of %zu bytes is too large for one scan", len);
        return LH_ETOOBIG;
    }
    s->m = m;
    s->buf = buf;
    s->len = len;
    s->error = 0;
    size_t plen = path ? strlen(path) : 0;
    for (size_t i = 0; i < m->npath_rules; i++) {
        const struct path_rule *pr = &m->path_rules[i];
        s->skip[pr->rule] = !path || !path_may_apply(pr, path, plen) ||
                            !lh_rule_path_applies(m->rules[pr->rule].rule, path);
    }
    s->nregions = 0;
    memset(s->open, 0, m->nrules);
    hs_error_t e = hs_scan(m->db, (const char *)buf, (unsigned)len, 0, s->hs, on_hit, s);
    if (s->error) {
        return s->error;
    }
    if (e != HS_SUCCESS) {
        lh_error_set("prefilter scan failed (vectorscan error %d)", (int)e);
        return LH_ERROR;
    }
    for (size_t r = 0; r < m->nrules; r++) {
        if (s->open[r]) {
            int rc = push_region(s, (uint32_t)r, s->open_start[r], s->open_end[r]);
            if (rc < 0) {
                return rc;
            }
        }
    }
    if (s->nregions > 1) {
        qsort(s->regions, s->nregions, sizeof(*s->regions), cmp_region);
    }
    for (size_t i = 0; i < s->nregions; i++) {
        const struct region *rg = &s->regions[i];
        int rc = match_region(m, s, rg->rule, buf, len, rg->start, rg->end, cb, payload);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int lh_matcher_scan_rule(const struct lh_matcher *m, struct lh_matcher_scratch *s, size_t rule,
                         const uint8_t *buf, size_t len, lh_match_cb cb, void *payload)
{
    LH_ASSERT(rule < m->nrules);
    return match_region(m, s, (uint32_t)rule, buf, len, 0, len, cb, payload);
}
