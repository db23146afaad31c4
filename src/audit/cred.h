/* SPDX-License-Identifier: MIT */
/*
 * Credentials for fetching a remote, handed to libgit2 through its credential callback and
 * nowhere else: the password in the URL, the audit's token, GITHUB_TOKEN for GitHub hosts,
 * GITLAB_TOKEN for GitLab hosts, LEAKHOUND_GIT_TOKEN for any host, then `git credential
 * fill` (the user's helpers; never a terminal prompt) unless the policy says otherwise; an
 * ssh remote gets the ssh agent's keys. GitHub hosts are github.com, *.github.com, *.ghe.com
 * and those listed in LEAKHOUND_GITHUB_HOSTS (comma-separated host[:port]); GitLab hosts are
 * gitlab.com, gitlab.* and LEAKHOUND_GITLAB_HOSTS. Each source is offered once: a rejected
 * credential ends the fetch as an authentication failure instead of a loop. Values are
 * wiped from memory after use. Internal to src/audit.
 */
#ifndef LH_AUDIT_CRED_H
#define LH_AUDIT_CRED_H

#include "audit/mirror.h"
#include "source/libgit2.h"

#include <stdbool.h>

struct lh_cred_ctx {
    const struct lh_mirror_url *u;
    const struct lh_mirror_opts *o;
    unsigned attempts;
    bool offered;    /* a credential was handed over */
    bool none;       /* the server wanted one and no source had any */
    char source[64]; /* where the last one came from ("GITHUB_TOKEN"), for messages */
};

/* libgit2's git_credential_acquire_cb; payload: struct lh_cred_ctx. */
int lh_cred_acquire(git_credential **out, const char *url, const char *user_from_url,
                    unsigned int allowed_types, void *payload);

/* Whether host (may carry ":port") is a GitHub / GitLab host as described above. */
bool lh_cred_is_github(const char *host);
bool lh_cred_is_gitlab(const char *host);

#endif
