/* SPDX-License-Identifier: MIT */
/*
 * The declarative command line, in process: the tables are consistent (no command takes two
 * options of one name, every choice list is the module's), the parser stores each kind of
 * value where the table says, and each kind of usage error is one line with the hint.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "cli/opt.h"
#include "report/report.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(cli_opt, .timeout = LH_TEST_TIMEOUT);

/* Calls fn on every option a command takes (own, then applicable shared ones). */
static void each(const struct lh_cli_command *c, void (*fn)(const struct lh_cli_option *, void *),
                 void *payload)
{
    for (const struct lh_cli_option *o = c->options; o && o->name; o++) {
        fn(o, payload);
    }
    for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
        if (lh_cli_option_applies(o, c)) {
            fn(o, payload);
        }
    }
}

struct seen {
    const char *names[128];
    char shorts[128];
    size_t n;
    const struct lh_cli_command *cmd;
};

static void record(const struct lh_cli_option *o, void *payload)
{
    struct seen *s = payload;
    for (size_t i = 0; i < s->n; i++) {
        cr_assert(strcmp(s->names[i], o->name) != 0, "'%s' has two options '--%s'", s->cmd->name,
                  o->name);
        bool distinct = o->short_name == 0 || s->shorts[i] != o->short_name;
        cr_assert(distinct, "'%s' has two options '-%c'", s->cmd->name, o->short_name);
    }
    cr_assert(s->n < 128);
    s->names[s->n] = o->name;
    s->shorts[s->n++] = o->short_name;
    cr_assert(o->help && o->help[0], "--%s has no help", o->name);
    switch (o->arg) {
    case LH_ARG_CHOICE:
        cr_assert(o->choices && strchr(o->choices, '|'), "--%s has no choices", o->name);
        break;
    case LH_ARG_SIZE:
    case LH_ARG_NUMBER:
    case LH_ARG_U32:
    case LH_ARG_EXIT_STATUS:
    case LH_ARG_SECONDS:
        cr_assert(o->hi > o->lo, "--%s has no range", o->name);
        break;
    case LH_ARG_STRING:
    case LH_ARG_LIST:
        cr_assert(o->metavar != NULL, "--%s has no metavar", o->name);
        break;
    default:
        break;
    }
}

Test(cli_opt, tables_are_consistent)
{
    size_t commands = 0;
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        struct seen s = {.cmd = c};
        each(c, record, &s);
        cr_assert(c->summary && c->description && c->run, "'%s' is incomplete", c->name);
        const char *sp = strchr(c->name, ' ');
        if (sp) {
            char group[32];
            snprintf(group, sizeof(group), "%.*s", (int)(sp - c->name), c->name);
            cr_assert(lh_cli_find_group(group) != NULL, "no group for '%s'", c->name);
        }
        for (const struct lh_cli_command *const *dp = lh_cli_commands; *dp != c; dp++) {
            unsigned bit = (*dp)->bit;
            cr_assert(bit != c->bit, "'%s' and '%s' share a bit", (*dp)->name, c->name);
        }
        commands++;
    }
    cr_assert(gt(sz, commands, 10));
    for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
        cr_assert(o->commands != 0, "shared --%s applies to no command", o->name);
        cr_assert(o->section > LH_SEC_OWN && o->section < LH_SEC_COUNT);
    }
}

/* The report format choices are the report module's formats, in its order. */
Test(cli_opt, format_choices_are_the_report_formats)
{
    const struct lh_cli_option *fmt = NULL;
    for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
        if (!strcmp(o->name, "format")) {
            fmt = o;
        }
    }
    cr_assert(fmt != NULL);
    char words[128];
    snprintf(words, sizeof(words), "%s", fmt->choices);
    for (char *p = words; *p; p++) {
        *p = *p == '|' ? ' ' : *p;
    }
    cr_assert(eq(str, words, (char *)lh_report_formats()));
}

/* Runs the parser for `cmd` on a NULL-terminated word list, capturing stderr into err. */
struct parse {
    struct lh_cli_args o;
    struct lh_cli_parsed p;
    int ex;
    char err[1024];
};

static void parse(struct parse *r, const struct lh_cli_command *cmd, void *own, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, own);
    argv[argc++] = (char *)"leakhound";
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && argc < 31;) {
        argv[argc++] = (char *)a;
    }
    va_end(ap);
    argv[argc] = NULL;
    memset(&r->o, 0, sizeof(r->o));
    lh_session_opts_init(&r->o.so);
    r->o.color = "auto";
    r->o.exit_code = LH_EXIT_FINDINGS;
    fflush(stderr);
    FILE *tmp = tmpfile();
    cr_assert(tmp != NULL);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    r->ex = lh_cli_parse(&r->p, cmd, argc, argv, 1, &r->o, own);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(r->err, 1, sizeof(r->err) - 1, tmp);
    r->err[n] = '\0';
    fclose(tmp);
}

