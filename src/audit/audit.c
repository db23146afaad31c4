/* SPDX-License-Identifier: MIT */
/*
 * The audit of one repository, start to end (see audit.h): the database and the ruleset
 * hash at open; per repository the mirror, the refs, the unchanged check, the history scan
 * with the database's blob filter, provenance, and the store.
 */
#include "audit/audit_int.h"
#include "audit/mirror.h"
#include "engine/history.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/hash.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lh_audit_default_db(void)
{
    char *dir = lh_fs_user_dir("LEAKHOUND_STATE_DIR", "XDG_STATE_HOME", ".local/state");
    if (!dir) {
        lh_error_set("no state directory for the scan database: HOME is not set (use --db)");
        return NULL;
    }
    char *p = lh_path_join(dir, "audit.db");
    free(dir);
    if (!p) {
        lh_error_set("out of memory");
    }
    return p;
}

static int put_list(struct lh_buf *b, const char *key, const struct lh_strlist *l)
{
    int rc = lh_buf_printf(b, "%s=%zu", key, l->count);
    for (size_t i = 0; rc == 0 && i < l->count; i++) {
        rc = lh_buf_printf(b, ":%zu:%s", strlen(l->items[i]), l->items[i]);
    }
    return rc ? rc : lh_buf_putc(b, '\n');
}

static int put_str(struct lh_buf *b, const char *key, const char *s)
{
    return lh_buf_printf(b, "%s=%zu:%s\n", key, s ? strlen(s) : 0, s ? s : "");
}

/* Everything of a rule that changes what it finds; names, docs and examples are left out. */
static int put_rule(struct lh_buf *b, const struct lh_rule *r)
{
    int rc = put_str(b, "id", r->id);
    rc = rc ? rc : put_list(b, "kw", &r->keywords);
    rc = rc ? rc
            : lh_buf_printf(b,
                            "kwc=%d kwb=%d conf=%d soft=%d yields=%d max=%zu dec=%u/%d "
                            "ent=%.6f\n",
                            r->keywords_caseless, (int)r->keywords_boundary, (int)r->confidence,
                            r->validator_soft, r->yields, r->max_length, r->decode, r->has_decode,
                            r->min_entropy);
    rc = rc ? rc : put_list(b, "pre", &r->prefilters);
    rc = rc ? rc : put_list(b, "paths", &r->paths);
    rc = rc ? rc : put_str(b, "pattern", r->pattern);
    rc = rc ? rc : put_str(b, "validator", r->validator);
    for (size_t i = 0; rc == 0 && i < r->nparams; i++) {
        rc = put_str(b, r->params[i].key, r->params[i].value);
    }
    rc = rc ? rc : put_list(b, "allow_re", &r->allow_regexes);
    rc = rc ? rc : put_list(b, "allow_sw", &r->allow_stopwords);
    rc = rc ? rc : put_list(b, "allow_paths", &r->allow_paths);
    /* name and provider are reported from the database: a change shows up after a rescan */
    rc = rc ? rc : put_str(b, "name", r->name);
    rc = rc ? rc : put_str(b, "provider", r->provider);
    return rc;
}

static int ruleset_hash(struct lh_audit *a)
{
    const struct lh_audit_opts *o = a->o;
    const struct lh_scan_opts *so = o->scan;
    struct lh_buf b;
    lh_buf_init(&b, 0);
    int rc = lh_buf_printf(&b, "leakhound-ruleset-1\nversion=%s\nsettings=%s\n",
                           o->tool_version ? o->tool_version : "", o->settings ? o->settings : "");
    if (rc == 0 && so) {
        rc = lh_buf_printf(&b, "max=%zu binary=%d\n", so->max_file_size, so->scan_binary);
        if (rc == 0 && so->exclude) {
            rc = put_list(&b, "exclude", so->exclude);
        }
        if (rc == 0 && so->archive) {
            const struct lh_archive_limits *l = so->archive;
            rc = lh_buf_printf(&b, "archive=%u/%llu/%zu/%llu/%u\n", l->max_depth,
                               (unsigned long long)l->max_size, l->max_member_size,
                               (unsigned long long)l->max_members, l->max_ratio);
        }
    }
    for (size_t i = 0; rc == 0 && i < o->rules->count; i++) {
        const struct lh_rule *r = o->rules->rules[i];
        if (!r->disabled && !r->opt_in) {
            rc = put_rule(&b, r);
        }
    }
    if (rc == 0) {
        lh_sha256_hex(a->hash, b.ptr ? b.ptr : "", b.len);
    }
    lh_buf_dispose(&b);
    return rc;
}

