/* SPDX-License-Identifier: MIT */
/*
 * `--help` text, rendered from the command tables (opt.h): the usage line, the description,
 * the command's own options, then the shared options it takes by section, then its exit
 * statuses. Lines wrap at 80 columns; the help of an option starts in column 30.
 */
#include "cli/opt.h"

#include <ctype.h>
#include <string.h>

#define WIDTH 80
#define HELP_COLUMN 30

static const char *const section_titles[LH_SEC_COUNT] = {
    [LH_SEC_OWN] = NULL,          [LH_SEC_RULES] = "Rules and configuration",
    [LH_SEC_REPORT] = "Report",   [LH_SEC_SUPPRESS] = "Suppression and failure",
    [LH_SEC_INPUT] = "Inputs",    [LH_SEC_ARCHIVE] = "Archives",
    [LH_SEC_LIMITS] = "Limits",   [LH_SEC_REVOKE] = "Revocation",
    [LH_SEC_GENERAL] = "General",
};

const char *lh_cli_section_title(enum lh_cli_section s)
{
    return s < LH_SEC_COUNT ? section_titles[s] : NULL;
}

/* Writes one word-wrapped paragraph (runs of blanks and single newlines are one space). */
static void wrap_paragraph(FILE *f, const char *p, size_t n, int indent, int first_col, int width)
{
    int col = first_col;
    size_t i = 0;
    bool any = false;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\n')) {
            i++;
        }
        size_t w = i;
        while (w < n && p[w] != ' ' && p[w] != '\n') {
            w++;
        }
        if (w == i) {
            break;
        }
        int wl = (int)(w - i);
        if (any && col + 1 + wl > width) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (any) {
            fputc(' ', f);
            col++;
        }
        fwrite(p + i, 1, (size_t)wl, f);
        col += wl;
        any = true;
        i = w;
    }
    fputc('\n', f);
}

void lh_cli_wrap(FILE *f, const char *text, int indent, int width)
{
    for (const char *p = text; p && *p;) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        fprintf(f, "%*s", indent, "");
        wrap_paragraph(f, p, n, indent, indent, width);
        if (!end) {
            break;
        }
        fputc('\n', f);
        p = end + 2;
    }
}

static void option_line(FILE *f, const struct lh_cli_option *o)
{
    char left[128];
    const char *mv = lh_cli_metavar(o);
    if (o->short_name) {
        snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->short_name, o->name, *mv ? " " : "", mv);
    } else {
        snprintf(left, sizeof(left), "  --%s%s%s", o->name, *mv ? " " : "", mv);
    }
    char text[512];
    char words[160] = "";
    if (o->arg == LH_ARG_CHOICE && o->metavar) {
        lh_cli_choice_words(words, sizeof(words), o->choices);
    }
    snprintf(text, sizeof(text), "%s%s%s%s%s%s%s", o->help, *words ? ": " : "", words,
             o->dflt ? " (default " : "", o->dflt ? o->dflt : "", o->dflt ? ")" : "",
             o->arg == LH_ARG_LIST ? " (repeatable)" : "");
    int len = (int)strlen(left);
    fputs(left, f);
    if (len + 2 > HELP_COLUMN) {
        fprintf(f, "\n%*s", HELP_COLUMN, "");
    } else {
        fprintf(f, "%*s", HELP_COLUMN - len, "");
    }
    wrap_paragraph(f, text, strlen(text), HELP_COLUMN, HELP_COLUMN, WIDTH);
}

static void usage_line(FILE *f, const char *lead, const struct lh_cli_command *cmd)
{
    fprintf(f, "%sleakhound %s [options]%s%s\n", lead, cmd->name, cmd->args ? " " : "",
            cmd->args ? cmd->args : "");
}

void lh_cli_help_command(FILE *f, const struct lh_cli_command *cmd)
{
    usage_line(f, "usage: ", cmd);
    fputc('\n', f);
    lh_cli_wrap(f, cmd->description, 0, WIDTH);
    if (cmd->options && cmd->options[0].name) {
        fputs("\nOptions:\n", f);
        for (const struct lh_cli_option *o = cmd->options; o->name; o++) {
            option_line(f, o);
        }
    }
    for (int s = LH_SEC_OWN + 1; s < LH_SEC_COUNT; s++) {
        bool title = false;
        for (const struct lh_cli_option *o = lh_cli_shared_options; o->name; o++) {
            if ((int)o->section != s || !lh_cli_option_applies(o, cmd)) {
                continue;
            }
            if (!title) {
                fprintf(f, "\n%s:\n", section_titles[s]);
                title = true;
            }
            option_line(f, o);
        }
    }
    if (cmd->exit_status) {
        fputc('\n', f);
        char text[512];
        snprintf(text, sizeof(text), "Exit: %s", cmd->exit_status);
        lh_cli_wrap(f, text, 0, WIDTH);
    }
}

/* The group of a leaf command ("rules" for "rules list"), or false. */
static bool in_group(const struct lh_cli_command *c, const char *group)
{
    size_t n = strlen(group);
    return !strncmp(c->name, group, n) && c->name[n] == ' ';
}

void lh_cli_help_group(FILE *f, const struct lh_cli_group *g)
{
    const char *lead = "usage: ";
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        if (in_group(c, g->name)) {
            usage_line(f, lead, c);
            lead = "       ";
        }
    }
    fputc('\n', f);
    char text[256];
    snprintf(text, sizeof(text), "%s.", g->summary);
    text[0] = (char)toupper((unsigned char)text[0]);
    lh_cli_wrap(f, text, 0, WIDTH);
    fputs("\ncommands:\n", f);
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        if (in_group(c, g->name)) {
            fprintf(f, "  %-10s %s\n", c->name + strlen(g->name) + 1, c->summary);
        }
    }
    fprintf(f, "\n'leakhound %s <command> --help' describes a command.\n", g->name);
}

void lh_cli_help_top(FILE *f)
{
    fputs("usage: leakhound <command> [options] [arguments]\n\ncommands:\n", f);
    for (const struct lh_cli_command *const *cp = lh_cli_commands; *cp; cp++) {
        const struct lh_cli_command *c = *cp;
        fprintf(f, "  %-16s %s\n", c->name, c->summary);
    }
    fputs("\n'leakhound <command> --help' describes a command.\n", f);
}
