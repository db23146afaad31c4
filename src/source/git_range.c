/* SPDX-License-Identifier: MIT */
/* Commit lists for --range, --since and pre-push, with fallbacks; see git_range.h. The
 * pre-push input parser is git_push.c. */
#include "source/git_range.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_branches[] = {
    "refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/remotes/origin/master",
    "refs/heads/main",          "refs/heads/master",        NULL,
};

static void notice(const struct lh_git_range_req *req, const char *fmt, ...) LH_PRINTF(2, 3);
static void notice(const struct lh_git_range_req *req, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!req->notice) {
        return;
    }
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    req->notice(msg, req->notice_payload);
}

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* Written as a commit id (full or abbreviated), not as a ref name. */
static bool id_like(const char *s)
{
    size_t n = strlen(s);
    return n >= 7 && n <= GIT_OID_HEXSZ && all_hex(s, n);
}

/* All zeros: git's "no commit" (the before of a new branch). */
static bool all_zero(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && strspn(s, "0") == n;
}

/* Resolves spec to a commit. Returns 0, LH_ENOTFOUND, or LH_EINVAL (not a commit). */
static int lookup(git_oid *out, git_repository *repo, const char *spec)
{
    git_object *obj = NULL;
    git_object *commit = NULL;
    if (git_revparse_single(&obj, repo, spec) < 0) {
        return LH_ENOTFOUND;
    }
    int rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
    git_object_free(obj);
    if (rc < 0) {
        lh_error_set("revision '%s' is not a commit", spec);
        return LH_EINVAL;
    }
    *out = *git_object_id(commit);
    git_object_free(commit);
    return 0;
}

/* "refs/remotes/origin/HEAD" -> "origin/HEAD" for messages. */
static const char *short_name(const char *ref)
{
    if (!strncmp(ref, "refs/remotes/", 13)) {
        return ref + 13;
    }
    if (!strncmp(ref, "refs/heads/", 11)) {
        return ref + 11;
    }
    return ref;
}

/*
 * Resolves one side of a range (len bytes of spec; empty: HEAD) to a commit. Returns 0 or
 * LH_EUSAGE ("unknown revision 'x'", "revision 'x' is not a commit").
 */
static int resolve(git_oid *out, git_repository *repo, const char *spec, size_t len)
{
    char name[1024];
    if (len == 0) {
        spec = "HEAD";
        len = 4;
    }
    if (len >= sizeof(name)) {
        lh_error_set("unknown revision '%.64s...'", spec);
        return LH_EUSAGE;
    }
    memcpy(name, spec, len);
    name[len] = '\0';
    int rc = lookup(out, repo, name);
    if (rc == LH_ENOTFOUND) {
        lh_error_set("unknown revision '%s'", name);
    }
    return rc < 0 ? LH_EUSAGE : 0;
}

/*
 * A range as the command line gives it, with no fallback: "BASE..HEAD" (reachable from HEAD,
 * not from BASE), "A...B" (reachable from one side only, git's symmetric difference) or a
 * single revision (everything reachable from it). An empty side means HEAD. Returns 0,
 * LH_EUSAGE ("unknown revision 'x'"; "invalid range ''"), or another negative code.
 */
static int plain_range(struct lh_git_revlist *out, git_repository *repo, const char *range,
                       bool shallow, lh_git_warn_fn warn, void *payload)
{
    git_oid a;
    git_oid b;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (!range || !*range) {
        lh_error_set("invalid range '' (expected BASE..HEAD)");
        return LH_EUSAGE;
    }
    const char *three = strstr(range, "...");
    const char *two = strstr(range, "..");
    if (!two) {
        rc = resolve(&b, repo, range, strlen(range));
        return rc ? rc : lh_git_revlist_reachable(out, repo, &b, 1, shallow, warn, payload);
    }
    const char *sep = three ? three : two;
    size_t seplen = three ? 3 : 2;
    rc = resolve(&a, repo, range, (size_t)(sep - range));
    if (rc == 0) {
        rc = resolve(&b, repo, sep + seplen, strlen(sep + seplen));
    }
    if (rc < 0) {
        return rc;
    }
    if (!three) {
        return lh_git_revlist_difference(out, repo, &b, 1, &a, 1, shallow, warn, payload);
    }
    /* A...B: both sides, minus what they share (their merge bases and everything below) */
    git_oidarray bases = {0};
    git_oid both[2] = {a, b};
    /*
     * No merge base (unrelated histories), or none found (a shallow clone cut it off): then
     * nothing is shared, and scanning both sides whole errs on the safe side.
     */
    int grc = git_merge_bases(&bases, repo, &a, &b);
    rc = lh_git_revlist_difference(out, repo, both, 2, grc == 0 ? bases.ids : NULL,
                                   grc == 0 ? bases.count : 0, shallow, warn, payload);
    git_oidarray_dispose(&bases);
    return rc;
}

