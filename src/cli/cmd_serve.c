/* SPDX-License-Identifier: MIT */
/*
 * `leakhound serve`: the GitHub secret scanning partner endpoint. Builds the detector
 * from the usual rule options and configuration, one key ring and verifier row per
 * reporter (GitHub by default: --github-keys FILE and/or --github-keys-url URL, others
 * from `serve.reporters`), the revocation flusher when revocation is enabled, then runs
 * the server until SIGTERM or SIGINT and stops it gracefully. The main thread owns the
 * signals (they are blocked before any thread starts, so every thread inherits the mask)
 * and refreshes URL key lists when their cache time runs out; SIGHUP reloads them now.
 * Everything is logged as JSON lines on stderr; tokens never are.
 */
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "http/accesslog.h"
#include "http/metrics.h"
#include "http/server.h"
#include "notify/revoke.h"
#include "partner/flusher.h"
#include "partner/handler.h"
#include "partner/keyring.h"
#include "partner/verify.h"
#include "util/fs.h"

#include <fnmatch.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define LOG_FD 2
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_PATH "/github/secret-scanning"
#define GITHUB_ID_HEADER "Github-Public-Key-Identifier"
#define GITHUB_SIG_HEADER "Github-Public-Key-Signature"
#define MAX_REPORTERS 16
/* descriptors beyond two per connection slot (the server briefly holds connections it has
 * closed alongside their replacements): admin listener, spool, key lists, logs */
#define FD_HEADROOM 256

struct sargs {
    const char *listen;
    const char *path;
    const char *github_keys;
    const char *github_keys_url;
    const char *tls_cert;
    const char *tls_key;
    const char *admin_listen;
    size_t max_body;
    size_t max_connections;
    size_t max_connections_per_ip;
    bool per_ip_set;
    size_t timeout;
    double header_timeout;
    double request_timeout;
    size_t body_budget;
    const char *feedback; /* token_hash|token_raw; NULL: not given */
    double flush_interval;
    double keys_ttl;
    double keys_refetch;
};

struct reporter {
    const char *name;
    const char *key_id_header;
    const char *signature_header;
    const char *keys_file;
    const char *keys_url;
};

/* The configured reporters, with --github-keys[-url] applied to (or adding) "github". */
static void build_reporters(struct reporter *out, size_t *n, const struct lh_serve_cfg *sc,
                            const struct sargs *a)
{
    struct reporter *gh = NULL;
    *n = 0;
    for (size_t i = 0; i < sc->nreporters && i < MAX_REPORTERS; i++) {
        const struct lh_reporter_cfg *r = &sc->reporters[i];
        out[*n] = (struct reporter){r->name, r->key_id_header, r->signature_header, r->keys_file,
                                    r->keys_url};
        if (!strcmp(r->name, "github")) {
            gh = &out[*n];
        }
        (*n)++;
    }
    if ((a->github_keys || a->github_keys_url) && !gh && *n < MAX_REPORTERS) {
        gh = &out[(*n)++];
        *gh = (struct reporter){"github", GITHUB_ID_HEADER, GITHUB_SIG_HEADER, NULL, NULL};
    }
    if (gh && a->github_keys) {
        gh->keys_file = a->github_keys;
    }
    if (gh && a->github_keys_url) {
        gh->keys_url = a->github_keys_url;
    }
}

static void warn_unmatched_types(const struct lh_serve_cfg *sc, const struct lh_ruleset *rs)
{
    for (size_t t = 0; t < sc->ntype_map; t++) {
        for (size_t g = 0; g < sc->type_map[t].rule_ids.count; g++) {
            const char *glob = sc->type_map[t].rule_ids.items[g];
            bool hit = false;
            for (size_t r = 0; !hit && r < rs->count; r++) {
                hit = fnmatch(glob, rs->rules[r]->id, 0) == 0;
            }
            if (!hit) {
                lh_accesslog_event(LOG_FD, "warning", "serve",
                                   "type_map: '%s' -> '%s' matches no rule, so tokens of this "
                                   "type are always false_positive",
                                   sc->type_map[t].type, glob);
            }
        }
    }
}

