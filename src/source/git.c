/* SPDX-License-Identifier: MIT */
/* Repository opening, ref tips, commit metadata and bounded blob reads; see git.h. */
#include "source/git.h"

#include "util/encode.h"
#include "util/fs.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Pack windows: small enough that a long scan never keeps a whole multi-GB pack mapped. */
#define MWINDOW_SIZE ((size_t)64 * 1024 * 1024)
#define MWINDOW_MAPPED_LIMIT ((size_t)256 * 1024 * 1024)
#define MAX_TIPS ((size_t)1 << 24)

int lh_git_fail(const char *what_fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, what_fmt);
    lh_vformat_mid(what, sizeof(what), what_fmt, ap);
    va_end(ap);
    const git_error *e = git_error_last();
    lh_error_set("%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
    return LH_EGIT;
}

void lh_git_hex(char out[GIT_OID_HEXSZ + 1], const git_oid *id)
{
    /* no libgit2 call: also used on ids from the index reader, which needs no library */
    int rc = lh_encode_hex(out, GIT_OID_HEXSZ + 1, id->id, GIT_OID_RAWSZ, false);
    LH_ASSERT(rc == 0);
    (void)rc;
}

int lh_git_global_init(void)
{
    int rc = lh_libgit2_load("git repositories");
    if (rc < 0) {
        return rc;
    }
    if (git_libgit2_init() < 0) {
        return lh_git_fail("cannot initialize libgit2");
    }
    /*
     * Process-wide settings, the same for every caller. Hash verification re-hashes every
     * object read (SHA-1 with collision detection: a third of the read cost) to catch
     * corruption that the zlib checksum already catches in practice.
     */
    if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0 ||
        git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0) < 0 ||
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, MWINDOW_SIZE) < 0 ||
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, MWINDOW_MAPPED_LIMIT) < 0 ||
        git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0) < 0) {
        rc = lh_git_fail("cannot configure libgit2");
        git_libgit2_shutdown();
        return rc;
    }
    return 0;
}

void lh_git_global_shutdown(void)
{
    git_libgit2_shutdown();
}

/*
 * Refuses a repository whose objects are not SHA-1 (extensions.objectformat = sha256), which
 * libgit2 1.5 cannot read, before git_repository_open_ext sees it: that refuses it too, but
 * with "unsupported extension name extensions.objectformat" and, on the way, leaks the PCRE2
 * match data of every config entry its extension check does not match (git_regexp_match
 * returns before freeing it on no-match): 144 KB (issue #15). The repository's own config
 * file is read with the plain config API, which matches no regex. Returns 0 (SHA-1, or
 * nothing to read: libgit2 decides) or LH_EGIT with the message docs/git.md documents.
 */
static int check_object_format(const char *path)
{
    git_buf gitdir = {0};
    git_buf fmt = {0};
    git_config *cfg = NULL;
    char *file = NULL;
    int rc = 0;
    if (git_repository_discover(&gitdir, path, 0, NULL) < 0 || !gitdir.ptr) {
        goto out; /* not a repository: git_repository_open_ext says so */
    }
    file = lh_path_join(gitdir.ptr, "config");
    if (!file) {
        rc = lh_error_oom();
        goto out;
    }
    if (access(file, F_OK) != 0 || git_config_open_ondisk(&cfg, file) < 0) {
        goto out;
    }
    if (git_config_get_string_buf(&fmt, cfg, "extensions.objectformat") == 0 && fmt.ptr &&
        strcasecmp(fmt.ptr, "sha1") != 0) {
        lh_error_set("'%s' is a %.32s object-format repository; leakhound reads SHA-1 "
                     "repositories only (see docs/git.md)",
                     path, fmt.ptr);
        rc = LH_EGIT;
    }
out:
    git_config_free(cfg);
    git_buf_dispose(&fmt);
    git_buf_dispose(&gitdir);
    free(file);
    return rc;
}

int lh_git_open(git_repository **out, const char *path)
{
    *out = NULL;
    int rc = check_object_format(path);
    if (rc < 0) {
        return rc;
    }
    rc = git_repository_open_ext(out, path, 0, NULL);
    if (rc == GIT_ENOTFOUND) {
        lh_error_set("'%s' is not a git repository", path);
        return LH_ENOTFOUND;
    }
    if (rc < 0) {
        return lh_git_fail("cannot open the repository '%s'", path);
    }
    return 0;
}

int lh_git_reopen(git_repository **out, git_repository *repo)
{
    const char *gitdir = git_repository_path(repo);
    *out = NULL;
    if (git_repository_open_ext(
            out, gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE, NULL) < 0) {
        return lh_git_fail("cannot open the repository '%s'", gitdir);
    }
    return 0;
}

/* ---- tips ---- */

