/* SPDX-License-Identifier: MIT */
/*
 * clidoc: writes the man page and the bash completion from the command tables (cli/opt.h),
 * at build time, so that neither can miss or misdescribe an option.
 *
 *   clidoc man TEMPLATE OUT    the template (docs/leakhound.1.in) with @VERSION@,
 *                              @SYNOPSIS@, @COMMANDS@ and @OPTIONS@ lines replaced
 *   clidoc bash OUT            the completion function
 *
 * The man page lists every command (synopsis, description, exit statuses), the shared
 * options by section with the commands that take them, then each command's own options.
 * Text comes from the tables as plain ASCII; roff escapes are added here.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/opt.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- roff ---- */

/* Writes text with roff escapes: '-' as \-, '\' as \e, a leading '.' or '\'' guarded. */
static void roff(FILE *f, const char *s, size_t n, bool line_start)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        char c = s[i];
        if (line_start && (c == '.' || c == '\'')) {
            fputs("\\&", f);
        }
        line_start = false;
        if (c == '-') {
            fputs("\\-", f);
        } else if (c == '\\') {
            fputs("\\e", f);
        } else if (c == '\n') {
            fputc(' ', f);
        } else {
            fputc(c, f);
        }
    }
}

static void roff_str(FILE *f, const char *s)
{
    roff(f, s, strlen(s), false);
}

/* Paragraphs ("\n\n"-separated) as roff text, each after `sep` (".PP", ".IP"). */
static void roff_paragraphs(FILE *f, const char *text, const char *sep)
{
    bool first = true;
    for (const char *p = text; p && *p;) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (!first) {
            fprintf(f, "%s\n", sep);
        }
        roff(f, p, n, true);
        fputc('\n', f);
        first = false;
        p = end ? end + 2 : NULL;
    }
}

/* "Text" with its first letter in upper case and a full stop. */
static void sentence(FILE *f, const char *s)
{
    if (!s || !*s) {
        return;
    }
    char first[2] = {(char)toupper((unsigned char)s[0]), '\0'};
    roff(f, first, 1, true);
    roff_str(f, s + 1);
    if (s[strlen(s) - 1] != '.') {
        fputc('.', f);
    }
    fputc('\n', f);
}

static void man_option(FILE *f, const struct lh_cli_option *o, unsigned commands)
{
    fputs(".TP\n", f);
    if (o->short_name) {
        fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
    }
    fputs("\\fB\\-\\-", f);
    roff_str(f, o->name);
    fputs("\\fR", f);
    const char *mv = lh_cli_metavar(o);
    if (*mv) {
        fputs(" \\fI", f);
        roff_str(f, mv);
        fputs("\\fR", f);
    }
    fputc('\n', f);
    sentence(f, o->help);
    char words[160];
    if (o->arg == LH_ARG_CHOICE && o->metavar) {
        lh_cli_choice_words(words, sizeof(words), o->choices);
        fputs("One of ", f);
        roff_str(f, words);
        fputs(".\n", f);
    }
    if (o->dflt) {
        fputs("Default: ", f);
        roff_str(f, o->dflt);
        fputs(".\n", f);
    }
    if (o->arg == LH_ARG_LIST) {
        fputs("Repeatable.\n", f);
    }
    sentence(f, o->more);
    if (commands) {
        fputs("Commands:", f);
        const char *sep = " ";
        for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
            if ((*cp)->bit & commands && !((*cp)->bit & (LH_CMD_VERSION | LH_CMD_HELP))) {
                fprintf(f, "%s\\fB", sep);
                roff_str(f, (*cp)->name);
                fputs("\\fR", f);
                sep = ", ";
            }
        }
        fputs(".\n", f);
    }
}

static void man_synopsis(FILE *f)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        fputs("\\fBleakhound ", f);
        roff_str(f, c->name);
        fputs("\\fR [\\fIoptions\\fR]", f);
        if (c->args) {
            fputc(' ', f);
            roff_str(f, c->args);
        }
        fputs("\n.br\n", f);
    }
}

static void man_commands(FILE *f)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        fputs(".TP\n\\fB", f);
        roff_str(f, c->name);
        fputs("\\fR\n", f);
        roff_paragraphs(f, c->description, ".IP");
        if (c->exit_status) {
            fputs(".IP\nExit status: ", f);
            roff_str(f, c->exit_status);
            fputc('\n', f);
        }
    }
}

static void man_options(FILE *f)
{
    for (int s = LH_SEC_OWN + 1; s < LH_SEC_COUNT; s++) {
        fputs(".SS \"", f);
        roff_str(f, lh_cli_section_title((enum lh_cli_section)s));
        fputs("\"\n", f);
        for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
            if ((int)o->section == s) {
                man_option(f, o, o->commands);
            }
        }
    }
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        if (!c->options || !c->options[0].name) {
            continue;
        }
        fputs(".SS \"Options of ", f);
        roff_str(f, c->name);
        fputs("\"\n", f);
        for (const struct lh_cli_option *o = c->options; o->name; o++) {
            man_option(f, o, 0);
        }
    }
}