static void on_keys_warn(const char *msg, void *payload)
{
    (void)payload;
    lh_accesslog_event(LOG_FD, "warning", "keys", "%s", msg);
}

/* The endpoint's parts, freed in reverse order by endpoint_dispose. */
struct endpoint {
    struct lh_cli_run cli;
    struct reporter reporters[MAX_REPORTERS];
    size_t nreporters;
    struct lh_keyring *rings[MAX_REPORTERS];
    struct lh_verifier verifiers[MAX_REPORTERS];
    struct lh_metrics *metrics;
    struct lh_flusher *flusher;
    struct lh_handler *handler;
    struct lh_server *server;
    char *state_dir;
    struct lh_revoke_route *routes;
};

static int open_keys(struct endpoint *r, const struct sargs *a)
{
    const struct lh_serve_cfg *sc = &r->cli.cfg.serve;
    for (size_t i = 0; i < r->nreporters; i++) {
        struct lh_keyring_opts ko = {
            .name = r->reporters[i].name,
            .file = r->reporters[i].keys_file,
            .url = r->reporters[i].keys_url,
            .ttl = a->keys_ttl > 0 ? a->keys_ttl : sc->keys_ttl,
            .min_refetch = a->keys_refetch > 0 ? a->keys_refetch : sc->keys_refetch,
            .warn = on_keys_warn,
        };
        int rc = lh_keyring_new(&r->rings[i], &ko);
        if (rc < 0) {
            lh_cli_error("%s", lh_error_get());
            return rc == LH_ENET || rc == LH_EIO ? LH_EXIT_IO : LH_EXIT_CONFIG;
        }
        r->verifiers[i] = (struct lh_verifier){r->reporters[i].name, r->reporters[i].key_id_header,
                                               r->reporters[i].signature_header, r->rings[i]};
        lh_accesslog_event(LOG_FD, "info", "keys", "reporter '%s': %zu public key%s loaded",
                           r->reporters[i].name, lh_keyring_count(r->rings[i]),
                           lh_keyring_count(r->rings[i]) == 1 ? "" : "s");
    }
    return 0;
}

static int open_revocation(struct endpoint *r, const struct sargs *a)
{
    static char secret_env[] = "LEAKHOUND_REVOKE_SECRET";
    const struct lh_session_opts *o = &r->cli.args.so;
    const struct lh_revoke_config *file = &r->cli.cfg.revoke;
    size_t nroutes = 0;
    if (!o->revoke && !file->enabled) {
        lh_accesslog_event(LOG_FD, "info", "serve",
                           "revocation is off: true positives are only reported back");
        return 0;
    }
    r->state_dir = lh_revoke_config_state_dir(o->state_dir, file);
    if (!r->state_dir) {
        lh_cli_error("no state directory for revocation: set --state-dir, "
                     "LEAKHOUND_STATE_DIR or HOME");
        return LH_EXIT_CONFIG;
    }
    if (lh_revoke_config_routes(&r->routes, &nroutes, file, &o->revoke_urls, secret_env) < 0) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    if (!r->routes) {
        lh_cli_error("revocation is on but no route is configured (--revoke-url or "
                     "revoke.routes)");
        return LH_EXIT_CONFIG;
    }
    double interval = a->flush_interval > 0 ? a->flush_interval : r->cli.cfg.serve.flush_interval;
    int rc =
        lh_flusher_new(&r->flusher, r->state_dir, r->routes, nroutes, r->metrics, interval, LOG_FD);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        return lh_exit_from_error(rc) == LH_EXIT_CLEAN ? LH_EXIT_IO : lh_exit_from_error(rc);
    }
    lh_accesslog_event(LOG_FD, "info", "serve", "revocation: %zu route%s, spool in '%s'", nroutes,
                       nroutes == 1 ? "" : "s", r->state_dir);
    return 0;
}

/*
 * Raises the soft limit on open files towards what max_connections needs (two descriptors
 * a slot, see server.c), up to the hard limit: a default soft limit of 1024 would refuse
 * connections long before the slots run out. Logs a warning when the hard limit is lower.
 */