static void parse_dispose(struct parse *r)
{
    lh_cli_parsed_dispose(&r->p);
    lh_session_opts_dispose(&r->o.so);
}

Test(cli_opt, stores_each_kind_of_value)
{
    struct parse r;
    parse(&r, &lh_cli_cmd_scan, NULL, "-fjson", "--output=out.json", "a", "--threads", "4",
          "--max-file-size", "2M", "--exclude", "x/*", "--exclude=y", "--fail-on", "confirmed",
          "--min-confidence", "probable", "--exit-code", "7", "--regex-depth-limit", "500", "-q",
          "--color", "never", "--repo-name", "acme/app", "--", "-b", "--c", NULL);
    cr_assert(eq(int, r.ex, 0), "%s", r.err);
    cr_assert(eq(str, (char *)r.o.so.format, "json"));
    cr_assert(lh_cli_given(&r.p, &lh_cli_cmd_scan, "format"));
    cr_assert(eq(str, (char *)r.o.so.output, "out.json"));
    cr_assert(eq(sz, r.o.so.threads, 4));
    cr_assert(eq(sz, r.o.so.max_file_size, 2 * 1024 * 1024));
    cr_assert(eq(sz, r.o.so.exclude.count, 2));
    cr_assert(eq(str, r.o.so.exclude.items[1], "y"));
    cr_assert(eq(int, r.o.so.fail_on, LH_CONF_CONFIRMED));
    cr_assert(lh_cli_given(&r.p, &lh_cli_cmd_scan, "fail-on"));
    cr_assert(eq(int, r.o.so.min_confidence, LH_CONF_PROBABLE));
    cr_assert(eq(int, r.o.exit_code, 7));
    cr_assert(eq(u32, r.o.so.depth_limit, 500));
    cr_assert(r.o.quiet);
    cr_assert(eq(str, (char *)r.o.color, "never"));
    cr_assert(eq(str, (char *)r.o.so.repo_name, "acme/app"));
    /* options and arguments mixed; after "--" everything is an argument */
    cr_assert(eq(sz, r.p.nargs, 3));
    cr_assert(eq(str, (char *)r.p.args[0], "a"));
    cr_assert(eq(str, (char *)r.p.args[1], "-b"));
    cr_assert(eq(str, (char *)r.p.args[2], "--c"));
    cr_assert(eq(str, r.err, ""));
    parse_dispose(&r);
}

Test(cli_opt, defaults_stand_when_nothing_is_given)
{
    struct parse r;
    parse(&r, &lh_cli_cmd_scan, NULL, "-", NULL);
    cr_assert(eq(int, r.ex, 0), "%s", r.err);
    bool given = lh_cli_given(&r.p, &lh_cli_cmd_scan, "format") ||
                 lh_cli_given(&r.p, &lh_cli_cmd_scan, "fail-on");
    cr_assert(not(given));
    cr_assert(eq(str, (char *)r.o.so.format, "text"));
    cr_assert(eq(int, r.o.exit_code, LH_EXIT_FINDINGS));
    cr_assert(eq(sz, r.p.nargs, 1));
    cr_assert(eq(str, (char *)r.p.args[0], "-"), "'-' is stdin, an argument");
    parse_dispose(&r);
}

Test(cli_opt, unambiguous_prefixes_and_bundled_flags)
{
    struct parse r;
    parse(&r, &lh_cli_cmd_scan, NULL, "--form", "sarif", "--no-builtin", "-qo", "x", NULL);
    cr_assert(eq(int, r.ex, 0), "%s", r.err);
    cr_assert(eq(str, (char *)r.o.so.format, "sarif"));
    cr_assert(r.o.so.no_builtin && r.o.quiet);
    cr_assert(eq(str, (char *)r.o.so.output, "x"));
    parse_dispose(&r);
}

/* Each usage error is exactly one line: the problem, then the hint. */
static void usage_error(const struct lh_cli_command *cmd, void *own, const char *want,
                        const char *a1, const char *a2)
{
    struct parse r;
    parse(&r, cmd, own, a1, a2, NULL);
    cr_assert(eq(int, r.ex, LH_EXIT_USAGE), "%s %s: %s", a1, a2 ? a2 : "", r.err);
    char line[512];
    snprintf(line, sizeof(line), "leakhound: error: %s; try 'leakhound %s --help'\n", want,
             cmd->name);
    cr_assert(eq(str, r.err, line));
    parse_dispose(&r);
}

