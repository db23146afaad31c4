/* SPDX-License-Identifier: MIT */
/*
 * The commits a CI job or a push hook must scan, including where a plain range cannot be
 * computed. CI gives "BEFORE..AFTER" from the push event, and BEFORE is often not there:
 * force-pushed away, older than a shallow clone's cut-off, or all zeros for a new branch
 * (a plain range would fail, or scan every ref). Then the range falls back to what AFTER
 * adds to the default branch (`--range-fallback REF`, else the first of origin/HEAD,
 * origin/main, origin/master, main, master that exists), and says so in one notice line;
 * with no such branch, or when AFTER is already on it after a force-push, everything
 * reachable from AFTER is scanned (more work, never a commit missed). Only a missing *commit
 * id* falls back: a misspelt or unfetched ref name is an error that names the likely cause,
 * as is an unknown AFTER. "A...B" and single revisions do not fall back.
 *
 * A pre-push hook gets its ranges from git on stdin ("<local ref> <local id> <remote ref>
 * <remote id>" per line): the pushed commits are those reachable from the local ids and from
 * nothing the remote already has (the remote ids we have, and the remote's tracking refs
 * refs/remotes/<remote>/...); a new branch thus scans only what it adds to the remote's
 * branches, a deletion nothing. Without tracking refs for the remote (a URL, a first push),
 * new branches fall back as above.
 */
#ifndef LH_SOURCE_GIT_RANGE_H
#define LH_SOURCE_GIT_RANGE_H

#include "source/git.h"
#include "source/git_revlist.h"
#include "source/libgit2.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on the pre-push input (git sends one line per pushed ref). */
#define LH_GIT_PUSH_MAX_LINES 100000
#define LH_GIT_PUSH_MAX_LINE 8192

/* One line of the pre-push protocol. */
struct lh_git_push_update {
    char *local_ref; /* owned; "(delete)" for a deletion */
    git_oid local;   /* zero: the remote ref is deleted */
    char *remote_ref;
    git_oid remote; /* zero: the remote does not have the ref (a new branch) */
};

struct lh_git_push {
    struct lh_git_push_update *items;
    size_t count;
};

/*
 * Parses the pre-push hook's stdin (git's protocol; blank lines ignored) into out. Returns 0,
 * LH_EINVAL ("pre-push input line N: ...", never echoing the line), LH_ETOOBIG (more than
 * LH_GIT_PUSH_MAX_LINES lines or a line over LH_GIT_PUSH_MAX_LINE bytes) or LH_ENOMEM. Needs
 * libgit2 loaded (git_oid_fromstr). out is left empty on failure.
 */
int lh_git_push_parse(struct lh_git_push *out, const char *buf, size_t len) LH_WUR;
void lh_git_push_dispose(struct lh_git_push *p);

/* What to list; exactly one of range, since and push is set. */
struct lh_git_range_req {
    const char *range;              /* "BASE..HEAD", "A...B" or "REV" */
    int64_t since;                  /* > 0: commits of HEAD from this time (Unix seconds) */
    const struct lh_git_push *push; /* pre-push updates */
    const char *push_remote;        /* the remote argument of the hook (name or URL) */
    const char *fallback;           /* --range-fallback REF, or NULL: the default branch */
    bool shallow;                   /* the repository is a shallow clone */
    lh_git_warn_fn notice;          /* the one line saying a fallback was taken (may be NULL) */
    void *notice_payload;
    lh_git_warn_fn warn; /* unreadable commits (may be NULL) */
    void *payload;
};

/*
 * Lists the commits of req into out (oldest first, with boundary trees: see git_revlist.h),
 * falling back as described above. Returns 0; LH_EUSAGE with a message naming the revision
 * and the likely cause (not fetched, shallow or single-branch clone, misspelt); or another
 * negative code.
 */
int lh_git_range_list(struct lh_git_revlist *out, git_repository *repo,
                      const struct lh_git_range_req *req) LH_WUR;

#endif
