/* SPDX-License-Identifier: MIT */
/*
 * The org module in process, without a network: Link header parsing (GitHub's and GitLab's
 * forms, quoted and bare rel values, several relation types), URLs made safe for messages
 * (no credentials, no query but the page), the shard function (stable, reproducible with
 * sha256sum, spread over the shards) and its I/N parser, the filters, and the sorted,
 * de-duplicated list.
 */
#include "org/api.h"
#include "org/org.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(org, .timeout = LH_TEST_TIMEOUT);

static char *next_of(const char *link)
{
    char *out = NULL;
    cr_assert(eq(int, lh_org_link_next(&out, link), 0));
    return out;
}

Test(org, link_next)
{
    char *n = next_of("<https://api.github.com/organizations/1/repos?page=2>; rel=\"next\", "
                      "<https://api.github.com/organizations/1/repos?page=5>; rel=\"last\"");
    cr_assert(eq(str, n, "https://api.github.com/organizations/1/repos?page=2"));
    free(n);
    /* next is not first; GitLab's order (prev, next, first, last) */
    n = next_of("<https://gl/api/v4/groups/1/projects?page=1>; rel=\"prev\", "
                "<https://gl/api/v4/groups/1/projects?page=3>; rel=\"next\", "
                "<https://gl/x?page=1>; rel=\"first\"");
    cr_assert(eq(str, n, "https://gl/api/v4/groups/1/projects?page=3"));
    free(n);
    /* a bare value, several relation types, other parameters first */
    n = next_of("<https://a/b?page=2>; type=\"x\"; rel=next");
    cr_assert(eq(str, n, "https://a/b?page=2"));
    free(n);
    n = next_of("<https://a/c>; rel=\"last next\"");
    cr_assert(eq(str, n, "https://a/c"));
    free(n);
    /* no next (the last page), nextpage is not next, malformed */
    cr_assert(next_of("<https://a/b?page=1>; rel=\"first\", <https://a/b?page=1>; rel=\"prev\"") ==
              NULL);
    cr_assert(next_of("<https://a/b>; rel=\"nextpage\"") == NULL);
    cr_assert(next_of("<https://a/b; rel=\"next\"") == NULL);
    cr_assert(next_of("") == NULL);
}

Test(org, urls_in_messages_have_no_credentials)
{
    char out[128];
    lh_org_url_for_msg(out, sizeof(out),
                       "https://user:s3cret@ghe.example/api/v3/orgs/a/repos"
                       "?per_page=100&access_token=abc&page=7");
    cr_assert(eq(str, out, "https://ghe.example/api/v3/orgs/a/repos?page=7"));
    lh_org_url_for_msg(out, sizeof(out), "http://h/x?private_token=zzz");
    cr_assert(eq(str, out, "http://h/x"));
    lh_org_url_for_msg(out, sizeof(out), "http://h/x?mypage=3");
    cr_assert(eq(str, out, "http://h/x"));
    lh_org_url_for_msg(out, 12, "https://example.com/very/long/path");
    cr_assert(eq(sz, strlen(out), 11));
}

Test(org, shard_is_sha256_of_the_lower_case_name)
{
    /* printf %s acme/api | sha256sum: the first 16 hex digits, mod n, plus one */
    char cmd[256];
    char *dir = lh_tmpdir();
    snprintf(cmd, sizeof(cmd), "printf %%s acme/api | sha256sum | cut -c1-16 > h.txt");
    cr_assert(eq(int, lh_sh(dir, "%s", cmd), 0));
    char path[512];
    snprintf(path, sizeof(path), "%s/h.txt", dir);
    char *hex = lh_read_file(path);
    unsigned long long v = strtoull(hex, NULL, 16);
    free(hex);
    lh_rmtree(dir);
    free(dir);
    for (unsigned n = 1; n <= 16; n++) {
        cr_assert(eq(u32, lh_org_shard_of("acme/api", n), (unsigned)(v % n) + 1));
        cr_assert(eq(u32, lh_org_shard_of("ACME/Api", n), lh_org_shard_of("acme/api", n)));
    }
    /* every shard gets a fair share of 4000 names */
    unsigned count[4] = {0};
    for (int i = 0; i < 4000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "org/repo-%d", i);
        unsigned s = lh_org_shard_of(name, 4);
        cr_assert(s >= 1 && s <= 4);
        count[s - 1]++;
    }
    for (int i = 0; i < 4; i++) {
        cr_assert(count[i] > 850 && count[i] < 1150, "shard %d has %u", i + 1, count[i]);
    }
}

Test(org, shard_parse)
{
    unsigned i = 0, n = 0;
    cr_assert(eq(int, lh_org_shard_parse(&i, &n, "2/4"), 0));
    cr_assert(eq(u32, i, 2));
    cr_assert(eq(u32, n, 4));
    cr_assert(eq(int, lh_org_shard_parse(&i, &n, "1/1"), 0));
    const char *bad[] = {"0/4",  "5/4",  "1/0",      "1/", "/4", "a/b",
                         "1/4x", "-1/4", "1/100001", "2",  "",   "99999999999999999999/4"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++) {
        cr_assert(eq(int, lh_org_shard_parse(&i, &n, bad[k]), LH_EINVAL), "%s", bad[k]);
    }
}

static void add(struct lh_org_list *l, const char *name, bool fork, bool archived)
{
    struct lh_org_repo r = {strdup(name), strdup("https://x/y.git"), NULL, fork, archived};
    cr_assert(eq(int, lh_org_list_add(l, &r), 0));
    cr_assert(r.name == NULL, "ownership moved");
}

Test(org, sort_dedups_and_select_filters)
{
    struct lh_org_list l;
    lh_org_list_init(&l);
    add(&l, "acme/web", false, false);
    add(&l, "acme/api", false, false);
    add(&l, "acme/web", false, false); /* a page shifted during the listing */
    add(&l, "acme/fork", true, false);
    add(&l, "acme/old", false, true);
    add(&l, "acme/infra-x", false, false);
    lh_org_list_sort(&l);
    cr_assert(eq(sz, l.count, 5));
    cr_assert(eq(str, l.items[0].name, "acme/api"));
    cr_assert(eq(str, l.items[4].name, "acme/web"));
    struct lh_strlist ex = {(char *[]){"*/INFRA-*"}, 1};
    struct lh_org_filter f = {.exclude = &ex};
    lh_org_select(&l, &f);
    cr_assert(eq(sz, l.count, 2));
    cr_assert(eq(sz, l.skipped_forks, 1));
    cr_assert(eq(sz, l.skipped_archived, 1));
    cr_assert(eq(sz, l.skipped_globs, 1));
    struct lh_strlist in = {(char *[]){"acme/w*"}, 1};
    struct lh_org_filter g = {.include = &in};
    lh_org_select(&l, &g);
    cr_assert(eq(sz, l.count, 1));
    cr_assert(eq(str, l.items[0].name, "acme/web"));
    lh_org_list_dispose(&l);
    lh_org_list_dispose(&l); /* disposing twice is harmless */
}
