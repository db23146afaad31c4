/* SPDX-License-Identifier: MIT */
/*
 * Vectorscan literal prefilter + PCRE2 (JIT) confirmation; see matcher.h. This file builds
 * the compiled ruleset (the Vectorscan database, the path-rule pre-checks) and the
 * per-thread scratch; pattern.c compiles rule patterns, scan.c runs scans. Compiled
 * databases are cached on disk by dbcache.c, which trusts nothing it reads back.
 */
#include "match/dbcache.h"
#include "match/matcher_int.h"
#include "util/buf.h"
#include "util/fs.h"

#include <hs/hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
    pr->whole = !r->keywords.count && !r->prefilters.count;
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

int lh_matcher_new(struct lh_matcher **out, struct lh_rule *const *rules, size_t nrules,
                   const struct lh_matcher_opts *opts)
{
    struct lh_matcher *m = calloc(1, sizeof(*m));
    int rc = 0;
    if (!m) {
        return lh_error_oom();
    }
    for (size_t i = 0; i < LH_MATCHER_JIT_LOCKS; i++) {
        pthread_mutex_init(&m->jit_lock[i], NULL);
    }
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
            rc = lh_matcher_compile_rule(&m->rules[i], rules[i]);
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
    for (size_t i = 0; i < LH_MATCHER_JIT_LOCKS; i++) {
        pthread_mutex_destroy(&m->jit_lock[i]);
    }
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
    s->opened = calloc(n, sizeof(*s->opened));
    s->skip = calloc(n, 1);
    s->md = pcre2_match_data_create(64, NULL);
    s->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    s->mctx = pcre2_match_context_copy(m->mctx);
    if (!s->open_start || !s->open_end || !s->open || !s->opened || !s->skip || !s->md ||
        !s->jit_stack || !s->mctx) {
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
    free(s->opened);
    free(s->skip);
    free(s->regions);
    free(s);
}
