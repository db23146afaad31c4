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
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit.h"
#include "notify/revoke.h"
#include "server/accesslog.h"
#include "server/flusher.h"
#include "server/handler.h"
#include "server/keyring.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/verify.h"
#include "util/fs.h"

#define LOG_FD 2
#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_PATH "/github/secret-scanning"
#define GITHUB_ID_HEADER "Github-Public-Key-Identifier"
#define GITHUB_SIG_HEADER "Github-Public-Key-Signature"
#define MAX_REPORTERS 16
/* descriptors beyond two per connection slot (the server briefly holds connections it has
 * closed alongside their replacements): admin listener, spool, key lists, logs */
#define FD_HEADROOM 256

enum {
    S_LISTEN = OPT_COMMON_LAST + 1,
    S_PATH,
    S_GITHUB_KEYS,
    S_GITHUB_KEYS_URL,
    S_TLS_CERT,
    S_TLS_KEY,
    S_ADMIN_LISTEN,
    S_MAX_BODY,
    S_MAX_CONNECTIONS,
    S_MAX_CONNECTIONS_PER_IP,
    S_TIMEOUT,
    S_HEADER_TIMEOUT,
    S_REQUEST_TIMEOUT,
    S_BODY_BUDGET,
    S_FEEDBACK,
    S_FLUSH_INTERVAL,
    S_KEYS_TTL,
    S_KEYS_REFETCH,
};

static const struct option serve_longopts[] = {
    {"listen", required_argument, NULL, S_LISTEN},
    {"path", required_argument, NULL, S_PATH},
    {"github-keys", required_argument, NULL, S_GITHUB_KEYS},
    {"github-keys-url", required_argument, NULL, S_GITHUB_KEYS_URL},
    {"tls-cert", required_argument, NULL, S_TLS_CERT},
    {"tls-key", required_argument, NULL, S_TLS_KEY},
    {"admin-listen", required_argument, NULL, S_ADMIN_LISTEN},
    {"max-body", required_argument, NULL, S_MAX_BODY},
    {"max-connections", required_argument, NULL, S_MAX_CONNECTIONS},
    {"max-connections-per-ip", required_argument, NULL, S_MAX_CONNECTIONS_PER_IP},
    {"timeout", required_argument, NULL, S_TIMEOUT},
    {"header-timeout", required_argument, NULL, S_HEADER_TIMEOUT},
    {"request-timeout", required_argument, NULL, S_REQUEST_TIMEOUT},
    {"body-budget", required_argument, NULL, S_BODY_BUDGET},
    {"feedback", required_argument, NULL, S_FEEDBACK},
    {"flush-interval", required_argument, NULL, S_FLUSH_INTERVAL},
    {"keys-ttl", required_argument, NULL, S_KEYS_TTL},
    {"keys-refetch", required_argument, NULL, S_KEYS_REFETCH},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fputs("usage: leakhound serve [options]\n"
          "\n"
          "Runs the endpoint registered with GitHub's secret scanning partner program:\n"
          "POST requests are verified (ECDSA P-256 over the raw body), each reported token\n"
          "is classified with leakhound's rules and validators, true positives go to the\n"
          "revocation spool, and the answer is the feedback array. GET /healthz and\n"
          "GET /metrics (Prometheus). JSON-lines access log on stderr.\n"
          "\n"
          "  --listen HOST:PORT        address (default 127.0.0.1:8080; port 0: any free)\n"
          "  --path PATH               endpoint path (default /github/secret-scanning)\n"
          "  --github-keys FILE        GitHub's public-keys JSON (local copy)\n"
          "  --github-keys-url URL     fetch (and refresh) the keys from URL, e.g.\n"
          "                            https://api.github.com/meta/public_keys/secret_scanning\n"
          "  --tls-cert FILE           serve HTTPS with this PEM certificate (chain) ...\n"
          "  --tls-key FILE            ... and this PEM private key\n"
          "  --admin-listen HOST:PORT  extra listener for /healthz and /metrics only\n"
          "  --max-body SIZE           largest request body (default 1M; 413 beyond)\n"
          "  --max-connections N       concurrent connections (default 1000)\n"
          "  --max-connections-per-ip N  connections from one address (default 64;\n"
          "                            0: no limit, behind a reverse proxy)\n"
          "  --timeout SECONDS         idle connection timeout and shutdown grace (default 30)\n"
          "  --header-timeout SECONDS  headers complete within this of the connection or\n"
          "                            of the previous answer (default 10)\n"
          "  --request-timeout SECONDS ... and the answer sent within this (default 30)\n"
          "  --body-budget SIZE        body bytes held over all connections; 503 beyond\n"
          "                            (default 64M)\n"
          "  --threads N               request threads (default 4)\n"
          "  --feedback token_hash|token_raw   feedback field (default token_hash)\n"
          "  --flush-interval SECONDS  revocation spool delivery interval (default 5)\n"
          "  --keys-ttl SECONDS        refresh URL key lists after this long (default 1800)\n"
          "  --keys-refetch SECONDS    least time between refetches for unknown key ids\n"
          "                            (default 60)\n"
          "  --revoke, --revoke-url URL, --state-dir DIR   revocation of true positives\n"
          "  --config FILE, --rules PATH, --no-builtin-rules, --enable-rule ID,\n"
          "  --disable-rule ID         as for scan\n"
          "\n"
          "Everything can also be set in .leakhound.yml under `serve:` (see\n"
          "docs/partner-endpoint.md). SIGTERM/SIGINT stop gracefully; SIGHUP reloads keys.\n"
          "Exit: 0 stopped cleanly, 2 usage, 3 configuration, 4 runtime error.\n",
          f);
}

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
    int feedback_raw; /* -1: not given */
    double flush_interval;
    double keys_ttl;
    double keys_refetch;
};