/*
 * The branch to compare with: req->fallback (an error when it does not resolve), else the
 * first default branch that exists. Returns 0 (*name borrowed), LH_ENOTFOUND (none) or
 * LH_EUSAGE.
 */
static int find_fallback(git_oid *out, const char **name, git_repository *repo,
                         const struct lh_git_range_req *req)
{
    if (req->fallback) {
        int rc = lookup(out, repo, req->fallback);
        if (rc == LH_ENOTFOUND) {
            lh_error_set("--range-fallback '%s' is not in this repository: a shallow or "
                         "single-branch clone has only the branch it checked out (fetch it: "
                         "git fetch origin %s, or use fetch-depth: 0)",
                         req->fallback, short_name(req->fallback));
            return LH_EUSAGE;
        }
        *name = req->fallback;
        return rc == LH_EINVAL ? LH_EUSAGE : rc;
    }
    for (size_t i = 0; default_branches[i]; i++) {
        if (lookup(out, repo, default_branches[i]) == 0) {
            *name = short_name(default_branches[i]);
            return 0;
        }
    }
    lh_error_clear();
    return LH_ENOTFOUND;
}

static size_t plural(size_t n)
{
    return n == 1 ? 0 : 1;
}

/* "BASE..HEAD" whose base is missing or all zeros: see git_range.h. */
static int fall_back(struct lh_git_revlist *out, git_repository *repo,
                     const struct lh_git_range_req *req, const git_oid *head, const char *head_name,
                     const char *why, bool new_branch)
{
    git_oid fb;
    const char *fb_name = NULL;
    static const char *const s[] = {"", "s"};
    int rc = find_fallback(&fb, &fb_name, repo, req);
    if (rc < 0 && rc != LH_ENOTFOUND) {
        return rc;
    }
    if (rc == 0) {
        rc = lh_git_revlist_difference(out, repo, head, 1, &fb, 1, req->shallow, req->warn,
                                       req->payload);
        if (rc < 0) {
            return rc;
        }
        if (out->count > 0) {
            notice(req, "%s: scanning the %zu commit%s %s adds to %s instead", why, out->count,
                   s[plural(out->count)], head_name, fb_name);
            return 0;
        }
        if (new_branch) {
            notice(req, "%s, and %s is already on %s: nothing new to scan", why, head_name,
                   fb_name);
            return 0;
        }
        /* a force-push of the default branch itself: what it replaced is unknown */
        lh_git_revlist_dispose(out);
        rc = lh_git_revlist_reachable(out, repo, head, 1, req->shallow, req->warn, req->payload);
        if (rc == 0) {
            notice(req, "%s, and %s is on %s itself: scanning the %zu commit%s reachable from it",
                   why, head_name, fb_name, out->count, s[plural(out->count)]);
        }
        return rc;
    }
    rc = lh_git_revlist_reachable(out, repo, head, 1, req->shallow, req->warn, req->payload);
    if (rc == 0) {
        notice(req,
               "%s, and there is no default branch to compare with (no origin/HEAD, "
               "origin/main, origin/master, main or master; name one with --range-fallback "
               "REF): scanning the %zu commit%s reachable from %s",
               why, out->count, s[plural(out->count)], head_name);
    }
    return rc;
}