Test(cli_opt, usage_errors_are_one_line_with_a_hint)
{
    usage_error(&lh_cli_cmd_scan, NULL, "unknown option '--bogus'", "--bogus", NULL);
    usage_error(&lh_cli_cmd_scan, NULL, "unknown option '--exlcude' (did you mean '--exclude'?)",
                "--exlcude", "x");
    usage_error(&lh_cli_cmd_scan, NULL, "unknown option '-x'", "-x", NULL);
    usage_error(&lh_cli_cmd_staged, NULL,
                "option '--follow-symlinks' does not apply to 'leakhound staged'",
                "--follow-symlinks", NULL);
    usage_error(&lh_cli_cmd_scan, NULL, "option '-o' needs an argument (FILE)", "-o", NULL);
    usage_error(&lh_cli_cmd_scan, NULL, "option '--quiet' takes no argument", "--quiet=yes", NULL);
    usage_error(&lh_cli_cmd_scan, NULL, "option '--no-c' is ambiguous (--no-config, --no-cache)",
                "--no-c", NULL);
    usage_error(&lh_cli_cmd_scan, NULL,
                "--format takes text, json, jsonl, sarif, github or gitlab, not 'xml'", "--format",
                "xml");
    usage_error(&lh_cli_cmd_scan, NULL, "--fail-on takes confirmed, probable or low, not 'high'",
                "--fail-on", "high");
    usage_error(&lh_cli_cmd_scan, NULL, "--threads takes a number from 1 to 1024, not '0'",
                "--threads", "0");
    usage_error(&lh_cli_cmd_scan, NULL, "--exit-code takes a number from 0 to 255, not '1k'",
                "--exit-code", "1k");
    usage_error(&lh_cli_cmd_scan, NULL,
                "--max-file-size takes a size from 1 to 1T (such as 25M), not '-1'",
                "--max-file-size", "-1");
    usage_error(&lh_cli_cmd_scan, NULL,
                "--revoke-url must start with https:// or http://, not 'ftp://x'", "--revoke-url",
                "ftp://x");
    usage_error(&lh_cli_cmd_history, NULL,
                "'leakhound history' takes at most 1 argument ([REPO]), not 2", "a", "b");
    usage_error(&lh_cli_cmd_rules_check, NULL, "'leakhound rules check' takes no arguments", "x",
                NULL);
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

/* --help and every option a command takes appear in its help; options it does not, do not. */
Test(cli_opt, help_lists_exactly_the_options_a_command_takes)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        cr_assert(f != NULL);
        lh_cli_help_command(f, *cp);
        fclose(f);
        for (const struct lh_cli_option *o = (*cp)->options; o && o->name; o++) {
            char want[80];
            snprintf(want, sizeof(want), "--%s", o->name);
            cr_assert(strstr(text, want) != NULL, "%s: %s missing", (*cp)->name, want);
        }
        for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
            if (own(*cp, o->name)) {
                continue; /* the command's own option of that name, checked above */
            }
            char want[80];
            snprintf(want, sizeof(want), "  --%s ", o->name);
            char want_short[80];
            snprintf(want_short, sizeof(want_short), ", --%s ", o->name);
            bool shown = strstr(text, want) || strstr(text, want_short);
            bool applies = lh_cli_option_applies(o, *cp);
            if (o->arg == LH_ARG_FLAG) {
                snprintf(want, sizeof(want), "--%s\n", o->name);
                shown = shown || strstr(text, want);
            }
            cr_assert(shown == applies, "%s: --%s %s", (*cp)->name, o->name,
                      applies ? "missing" : "listed but does not apply");
        }
        cr_assert(strncmp(text, "usage: leakhound ", 17) == 0);
        free(text);
    }
}

Test(cli_opt, commands_are_found_by_their_words)
{
    char *argv[] = {"leakhound", "baseline", "prune", "x", NULL};
    int used = 0;
    cr_assert(eq(ptr, (void *)lh_cli_find(4, argv, &used), (void *)&lh_cli_cmd_baseline_prune));
    cr_assert(eq(int, used, 2));
    char *argv2[] = {"leakhound", "baseline", NULL};
    cr_assert(eq(ptr, (void *)lh_cli_find(2, argv2, &used), NULL));
    cr_assert(eq(str, (char *)lh_cli_suggest_command("histroy"), "history"));
    cr_assert(eq(str, (char *)lh_cli_suggest_command("basline"), "baseline"));
    cr_assert(eq(ptr, (void *)lh_cli_suggest_command("frobnicate"), NULL));
    char words[64];
    lh_cli_group_words(words, sizeof(words), lh_cli_find_group("baseline"));
    cr_assert(eq(str, words, "create or prune"));
}