static int parse_seconds(double *out, const char *arg, const char *name)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v > 0 && v <= 86400)) {
        lh_cli_error("%s takes seconds between 0 and 86400, not '%s'", name, arg);
        return -1;
    }
    *out = v;
    return 1;
}

static int parse_count(size_t *out, const char *arg, size_t lo, size_t hi, const char *name)
{
    if (lh_cli_parse_size(out, arg) < 0 || *out < lo || *out > hi) {
        lh_cli_error("%s takes a number from %zu to %zu, not '%s'", name, lo, hi, arg);
        return -1;
    }
    return 1;
}

static int handle_opt(int opt, const char *arg, void *payload)
{
    struct sargs *a = payload;
    switch (opt) {
    case S_LISTEN:
        a->listen = arg;
        return 1;
    case S_PATH:
        if (arg[0] != '/') {
            lh_cli_error("--path must start with '/', not '%s'", arg);
            return -1;
        }
        a->path = arg;
        return 1;
    case S_GITHUB_KEYS:
        a->github_keys = arg;
        return 1;
    case S_GITHUB_KEYS_URL:
        if (strncmp(arg, "https://", 8) != 0 && strncmp(arg, "http://", 7) != 0) {
            lh_cli_error("--github-keys-url must start with https:// or http://, not '%s'", arg);
            return -1;
        }
        a->github_keys_url = arg;
        return 1;
    case S_TLS_CERT:
        a->tls_cert = arg;
        return 1;
    case S_TLS_KEY:
        a->tls_key = arg;
        return 1;
    case S_ADMIN_LISTEN:
        a->admin_listen = arg;
        return 1;
    case S_MAX_BODY:
        if (lh_cli_parse_size(&a->max_body, arg) < 0 || a->max_body < 64 ||
            a->max_body > 256u * 1024u * 1024u) {
            lh_cli_error("--max-body takes a size from 64 bytes to 256M, not '%s'", arg);
            return -1;
        }
        return 1;
    case S_MAX_CONNECTIONS:
        return parse_count(&a->max_connections, arg, 1, 100000, "--max-connections");
    case S_MAX_CONNECTIONS_PER_IP:
        a->per_ip_set = true;
        return parse_count(&a->max_connections_per_ip, arg, 0, 100000, "--max-connections-per-ip");
    case S_TIMEOUT:
        return parse_count(&a->timeout, arg, 1, 3600, "--timeout");
    case S_HEADER_TIMEOUT:
        return parse_seconds(&a->header_timeout, arg, "--header-timeout");
    case S_REQUEST_TIMEOUT:
        return parse_seconds(&a->request_timeout, arg, "--request-timeout");
    case S_BODY_BUDGET:
        return parse_count(&a->body_budget, arg, 64, 16ull * 1024u * 1024u * 1024u,
                           "--body-budget");
    case S_FEEDBACK:
        if (strcmp(arg, "token_hash") && strcmp(arg, "token_raw")) {
            lh_cli_error("--feedback takes token_hash or token_raw, not '%s'", arg);
            return -1;
        }
        a->feedback_raw = !strcmp(arg, "token_raw");
        return 1;
    case S_FLUSH_INTERVAL:
        return parse_seconds(&a->flush_interval, arg, "--flush-interval");
    case S_KEYS_TTL:
        return parse_seconds(&a->keys_ttl, arg, "--keys-ttl");
    case S_KEYS_REFETCH:
        return parse_seconds(&a->keys_refetch, arg, "--keys-refetch");
    default:
        return 0;
    }
}

