/* SPDX-License-Identifier: MIT */
/*
 * The declarative command line. Every command is one `struct lh_cli_command`, defined in its
 * cmd_<name>.c next to its own option table and argument struct: its name, positional
 * arguments, description, exit statuses and entry point; the options several commands share
 * live in one table (spec.c) whose entries say which commands take them. Parsing (opt.c), `--help`
 * (help.c), the man page and the bash completion (both written at build time by src/tools/clidoc.c)
 * are all produced from these tables, so they cannot disagree. An option entry is data only: where
 * its value goes (an offset into the command's argument struct), what kind of value it takes and
 * how to check it.
 *
 * Parsing follows GNU conventions: options and arguments may be mixed, `--` ends the
 * options, `--name=value` or `--name value`, `-o value`, `-ovalue`, bundled short flags
 * (`-qh`), unambiguous prefixes of long names. A usage error is one line on stderr that
 * names the problem and ends in a hint (`try 'leakhound scan --help'`).
 */
#ifndef LH_CLI_OPT_H
#define LH_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One bit per leaf command: the shared options say with these which commands take them. */
enum {
    LH_CMD_SCAN = 1u << 0,
    LH_CMD_HISTORY = 1u << 1,
    LH_CMD_STAGED = 1u << 2,
    LH_CMD_BASELINE_CREATE = 1u << 3,
    LH_CMD_BASELINE_PRUNE = 1u << 4,
    LH_CMD_RULES_LIST = 1u << 5,
    LH_CMD_RULES_CHECK = 1u << 6,
    LH_CMD_SERVE = 1u << 7,
    LH_CMD_REVOKE_FLUSH = 1u << 8,
    LH_CMD_REVOKE_STATUS = 1u << 9,
    LH_CMD_KEYGEN = 1u << 10,
    LH_CMD_INSTALL_HOOK = 1u << 11,
    LH_CMD_VERSION = 1u << 12,
    LH_CMD_HELP = 1u << 13,
    LH_CMD_IMAGE = 1u << 14,
    LH_CMD_TRIAGE = 1u << 15,
    LH_CMD_REPORT = 1u << 16,
    LH_CMD_MERGE = 1u << 17,
    LH_CMD_ORG_GITHUB = 1u << 18,
    LH_CMD_ORG_GITLAB = 1u << 19,
    LH_CMD_ALL = (1u << 20) - 1,
};

/* What an option's argument is, and how its value is stored at the entry's offset. */
enum lh_cli_arg {
    LH_ARG_FLAG = 0,    /* no argument; bool = true */
    LH_ARG_STRING,      /* const char * = the argument (borrowed from argv) */
    LH_ARG_LIST,        /* struct lh_strlist: the argument appended (repeatable) */
    LH_ARG_CHOICE,      /* const char * = the argument, one of `choices` */
    LH_ARG_CONFIDENCE,  /* enum lh_confidence: confirmed, probable or low */
    LH_ARG_SIZE,        /* size_t: bytes, with K/M/G suffixes (25M), in [lo, hi] */
    LH_ARG_SIZE64,      /* uint64_t: the same */
    LH_ARG_NUMBER,      /* size_t: a count in [lo, hi] */
    LH_ARG_U32,         /* uint32_t: a count in [lo, hi] */
    LH_ARG_UINT,        /* unsigned: decimal digits only, in [lo, hi] */
    LH_ARG_U64,         /* uint64_t: decimal digits only, in [lo, hi] */
    LH_ARG_EXIT_STATUS, /* int: decimal digits only, in [lo, hi] */
    LH_ARG_SECONDS,     /* double: seconds in (lo, hi] */
    LH_ARG_DURATION,    /* double: seconds in [lo, hi], "90", "90s" or "2m" */
};

/* Extra checks on a string argument. */
enum lh_cli_check {
    LH_CHECK_NONE = 0,
    LH_CHECK_URL,    /* starts with https:// or http:// */
    LH_CHECK_SLASH,  /* starts with '/' (an URL path) */
    LH_CHECK_REPORT, /* a report destination: FORMAT or FORMAT:FILE (report/multi.h) */
};