static void raise_nofile(size_t max_connections)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)(2 * max_connections + FD_HEADROOM);
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want) {
        return;
    }
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want) {
        lh_accesslog_event(LOG_FD, "warning", "serve",
                           "open files limited to %llu, below the %llu that %zu connections "
                           "need: raise the hard limit (ulimit -Hn, LimitNOFILE=)",
                           (unsigned long long)rl.rlim_cur, (unsigned long long)want,
                           max_connections);
    }
}

/* Waits for SIGTERM/SIGINT; refreshes due key lists every second and on SIGHUP. */
static void wait_for_stop(struct endpoint *r, const sigset_t *set)
{
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT) {
            lh_accesslog_event(LOG_FD, "info", "serve", "%s received: stopping",
                               sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
        for (size_t i = 0; i < r->nreporters; i++) {
            if (lh_keyring_refresh(r->rings[i], sig == SIGHUP) < 0) {
                lh_accesslog_event(LOG_FD, "warning", "keys", "%s", lh_error_get());
            } else if (sig == SIGHUP) {
                lh_accesslog_event(LOG_FD, "info", "keys", "reporter '%s': %zu keys reloaded",
                                   r->reporters[i].name, lh_keyring_count(r->rings[i]));
            }
        }
    }
}

static void endpoint_dispose(struct endpoint *r)
{
    lh_server_free(r->server);
    lh_flusher_free(r->flusher);
    lh_handler_free(r->handler);
    for (size_t i = 0; i < r->nreporters; i++) {
        lh_keyring_free(r->rings[i]);
    }
    lh_metrics_free(r->metrics);
    free(r->routes);
    free(r->state_dir);
    lh_cli_run_dispose(&r->cli);
}

static int serve(struct endpoint *r, const struct sargs *a, const sigset_t *set)
{
    const struct lh_serve_cfg *sc = &r->cli.cfg.serve;
    const char *tls_cert = a->tls_cert ? a->tls_cert : sc->tls_cert;
    const char *tls_key = a->tls_key ? a->tls_key : sc->tls_key;
    int ex = 0;
    build_reporters(r->reporters, &r->nreporters, sc, a);
    if (r->nreporters == 0) {
        lh_cli_error("no reporter: give --github-keys FILE (or --github-keys-url URL), or "
                     "serve.reporters in the configuration");
        ex = LH_EXIT_USAGE;
        goto out;
    }
    if (lh_handler_metrics_new(&r->metrics) < 0) {
        lh_cli_error("out of memory");
        ex = LH_EXIT_IO;
        goto out;
    }
    ex = open_keys(r, a);
    if (ex == 0) {
        ex = open_revocation(r, a);
    }
    if (ex) {
        goto out;
    }
    warn_unmatched_types(sc, lh_session_rules(r->cli.session));
    struct lh_handler_opts ho = {
        .detector = lh_session_detector(r->cli.session),
        .verifiers = r->verifiers,
        .nverifiers = r->nreporters,
        .type_map = sc->type_map,
        .ntype_map = sc->ntype_map,
        .feedback_raw = a->feedback ? !strcmp(a->feedback, "token_raw") : sc->feedback_raw,
        .max_body = a->max_body ? a->max_body : sc->max_body,
        .metrics = r->metrics,
        .enqueue = r->flusher ? lh_flusher_enqueue : NULL,
        .enqueue_payload = r->flusher,
    };
    int rc = lh_handler_new(&r->handler, &ho);
    unsigned timeout = (unsigned)(a->timeout ? a->timeout : sc->timeout);
    struct lh_server_opts so = {
        .listen = a->listen    ? a->listen
                  : sc->listen ? sc->listen
                               : DEFAULT_LISTEN,
        .admin_listen = a->admin_listen ? a->admin_listen : sc->admin_listen,
        .path = a->path    ? a->path
                : sc->path ? sc->path
                           : DEFAULT_PATH,
        .tls_cert = tls_cert,
        .tls_key = tls_key,
        .max_connections = a->max_connections ? a->max_connections : sc->max_connections,
        .max_connections_per_ip =
            a->per_ip_set ? a->max_connections_per_ip : sc->max_connections_per_ip,
        .timeout = timeout,
        .header_timeout = a->header_timeout > 0 ? a->header_timeout : sc->header_timeout,
        .request_timeout = a->request_timeout > 0 ? a->request_timeout : sc->request_timeout,
        .body_budget = a->body_budget ? a->body_budget : sc->body_budget,
        .threads = r->cli.args.so.threads ? (unsigned)r->cli.args.so.threads : sc->threads,
        .metrics = r->metrics,
        .log_fd = LOG_FD,
    };
    if (rc == 0) {
        lh_handler_app(&so.app, r->handler);
        raise_nofile(so.max_connections ? so.max_connections : 1000);
        rc = lh_server_start(&r->server, &so);
    }
    if (rc < 0) {
        lh_cli_error("%s", lh_error_get());
        ex = rc == LH_EINVAL ? LH_EXIT_CONFIG : LH_EXIT_IO;
        goto out;
    }
    lh_accesslog_listening(LOG_FD, tls_cert ? "https" : "http", so.listen,
                           lh_server_port(r->server), so.path, lh_server_admin_port(r->server));
    wait_for_stop(r, set);
    size_t left = lh_server_stop(r->server, timeout);
    lh_accesslog_event(LOG_FD, left ? "warning" : "info", "serve",
                       "stopped (%zu request%s cut off after the %u s grace period)", left,
                       left == 1 ? "" : "s", timeout);
out:
    return ex;
}

