/* SPDX-License-Identifier: MIT */
/*
 * `leakhound revoke flush|status`: deliver the pending requests of the revocation spool, or
 * list them. Routes (for their timeouts and signing secrets) come from the trusted
 * configuration. Messages name the route URL without credentials and the token's SHA-256
 * prefix, never the token. The revocation step of a scan is the session's
 * (session/session_revoke.c).
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "notify/revoke.h"
#include "util/fs.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct args {
    const char *format;
    bool all;
};

static void on_warn(const char *msg, void *payload)
{
    const struct lh_cli_run *r = payload;
    if (!r->args.quiet) {
        lh_cli_warn("%s", msg);
    }
}

struct listing {
    bool all;
    bool json;
    json_t *arr;
    size_t pending, failed, delivered;
    bool oom;
};

static void iso(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void list_one(const struct lh_revoke_entry_info *e, void *payload)
{
    struct listing *ls = payload;
    bool pending = !strcmp(e->state, "pending");
    bool failed = !strcmp(e->state, "failed");
    ls->pending += pending;
    ls->failed += failed;
    ls->delivered += !pending && !failed;
    if (!pending && !failed && !ls->all) {
        return;
    }
    char url[512];
    char queued[32];
    char updated[32];
    lh_revoke_url_display(url, sizeof(url), e->url);
    iso(queued, e->queued_at);
    iso(updated, e->updated_at);
    if (!ls->json) {
        printf("%-9s %s  %s  %s  attempts %u", e->in_flight ? "sending" : e->state, e->key,
               e->rule_id, url, e->attempts);
        if (e->last_error) {
            printf("  last: %s", e->last_error);
        }
        printf("  queued %s\n", queued);
        return;
    }
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s?,s:s,s:s,s:b}", "id", e->id, "state",
                  e->state, "token_sha256", e->key, "rule_id", e->rule_id, "url", url, "route",
                  (json_int_t)e->route, "attempts", (json_int_t)e->attempts, "last_status",
                  (json_int_t)e->last_status, "last_error", e->last_error, "queued_at", queued,
                  "updated_at", updated, "in_flight", e->in_flight ? 1 : 0);
    if (!o || json_array_append_new(ls->arr, o) < 0) {
        ls->oom = true;
    }
}

static int do_status(struct lh_revoker *rv, const struct args *a)
{
    struct listing ls = {.all = a->all, .json = !strcmp(a->format, "json")};
    if (ls.json) {
        ls.arr = json_array();
        if (!ls.arr) {
            lh_cli_error("out of memory");
            return LH_EXIT_IO;
        }
    }
    int rc = lh_revoker_list(rv, list_one, &ls);
    int ex = 0;
    if (rc < 0 || ls.oom) {
        lh_cli_error("%s", rc < 0 ? lh_error_get() : "out of memory");
        ex = LH_EXIT_IO;
    } else if (ls.json) {
        json_t *doc = json_pack("{s:s,s:I,s:I,s:I,s:O}", "journal", lh_revoker_journal_path(rv),
                                "pending", (json_int_t)ls.pending, "failed", (json_int_t)ls.failed,
                                "delivered", (json_int_t)ls.delivered, "entries", ls.arr);
        if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2)) < 0) {
            ex = LH_EXIT_IO;
        }
        putchar('\n');
        json_decref(doc);
    } else {
        printf("%zu pending, %zu failed, %zu delivered (%s)\n", ls.pending, ls.failed, ls.delivered,
               lh_revoker_journal_path(rv));
    }
    json_decref(ls.arr);
    if (fflush(stdout) != 0) {
        ex = LH_EXIT_IO;
    }
    return ex;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    bool flush = cmd == &lh_cli_cmd_revoke_flush;
    struct args a = {.format = "text"};
    struct lh_cli_run r;
    struct lh_revoke_route *routes = NULL;
    size_t nroutes = 0;
    struct lh_revoker *rv = NULL;
    char *dir = NULL;
    int ex = lh_cli_prepare(&r, cmd, argc, argv, first, &a);
    if (ex) {
        goto out;
    }
    dir = lh_revoke_config_state_dir(r.args.so.state_dir, &r.cfg.revoke);
    if (!dir) {
        lh_cli_error("no state directory: set --state-dir, LEAKHOUND_STATE_DIR or HOME");
        ex = LH_EXIT_CONFIG;
        goto out;
    }
    int rc = lh_revoke_config_routes(&routes, &nroutes, &r.cfg.revoke, NULL, NULL);
    /* status never writes: it opens the journal read-only, as a dry run does */
    struct lh_revoke_opts ro = {
        .dry_run = !flush, .warn = on_warn, .event = lh_cli_revoke_event, .payload = &r};
    rc = rc ? rc : lh_revoker_open_opts(&rv, dir, routes, nroutes, &ro);
    if (rc < 0) {
        ex = lh_cli_fail(rc);
        goto out;
    }
    if (!flush) {
        ex = do_status(rv, &a);
        goto out;
    }
    struct lh_revoke_stats st = {0};
    rc = lh_revoker_flush(rv, &st);
    if (rc < 0) {
        ex = lh_cli_fail(rc);
        goto out;
    }
    if (!r.args.quiet) {
        lh_cli_print_revoke_stats(dir, &st, false);
    }
    ex = st.pending || st.failed ? LH_EXIT_IO : 0;
out:
    lh_revoker_close(rv);
    free(routes);
    free(dir);
    lh_cli_run_dispose(&r);
    return lh_cli_status(ex);
}

static const struct lh_cli_option status_options[] = {
    {.name = "format",
     .short_name = 'f',
     .arg = LH_ARG_CHOICE,
     .choices = "text|json",
     .offset = offsetof(struct args, format),
     .help = "listing format",
     .dflt = "text"},
    {.name = "all",
     .arg = LH_ARG_FLAG,
     .offset = offsetof(struct args, all),
     .help = "list delivered requests too"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_revoke_flush = {
    .name = "revoke flush",
    .bit = LH_CMD_REVOKE_FLUSH,
    .summary = "deliver pending revocation requests",
    .description = "Delivers the pending requests of the revocation spool, retrying with "
                   "backoff per route. Route timeouts and signing secrets come from the "
                   "configuration (--config FILE, else the revoke section of the user "
                   "configuration file; that of .leakhound.yml is ignored).",
    .exit_status = "0 everything delivered, 2 usage, 3 configuration, 4 requests are still "
                   "pending or failed, or an I/O error.",
    .run = run,
};

const struct lh_cli_command lh_cli_cmd_revoke_status = {
    .name = "revoke status",
    .bit = LH_CMD_REVOKE_STATUS,
    .summary = "list pending and failed revocation requests",
    .description = "Lists the pending and failed requests of the revocation spool by token "
                   "hash (never the token), with their route, attempts and last error. Never "
                   "writes to the spool.",
    .exit_status = "0 listed, 2 usage, 3 configuration, 4 I/O error.",
    .options = status_options,
    .run = run,
};
