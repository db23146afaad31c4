/* SPDX-License-Identifier: MIT */
/* Small helpers of the rule model; see rule.h. */
#include "rules/rule.h"

#include "decode/decode.h"
#include "util/error.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

const char *lh_confidence_name(enum lh_confidence c)
{
    switch (c) {
    case LH_CONF_CONFIRMED:
        return "confirmed";
    case LH_CONF_PROBABLE:
        return "probable";
    case LH_CONF_LOW:
        return "low";
    default:
        return "none";
    }
}

int lh_confidence_parse(enum lh_confidence *out, const char *name)
{
    static const struct {
        const char *name;
        enum lh_confidence c;
    } names[] = {
        {"confirmed", LH_CONF_CONFIRMED}, {"probable", LH_CONF_PROBABLE}, {"low", LH_CONF_LOW}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (name && !strcmp(name, names[i].name)) {
            *out = names[i].c;
            return 0;
        }
    }
    return LH_EINVAL;
}

const char *lh_rule_param(const struct lh_rule *r, const char *key)
{
    for (size_t i = 0; i < r->nparams; i++) {
        if (!strcmp(r->params[i].key, key)) {
            return r->params[i].value;
        }
    }
    return NULL;
}

void lh_strlist_dispose(struct lh_strlist *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i]);
    }
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

int lh_strlist_push(struct lh_strlist *l, const char *s)
{
    /*
     * The capacity is the next power of two: growing it only when count is one (or zero)
     * keeps a list of n strings at O(n) copying. One slot more per push cost O(n^2) under
     * an allocator that moves every block (ASan's does), 16 s for a 50,000-entry list.
     */
    if ((l->count & (l->count - 1)) == 0) {
        size_t cap = l->count ? l->count * 2 : 1;
        char **items = realloc(l->items, cap * sizeof(*items));
        if (!items) {
            return lh_error_oom();
        }
        l->items = items;
    }
    char **items = l->items;
    items[l->count] = strdup(s);
    if (!items[l->count]) {
        return lh_error_oom();
    }
    l->count++;
    return 0;
}

unsigned lh_rule_decode_kinds(const struct lh_rule *r)
{
    return r->has_decode ? r->decode : LH_DECODE_DEFAULT_KINDS;
}

bool lh_rule_active(const struct lh_rule *r)
{
    return !r->disabled && !r->opt_in;
}

bool lh_rule_path_applies(const struct lh_rule *r, const char *path)
{
    if (!r->paths.count) {
        return true;
    }
    if (!path) {
        return false;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; i < r->paths.count; i++) {
        const char *glob = r->paths.items[i];
        if (!strchr(glob, '/')) {
            if (fnmatch(glob, base, 0) == 0) {
                return true;
            }
            continue;
        }
        /* the whole path, then every tail that starts after a '/' */
        for (const char *t = path; t; t = strchr(t, '/')) {
            if (*t == '/') {
                t++;
            }
            if (fnmatch(glob, t, FNM_PATHNAME) == 0) {
                return true;
            }
        }
    }
    return false;
}