static int run(const struct lh_cli_command *cmd, int argc, char **argv, int first)
{
    struct sargs a;
    struct endpoint r;
    sigset_t set;
    memset(&a, 0, sizeof(a));
    memset(&r, 0, sizeof(r));
    /* before any thread exists, so that every thread inherits the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int ex = lh_cli_prepare(&r.cli, cmd, argc, argv, first, &a);
    if (ex == 0) {
        a.per_ip_set = lh_cli_given(&r.cli.parsed, cmd, "max-connections-per-ip");
        /* no input: the rules and the detector that classifies reported tokens */
        int rc = lh_session_open(&r.cli.session, &r.cli.args.so, NULL);
        ex = rc < 0 ? lh_cli_fail(rc) : serve(&r, &a, &set);
    }
    endpoint_dispose(&r);
    return lh_cli_status(ex);
}

#define AT(field) offsetof(struct sargs, field)

static const struct lh_cli_option options[] = {
    {.name = "listen",
     .arg = LH_ARG_STRING,
     .metavar = "HOST:PORT",
     .offset = AT(listen),
     .help = "address to listen on (port 0: any free port)",
     .dflt = DEFAULT_LISTEN},
    {.name = "path",
     .arg = LH_ARG_STRING,
     .metavar = "PATH",
     .check = LH_CHECK_SLASH,
     .offset = AT(path),
     .help = "the endpoint's path",
     .dflt = DEFAULT_PATH},
    {.name = "github-keys",
     .arg = LH_ARG_STRING,
     .metavar = "FILE",
     .offset = AT(github_keys),
     .help = "GitHub's public-keys JSON (a local copy)",
     .complete = LH_COMPLETE_FILE},
    {.name = "github-keys-url",
     .arg = LH_ARG_STRING,
     .metavar = "URL",
     .check = LH_CHECK_URL,
     .offset = AT(github_keys_url),
     .help = "fetch (and refresh) the keys from URL, e.g. "
             "https://api.github.com/meta/public_keys/secret_scanning",
     .more = "Cached; refetched once on an unknown key identifier."},
    {.name = "tls-cert",
     .arg = LH_ARG_STRING,
     .metavar = "FILE",
     .offset = AT(tls_cert),
     .help = "serve HTTPS with this PEM certificate (chain)",
     .complete = LH_COMPLETE_FILE},
    {.name = "tls-key",
     .arg = LH_ARG_STRING,
     .metavar = "FILE",
     .offset = AT(tls_key),
     .help = "... and this PEM private key",
     .complete = LH_COMPLETE_FILE,
     .more = "Without a certificate, plain HTTP (behind a TLS-terminating proxy)."},
    {.name = "admin-listen",
     .arg = LH_ARG_STRING,
     .metavar = "HOST:PORT",
     .offset = AT(admin_listen),
     .help = "a second listener for /healthz and /metrics only"},
    {.name = "max-body",
     .arg = LH_ARG_SIZE,
     .lo = 64,
     .hi = 256.0 * 1024 * 1024,
     .offset = AT(max_body),
     .help = "largest request body (413 beyond)",
     .dflt = "1M"},
    {.name = "max-connections",
     .arg = LH_ARG_NUMBER,
     .lo = 1,
     .hi = 100000,
     .offset = AT(max_connections),
     .help = "concurrent connections",
     .dflt = "1000"},
    {.name = "max-connections-per-ip",
     .arg = LH_ARG_NUMBER,
     .lo = 0,
     .hi = 100000,
     .offset = AT(max_connections_per_ip),
     .help = "concurrent connections from one address (0: no limit, behind a reverse proxy)",
     .dflt = "64"},
    {.name = "timeout",
     .arg = LH_ARG_NUMBER,
     .lo = 1,
     .hi = 3600,
     .offset = AT(timeout),
     .metavar = "SECONDS",
     .help = "idle connection timeout and shutdown grace",
     .dflt = "30"},
    {.name = "header-timeout",
     .arg = LH_ARG_SECONDS,
     .lo = 0,
     .hi = 86400,
     .offset = AT(header_timeout),
     .help = "the request's headers complete within this of the connection or of the previous "
             "answer",
     .dflt = "10",
     .more = "A deadline, not an idle timeout."},
    {.name = "request-timeout",
     .arg = LH_ARG_SECONDS,
     .lo = 0,
     .hi = 86400,
     .offset = AT(request_timeout),
     .help = "... and the answer is sent within this",
     .dflt = "30"},
    {.name = "body-budget",
     .arg = LH_ARG_SIZE,
     .lo = 64,
     .hi = 16.0 * 1024 * 1024 * 1024,
     .offset = AT(body_budget),
     .help = "request body bytes held at once over all connections (503 beyond)",
     .dflt = "64M"},
    {.name = "feedback",
     .arg = LH_ARG_CHOICE,
     .choices = "token_hash|token_raw",
     .offset = AT(feedback),
     .help = "the token field of the feedback array",
     .dflt = "token_hash"},
    {.name = "flush-interval",
     .arg = LH_ARG_SECONDS,
     .lo = 0,
     .hi = 86400,
     .offset = AT(flush_interval),
     .help = "revocation spool delivery interval",
     .dflt = "5"},
    {.name = "keys-ttl",
     .arg = LH_ARG_SECONDS,
     .lo = 0,
     .hi = 86400,
     .offset = AT(keys_ttl),
     .help = "refresh URL key lists after this long",
     .dflt = "1800"},
    {.name = "keys-refetch",
     .arg = LH_ARG_SECONDS,
     .lo = 0,
     .hi = 86400,
     .offset = AT(keys_refetch),
     .help = "least time between refetches for unknown key identifiers",
     .dflt = "60"},
    {0},
};

const struct lh_cli_command lh_cli_cmd_serve = {
    .name = "serve",
    .bit = LH_CMD_SERVE,
    .summary = "run the GitHub secret scanning partner endpoint",
    .description = "Runs the endpoint registered with GitHub's secret scanning partner "
                   "program: POST requests are verified (ECDSA P-256 over the raw body), each "
                   "reported token is classified with leakhound's rules and validators, true "
                   "positives go to the revocation spool, and the answer is the feedback "
                   "array. GET /healthz and GET /metrics (Prometheus). A JSON-lines access log "
                   "goes to stderr.\n\n"
                   "Everything can also be set in the configuration under 'serve:' (see "
                   "docs/partner-endpoint.md); options override it. SIGTERM and SIGINT stop "
                   "gracefully; SIGHUP reloads the keys.",
    .exit_status = "0 stopped cleanly, 2 usage, 3 configuration, 4 runtime error.",
    .options = options,
    .run = run,
};