/* What the shell should offer for an argument. */
enum lh_cli_complete {
    LH_COMPLETE_NONE = 0,
    LH_COMPLETE_FILE,
    LH_COMPLETE_DIR,
    LH_COMPLETE_REPORT, /* FORMAT (the --format choices), then FILE after a ':' */
};

/* Help sections of the shared options, in the order --help and the man page list them. */
enum lh_cli_section {
    LH_SEC_OWN = 0, /* a command's own options (listed first, under the command's name) */
    LH_SEC_RULES,
    LH_SEC_REPORT,
    LH_SEC_SUPPRESS,
    LH_SEC_INPUT,
    LH_SEC_ARCHIVE,
    LH_SEC_LIMITS,
    LH_SEC_REVOKE,
    LH_SEC_GENERAL,
    LH_SEC_COUNT,
};

/* Which of the two parse targets an option writes into. */
enum lh_cli_target {
    LH_TARGET_SHARED = 0, /* the shared argument struct (struct lh_cli_args) */
    LH_TARGET_OWN,        /* the command's own argument struct */
};

struct lh_cli_option {
    const char *name;            /* long name without "--" */
    char short_name;             /* 'o' for -o, or 0 */
    enum lh_cli_arg arg;         /* the value's kind */
    const char *metavar;         /* "FILE"; NULL for flags (choices: derived from them) */
    const char *help;            /* one line, lower case, no full stop */
    const char *more;            /* man page only: details the line leaves out, or NULL */
    const char *dflt;            /* the default as shown ("25M"), or NULL */
    const char *choices;         /* LH_ARG_CHOICE: "auto|always|never" */
    double lo, hi;               /* numeric kinds: the accepted range */
    size_t offset;               /* where the value goes in the target struct */
    unsigned commands;           /* shared table: LH_CMD_* bits of the commands taking it */
    enum lh_cli_section section; /* shared table: where help lists it */
    enum lh_cli_check check;
    enum lh_cli_complete complete; /* LH_ARG_STRING and LH_ARG_LIST */
};

struct lh_cli_command {
    const char *name;       /* "scan", "baseline create" */
    unsigned bit;           /* LH_CMD_*: selects its shared options */
    const char *args;       /* positional synopsis after "[options]": "[PATH|-]..." or NULL */
    int min_args, max_args; /* positional count; max -1: any */
    enum lh_cli_complete args_complete;
    bool args_are_project;   /* the configuration is found from the first argument, not "." */
    const char *summary;     /* one line: `leakhound --help`, the man page's command list */
    const char *description; /* paragraphs separated by "\n\n"; lines joined and re-wrapped */
    const char *exit_status; /* one sentence: "0 no findings, 1 findings, ..." */
    const struct lh_cli_option *options; /* own options (LH_TARGET_OWN), {NULL}-terminated */
    /* Runs the command: argv[first..argc) are its options and arguments. Returns the exit
     * status. */
    int (*run)(const struct lh_cli_command *cmd, int argc, char **argv, int first);
};

/* A word that groups leaf commands ("rules" for "rules list" and "rules check"). */
struct lh_cli_group {
    const char *name;
    const char *summary;
};

/*
 * The tables (spec.c): the shared options and the groups end in an entry with a NULL name,
 * the commands (in the order help lists them; each defined in its cmd_<name>.c) in NULL.
 */
extern const struct lh_cli_option lh_cli_shared_options[];
extern const struct lh_cli_command *const lh_cli_commands[];
extern const struct lh_cli_group lh_cli_groups[];

/* The positional arguments and which options a parse saw. */
struct lh_cli_parsed {
    const char **args; /* borrowed argv pointers, in order (heap array) */
    size_t nargs;
    unsigned char *given_shared; /* per entry of lh_cli_shared_options: given at least once */
    unsigned char *given_own;    /* per entry of the command's own table */
};

