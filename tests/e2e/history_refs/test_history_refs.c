/* SPDX-License-Identifier: MIT */
/*
 * `leakhound history` on a repository with many refs and deep delta chains (mkrepo.sh): 500
 * refs of which 400 are refs/pull/N/head, 4,500 blob versions in chains up to 50 deep, so
 * the blobs are read by delta family (source/git_family.h). The refs each finding lists must
 * be exactly the branches and tags whose trees still hold the secret (git grep is the
 * oracle; refs/pull is scanned, never listed), with the introducing commit; and the output
 * must be byte for byte what reading every blob alone through libgit2 gives (the same
 * repository with its pack exploded into loose objects, which the pack reader cannot see).
 */
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(history_refs);

struct fixture {
    char repo[4096];
    char tok1[41];
    char tok2[41];
};

static void make_fixture(struct fixture *fx)
{
    lh_make_github_token(fx->tok1, "ghp_", "R8fKq2LmN4pX7vT1wZ3yB6cD9eG0hJ");
    lh_make_github_token(fx->tok2, "ghp_", "u5Ws8Ta1Qe4Rb7Yn0Mk3Lj6Hg9Fd2S");
    snprintf(fx->repo, sizeof(fx->repo), "%s/repo", dir);
    int st = lh_sh(dir, "sh '%s/tests/e2e/history_refs/mkrepo.sh' '%s' '%s' '%s'", LH_SOURCE_DIR,
                   fx->repo, fx->tok1, fx->tok2);
    cr_assert(eq(int, st, 0));
}

/* Runs history --format jsonl on repo; returns the findings, sorted lines joined. */
static char *history_jsonl(const char *repo, struct lh_run *r)
{
    lh_run_lh(r, NULL, NULL, "history", "--format", "jsonl", "--threads", "2", repo, NULL);
    cr_assert(eq(int, r->status, 1), "stderr: %s", r->err);
    char *sorted = NULL;
    size_t n = 0;
    char **lines = NULL;
    char *copy = strdup(r->out);
    cr_assert(copy != NULL);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lines = realloc(lines, (n + 1) * sizeof(*lines));
        cr_assert(lines != NULL);
        lines[n++] = l;
    }
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    }
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        len += strlen(lines[i]) + 1;
    }
    sorted = calloc(1, len);
    cr_assert(sorted != NULL);
    for (size_t i = 0; i < n; i++) {
        strcat(sorted, lines[i]);
        strcat(sorted, "\n");
    }
    free(lines);
    free(copy);
    return sorted;
}

/* The finding whose blob content holds the secret `tok` at `path`: exactly one. */
static json_t *finding_at(const char *jsonl, const char *path)
{
    json_t *found = NULL;
    char *copy = strdup(jsonl);
    cr_assert(copy != NULL);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_t *f = json_loads(l, 0, NULL);
        cr_assert(f != NULL, "not json: %s", l);
        const char *p = json_string_value(json_object_get(f, "path"));
        if (p && !strcmp(p, path)) {
            cr_assert(found == NULL, "two findings at %s", path);
            found = f;
        } else {
            json_decref(f);
        }
    }
    free(copy);
    cr_assert(found != NULL, "no finding at %s in %s", path, jsonl);
    return found;
}

/* The refs array of f as newline-terminated lines, as the oracle file is written. */
static char *refs_lines(json_t *f)
{
    json_t *refs = json_object_get(f, "refs");
    int is_array = json_is_array(refs);
    cr_assert(eq(int, is_array, 1));
    size_t len = 1;
    for (size_t i = 0; i < json_array_size(refs); i++) {
        len += strlen(json_string_value(json_array_get(refs, i))) + 1;
    }
    char *out = calloc(1, len);
    cr_assert(out != NULL);
    for (size_t i = 0; i < json_array_size(refs); i++) {
        strcat(out, json_string_value(json_array_get(refs, i)));
        strcat(out, "\n");
    }
    return out;
}

/* N of the summary line's "in N blobs" (-1 if absent). */
static long blobs_scanned(const char *err)
{
    const char *p = strstr(err, " blobs (");
    if (!p) {
        return -1;
    }
    while (p > err && p[-1] != ' ') {
        p--;
    }
    return strtol(p, NULL, 10);
}

static char *git_out(const char *repo, const char *cmd)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    cr_assert(eq(int, lh_sh(repo, "%s > '%s'", cmd, path), 0));
    char *s = lh_read_file(path);
    cr_assert(s != NULL);
    s[strcspn(s, "\n")] = '\0';
    return s;
}

Test(history_refs, refs_lists_are_exact_among_500_refs)
{
    struct fixture fx;
    struct lh_run r;
    char path[4200];
    make_fixture(&fx);
    char *out = history_jsonl(fx.repo, &r);
    cr_assert(strstr(r.out, fx.tok1) == NULL && strstr(r.err, fx.tok1) == NULL);

    /* secret 1: on a side line, in a branch and a tag; feat-b deleted it; pull refs hold it */
    json_t *f1 = finding_at(out, "config.py");
    char *refs1 = refs_lines(f1);
    snprintf(path, sizeof(path), "%s.expect1", fx.repo);
    char *want1 = lh_read_file(path);
    cr_assert(eq(str, refs1, want1));
    cr_assert(eq(str, refs1, "refs/heads/feat-a\nrefs/heads/feat-c\nrefs/tags/v-secret\n"));
    char *intro1 = git_out(fx.repo, "git rev-parse v-secret");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f1, "commit")), intro1));

    /* secret 2: on main between commits 40 and 70; 49 branches and tags still hold it */
    json_t *f2 = finding_at(out, "deploy/env.sh");
    char *refs2 = refs_lines(f2);
    snprintf(path, sizeof(path), "%s.expect2", fx.repo);
    char *want2 = lh_read_file(path);
    cr_assert(eq(str, refs2, want2));
    cr_assert(strstr(refs2, "refs/pull/") == NULL);
    cr_assert(strstr(refs2, "refs/heads/main\n") == NULL); /* removed on main */
    char *intro2 = git_out(fx.repo, "git log --format=%H --diff-filter=A -- deploy/env.sh");
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f2, "commit")), intro2));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(f2, "message")), "commit 40"));

    json_decref(f1);
    json_decref(f2);
    free(refs1);
    free(refs2);
    free(want1);
    free(want2);
    free(intro1);
    free(intro2);
    free(out);
    lh_run_dispose(&r);
}

Test(history_refs, family_reads_match_libgit2_reads)
{
    struct fixture fx;
    struct lh_run packed;
    struct lh_run loose;
    make_fixture(&fx);
    char *a = history_jsonl(fx.repo, &packed);
    /* the same objects, loose: every blob is then read alone through libgit2 */
    cr_assert(eq(int,
                 lh_sh(fx.repo, "mkdir -p ../keep && mv .git/objects/pack/* ../keep/ && "
                                "cat ../keep/*.pack | git unpack-objects -q && rm -r ../keep"),
                 0));
    char *loose_count = git_out(fx.repo, "git count-objects -v | sed -n 's/^count: //p'");
    cr_assert(atoi(loose_count) > 4500, "%s", loose_count);
    char *b = history_jsonl(fx.repo, &loose);
    cr_assert(eq(str, a, b));
    /* the same blobs counted in the summary */
    cr_assert(eq(long, blobs_scanned(packed.err), blobs_scanned(loose.err)));
    cr_assert(blobs_scanned(packed.err) > 4500, "%s", packed.err);
    free(loose_count);
    free(a);
    free(b);
    lh_run_dispose(&packed);
    lh_run_dispose(&loose);
}