static int push_tip(struct lh_git_tips *t, size_t *alloc, const char *name, const git_oid *id,
                    git_object_t type)
{
    if (t->count == *alloc) {
        if (t->count >= MAX_TIPS) {
            lh_error_set("more than %zu refs", MAX_TIPS);
            return LH_ETOOBIG;
        }
        size_t n = *alloc ? *alloc * 2 : 64;
        struct lh_git_tip *items = realloc(t->items, n * sizeof(*items));
        if (!items) {
            return lh_error_oom();
        }
        t->items = items;
        *alloc = n;
    }
    char *copy = strdup(name);
    if (!copy) {
        return lh_error_oom();
    }
    t->items[t->count].name = copy;
    t->items[t->count].id = *id;
    t->items[t->count].type = type;
    t->count++;
    return 0;
}

static void warnf(lh_git_warn_fn warn, void *payload, const char *fmt, ...) LH_PRINTF(3, 4);
static void warnf(lh_git_warn_fn warn, void *payload, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!warn) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    warn(msg, payload);
}

/*
 * Peels `id` through annotated tags to a commit, tree or blob. Only tags are read: the
 * header gives the type of anything else, and a mirror can have tens of thousands of refs.
 * Returns 0 (a broken ref is warned about and counted) or a negative code.
 */
static int add_peeled(struct lh_git_tips *t, size_t *alloc, git_repository *repo, git_odb *odb,
                      const char *name, const git_oid *id, lh_git_warn_fn warn, void *payload,
                      size_t *broken)
{
    git_object *obj = NULL;
    git_object *peeled = NULL;
    char hex[GIT_OID_HEXSZ + 1];
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    const git_oid *target = id;
    int rc = 0;
    if (git_odb_read_header(&size, &type, odb, id) < 0) {
        goto broken;
    }
    if (type == GIT_OBJECT_TAG) {
        if (git_object_lookup(&obj, repo, id, GIT_OBJECT_TAG) < 0 ||
            git_object_peel(&peeled, obj, GIT_OBJECT_ANY) < 0) {
            goto broken;
        }
        target = git_object_id(peeled);
        type = git_object_type(peeled);
    }
    if (type == GIT_OBJECT_COMMIT || type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB) {
        rc = push_tip(t, alloc, name, target, type);
    }
    goto out;
broken:
    lh_git_hex(hex, id);
    {
        const git_error *e = git_error_last();
        warnf(warn, payload, "ref '%s' points to an unreadable object %s: %s", name, hex,
              e && e->message ? e->message : "unknown error");
    }
    (*broken)++;
out:
    git_object_free(peeled);
    git_object_free(obj);
    return rc;
}

static int add_stash_entries(struct lh_git_tips *t, size_t *alloc, git_repository *repo,
                             git_odb *odb, lh_git_warn_fn warn, void *payload, size_t *broken)
{
    git_reflog *log = NULL;
    int rc = 0;
    if (git_reflog_read(&log, repo, "refs/stash") < 0) {
        return 0; /* no stash reflog: nothing more to add */
    }
    /* entry 0 is refs/stash itself, already a tip */
    size_t n = git_reflog_entrycount(log);
    for (size_t i = 1; rc == 0 && i < n; i++) {
        const git_reflog_entry *e = git_reflog_entry_byindex(log, i);
        char name[64];
        snprintf(name, sizeof(name), "refs/stash@{%zu}", i);
        if (e && !git_oid_is_zero(git_reflog_entry_id_new(e))) {
            rc = add_peeled(t, alloc, repo, odb, name, git_reflog_entry_id_new(e), warn, payload,
                            broken);
        }
    }
    git_reflog_free(log);
    return rc;
}

static int cmp_tip(const void *a, const void *b)
{
    return strcmp(((const struct lh_git_tip *)a)->name, ((const struct lh_git_tip *)b)->name);
}

int lh_git_tips_load(struct lh_git_tips *out, git_repository *repo, lh_git_warn_fn warn,
                     void *payload, size_t *broken)
{
    git_reference_iterator *it = NULL;
    git_reference *ref = NULL;
    git_odb *odb = NULL;
    size_t alloc = 0;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (git_repository_odb(&odb, repo) < 0 || git_reference_iterator_new(&it, repo) < 0) {
        rc = lh_git_fail("cannot list the refs of '%s'", git_repository_path(repo));
        goto out;
    }
    for (;;) {
        int nrc = git_reference_next(&ref, it);
        if (nrc == GIT_ITEROVER) {
            break;
        }
        if (nrc < 0) {
            rc = lh_git_fail("cannot list the refs of '%s'", git_repository_path(repo));
            goto out;
        }
        /* symbolic refs (origin/HEAD) repeat the ref they point to */
        if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
            rc = add_peeled(out, &alloc, repo, odb, git_reference_name(ref),
                            git_reference_target(ref), warn, payload, broken);
        }
        git_reference_free(ref);
        ref = NULL;
        if (rc < 0) {
            goto out;
        }
    }
    if (git_repository_head_detached(repo) == 1) {
        git_oid head;
        if (git_reference_name_to_id(&head, repo, "HEAD") == 0) {
            rc = add_peeled(out, &alloc, repo, odb, "HEAD", &head, warn, payload, broken);
            if (rc < 0) {
                goto out;
            }
        }
    }
    rc = add_stash_entries(out, &alloc, repo, odb, warn, payload, broken);
    if (rc == 0 && out->count > 1) {
        qsort(out->items, out->count, sizeof(*out->items), cmp_tip);
    }