static int write_man(const char *template_path, FILE *out)
{
    FILE *in = fopen(template_path, "r");
    if (!in) {
        fprintf(stderr, "clidoc: cannot read '%s': %s\n", template_path, strerror(errno));
        return 1;
    }
    char line[4096];
    while (fgets(line, sizeof(line), in)) {
        char *at = strstr(line, "@VERSION@");
        if (at) {
            fprintf(out, "%.*s%s%s", (int)(at - line), line, LH_VERSION, at + strlen("@VERSION@"));
        } else if (!strcmp(line, "@SYNOPSIS@\n")) {
            man_synopsis(out);
        } else if (!strcmp(line, "@COMMANDS@\n")) {
            man_commands(out);
        } else if (!strcmp(line, "@OPTIONS@\n")) {
            man_options(out);
        } else {
            fputs(line, out);
        }
    }
    int bad = ferror(in);
    fclose(in);
    return bad ? 1 : 0;
}

/* ---- bash ---- */

/* The words a command's option list offers: "--config --no-config -f --format ...". */
static void bash_words(FILE *f, const struct lh_cli_command *c)
{
    const char *sep = "";
    for (const struct lh_cli_option *o = c->options; o && o->name; o++) {
        fprintf(f, "%s--%s", sep, o->name);
        sep = " ";
    }
    for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
        if (lh_cli_option_applies(o, c)) {
            fprintf(f, "%s--%s", sep, o->name);
            sep = " ";
        }
    }
}

/* What completes an option's argument, as one bash statement ("" for flags). */
static void bash_action(char *out, size_t cap, const struct lh_cli_option *o)
{
    out[0] = '\0';
    if (o->arg == LH_ARG_FLAG) {
        return;
    }
    if (o->arg == LH_ARG_CHOICE || o->arg == LH_ARG_CONFIDENCE) {
        char words[160];
        snprintf(words, sizeof(words), "%s",
                 o->arg == LH_ARG_CHOICE ? o->choices : "confirmed|probable|low");
        for (char *p = words; *p; p++) {
            *p = *p == '|' ? ' ' : *p;
        }
        snprintf(out, cap, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))", words);
    } else if (o->complete == LH_COMPLETE_REPORT) {
        snprintf(out, cap, "_leakhound_report");
    } else if (o->complete == LH_COMPLETE_FILE) {
        snprintf(out, cap, "_leakhound_files");
    } else if (o->complete == LH_COMPLETE_DIR) {
        snprintf(out, cap, "_leakhound_files -d");
    } else {
        snprintf(out, cap, "COMPREPLY=()");
    }
}

/* Calls fn for every option of every command: its own, then the shared ones it takes. */
static void each_pair(void (*fn)(const struct lh_cli_command *c, const struct lh_cli_option *o,
                                 void *payload),
                      void *payload)
{
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        for (const struct lh_cli_option *o = (*cp)->options; o && o->name; o++) {
            fn(*cp, o, payload);
        }
        for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
            if (lh_cli_option_applies(o, *cp)) {
                fn(*cp, o, payload);
            }
        }
    }
}

/* The distinct argument completions, and the one whose case arm is being written. */
struct arms {
    char actions[64][256];
    size_t n;
    FILE *f;
    size_t k;
    const char *sep;
};

static void collect_action(const struct lh_cli_command *c, const struct lh_cli_option *o,
                           void *payload)
{
    struct arms *a = payload;
    char act[256];
    (void)c;
    bash_action(act, sizeof(act), o);
    size_t k = 0;
    while (act[0] && k < a->n && strcmp(a->actions[k], act) != 0) {
        k++;
    }
    if (act[0] && k == a->n && a->n < 64) {
        snprintf(a->actions[a->n++], sizeof(a->actions[0]), "%s", act);
    }
}

static void emit_pattern(const struct lh_cli_command *c, const struct lh_cli_option *o,
                         void *payload)
{
    struct arms *a = payload;
    char act[256];
    bash_action(act, sizeof(act), o);
    if (strcmp(act, a->actions[a->k]) != 0) {
        return;
    }
    fprintf(a->f, "%s\"%s --%s\"", a->sep, c->name, o->name);
    a->sep = " | ";
    if (o->short_name) {
        fprintf(a->f, "%s\"%s -%c\"", a->sep, c->name, o->short_name);
    }
}

/* One case arm per distinct action, each with the "command option" spellings that take it. */
static void bash_arguments(FILE *f)
{
    static struct arms a; /* 10 KiB: not on the stack */
    memset(&a, 0, sizeof(a));
    a.f = f;
    each_pair(collect_action, &a);
    for (a.k = 0; a.k < a.n; a.k++) {
        a.sep = "    ";
        each_pair(emit_pattern, &a);
        fprintf(f, ")\n        %s\n        return\n        ;;\n", a.actions[a.k]);
    }
}

