/* SPDX-License-Identifier: MIT */
/*
 * The table-driven argument parser; see opt.h. It finds each option in the command's tables
 * (exact name, unambiguous prefix or short letter) and hands its value to lh_cli_store
 * (opt_value.c), so no command has a switch over its options. Every error is one line with
 * a hint; nothing here exits.
 */
#include "cli/opt.h"

#include "cli/common.h"
#include "cli/exit.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct found {
    const struct lh_cli_option *opt;
    enum lh_cli_target target;
    size_t index;
};

static size_t table_len(const struct lh_cli_option *t)
{
    size_t n = 0;
    while (t && t[n].name) {
        n++;
    }
    return n;
}

bool lh_cli_option_applies(const struct lh_cli_option *o, const struct lh_cli_command *cmd)
{
    return (o->commands & cmd->bit) != 0;
}

int lh_cli_usage_error(const char *name, const char *fmt, ...)
{
    va_list ap;
    fputs("leakhound: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; try 'leakhound %s%s--help'\n", name ? name : "", name ? " " : "");
    return LH_EXIT_USAGE;
}

const struct lh_cli_command *lh_cli_find(int argc, char **argv, int *used)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; argc > 1 && *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        const char *sp = strchr(c->name, ' ');
        if (!sp && !strcmp(c->name, argv[1])) {
            *used = 1;
            return c;
        }
        if (sp && argc > 2 && strlen(argv[1]) == (size_t)(sp - c->name) &&
            !strncmp(c->name, argv[1], (size_t)(sp - c->name)) && !strcmp(sp + 1, argv[2])) {
            *used = 2;
            return c;
        }
    }
    return NULL;
}

const struct lh_cli_group *lh_cli_find_group(const char *name)
{
    for (const struct lh_cli_group *g = lh_cli_groups; name && g->name; g++) {
        if (!strcmp(g->name, name)) {
            return g;
        }
    }
    return NULL;
}

void lh_cli_group_words(char *out, size_t cap, const struct lh_cli_group *g)
{
    size_t gl = strlen(g->name);
    size_t n = 0;
    const char *prev = NULL;
    out[0] = '\0';
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const char *name = (*cp)->name;
        if (strncmp(name, g->name, gl) != 0 || name[gl] != ' ') {
            continue;
        }
        if (prev) {
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? ", " : "", prev);
        }
        prev = name + gl + 1;
    }
    if (prev && n < cap) {
        snprintf(out + n, cap - n, "%s%s", n ? " or " : "", prev);
    }
}

/* Edit distance (insertions, deletions, substitutions, adjacent transpositions), capped at 9. */
static size_t distance(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    size_t d[32][32];
    if (an >= 32 || bn >= 32) {
        return 9;
    }
    for (size_t i = 0; i <= an; i++) {
        for (size_t j = 0; j <= bn; j++) {
            if (i == 0 || j == 0) {
                d[i][j] = i + j;
                continue;
            }
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            best = d[i - 1][j] + 1 < best ? d[i - 1][j] + 1 : best;
            best = d[i][j - 1] + 1 < best ? d[i][j - 1] + 1 : best;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[an][bn] > 9 ? 9 : d[an][bn];
}

/* Whether a name at edit distance d from a word of len characters is worth suggesting. */
static bool close_enough(size_t d, size_t len)
{
    return d <= 1 || (d == 2 && len >= 5);
}

const char *lh_cli_suggest_command(const char *word)
{
    const char *best = NULL;
    size_t best_d = 3;
    size_t len = strlen(word);
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const char *name = (*cp)->name;
        char first[32];
        snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, " "), name);
        size_t d = distance(word, len, first);
        if (d < best_d && close_enough(d, len)) {
            best_d = d;
            const struct lh_cli_group *g = lh_cli_find_group(first);
            best = g ? g->name : name;
        }
    }
    return best;
}

/* Calls fn on every option the command takes: its own, then the shared ones that apply. */
static bool each_option(const struct lh_cli_command *cmd,
                        bool (*fn)(const struct found *f, void *payload), void *payload)
{
    for (size_t i = 0; cmd->options && cmd->options[i].name; i++) {
        struct found f = {&cmd->options[i], LH_TARGET_OWN, i};
        if (fn(&f, payload)) {
            return true;
        }
    }
    for (size_t i = 0; lh_cli_shared_options[i].name; i++) {
        struct found f = {&lh_cli_shared_options[i], LH_TARGET_SHARED, i};
        if (lh_cli_option_applies(f.opt, cmd) && fn(&f, payload)) {
            return true;
        }
    }
    return false;
}