/* Return values of lh_cli_parse besides 0. */
#define LH_CLI_HELP (-1) /* --help was printed: exit 0 */

/*
 * Parses argv[first..argc) for `cmd` into `shared` (the struct the shared table's offsets
 * refer to) and `own` (the command's own table's, may be NULL when it has none). Values
 * are applied in order; a repeated scalar option keeps the last value. Returns 0,
 * LH_CLI_HELP after printing the command's help to stdout, or LH_EXIT_USAGE after printing
 * one usage-error line. On 0, *out holds the positional arguments and what was given
 * (release with lh_cli_parsed_dispose, whatever the result). Allocates only in *out and in
 * string lists of the targets.
 */
int lh_cli_parse(struct lh_cli_parsed *out, const struct lh_cli_command *cmd, int argc, char **argv,
                 int first, void *shared, void *own);

void lh_cli_parsed_dispose(struct lh_cli_parsed *p);

/* Whether the option with long name `name` was given (own table first, then shared). */
bool lh_cli_given(const struct lh_cli_parsed *p, const struct lh_cli_command *cmd,
                  const char *name);

/*
 * Prints "leakhound: error: <message>; try 'leakhound <name> --help'" (name: a command or a
 * group; NULL: 'leakhound --help') as one line and returns LH_EXIT_USAGE.
 */
int lh_cli_usage_error(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The `--db FILE` entry of the commands that read or fill a scan database with the default
 * one (org, report, triage; history's own --db says what it adds). `off`: the field's offset.
 */
#define LH_CLI_OPT_DB(off)                                                                         \
    {                                                                                              \
        .name = "db", .arg = LH_ARG_STRING, .metavar = "FILE", .offset = (off),                    \
        .help = "the scan database",                                                               \
        .dflt = "$XDG_STATE_HOME/leakhound/audit.db (~/.local/state/leakhound/audit.db)",          \
        .complete = LH_COMPLETE_FILE                                                               \
    }

/* The leaf command named by argv[1] (and argv[2] for grouped ones); *used = words taken. */
const struct lh_cli_command *lh_cli_find(int argc, char **argv, int *used);

/* The group named `name`, or NULL. */
const struct lh_cli_group *lh_cli_find_group(const char *name);

/* The group's commands as words for a message: "create or prune". */
void lh_cli_group_words(char *out, size_t cap, const struct lh_cli_group *g);

/* The command or group name closest to a mistyped `word` (for "did you mean"), or NULL. */
const char *lh_cli_suggest_command(const char *word);

/* Whether a shared option applies to the command. */
bool lh_cli_option_applies(const struct lh_cli_option *o, const struct lh_cli_command *cmd);

/*
 * Checks v by the option's kind and stores it at base + o->offset (opt_value.c). Returns 0,
 * or LH_EXIT_USAGE after printing the usage error (cmd names the command for the hint), or
 * LH_EXIT_IO when a list cannot grow.
 */
int lh_cli_store(const char *cmd, const struct lh_cli_option *o, void *base, const char *v);

/* "a|b|c" -> "a, b or c" (truncated to cap). */
void lh_cli_choice_words(char *out, size_t cap, const char *choices);

/* The option's argument as help shows it: "FILE", "auto|always|never", "" for flags. */
const char *lh_cli_metavar(const struct lh_cli_option *o);

/* Help section titles (LH_SEC_OWN: NULL, the command supplies its own). */
const char *lh_cli_section_title(enum lh_cli_section s);

/* Help (help.c): a command's, a group's, and the top-level command list. */
void lh_cli_help_command(FILE *f, const struct lh_cli_command *cmd);
void lh_cli_help_group(FILE *f, const struct lh_cli_group *g);
void lh_cli_help_top(FILE *f);

/*
 * Writes `text` (paragraphs separated by "\n\n"; single newlines are spaces) to f,
 * wrapped to `width` columns with `indent` spaces before every line.
 */
void lh_cli_wrap(FILE *f, const char *text, int indent, int width);

#endif
