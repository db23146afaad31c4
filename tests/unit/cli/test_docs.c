/* SPDX-License-Identifier: MIT */
/*
 * The man page and the bash completion that the build wrote from the option tables
 * (build/leakhound.1, build/leakhound.bash): every command and every option is in both,
 * groff reads the page without a warning, and the completion, run by a real bash, offers
 * each command's options, the right choices for an option's argument (per command: rules
 * list --format is not scan --format) and nothing a command does not take.
 */
#include "cli/commands.h"
#include "cli/opt.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAN LH_BUILD_DIR "/leakhound.1"
#define BASH LH_BUILD_DIR "/leakhound.bash"

TestSuite(cli_docs, .timeout = LH_TEST_TIMEOUT);

/* "--no-cache" as roff writes it: "\-\-no\-cache" */
static void roff_name(char *out, size_t cap, const char *prefix, const char *name)
{
    size_t n = 0;
    for (const char *p = prefix; *p && n + 3 < cap; p++) {
        out[n++] = '\\';
        out[n++] = '-';
    }
    for (const char *p = name; *p && n + 3 < cap; p++) {
        if (*p == '-') {
            out[n++] = '\\';
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

Test(cli_docs, man_page_has_every_command_and_option)
{
    char *man = lh_read_file(MAN);
    cr_assert(man != NULL, "the build did not write %s", MAN);
    cr_assert(strncmp(man, ".TH LEAKHOUND 1 ", 16) == 0);
    cr_assert(strstr(man, "@SYNOPSIS@") == NULL && strstr(man, "@OPTIONS@") == NULL);
    char want[128];
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        roff_name(want, sizeof(want), "", (*cp)->name);
        cr_assert(strstr(man, want) != NULL, "command '%s' missing", (*cp)->name);
        for (const struct lh_cli_option *o = (*cp)->options; o && o->name; o++) {
            roff_name(want, sizeof(want), "--", o->name);
            cr_assert(strstr(man, want) != NULL, "%s: --%s missing", (*cp)->name, o->name);
        }
    }
    for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
        roff_name(want, sizeof(want), "--", o->name);
        cr_assert(strstr(man, want) != NULL, "--%s missing", o->name);
    }
    free(man);
}

Test(cli_docs, groff_reads_the_man_page_without_warnings)
{
    const char *argv[] = {"groff", "-man", "-ww", "-z", MAN, NULL};
    struct lh_run r;
    lh_run_in(&r, NULL, NULL, 0, argv);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(str, r.err, ""));
    lh_run_dispose(&r);
    /* and renders every section */
    const char *argv2[] = {"groff", "-man", "-Tutf8", "-P-cbou", MAN, NULL};
    lh_run_in(&r, NULL, NULL, 0, argv2);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "Suppression and failure") != NULL);
    cr_assert(strstr(r.out, "Options of history") != NULL);
    lh_run_dispose(&r);
}

/* What the completion offers for `words` (the last one being completed), one per line. */
static char *complete(const char *words)
{
    char script[1024];
    snprintf(script, sizeof(script),
             "source '%s' || exit 9\n"
             "COMP_WORDS=(%s)\n"
             "[[ '%s' == *' ' ]] && COMP_WORDS+=('')\n"
             "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
             "_leakhound\n"
             "printf '%%s\\n' \"${COMPREPLY[@]}\" | sort\n",
             BASH, words, words);
    const char *argv[] = {"bash", "--norc", "--noprofile", "-c", script, NULL};
    struct lh_run r;
    lh_run_in(&r, NULL, NULL, 0, argv);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(eq(str, r.err, ""), "%s", r.err);
    char *out = r.out;
    r.out = NULL;
    lh_run_dispose(&r);
    return out;
}

static void offers(const char *words, const char *want)
{
    char *got = complete(words);
    cr_assert(eq(str, got, (char *)want), "completing '%s'", words);
    free(got);
}

Test(cli_docs, completion_offers_commands_options_and_choices)
{
    offers("leakhound ba", "baseline\n");
    offers("leakhound baseline ", "--help\ncreate\nprune\n");
    offers("leakhound scan --fo", "--follow-symlinks\n--format\n");
    offers("leakhound scan --format ", "github\ngitlab\njson\njsonl\nsarif\ntext\n");
    offers("leakhound scan -f ", "github\ngitlab\njson\njsonl\nsarif\ntext\n");
    offers("leakhound scan --format=js", "json\njsonl\n");
    offers("leakhound rules list --format ", "json\ntext\n");
    offers("leakhound revoke status --f", "--format\n");
    offers("leakhound history --min-confidence p", "probable\n");
    offers("leakhound staged --fol", "\n");
    offers("leakhound serve --feedback ", "token_hash\ntoken_raw\n");
    offers("leakhound scan --threads ", "\n");
    offers("leakhound scan --report sa", "sarif:\n");
    offers("leakhound image --max-archive-depth ", "\n");
    offers("leakhound install-hook --pre-p", "--pre-push\n");
    offers("leakhound history --range-f", "--range-fallback\n");
}

/* Whether the command has an option of its own named name. */
static bool own(const struct lh_cli_command *c, const char *name)
{
    for (const struct lh_cli_option *o = c->options; o && o->name; o++) {
        if (!strcmp(o->name, name)) {
            return true;
        }
    }
    return false;
}

/* Every option of every command, and only those, after "--". */
Test(cli_docs, completion_offers_exactly_each_commands_options)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        char words[64];
        snprintf(words, sizeof(words), "leakhound %s --", (*cp)->name);
        char *got = complete(words);
        size_t n = 0;
        for (const struct lh_cli_option *o = (*cp)->options; o && o->name; o++, n++) {
            char want[80];
            snprintf(want, sizeof(want), "--%s\n", o->name);
            cr_assert(strstr(got, want) != NULL, "%s: --%s not offered", (*cp)->name, o->name);
        }
        for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
            if (own(*cp, o->name)) {
                continue; /* the command's own option of that name, checked above */
            }
            char want[80];
            snprintf(want, sizeof(want), "--%s\n", o->name);
            /* "--rules\n" must not match inside "--no-builtin-rules\n": whole lines */
            char line[82];
            snprintf(line, sizeof(line), "\n%s", want);
            bool offered = strncmp(got, want, strlen(want)) == 0 || strstr(got, line) != NULL;
            cr_assert(offered == lh_cli_option_applies(o, *cp), "%s: --%s %s", (*cp)->name, o->name,
                      offered ? "offered but does not apply" : "not offered");
            n += offered;
        }
        size_t lines = 0;
        for (const char *p = got; *p; p++) {
            lines += *p == '\n';
        }
        cr_assert(eq(sz, lines, n), "%s: %s", (*cp)->name, got);
        free(got);
    }
}
