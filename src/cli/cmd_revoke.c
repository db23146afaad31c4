/* SPDX-License-Identifier: MIT */
/*
 * `leakhound revoke flush|status` and the revocation step of the scanning commands
 * (lh_cli_revoke_check / lh_cli_revoke_session, called from the shared session in common.c).
 * A scan enqueues every reported finding (not invalid, not suppressed by inline allow,
 * baseline or --min-confidence) after its report is written, then flushes; delivery problems
 * are printed but do not change the scan's exit code, because the requests are durable and
 * `revoke flush` finishes them; only a journal that cannot be written makes it 4. Messages
 * name the route URL without credentials and the token's SHA-256 prefix, never the token.
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

#define HASH_PREFIX 12
/* The longest Retry-After (seconds) a scan waits for; docs/revocation.md */
#define LH_CLI_SCAN_RETRY_AFTER_MAX 5

struct ui {
    bool quiet;
    size_t previews;
};

static void on_warn(const char *msg, void *payload)
{
    const struct ui *u = payload;
    if (!u->quiet) {
        lh_cli_warn("%s", msg);
    }
}

static void on_event(const struct lh_revoke_event *ev, void *payload)
{
    struct ui *u = payload;
    char url[512];
    lh_revoke_url_display(url, sizeof(url), ev->url);
    switch (ev->kind) {
    case LH_REVOKE_EV_PREVIEW:
        u->previews++;
        fprintf(stderr, "leakhound: dry run: would send to %s (rule '%s', sha256 %.*s):\n%s\n", url,
                ev->rule_id, HASH_PREFIX, ev->key, ev->body);
        break;
    case LH_REVOKE_EV_FAILED:
        lh_cli_error("revocation request to '%s' for rule '%s' (sha256 %.*s) failed "
                     "permanently: %s",
                     url, ev->rule_id, HASH_PREFIX, ev->key, ev->error ? ev->error : "rejected");
        break;
    case LH_REVOKE_EV_DEFERRED:
        if (!u->quiet) {
            lh_cli_warn("revocation request to '%s' for rule '%s' (sha256 %.*s) is still "
                        "pending: %s; 'leakhound revoke flush' retries it",
                        url, ev->rule_id, HASH_PREFIX, ev->key,
                        ev->error ? ev->error : "not delivered");
        }
        break;
    case LH_REVOKE_EV_QUEUED:
    case LH_REVOKE_EV_DELIVERED:
        break;
    }
}

static bool revoke_enabled(const struct lh_cli_session *s, const struct lh_cli_opts *o)
{
    return o->revoke || s->cfg.revoke.enabled;
}

static bool is_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    return !strncmp(h, "127.", 4) || !strncmp(h, "localhost", 9) || !strncmp(h, "[::1]", 5);
}

int lh_cli_revoke_check(const struct lh_cli_session *s, const struct lh_cli_opts *o)
{
    if (!revoke_enabled(s, o)) {
        if (o->revoke_urls.count) {
            lh_cli_error("--revoke-url needs --revoke (or 'revoke: true' in a --config file or "
                         "the user configuration file)");
            return LH_EXIT_USAGE;
        }
        return 0;
    }
    for (size_t i = 0; i < o->revoke_urls.count; i++) {
        const char *u = o->revoke_urls.items[i];
        if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
            lh_cli_error("--revoke-url must start with https:// or http://, not '%s'", u);
            return LH_EXIT_USAGE;
        }
    }
    if (s->cfg.revoke.nroutes + o->revoke_urls.count == 0) {
        lh_cli_error("revocation is enabled but no route is configured (add --revoke-url URL "
                     "or revoke.routes in a --config file or the user configuration file)");
        return LH_EXIT_CONFIG;
    }
    for (size_t i = 0; i < s->cfg.revoke.nroutes && !o->quiet; i++) {
        const struct lh_revoke_route *r = &s->cfg.revoke.routes[i];
        if (r->send == LH_SEND_TOKEN && !strncmp(r->url, "http://", 7) && !is_loopback(r->url)) {
            char url[512];
            lh_revoke_url_display(url, sizeof(url), r->url);
            lh_cli_warn("revoke route '%s' sends raw tokens over plain http", url);
        }
    }
    return 0;
}

static void print_stats(const char *dir, const struct lh_revoke_stats *st, bool scan)
{
    if (scan) {
        fprintf(stderr,
                "leakhound: revocation: %zu queued, %zu already handled, %zu delivered, "
                "%zu failed, %zu pending (state: %s)\n",
                st->queued, st->skipped, st->delivered, st->failed, st->pending, dir);
    } else {
        fprintf(stderr,
                "leakhound: revocation: %zu delivered, %zu failed, %zu pending (state: %s)\n",
                st->delivered, st->failed, st->pending, dir);
    }
}