struct lookup {
    const char *name;
    size_t len;
    char short_name;
    struct found exact;
    struct found prefix;
    size_t nprefix; /* distinct options whose name starts with name */
    const char *near;
    size_t near_dist;
    char candidates[128]; /* the prefix matches, for "ambiguous" */
};

static bool look(const struct found *f, void *payload)
{
    struct lookup *l = payload;
    if (l->short_name) {
        if (f->opt->short_name == l->short_name) {
            l->exact = *f;
            return true;
        }
        return false;
    }
    if (strlen(f->opt->name) == l->len && !strncmp(f->opt->name, l->name, l->len)) {
        l->exact = *f;
        return true;
    }
    if (!strncmp(f->opt->name, l->name, l->len)) {
        size_t n = strlen(l->candidates);
        if (n + strlen(f->opt->name) + 5 < sizeof(l->candidates)) {
            snprintf(l->candidates + n, sizeof(l->candidates) - n, "%s--%s", n ? ", " : "",
                     f->opt->name);
        }
        l->nprefix++;
        l->prefix = *f;
    }
    size_t d = distance(l->name, l->len, f->opt->name);
    if (d < l->near_dist) {
        l->near_dist = d;
        l->near = f->opt->name;
    }
    return false;
}

/* Whether any command at all has an option of that name (for "does not apply"). */
static bool known_anywhere(const char *name, size_t len, char short_name)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        struct lookup l = {name, len, short_name, {0}, {0}, 0, NULL, 9, ""};
        if (each_option(c, look, &l)) {
            return true;
        }
    }
    return false;
}

/* Finds the option named by a long name (prefix allowed) or a short letter; prints errors. */
static int find_option(struct found *out, const struct lh_cli_command *cmd, const char *name,
                       size_t len, char short_name)
{
    struct lookup l = {name, len, short_name, {0}, {0}, 0, NULL, 9, ""};
    if (each_option(cmd, look, &l)) {
        *out = l.exact;
        return 0;
    }
    if (!short_name && l.nprefix == 1) {
        *out = l.prefix;
        return 0;
    }
    int n = (int)len;
    if (!short_name && l.nprefix > 1) {
        return lh_cli_usage_error(cmd->name, "option '--%.*s' is ambiguous (%s)", n, name,
                                  l.candidates);
    }
    if (known_anywhere(name, len, short_name)) {
        if (short_name) {
            return lh_cli_usage_error(cmd->name, "option '-%c' does not apply to 'leakhound %s'",
                                      short_name, cmd->name);
        }
        return lh_cli_usage_error(cmd->name, "option '--%.*s' does not apply to 'leakhound %s'", n,
                                  name, cmd->name);
    }
    if (short_name) {
        return lh_cli_usage_error(cmd->name, "unknown option '-%c'", short_name);
    }
    if (l.near && close_enough(l.near_dist, len)) {
        return lh_cli_usage_error(cmd->name, "unknown option '--%.*s' (did you mean '--%s'?)", n,
                                  name, l.near);
    }
    return lh_cli_usage_error(cmd->name, "unknown option '--%.*s'", n, name);
}

/* Handles one option occurrence whose value (NULL: none yet) may be the next argument. */
static int take(struct lh_cli_parsed *out, const struct lh_cli_command *cmd, const struct found *f,
                const char *value, int *i, int argc, char **argv, void *shared, void *own,
                const char *spelled)
{
    const struct lh_cli_option *o = f->opt;
    if (!strcmp(o->name, "help")) {
        lh_cli_help_command(stdout, cmd);
        return LH_CLI_HELP;
    }
    if (o->arg == LH_ARG_FLAG && value) {
        return lh_cli_usage_error(cmd->name, "option '%s' takes no argument", spelled);
    }
    if (o->arg != LH_ARG_FLAG && !value) {
        if (*i + 1 >= argc) {
            return lh_cli_usage_error(cmd->name, "option '%s' needs an argument (%s)", spelled,
                                      lh_cli_metavar(o));
        }
        value = argv[++*i];
    }
    char *base = f->target == LH_TARGET_OWN ? own : shared;
    LH_ASSERT(base != NULL);
    int ex = lh_cli_store(cmd->name, o, base, value);
    if (ex == 0) {
        (f->target == LH_TARGET_OWN ? out->given_own : out->given_shared)[f->index] = 1;
    }
    return ex;
}