out:
    git_reference_free(ref);
    git_reference_iterator_free(it);
    git_odb_free(odb);
    if (rc < 0) {
        lh_git_tips_dispose(out);
    }
    return rc;
}

void lh_git_tips_dispose(struct lh_git_tips *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->items[i].name);
    }
    free(t->items);
    memset(t, 0, sizeof(*t));
}

/* ---- commit metadata ---- */

static char *format_date(git_time_t when, int offset_min)
{
    char buf[64];
    time_t local = (time_t)(when + (git_time_t)offset_min * 60);
    struct tm tm;
    if (!gmtime_r(&local, &tm)) {
        return strdup("");
    }
    char sign = offset_min < 0 ? '-' : '+';
    int off = offset_min < 0 ? -offset_min : offset_min;
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, (off / 60) % 100,
             off % 60);
    return strdup(buf);
}

static char *format_signature(const git_signature *sig)
{
    const char *name = sig && sig->name ? sig->name : "";
    const char *email = sig && sig->email ? sig->email : "";
    size_t n = strlen(name) + strlen(email) + 4;
    char *s = malloc(n);
    if (s) {
        snprintf(s, n, "%s <%s>", name, email);
    }
    return s;
}

int lh_git_commit_info_load(struct lh_git_commit_info *out, git_repository *repo,
                            const git_oid *commit)
{
    git_commit *c = NULL;
    char hex[GIT_OID_HEXSZ + 1];
    memset(out, 0, sizeof(*out));
    if (git_commit_lookup(&c, repo, commit) < 0) {
        lh_git_hex(hex, commit);
        return lh_git_fail("cannot read commit %s", hex);
    }
    const git_signature *author = git_commit_author(c);
    const char *summary = git_commit_summary(c);
    out->author = format_signature(author);
    out->date = author ? format_date(author->when.time, author->when.offset)
                       : format_date(git_commit_time(c), git_commit_time_offset(c));
    out->summary = strdup(summary ? summary : "");
    git_commit_free(c);
    if (!out->author || !out->date || !out->summary) {
        lh_git_commit_info_dispose(out);
        return lh_error_oom();
    }
    return 0;
}

void lh_git_commit_info_dispose(struct lh_git_commit_info *ci)
{
    free(ci->author);
    free(ci->date);
    free(ci->summary);
    memset(ci, 0, sizeof(*ci));
}

/* ---- blobs ---- */

static const char *type_name(git_object_t t)
{
    const char *s = git_object_type2string(t);
    return s && *s ? s : "unknown object";
}

int lh_git_blob_read(git_odb_object **out, git_odb *odb, const git_oid *id, size_t max)
{
    char hex[GIT_OID_HEXSZ + 1];
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    *out = NULL;
    if (git_odb_read_header(&size, &type, odb, id) < 0) {
        lh_git_hex(hex, id);
        return lh_git_fail("cannot read object %s", hex);
    }
    if (type != GIT_OBJECT_BLOB) {
        lh_git_hex(hex, id);
        lh_error_set("object %s is a %s, not a blob", hex, type_name(type));
        return LH_EINVAL;
    }
    if (size > max) {
        lh_git_hex(hex, id);
        lh_error_set("blob %s is %zu bytes, over the limit of %zu", hex, size, max);
        return LH_ETOOBIG;
    }
    if (git_odb_read(out, odb, id) < 0) {
        lh_git_hex(hex, id);
        return lh_git_fail("cannot read object %s", hex);
    }
    return 0;
}

int lh_git_blob_scan(git_odb *odb, const git_oid *id, const char *path, lh_line_filter_fn lines,
                     const void *lines_payload, const struct lh_input_env *env,
                     struct lh_sink *sink)
{
    git_odb_object *obj = NULL;
    int rc = lh_git_blob_read(&obj, odb, id, lh_input_max_size(env));
    if (rc == LH_ETOOBIG) {
        lh_input_skip(env, LH_SKIP_LARGE, NULL);
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    char hex[GIT_OID_HEXSZ + 1];
    const uint8_t *data = git_odb_object_data(obj);
    lh_git_hex(hex, id);
    struct lh_item item = {
        .buf = data ? data : (const uint8_t *)"",
        .len = git_odb_object_size(obj),
        .origin = {.kind = LH_ORIGIN_BLOB, .path = path, .id = hex},
        .lines = lines,
        .lines_payload = lines_payload,
    };
    rc = sink->scan(sink, &item);
    if (rc > 0 && data) {
        /* the object is ours alone (the object cache is off): wipe what held a secret */
        OPENSSL_cleanse((void *)(uintptr_t)data, item.len);
    }
    git_odb_object_free(obj);
    return rc > 0 ? 0 : rc;
}