int lh_cli_revoke_session(struct lh_cli_session *s, const struct lh_cli_opts *o,
                          const struct lh_findings *l)
{
    if (!revoke_enabled(s, o)) {
        return 0;
    }
    char secret_env[] = "LEAKHOUND_REVOKE_SECRET";
    struct lh_revoke_route *routes = NULL;
    size_t nroutes = 0;
    struct lh_revoker *rv = NULL;
    struct ui u = {.quiet = o->quiet};
    int ex = 0;
    char *dir = lh_revoke_config_state_dir(o->state_dir, &s->cfg.revoke);
    if (!dir) {
        lh_cli_error("no state directory for revocation: set --state-dir, LEAKHOUND_STATE_DIR "
                     "or HOME");
        ex = LH_EXIT_CONFIG;
        goto out;
    }
    if (lh_revoke_config_routes(&routes, &nroutes, &s->cfg.revoke, &o->revoke_urls, secret_env) <
        0) {
        lh_cli_error("%s", lh_error_get());
        ex = LH_EXIT_IO;
        goto out;
    }
    /* a receiver's Retry-After may not hold a scan for minutes: `revoke flush` waits longer */
    struct lh_revoke_opts ro = {.dry_run = o->dry_run,
                                .max_retry_after = LH_CLI_SCAN_RETRY_AFTER_MAX,
                                .warn = on_warn,
                                .event = on_event,
                                .payload = &u};
    int rc = lh_revoker_open_opts(&rv, dir, routes, nroutes, &ro);
    for (size_t i = 0; rc == 0 && i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (f->invalid || f->suppressed || !f->secret || !f->secret_len) {
            continue;
        }
        struct lh_revoke_item it = {
            .rule_id = f->rule->id,
            .provider = f->rule->provider,
            .confidence = f->confidence,
            .token = f->secret,
            .token_len = f->secret_len,
            .source = s->revoke_source ? s->revoke_source : "scan",
            .path = f->path,
            .line = f->line,
            .commit = f->prov.commit,
            .repository = o->repo_name,
        };
        rc = lh_revoker_enqueue(rv, &it, NULL);
        if (rc == LH_ETOOBIG || rc == LH_EINVAL) {
            /* one odd finding must not stop the others from being revoked */
            lh_cli_warn("%s", lh_error_get());
            rc = 0;
        }
    }
    struct lh_revoke_stats st = {0};
    if (rc == 0) {
        rc = lh_revoker_flush(rv, &st);
    }
    if (rc < 0) {
        lh_cli_error("revocation: %s", lh_error_get());
        ex = lh_exit_from_error(rc);
        ex = ex == LH_EXIT_CLEAN ? LH_EXIT_IO : ex;
        goto out;
    }
    if (o->dry_run) {
        fprintf(stderr,
                "leakhound: dry run: %zu revocation request%s would be queued; nothing was "
                "written or sent\n",
                u.previews, u.previews == 1 ? "" : "s");
    } else if (!o->quiet) {
        print_stats(dir, &st, true);
    }
out:
    lh_revoker_close(rv);
    free(routes);
    free(dir);
    return ex;
}

/* ---- leakhound revoke flush|status ---- */

struct args {
    const char *format;
    bool all;
};

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
    struct lh_cli_opts o;
    struct lh_cli_parsed p;
    struct lh_config cfg;
    struct lh_revoke_route *routes = NULL;
    size_t nroutes = 0;
    struct lh_revoker *rv = NULL;
    char *dir = NULL;
    lh_config_init(&cfg);
    lh_cli_opts_init(&o);
    int ex = lh_cli_parse_opts(&p, cmd, &o, &a, argc, argv, first);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    ex = lh_cli_config_load(&cfg, o.config_path, o.no_config, ".", o.quiet);
    if (ex) {
        goto out;
    }
    dir = lh_revoke_config_state_dir(o.state_dir, &cfg.revoke);
    if (!dir) {
        lh_cli_error("no state directory: set --state-dir, LEAKHOUND_STATE_DIR or HOME");
        ex = LH_EXIT_CONFIG;
        goto out;
    }
    if (lh_revoke_config_routes(&routes, &nroutes, &cfg.revoke, NULL, NULL) < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = LH_EXIT_IO;
        goto out;
    }
    struct ui u = {.quiet = o.quiet};
    /* status never writes: it opens the journal read-only, as a dry run does */
    struct lh_revoke_opts ro = {
        .dry_run = !flush, .warn = on_warn, .event = on_event, .payload = &u};
    int rc = lh_revoker_open_opts(&rv, dir, routes, nroutes, &ro);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = lh_exit_from_error(rc);
        goto out;
    }
    if (!flush) {
        ex = do_status(rv, &a);
        goto out;
    }
    struct lh_revoke_stats st = {0};
    rc = lh_revoker_flush(rv, &st);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = lh_exit_from_error(rc);
        goto out;
    }
    if (!o.quiet) {
        print_stats(dir, &st, false);
    }
    ex = st.pending || st.failed ? LH_EXIT_IO : 0;
out:
    lh_revoker_close(rv);
    free(routes);
    free(dir);
    lh_config_dispose(&cfg);
    lh_cli_parsed_dispose(&p);
    lh_cli_opts_dispose(&o);
    return ex;
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