/* The report formats (the shared --format option's choices), space-separated. */
static void bash_formats(FILE *f)
{
    for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
        if (!strcmp(o->name, "format")) {
            fputs("_leakhound_formats=\"", f);
            for (const char *p = o->choices; *p; p++) {
                fputc(*p == '|' ? ' ' : *p, f);
            }
            fputs("\"\n", f);
        }
    }
}

static int write_bash(FILE *f)
{
    fputs("# bash completion for leakhound (bash-completion/completions/leakhound).\n"
          "# Generated from the command tables (src/cli) by clidoc at build time: do not edit.\n",
          f);
    bash_formats(f);
    fputs("_leakhound_files()\n"
          "{\n"
          "    if declare -F _filedir >/dev/null; then\n"
          "        _filedir \"$@\"\n"
          "    else\n"
          "        compopt -o filenames 2>/dev/null\n"
          "        COMPREPLY=($(compgen \"${1:--f}\" -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "\n"
          "_leakhound_report()\n"
          "{\n"
          "    if [[ $cur == *:* ]]; then\n"
          "        local fmt=${cur%%:*}\n"
          "        cur=${cur#*:}\n"
          "        _leakhound_files\n"
          "        COMPREPLY=(\"${COMPREPLY[@]/#/$fmt:}\")\n"
          "    else\n"
          "        compopt -o nospace 2>/dev/null\n"
          "        COMPREPLY=($(compgen -W \"$_leakhound_formats\" -S : -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "\n"
          "_leakhound()\n"
          "{\n"
          "    local cur prev words cword\n"
          "    if declare -F _init_completion >/dev/null; then\n"
          "        _init_completion -n =: || return\n"
          "    else\n"
          "        cur=${COMP_WORDS[COMP_CWORD]}\n"
          "        prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
          "        words=(\"${COMP_WORDS[@]}\")\n"
          "        cword=$COMP_CWORD\n"
          "    fi\n"
          "    if [[ $cur == --*=* ]]; then\n"
          "        prev=${cur%%=*}\n"
          "        cur=${cur#*=}\n"
          "    fi\n"
          "    local cmd=${words[1]}\n"
          "    if [ \"$cword\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          f);
    const char *sep = "";
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const char *name = (*cp)->name;
        size_t n = strcspn(name, " ");
        if (name[n] && cp != lh_cli_commands && !strncmp(cp[-1]->name, name, n + 1)) {
            continue; /* the group word once */
        }
        fprintf(f, "%s%.*s", sep, (int)n, name);
        sep = " ";
    }
    fputs(" --help --version\" -- \"$cur\"))\n        return\n    fi\n    case $cmd in\n", f);
    for (const struct lh_cli_group *g = lh_cli_groups; g->name; g++) {
        fprintf(f,
                "    %s)\n        if [ \"$cword\" -eq 2 ]; then\n"
                "            COMPREPLY=($(compgen -W \"",
                g->name);
        sep = "";
        size_t gl = strlen(g->name);
        for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
            if (!strncmp((*cp)->name, g->name, gl) && (*cp)->name[gl] == ' ') {
                fprintf(f, "%s%s", sep, (*cp)->name + gl + 1);
                sep = " ";
            }
        }
        fputs(" --help\" -- \"$cur\"))\n            return\n        fi\n"
              "        cmd=\"$cmd ${words[2]}\"\n        ;;\n",
              f);
    }
    fputs("    esac\n    case \"$cmd $prev\" in\n", f);
    bash_arguments(f);
    fputs("    esac\n    local opts=\"\" args=\"\"\n    case $cmd in\n", f);
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        fprintf(f, "    \"%s\")\n        opts=\"", c->name);
        bash_words(f, c);
        fprintf(f, "\"\n        args=%s\n        ;;\n",
                c->max_args == 0                       ? "none"
                : c->args_complete == LH_COMPLETE_DIR  ? "dir"
                : c->args_complete == LH_COMPLETE_FILE ? "file"
                                                       : "none");
    }
    fputs("    esac\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    elif [ \"$args\" = file ]; then\n"
          "        _leakhound_files\n"
          "    elif [ \"$args\" = dir ]; then\n"
          "        _leakhound_files -d\n"
          "    fi\n"
          "}\n"
          "complete -F _leakhound leakhound\n",
          f);
    return 0;
}

int main(int argc, char **argv)
{
    bool man = argc == 4 && !strcmp(argv[1], "man");
    bool bash = argc == 3 && !strcmp(argv[1], "bash");
    if (!man && !bash) {
        fputs("usage: clidoc man TEMPLATE OUT | clidoc bash OUT\n", stderr);
        return 2;
    }
    const char *path = argv[argc - 1];
    FILE *out = fopen(path, "w");
    if (!out) {
        fprintf(stderr, "clidoc: cannot write '%s': %s\n", path, strerror(errno));
        return 1;
    }
    int rc = man ? write_man(argv[2], out) : write_bash(out);
    if (fclose(out) != 0) {
        rc = 1;
    }
    if (rc) {
        remove(path);
    }
    return rc;
}