const char *lh_audit_ruleset_hash(const struct lh_audit *a)
{
    return a->hash;
}

static int make_parent(const char *path)
{
    char *dir = strdup(path);
    if (!dir) {
        return lh_error_oom();
    }
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = 0;
        rc = lh_fs_mkdirs(dir);
    }
    free(dir);
    return rc;
}

int lh_audit_open(struct lh_audit **out, const struct lh_audit_opts *o)
{
    *out = NULL;
    if (!o->rules || !o->detector) {
        lh_error_set("an audit needs rules and a detector");
        return LH_EUSAGE;
    }
    if (o->scan && (o->scan->range || o->scan->since || o->scan->push || o->scan->all_objects)) {
        lh_error_set("an audit covers every ref: no range, --since, push or --all-objects");
        return LH_EUSAGE;
    }
    struct lh_audit *a = calloc(1, sizeof(*a));
    if (!a) {
        return lh_error_oom();
    }
    a->o = o;
    a->db_path = o->db_path ? strdup(o->db_path) : lh_audit_default_db();
    if (o->cache_dir) {
        a->cache_dir = strdup(o->cache_dir);
    } else {
        char *c = lh_fs_cache_dir();
        a->cache_dir = c ? lh_path_join(c, "repos") : NULL;
        free(c);
    }
    const char *delay = getenv("LEAKHOUND_TEST_SCAN_DELAY_MS");
    a->delay_ms = delay ? (unsigned)strtoul(delay, NULL, 10) : 0;
    int rc = 0;
    if (!a->db_path) {
        rc = o->db_path ? lh_error_oom() : LH_EIO;
    } else if (!a->cache_dir) {
        lh_error_set("no cache directory for mirrors: HOME is not set (LEAKHOUND_CACHE_DIR)");
        rc = LH_EIO;
    }
    rc = rc ? rc : ruleset_hash(a);
    rc = rc ? rc : make_parent(a->db_path);
    sqlite3 *db = NULL;
    rc = rc ? rc : lh_audit_db_open(&db, a->db_path, true);
    rc = rc ? rc : lh_audit_db_ruleset_id(db, a->hash, &a->ruleset);
    if (rc == 0 && o->organisation) {
        sqlite3_stmt *st = NULL;
        rc = lh_audit_db_prepare(db, &st, "INSERT OR REPLACE INTO meta VALUES('organisation', ?1)");
        if (rc == 0) {
            sqlite3_bind_text(st, 1, o->organisation, -1, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lh_audit_db_fail(db, "scan database");
        }
        sqlite3_finalize(st);
    }
    lh_audit_db_close(db);
    /*
     * Each repository's audit initialises libgit2 and shuts it down. Were the count to reach
     * zero between two concurrent audits (org --jobs), the shutdown would delete libgit2's
     * thread-state key while other workers hold state under it, which then leaks when they
     * exit; the reference the audit holds until lh_audit_close keeps the key alive.
     */
    rc = rc ? rc : lh_git_global_init();
    a->git_ref = rc == 0;
    if (rc < 0) {
        lh_audit_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

void lh_audit_close(struct lh_audit *a)
{
    if (!a) {
        return;
    }
    if (a->git_ref) {
        lh_git_global_shutdown();
    }
    free(a->db_path);
    free(a->cache_dir);
    free(a);
}

/* The directory name of a local repository ("api" for /src/api/.git or /src/api.git). */
static char *local_name(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real) {
        return strdup(path);
    }
    size_t n = strlen(real);
    if (n > 5 && !strcmp(real + n - 5, "/.git")) {
        real[n - 5] = 0;
    }
    char *slash = strrchr(real, '/');
    char *name = strdup(slash && slash[1] ? slash + 1 : real);
    free(real);
    if (name && lh_str_endswith(name, ".git") && strlen(name) > 4) {
        name[strlen(name) - 4] = 0;
    }
    return name;
}

/* Where to scan: the mirror of a remote (made or fetched), or the local path. */
static int locate(struct lh_audit *a, const char *arg, const char *display, char **path,
                  char **name, char **url, struct lh_audit_repo_stats *st)
{
    if (!lh_audit_is_remote(arg)) {
        char *real = realpath(arg, NULL);
        if (!real) {
            lh_error_set("cannot open repository '%s': %s", arg, strerror(errno));
            return errno == ENOENT ? LH_EUSAGE : LH_EIO;
        }
        *url = real;
        *path = strdup(arg);
        *name = display ? strdup(display) : local_name(arg);
        return *path && *name ? 0 : lh_error_oom();
    }
    struct lh_mirror_url u;
    memset(st, 0, sizeof(*st));
    int rc = lh_mirror_url_parse(&u, arg);
    if (rc < 0) {
        return rc;
    }
    struct lh_mirror_opts mo = {
        .cache_dir = a->cache_dir,
        .creds = a->o->creds,
        .token = a->o->token,
        .token_user = a->o->token_user,
        .offline = a->o->offline,
    };
    rc = lh_mirror_update(path, &u, &mo, &st->cloned, &st->fetched);
    if (rc == 0) {
        *url = strdup(u.clean);
        *name = display ? strdup(display) : lh_mirror_url_name(&u);
        rc = *url && *name ? 0 : lh_error_oom();
    }
    lh_mirror_url_dispose(&u);
    return rc;
}

int lh_audit_mirror(char **path, char **name, const char *url_or_path,
                    const struct lh_audit_opts *o)
{
    struct lh_audit a = {.o = o};
    struct lh_audit_repo_stats st;
    char *url = NULL;
    char *nm = NULL;
    *path = NULL;
    if (name) {
        *name = NULL;
    }
    int rc = lh_git_global_init();
    if (rc < 0) {
        return rc;
    }
    if (o->cache_dir) {
        a.cache_dir = strdup(o->cache_dir);
    } else {
        char *c = lh_fs_cache_dir();
        a.cache_dir = c ? lh_path_join(c, "repos") : NULL;
        free(c);
    }
    if (!a.cache_dir) {
        lh_error_set("no cache directory for mirrors: HOME is not set (LEAKHOUND_CACHE_DIR)");
        rc = LH_EIO;
    }
    rc = rc ? rc : locate(&a, url_or_path, NULL, path, &nm, &url, &st);
    if (rc == 0 && !lh_audit_is_remote(url_or_path)) {
        free(*path);
        *path = strdup(url_or_path);
        rc = *path ? 0 : lh_error_oom();
    }
    if (rc == 0 && name) {
        *name = nm;
        nm = NULL;
    }
    if (rc < 0) {
        free(*path);
        *path = NULL;
    }
    free(nm);
    free(url);
    free(a.cache_dir);
    lh_git_global_shutdown();
    return rc;
}

static int scan(struct lh_audit_run *r, const char *path, struct lh_findings *l,
                struct lh_audit_repo_stats *st)
{
    const struct lh_audit_opts *o = r->a->o;
    struct lh_scan_opts so = {0};
    if (o->scan) {
        so = *o->scan;
    }
    so.blob_filter = &r->filter;
    r->out = l;
    r->watermark = l->count; /* the caller's findings before this scan are not ours */
    int rc = lh_history_scan(o->detector, path, &so, l, &st->scan);
    if (rc == 0) {
        /* the last batch (add_known ran before provenance, so this only stores blobs) */
        rc = lh_audit_run_flush(r);
    }
    st->blobs_scanned = atomic_load(&st->scan.items);
    st->blobs_skipped = atomic_load(&st->scan.skipped_known);
    st->blobs_total = st->blobs_scanned + st->blobs_skipped;
    st->errors = atomic_load(&st->scan.errors);
    return rc;
}

/* Distinct secrets among l[first..], all of them or only those suppressed as triaged. */
static size_t distinct_secrets(const struct lh_findings *l, size_t first, bool triaged)
{
    size_t n = 0;
    for (size_t i = first; i < l->count; i++) {
        if (triaged && l->items[i].suppressed_by != LH_SUPP_TRIAGE) {
            continue;
        }
        bool seen = false;
        for (size_t j = first; j < i && !seen; j++) {
            seen = !strcmp(l->items[j].secret_sha256, l->items[i].secret_sha256);
        }
        n += !seen;
    }
    return n;
}

static void count_secrets(const struct lh_findings *l, size_t first, struct lh_audit_repo_stats *st)
{
    st->findings = l->count - first;
    st->secrets = distinct_secrets(l, first, false);
}

/* After triage: how many of the findings and secrets it suppressed. */
static void count_triaged(const struct lh_findings *l, size_t first, struct lh_audit_repo_stats *st)
{
    st->triaged = 0;
    for (size_t i = first; i < l->count; i++) {
        st->triaged += l->items[i].suppressed_by == LH_SUPP_TRIAGE;
    }
    st->triaged_secrets = st->triaged ? distinct_secrets(l, first, true) : 0;
}

static int run_repo(struct lh_audit_run *r, const char *path, struct lh_findings *l,
                    struct lh_audit_repo_stats *st)
{
    git_repository *repo = NULL;
    size_t broken = 0;
    size_t first = l->count;
    int rc = lh_git_open(&repo, path);
    if (rc == 0) {
        rc = lh_git_tips_load(&r->tips, repo, NULL, NULL, &broken);
    }
    git_repository_free(repo);
    if (rc < 0) {
        return rc == LH_ENOTFOUND ? LH_EUSAGE : rc;
    }
    st->refs = r->tips.count;
    rc = lh_audit_run_begin(r);
    bool same = false;
    rc = rc ? rc : lh_audit_run_unchanged(r, &same);
    if (rc == 0 && same) {
        st->unchanged = true;
        st->blobs_total = st->blobs_skipped = r->known_blobs;
        st->errors = r->known_errors;
        atomic_store(&st->scan.errors, r->known_errors);
        size_t n = 0;
        rc = lh_audit_run_load(r, l, &n);
        count_secrets(l, first, st);
        if (rc == 0) {
            rc = lh_audit_run_store(r, l, first, st, true);
        }
        return rc;
    }
    rc = rc ? rc : scan(r, path, l, st);
    if (rc == 0) {
        /*
         * A finished run is complete: its refs are stored, and a re-run with the same refs
         * and rules is not walked. What could not be read (objects missing from a partial
         * mirror, a corrupt archive inside a blob) is counted with it and reported again by
         * such a re-run; it is retried when the refs change.
         */
        bool complete = true;
        count_secrets(l, first, st);
        rc = lh_audit_run_store(r, l, first, st, complete);
    }
    return rc;
}

int lh_audit_repo_findings(struct lh_audit *a, const char *url_or_path, const char *display_name,
                           struct lh_findings *out, struct lh_audit_repo_stats *st)
{
    struct lh_audit_repo_stats local;
    if (!st) {
        st = &local;
    }
    memset(st, 0, sizeof(*st));
    double t0 = lh_clock_now();
    char *path = NULL;
    char *name = NULL;
    char *url = NULL;
    struct lh_audit_run r = {.a = a};
    int rc = lh_git_global_init();
    if (rc < 0) {
        return rc;
    }
    rc = locate(a, url_or_path, display_name, &path, &name, &url, st);
    if (rc == 0) {
        snprintf(st->name, sizeof(st->name), "%s", name);
        r.name = name;
        r.url = url;
        rc = lh_audit_db_open(&r.db, a->db_path, false);
    }
    size_t first = out->count;
    if (rc == 0) {
        rc = run_repo(&r, path, out, st);
    }
    if (rc == 0) {
        rc = lh_audit_run_triage(&r, out, first);
        count_triaged(out, first, st);
    }
    lh_audit_run_end(&r);
    lh_audit_db_close(r.db);
    lh_git_tips_dispose(&r.tips);
    free(path);
    free(name);
    free(url);
    lh_git_global_shutdown();
    st->seconds = lh_clock_now() - t0;
    return rc;
}

int lh_audit_repo(struct lh_audit *a, const char *url_or_path, const char *display_name,
                  struct lh_audit_repo_stats *st)
{
    struct lh_findings l;
    lh_findings_init(&l);
    int rc = lh_audit_repo_findings(a, url_or_path, display_name, &l, st);
    lh_findings_dispose(&l);
    return rc;
}