static int parse_short(struct lh_cli_parsed *out, const struct lh_cli_command *cmd, int *i,
                       int argc, char **argv, void *shared, void *own)
{
    for (const char *p = argv[*i] + 1; *p; p++) {
        struct found f;
        int ex = find_option(&f, cmd, NULL, 0, *p);
        if (ex) {
            return ex;
        }
        char spelled[3] = {'-', *p, '\0'};
        if (f.opt->arg != LH_ARG_FLAG) {
            /* -oFILE, or -o FILE */
            return take(out, cmd, &f, p[1] ? p + 1 : NULL, i, argc, argv, shared, own, spelled);
        }
        ex = take(out, cmd, &f, NULL, i, argc, argv, shared, own, spelled);
        if (ex) {
            return ex;
        }
    }
    return 0;
}

static int parse_long(struct lh_cli_parsed *out, const struct lh_cli_command *cmd, int *i, int argc,
                      char **argv, void *shared, void *own)
{
    const char *name = argv[*i] + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    struct found f;
    int ex = find_option(&f, cmd, name, len, 0);
    if (ex) {
        return ex;
    }
    char spelled[80];
    snprintf(spelled, sizeof(spelled), "--%s", f.opt->name);
    return take(out, cmd, &f, eq ? eq + 1 : NULL, i, argc, argv, shared, own, spelled);
}

static int check_count(const struct lh_cli_command *cmd, size_t n)
{
    const char *what = cmd->args ? cmd->args : "arguments";
    if (cmd->max_args == 0 && n > 0) {
        return lh_cli_usage_error(cmd->name, "'leakhound %s' takes no arguments", cmd->name);
    }
    if (cmd->max_args >= 0 && n > (size_t)cmd->max_args) {
        return lh_cli_usage_error(cmd->name,
                                  "'leakhound %s' takes at most %d argument%s (%s), not %zu",
                                  cmd->name, cmd->max_args, cmd->max_args == 1 ? "" : "s", what, n);
    }
    if (n < (size_t)cmd->min_args) {
        return lh_cli_usage_error(cmd->name, "'leakhound %s' needs %s", cmd->name, what);
    }
    return 0;
}

int lh_cli_parse(struct lh_cli_parsed *out, const struct lh_cli_command *cmd, int argc, char **argv,
                 int first, void *shared, void *own)
{
    memset(out, 0, sizeof(*out));
    out->args = calloc((size_t)argc + 1, sizeof(*out->args));
    out->given_shared = calloc(table_len(lh_cli_shared_options) + 1, 1);
    out->given_own = calloc(table_len(cmd->options) + 1, 1);
    if (!out->args || !out->given_shared || !out->given_own) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    bool options_done = false;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        int ex = 0;
        if (options_done || a[0] != '-' || a[1] == '\0') {
            out->args[out->nargs++] = a; /* "-" is stdin, a positional argument */
        } else if (!strcmp(a, "--")) {
            options_done = true;
        } else if (a[1] == '-') {
            ex = parse_long(out, cmd, &i, argc, argv, shared, own);
        } else {
            ex = parse_short(out, cmd, &i, argc, argv, shared, own);
        }
        if (ex) {
            return ex;
        }
    }
    return check_count(cmd, out->nargs);
}

void lh_cli_parsed_dispose(struct lh_cli_parsed *p)
{
    free(p->args);
    free(p->given_shared);
    free(p->given_own);
    memset(p, 0, sizeof(*p));
}

bool lh_cli_given(const struct lh_cli_parsed *p, const struct lh_cli_command *cmd, const char *name)
{
    for (size_t i = 0; p->given_own && cmd->options && cmd->options[i].name; i++) {
        if (!strcmp(cmd->options[i].name, name)) {
            return p->given_own[i] != 0;
        }
    }
    for (size_t i = 0; p->given_shared && lh_cli_shared_options[i].name; i++) {
        if (!strcmp(lh_cli_shared_options[i].name, name)) {
            return p->given_shared[i] != 0;
        }
    }
    return false;
}
