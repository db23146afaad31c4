/* SPDX-License-Identifier: MIT */
/*
 * `leakhound org github ORG` and `leakhound org gitlab GROUP`: enumerate the repositories of
 * an organisation, group or user through the provider's API (org/org.h), filter and shard
 * them, then audit them N at a time into the scan database (org/run.h over audit/audit.h),
 * resuming an interrupted run. One progress line per repository and a summary go to stderr
 * (--quiet keeps only errors); `--list` prints the selected repositories on stdout instead
 * of auditing. The API token comes from the environment and is never printed.
 */
#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "org/org.h"
#include "org/run.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct org_args {
    const char *api_url;
    const char *token_env;
    const char *shard;
    const char *db;
    bool include_forks;
    bool include_archived;
    bool list;
    bool restart;
    struct lh_strlist include;
    struct lh_strlist exclude;
    size_t jobs;
    double max_wait;
};

static void strlist_free(struct lh_strlist *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i]);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static void on_note(const char *msg, void *payload)
{
    const struct lh_cli_run *r = payload;
    if (!r->args.quiet) {
        flockfile(stderr);
        fprintf(stderr, "leakhound: %s\n", msg);
        funlockfile(stderr);
    }
}

static void on_warn(const char *msg, void *payload)
{
    const struct lh_cli_run *r = payload;
    if (!r->args.quiet) {
        flockfile(stderr); /* audits run on several threads: one whole line each */
        lh_cli_warn("%s", msg);
        funlockfile(stderr);
    }
}

static void on_repo(const struct lh_org_run_event *ev, void *payload)
{
    const struct lh_cli_run *r = payload;
    const struct lh_audit_repo_stats *st = ev->st;
    if (ev->rc < 0) {
        flockfile(stderr);
        lh_cli_error("[%zu/%zu] %s: %s", ev->done, ev->total, ev->repo->name, ev->error);
        funlockfile(stderr);
        return;
    }
    if (r->args.quiet) {
        return;
    }
    char what[160];
    if (st->unchanged) {
        snprintf(what, sizeof(what), "unchanged since its last audit");
    } else {
        snprintf(what, sizeof(what), "%zu refs, %zu blobs scanned, %zu already scanned", st->refs,
                 st->blobs_scanned, st->blobs_skipped);
    }
    fprintf(stderr, "leakhound: [%zu/%zu] %s: %s; %zu finding%s (%zu secret%s)%s, %.1f s\n",
            ev->done, ev->total, ev->repo->name, what, st->findings, st->findings == 1 ? "" : "s",
            st->secrets, st->secrets == 1 ? "" : "s", st->errors ? "; some objects unreadable" : "",
            st->seconds);
}

/* The selection summary: "37 listed; 30 selected (4 forks, 2 archived, ...)". */
static void print_selection(const struct lh_org_list *l, size_t listed, const char *label,
                            const struct lh_org_filter *f)
{
    fprintf(stderr, "leakhound: %s: %zu repositor%s listed, %zu selected", label, listed,
            listed == 1 ? "y" : "ies", l->count);
    const char *sep = " (skipped: ";
    if (l->skipped_forks) {
        fprintf(stderr, "%s%zu fork%s", sep, l->skipped_forks, l->skipped_forks == 1 ? "" : "s");
        sep = ", ";
    }
    if (l->skipped_archived) {
        fprintf(stderr, "%s%zu archived", sep, l->skipped_archived);
        sep = ", ";
    }
    if (l->skipped_globs) {
        fprintf(stderr, "%s%zu by name", sep, l->skipped_globs);
        sep = ", ";
    }
    if (l->skipped_shard) {
        fprintf(stderr, "%s%zu in other shards than %u/%u", sep, l->skipped_shard, f->shard,
                f->shards);
        sep = ", ";
    }
    fputs(sep[0] == ',' ? ")\n" : "\n", stderr);
}

/* Enumeration errors: a bad name or URL is usage, anything else a runtime failure. */
static int enum_fail(int rc)
{
    lh_cli_error("%s", lh_error_get());
    return rc == LH_EUSAGE ? LH_EXIT_USAGE : LH_EXIT_IO;
}