static int two_dot(struct lh_git_revlist *out, git_repository *repo,
                   const struct lh_git_range_req *req, const char *sep)
{
    const char *range = req->range;
    char base_s[1024];
    char head_s[1024];
    size_t blen = (size_t)(sep - range);
    const char *hs = sep + 2;
    if (blen >= sizeof(base_s) || strlen(hs) >= sizeof(head_s)) {
        lh_error_set("invalid range '%.64s...': too long", range);
        return LH_EUSAGE;
    }
    snprintf(base_s, sizeof(base_s), "%.*s", (int)blen, blen ? range : "HEAD");
    snprintf(head_s, sizeof(head_s), "%s", *hs ? hs : "HEAD");
    git_oid base;
    git_oid head;
    int rc = lookup(&head, repo, head_s);
    if (rc == LH_ENOTFOUND) {
        if (id_like(head_s)) {
            lh_error_set("commit '%s' (the head of range '%s') is not in this repository: the "
                         "clone lacks the pushed commit (fetch it, or check out the commit "
                         "under test)",
                         head_s, range);
        } else {
            lh_error_set("unknown revision '%s' (the head of range '%s'): misspelt, or not "
                         "fetched (a shallow or single-branch clone has only what it checked "
                         "out)",
                         head_s, range);
        }
        return LH_EUSAGE;
    }
    if (rc < 0) {
        return LH_EUSAGE; /* not a commit */
    }
    char why[1200];
    bool new_branch = all_zero(base_s);
    if (new_branch) {
        snprintf(why, sizeof(why), "range base %.12s is all zeros (a new branch)", base_s);
    } else {
        rc = lookup(&base, repo, base_s);
        if (rc == 0) {
            return lh_git_revlist_difference(out, repo, &head, 1, &base, 1, req->shallow, req->warn,
                                             req->payload);
        }
        if (rc != LH_ENOTFOUND) {
            return LH_EUSAGE; /* not a commit */
        }
        if (!id_like(base_s)) {
            lh_error_set("unknown revision '%s' (the base of range '%s'): misspelt, or not "
                         "fetched (a shallow or single-branch clone lacks other branches: fetch "
                         "it, or use fetch-depth: 0)",
                         base_s, range);
            return LH_EUSAGE;
        }
        snprintf(why, sizeof(why), "range base %.12s is not in this repository (force-pushed %s)",
                 base_s,
                 req->shallow ? "away, or older than this shallow clone's cut-off" : "away");
    }
    char head_name[16];
    if (id_like(head_s)) {
        snprintf(head_name, sizeof(head_name), "%.12s", head_s);
    } else {
        lh_git_hex(base_s, &head); /* base_s is free now: the full id */
        snprintf(head_name, sizeof(head_name), "%.12s", base_s);
    }
    return fall_back(out, repo, req, &head, head_name, why, new_branch);
}

/* Appends the commit of every ref under refs/remotes/<remote>/ to *v, counted in *found. */
static int tracking_tips(git_oid **v, size_t *n, size_t *alloc, git_repository *repo,
                         const char *remote, size_t *found)
{
    char prefix[512];
    git_reference_iterator *it = NULL;
    git_reference *ref = NULL;
    int rc = 0;
    *found = 0;
    if (!remote || strchr(remote, '/') || strchr(remote, ':') ||
        (size_t)snprintf(prefix, sizeof(prefix), "refs/remotes/%s/", remote) >= sizeof(prefix)) {
        return 0; /* a URL, not a configured remote: no tracking refs */
    }
    if (git_reference_iterator_new(&it, repo) < 0) {
        return lh_git_fail("cannot list the references");
    }
    while (rc == 0 && git_reference_next(&ref, it) == 0) {
        git_object *c = NULL;
        if (!strncmp(git_reference_name(ref), prefix, strlen(prefix)) &&
            git_reference_peel(&c, ref, GIT_OBJECT_COMMIT) == 0) {
            if (*n == *alloc) {
                size_t na = *alloc ? *alloc * 2 : 16;
                git_oid *nv = realloc(*v, na * sizeof(*nv));
                if (!nv) {
                    rc = lh_error_oom();
                } else {
                    *v = nv;
                    *alloc = na;
                }
            }
            if (rc == 0) {
                (*v)[(*n)++] = *git_object_id(c);
                (*found)++;
            }
        }
        git_object_free(c);
        git_reference_free(ref);
    }
    git_reference_iterator_free(it);
    lh_error_clear();
    return rc;
}

static int push_oid(git_oid **v, size_t *n, size_t *alloc, const git_oid *id)
{
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 16;
        git_oid *nv = realloc(*v, na * sizeof(*nv));
        if (!nv) {
            return lh_error_oom();
        }
        *v = nv;
        *alloc = na;
    }
    (*v)[(*n)++] = *id;
    return 0;
}