struct reporter {
    const char *name;
    const char *key_id_header;
    const char *signature_header;
    char *keys_file; /* owned */
    const char *keys_url;
};

/* The configured reporters, with --github-keys[-url] applied to (or adding) "github". */
static int build_reporters(struct reporter *out, size_t *n, const struct lh_config *cfg,
                           const struct sargs *a)
{
    const struct lh_serve_cfg *sc = &cfg->serve;
    struct reporter *gh = NULL;
    *n = 0;
    for (size_t i = 0; i < sc->nreporters && i < MAX_REPORTERS; i++) {
        const struct lh_reporter_cfg *r = &sc->reporters[i];
        out[*n] = (struct reporter){r->name, r->key_id_header, r->signature_header,
                                    lh_cli_config_relative(cfg, r->keys_file), r->keys_url};
        if (r->keys_file && !out[*n].keys_file) {
            return -1;
        }
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
        free(gh->keys_file);
        gh->keys_file = strdup(a->github_keys);
        if (!gh->keys_file) {
            return -1;
        }
    }
    if (gh && a->github_keys_url) {
        gh->keys_url = a->github_keys_url;
    }
    return 0;
}

static void warn_unmatched_types(const struct lh_cli_session *s)
{
    const struct lh_serve_cfg *sc = &s->cfg.serve;
    for (size_t t = 0; t < sc->ntype_map; t++) {
        for (size_t g = 0; g < sc->type_map[t].rule_ids.count; g++) {
            const char *glob = sc->type_map[t].rule_ids.items[g];
            bool hit = false;
            for (size_t r = 0; !hit && r < s->rs->count; r++) {
                hit = fnmatch(glob, s->rs->rules[r]->id, 0) == 0;
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

struct run {
    struct lh_cli_session s;
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

static int open_keys(struct run *r, const struct sargs *a)
{
    const struct lh_serve_cfg *sc = &r->s.cfg.serve;
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

static int open_revocation(struct run *r, const struct lh_cli_opts *o, const struct sargs *a)
{
    static char secret_env[] = "LEAKHOUND_REVOKE_SECRET";
    size_t nroutes = 0;
    if (!o->revoke && !r->s.cfg.revoke_enabled) {
        lh_accesslog_event(LOG_FD, "info", "serve",
                           "revocation is off: true positives are only reported back");
        return 0;
    }
    r->state_dir = lh_cli_revoke_state_dir(o->state_dir, &r->s.cfg);
    if (!r->state_dir) {
        lh_cli_error("no state directory for revocation: set --state-dir, "
                     "LEAKHOUND_STATE_DIR or HOME");
        return LH_EXIT_CONFIG;
    }
    if (lh_cli_revoke_routes(&r->routes, &nroutes, &r->s.cfg, &o->revoke_urls, secret_env) < 0) {
        lh_cli_error("out of memory");
        return LH_EXIT_IO;
    }
    if (!r->routes) {
        lh_cli_error("revocation is on but no route is configured (--revoke-url or "
                     "revoke.routes)");
        return LH_EXIT_CONFIG;
    }
    double interval = a->flush_interval > 0 ? a->flush_interval : r->s.cfg.serve.flush_interval;
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
static void wait_for_stop(struct run *r, const sigset_t *set)
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

static void run_dispose(struct run *r)
{
    lh_server_free(r->server);
    lh_flusher_free(r->flusher);
    lh_handler_free(r->handler);
    for (size_t i = 0; i < r->nreporters; i++) {
        lh_keyring_free(r->rings[i]);
        free(r->reporters[i].keys_file);
    }
    lh_metrics_free(r->metrics);
    free(r->routes);
    free(r->state_dir);
    lh_cli_session_close(&r->s);
}

static int serve(struct run *r, struct lh_cli_opts *o, const struct sargs *a, const sigset_t *set)
{
    const struct lh_serve_cfg *sc = &r->s.cfg.serve;
    char *tls_cert =
        a->tls_cert ? strdup(a->tls_cert) : lh_cli_config_relative(&r->s.cfg, sc->tls_cert);
    char *tls_key =
        a->tls_key ? strdup(a->tls_key) : lh_cli_config_relative(&r->s.cfg, sc->tls_key);
    int ex = 0;
    if (build_reporters(r->reporters, &r->nreporters, &r->s.cfg, a) < 0) {
        lh_cli_error("out of memory");
        ex = LH_EXIT_IO;
        goto out;
    }
    if (r->nreporters == 0) {
        lh_cli_error("no reporter: give --github-keys FILE (or --github-keys-url URL), or "
                     "serve.reporters in the configuration");
        ex = LH_EXIT_USAGE;
        goto out;
    }
    if (lh_metrics_new(&r->metrics) < 0) {
        lh_cli_error("out of memory");
        ex = LH_EXIT_IO;
        goto out;
    }
    ex = open_keys(r, a);
    if (ex == 0) {
        ex = open_revocation(r, o, a);
    }
    if (ex) {
        goto out;
    }
    warn_unmatched_types(&r->s);
    struct lh_handler_opts ho = {
        .detector = r->s.det,
        .verifiers = r->verifiers,
        .nverifiers = r->nreporters,
        .type_map = sc->type_map,
        .ntype_map = sc->ntype_map,
        .feedback_raw = a->feedback_raw >= 0 ? a->feedback_raw == 1 : sc->feedback_raw,
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
        .threads = o->threads ? (unsigned)o->threads : sc->threads,
        .handler = r->handler,
        .metrics = r->metrics,
        .log_fd = LOG_FD,
    };
    if (rc == 0) {
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
    free(tls_cert);
    free(tls_key);
    return ex;
}

int lh_cmd_serve(int argc, char **argv)
{
    struct lh_cli_opts o;
    struct sargs a;
    struct run r;
    sigset_t set;
    memset(&a, 0, sizeof(a));
    memset(&r, 0, sizeof(r));
    a.feedback_raw = -1;
    lh_cli_opts_init(&o);
    lh_config_init(&r.s.cfg);
    /* before any thread exists, so that every thread inherits the mask */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int ex = lh_cli_parse(&o, argc, argv, serve_longopts, handle_opt, &a, usage);
    if (ex) {
        ex = ex < 0 ? 0 : ex;
        goto out;
    }
    if (optind < argc) {
        lh_cli_error("serve takes no arguments ('%s')", argv[optind]);
        ex = LH_EXIT_USAGE;
        goto out;
    }
    ex = lh_cli_session_open(&r.s, &o, ".");
    if (ex == 0) {
        ex = serve(&r, &o, &a, &set);
    }
out:
    run_dispose(&r);
    lh_cli_opts_dispose(&o);
    return ex;
}