static int audit_all(struct lh_cli_run *r, const struct org_args *a, const struct lh_org_list *l,
                     const char *name, const char *label, const char *scope, const char *token)
{
    struct lh_audit *au = NULL;
    char *dflt = NULL;
    int ex = LH_EXIT_CLEAN;
    int rc = lh_session_open(&r->session, &r->args.so, NULL);
    if (rc < 0) {
        return lh_cli_fail(rc);
    }
    const char *db = a->db;
    if (!db) {
        dflt = lh_audit_default_db();
        if (!dflt) {
            ex = lh_cli_fail(LH_EIO);
            goto out;
        }
        db = dflt;
    }
    const struct lh_session_opts *so = &r->args.so;
    struct lh_scan_opts scan = {0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t per = cores > 0 ? (size_t)cores / a->jobs : 1;
    scan.threads = so->threads ? so->threads : (per ? per : 1);
    scan.max_file_size = so->max_file_size;
    scan.scan_binary = so->scan_binary;
    scan.archive = &so->archive;
    scan.exclude = &so->exclude; /* path globs of a configuration file */
    scan.warn = on_warn;
    scan.warn_payload = r;
    char settings[256];
    lh_session_audit_settings(settings, sizeof(settings), so);
    struct lh_audit_opts ao = {0};
    ao.db_path = db;
    ao.rules = lh_session_rules(r->session);
    ao.detector = lh_session_detector(r->session);
    ao.scan = &scan;
    ao.settings = settings;
    ao.organisation = name;
    ao.tool_version = LH_VERSION;
    /* the API token also authenticates the clones (to the provider's git host) */
    ao.token = token && *token ? token : NULL;
    rc = lh_audit_open(&au, &ao);
    if (rc < 0) {
        ex = lh_cli_fail(rc);
        goto out;
    }
    struct lh_org_run_opts ro = {
        .audit = au,
        .db_path = db,
        .scope = scope,
        .jobs = a->jobs,
        .restart = a->restart,
        .on_repo = on_repo,
        .note = on_note,
        .payload = r,
    };
    struct lh_org_run_result res;
    rc = lh_org_run(&res, l, &ro);
    if (rc < 0) {
        ex = lh_cli_fail(rc);
        goto out;
    }
    if (!r->args.quiet) {
        char triaged[96] = "";
        if (res.triaged) {
            snprintf(triaged, sizeof(triaged), "; %zu more (%zu secret%s) triaged in the database",
                     res.triaged, res.triaged_secrets, res.triaged_secrets == 1 ? "" : "s");
        }
        fprintf(stderr,
                "leakhound: %s: %zu repositor%s in '%s': %zu audited, %zu finished by the "
                "interrupted run, %zu failed; %zu blobs scanned, %zu already scanned; %zu "
                "finding%s (%zu secret%s) in %zu repositor%s%s\n",
                label, res.repositories, res.repositories == 1 ? "y" : "ies", db, res.audited,
                res.resumed_done, res.failed, res.blobs_scanned, res.blobs_skipped, res.findings,
                res.findings == 1 ? "" : "s", res.secrets, res.secrets == 1 ? "" : "s",
                res.repos_with_findings, res.repos_with_findings == 1 ? "y" : "ies", triaged);
    }
    if (res.failed) {
        lh_cli_error("%zu of %zu repositories could not be audited; run the same command again "
                     "to retry them",
                     res.failed, res.repositories);
        ex = LH_EXIT_IO;
    } else if (res.object_errors) {
        ex = LH_EXIT_IO;
    } else if (res.findings) {
        ex = LH_EXIT_FINDINGS;
    }
out:
    lh_audit_close(au);
    free(dflt);
    return ex;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct lh_cli_run r;
    struct org_args a = {.jobs = 4, .max_wait = 900};
    struct lh_org_list l;
    char label[384];
    char scope[1024];
    lh_org_list_init(&l);
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, &a);
    if (ex) {
        goto out;
    }
    enum lh_org_provider prov = cmd->bit == LH_CMD_ORG_GITLAB ? LH_ORG_GITLAB : LH_ORG_GITHUB;
    struct lh_org_filter f = {
        .include_forks = a.include_forks,
        .include_archived = a.include_archived,
        .include = &a.include,
        .exclude = &a.exclude,
    };
    if (a.shard && lh_org_shard_parse(&f.shard, &f.shards, a.shard) < 0) {
        ex = lh_cli_usage_error(cmd->name, "%s", lh_error_get());
        goto out;
    }
    const char *env = a.token_env             ? a.token_env
                      : prov == LH_ORG_GITLAB ? "GITLAB_TOKEN"
                                              : "GITHUB_TOKEN";
    const char *token = getenv(env);
    if (a.token_env && (!token || !*token)) {
        ex = lh_cli_usage_error(cmd->name, "--token-env %s: the variable is not set", env);
        goto out;
    }
    if ((!token || !*token) && !r.args.quiet) {
        fprintf(stderr,
                "leakhound: no %s in the environment: anonymous API requests (public "
                "repositories only, low rate limits)\n",
                env);
    }
    const char *name = r.parsed.args[0];
    snprintf(label, sizeof(label), "%s %s", lh_org_provider_name(prov), name);
    struct lh_org_query q;
    lh_org_query_init(&q);
    q.provider = prov;
    q.name = name;
    q.api_url = a.api_url;
    q.token = token;
    q.max_wait = a.max_wait;
    q.note = on_note;
    q.note_payload = &r;
    int rc = lh_org_enumerate(&l, &q);
    if (rc < 0) {
        ex = enum_fail(rc);
        goto out;
    }
    size_t listed = l.count;
    lh_org_select(&l, &f);
    if (!r.args.quiet) {
        print_selection(&l, listed, label, &f);
    }
    if (a.list) {
        for (size_t i = 0; i < l.count; i++) {
            printf("%s\t%s\n", l.items[i].name, l.items[i].clone_url);
        }
        ex = fflush(stdout) == 0 ? LH_EXIT_CLEAN : LH_EXIT_IO;
        goto out;
    }
    char shard[32] = "all";
    if (f.shards) {
        snprintf(shard, sizeof(shard), "%u/%u", f.shard, f.shards);
    }
    /* what identifies a run for resuming: no credentials of --api-url, names in lower case
     * (the providers' names are case-insensitive) */
    char api[512] = "default";
    if (a.api_url) {
        lh_org_url_for_msg(api, sizeof(api), a.api_url);
    }
    snprintf(scope, sizeof(scope), "%s %s %s shard %s", lh_org_provider_name(prov), api, name,
             shard);
    for (char *c = scope; *c; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    ex = audit_all(&r, &a, &l, name, label, scope, token);
out:
    lh_org_list_dispose(&l);
    strlist_free(&a.include);
    strlist_free(&a.exclude);
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
}

#define AT(field) offsetof(struct org_args, field)

static const struct lh_cli_option options[] = {
    {.name = "api-url",
     .arg = LH_ARG_STRING,
     .metavar = "URL",
     .check = LH_CHECK_URL,
     .offset = AT(api_url),
     .help = "the API root: GitHub Enterprise https://HOST/api/v3, a self-hosted GitLab "
             "https://HOST",
     .dflt = "https://api.github.com, https://gitlab.com/api/v4"},
    {.name = "token-env",
     .arg = LH_ARG_STRING,
     .metavar = "NAME",
     .offset = AT(token_env),
     .help = "read the API token from the environment variable NAME",
     .dflt = "GITHUB_TOKEN, GITLAB_TOKEN",
     .more = "Sent as an Authorization header to the API (and to its host when cloning); never "
             "printed or logged."},
    {.name = "include-forks",
     .arg = LH_ARG_FLAG,
     .offset = AT(include_forks),
     .help = "also audit forks"},
    {.name = "include-archived",
     .arg = LH_ARG_FLAG,
     .offset = AT(include_archived),
     .help = "also audit archived repositories"},
    {.name = "include",
     .arg = LH_ARG_LIST,
     .metavar = "GLOB",
     .offset = AT(include),
     .help = "audit only repositories whose full name (acme/api) matches GLOB",
     .more = "Globs are case-insensitive and '*' crosses '/': 'acme/*-service', "
             "'group/sub/*'."},
    {.name = "exclude",
     .arg = LH_ARG_LIST,
     .metavar = "GLOB",
     .offset = AT(exclude),
     .help = "skip repositories whose full name matches GLOB"},
    {.name = "shard",
     .arg = LH_ARG_STRING,
     .metavar = "I/N",
     .offset = AT(shard),
     .help = "audit only shard I of N (1-based): a stable hash of each full name, mod N",
     .more = "The N shards partition the repositories, whatever the order or the time of "
             "listing; a new repository never moves another. See docs/org.md."},
    {.name = "list",
     .arg = LH_ARG_FLAG,
     .offset = AT(list),
     .help = "print the selected repositories (name and clone URL) and exit"},
    {.name = "jobs",
     .short_name = 'j',
     .arg = LH_ARG_NUMBER,
     .lo = 1,
     .hi = 256,
     .offset = AT(jobs),
     .help = "repositories audited at once",
     .dflt = "4",
     .more = "Each audit gets --threads worker threads; by default the cores divided by N."},
    {.name = "max-wait",
     .arg = LH_ARG_DURATION,
     .lo = 0,
     .hi = 86400,
     .offset = AT(max_wait),
     .help = "longest rate-limit wait, such as 90 or 15m; a longer one is an error",
     .dflt = "15m"},
    LH_CLI_OPT_DB(AT(db)),
    {.name = "restart",
     .arg = LH_ARG_FLAG,
     .offset = AT(restart),
     .help = "start a new run even when an interrupted one could be resumed"},
    {0},
};

#define EXIT_STATUS                                                                                \
    "0 no findings, 1 findings, 2 usage, 3 rules or configuration, 4 the API failed or a "         \
    "repository could not be audited (the others still are)."

const struct lh_cli_command lh_cli_cmd_org_github = {
    .name = "org github",
    .bit = LH_CMD_ORG_GITHUB,
    .args = "ORG|USER",
    .min_args = 1,
    .max_args = 1,
    .summary = "audit every repository of a GitHub organisation or user",
    .description = "Lists the repositories of a GitHub organisation (or, when there is no such "
                   "organisation, of a user) through the REST API (every page; rate limits are "
                   "waited out up to --max-wait), keeps what the filters and --shard select, and "
                   "audits them --jobs at a time into the scan database: each is mirrored "
                   "(cloned once, then fetched), only blobs the database has not scanned with "
                   "the same rules are read, and every finding is stored with its repository. An "
                   "interrupted run resumes: the same command skips the repositories it "
                   "finished. Read the results with 'leakhound report --db FILE'. The token: "
                   "GITHUB_TOKEN. See docs/org.md.",
    .exit_status = EXIT_STATUS,
    .options = options,
    .run = run,
};

const struct lh_cli_command lh_cli_cmd_org_gitlab = {
    .name = "org gitlab",
    .bit = LH_CMD_ORG_GITLAB,
    .args = "GROUP|USER",
    .min_args = 1,
    .max_args = 1,
    .summary = "audit every project of a GitLab group (subgroups included) or user",
    .description = "Lists the projects of a GitLab group and its subgroups (or, when there is no "
                   "such group, of a user; a subgroup is written parent/child) through the REST "
                   "API (every page; rate limits are waited out up to --max-wait), keeps what "
                   "the filters and --shard select, and audits them --jobs at a time into the "
                   "scan database: each is mirrored (cloned once, then fetched), only blobs the "
                   "database has not scanned with the same rules are read, and every finding is "
                   "stored with its repository. An interrupted run resumes: the same command "
                   "skips the projects it finished. Read the results with 'leakhound report "
                   "--db FILE'. The token: GITLAB_TOKEN. See docs/org.md.",
    .exit_status = EXIT_STATUS,
    .options = options,
    .run = run,
};