static int pre_push(struct lh_git_revlist *out, git_repository *repo,
                    const struct lh_git_range_req *req)
{
    git_oid *inc = NULL;
    git_oid *exc = NULL;
    size_t ninc = 0;
    size_t nexc = 0;
    size_t ainc = 0;
    size_t aexc = 0;
    size_t ntracking = 0;
    const char *first_new = NULL;
    int rc = tracking_tips(&exc, &nexc, &aexc, repo, req->push_remote, &ntracking);
    for (size_t i = 0; rc == 0 && i < req->push->count; i++) {
        const struct lh_git_push_update *u = &req->push->items[i];
        char hex[GIT_OID_HEXSZ + 1];
        git_oid c;
        if (git_oid_is_zero(&u->local)) {
            continue; /* a deletion pushes nothing */
        }
        lh_git_hex(hex, &u->local);
        rc = lookup(&c, repo, hex);
        if (rc == LH_ENOTFOUND) {
            lh_error_set("pushed commit %s ('%s') is not in this repository", hex, u->local_ref);
            rc = LH_EUSAGE;
        }
        if (rc == LH_EINVAL) {
            rc = 0; /* a tag of a tree or blob: no commits to scan */
            lh_error_clear();
            continue;
        }
        if (rc == 0) {
            rc = push_oid(&inc, &ninc, &ainc, &c);
        }
        if (rc < 0) {
            break;
        }
        bool have_remote = false;
        if (!git_oid_is_zero(&u->remote)) {
            lh_git_hex(hex, &u->remote);
            have_remote = lookup(&c, repo, hex) == 0;
            lh_error_clear();
            if (have_remote) {
                rc = push_oid(&exc, &nexc, &aexc, &c);
            }
        }
        if (!have_remote && !first_new) {
            first_new = u->remote_ref;
        }
    }
    if (rc == 0 && first_new && ntracking == 0) {
        git_oid fb;
        const char *fb_name = NULL;
        rc = find_fallback(&fb, &fb_name, repo, req);
        if (rc == 0) {
            rc = push_oid(&exc, &nexc, &aexc, &fb);
            notice(req,
                   "'%s' is new to '%s', which has no tracking refs here: scanning what the "
                   "push adds to %s",
                   first_new, req->push_remote ? req->push_remote : "the remote", fb_name);
        } else if (rc == LH_ENOTFOUND) {
            rc = 0;
            notice(req,
                   "'%s' is new to '%s', and there is no default branch to compare with: "
                   "scanning every commit the push reaches",
                   first_new, req->push_remote ? req->push_remote : "the remote");
        }
    } else if (rc == 0 && first_new) {
        notice(req,
               "'%s' is new to '%s': scanning what the push adds to its branches "
               "(refs/remotes/%s/*)",
               first_new, req->push_remote, req->push_remote);
    }
    if (rc == 0 && ninc) {
        rc = lh_git_revlist_difference(out, repo, inc, ninc, exc, nexc, req->shallow, req->warn,
                                       req->payload);
    }
    free(inc);
    free(exc);
    return rc;
}

int lh_git_range_list(struct lh_git_revlist *out, git_repository *repo,
                      const struct lh_git_range_req *req)
{
    memset(out, 0, sizeof(*out));
    if (req->fallback) {
        /* checked even when not needed: a misconfigured job fails on its first run, not on
         * the first force-push */
        git_oid fb;
        const char *name = NULL;
        int rc = find_fallback(&fb, &name, repo, req);
        if (rc < 0) {
            return rc;
        }
    }
    if (req->push) {
        return pre_push(out, repo, req);
    }
    if (req->since > 0) {
        git_oid head;
        int rc = lookup(&head, repo, "HEAD");
        if (rc == LH_ENOTFOUND) {
            lh_error_set("HEAD does not name a commit (an empty repository?)");
            return LH_EUSAGE;
        }
        return rc < 0 ? LH_EUSAGE
                      : lh_git_revlist_since(out, repo, &head, req->since, req->shallow, req->warn,
                                             req->payload);
    }
    const char *range = req->range;
    const char *two = range ? strstr(range, "..") : NULL;
    if (!two || strstr(range, "...")) {
        return plain_range(out, repo, range, req->shallow, req->warn, req->payload);
    }
    return two_dot(out, repo, req, two);
}
