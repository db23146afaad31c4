/* SPDX-License-Identifier: MIT */
/*
 * The scan database end to end: three repositories with planted secrets served over smart
 * HTTP and audited into one database; a re-run after one commit scans only the new blob;
 * an unchanged repository is not walked; other rules rescan; a run killed with SIGKILL
 * resumes without rescanning what it committed; two runs at once on one database; triage in
 * the report and in later audits (a triaged secret is suppressed); merge of two databases;
 * reports from it.
 */
#include "audit_helpers.h"
#include "util/hash.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

LH_TMPDIR_SUITE(audit_db);

static struct git_server srv;
static char tokens[3][41];
static const char *const names[3] = {"acme/api", "acme/web", "acme/tools"};
static const char *const bodies[3] = {"Pw4Nc8Rv1Lk6Tq3Xz9Bm2Hd7Js5Fy0",
                                      "Mt6Kq1Vz8Rb3Wn5Lc9Xp2Hf7Dj4Gs0",
                                      "Zx1Cv2Bn3Mq4Wr5Ty6Ui7Op8As9Df0"};

static void env_cache(void)
{
    char c[512];
    snprintf(c, sizeof(c), "%s/cache", dir);
    setenv("LEAKHOUND_CACHE_DIR", c, 1);
    setenv("HOME", dir, 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    unsetenv("LEAKHOUND_TEST_SCAN_DELAY_MS");
}

/* Three repositories, each: README, the secret's file, a filler file (3 blobs). */
static void three_repos(void)
{
    env_cache();
    for (int i = 0; i < 3; i++) {
        char f[192];
        lh_make_github_token(tokens[i], "ghp_", bodies[i]);
        snprintf(f, sizeof(f), "src/settings.py=API_TOKEN = \"%s\"\n", tokens[i]);
        const char *files[] = {"README.md=readme\n", f, "Makefile=all:\n", NULL};
        repo_create(dir, names[i], files);
    }
    git_server_start(&srv, dir, NULL);
}

static void url_of(char *out, size_t cap, int i)
{
    char path[64];
    snprintf(path, sizeof(path), "%s.git", names[i]);
    git_server_url(out, cap, &srv, path);
}

static void audit(struct lh_run *r, int i, const char *extra)
{
    char url[256];
    url_of(url, sizeof(url), i);
    lh_run_lh(r, dir, NULL, "history", url, "--db", "audit.db", "--format", "jsonl",
              extra ? "--disable-rule" : "--threads", extra ? extra : "2", NULL);
}

Test(audit_db, three_repositories_then_only_new_blobs)
{
    three_repos();
    struct lh_run r;
    for (int i = 0; i < 3; i++) {
        audit(&r, i, NULL);
        cr_assert(eq(int, r.status, 1), "%s", r.err);
        char want[64];
        snprintf(want, sizeof(want), "\"repository\":\"%s\"", names[i]);
        cr_assert(strstr(r.out, want) && strstr(r.out, "\"path\":\"src/settings.py\""), "%s",
                  r.out);
        /* README.md and Makefile are the same blobs in all three: scanned once */
        if (i == 0) {
            cr_assert(eq(i64, number_before(r.err, "blobs ("), 3), "%s", r.err);
            cr_assert(strstr(r.err, "; 0 blobs skipped") != NULL, "%s", r.err);
        } else {
            cr_assert(eq(i64, number_before(r.err, "blob ("), 1), "%s", r.err);
            cr_assert(eq(i64, number_before(r.err, "blobs skipped"), 2), "%s", r.err);
        }
        lh_run_dispose(&r);
    }
    char db[512];
    snprintf(db, sizeof(db), "%s/audit.db", dir);
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM repositories"), 3));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM blobs"), 5));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM secrets"), 3));
    /* one new commit with one new file: that blob is scanned, the other 3 skipped */
    repo_commit(dir, names[0], "docs/notes.txt", "nothing secret here\n");
    audit(&r, 0, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blob ("), 1), "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blobs skipped"), 3), "%s", r.err);
    /* the findings of the skipped blobs are still reported, with their commit */
    cr_assert(strstr(r.out, tokens[0]) == NULL);
    cr_assert(strstr(r.out, "\"path\":\"src/settings.py\"") && strstr(r.out, "\"commit\":"), "%s",
              r.out);
    lh_run_dispose(&r);
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM blobs"), 6));
    /* nothing changed: not walked, everything from the database, same report */
    audit(&r, 0, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.err, "unchanged since its last audit") != NULL, "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blobs ("), 0), "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blobs skipped"), 4), "%s", r.err);
    cr_assert(strstr(r.out, "\"path\":\"src/settings.py\"") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* other rules: a new ruleset hash, every blob scanned again */
    audit(&r, 0, "aws-access-key-id");
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blobs ("), 4), "%s", r.err);
    cr_assert(strstr(r.err, "; 0 blobs skipped") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM rulesets"), 2));
    /* the report: three repositories, each secret once, with its repository */
    lh_run_lh(&r, dir, NULL, "report", "--db", "audit.db", "--format", "json", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "\"schema\": \"leakhound-audit/1\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"repositories\": 3") != NULL, "%s", r.out);
    for (int i = 0; i < 3; i++) {
        cr_assert(strstr(r.out, tokens[i]) == NULL, "raw secret in the report");
    }
    cr_assert(strstr(r.err, "3 open secrets") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "report", "--db", "audit.db", "--repo", "acme/web", "--format",
              "jsonl", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "\"repository\":\"acme/web\"") && !strstr(r.out, "acme/api"), "%s",
              r.out);
    cr_assert(strstr(r.out, "\"triage\":{\"status\":\"open\"") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "report", "--db", "audit.db", "--format", "sarif", "-o", "a.sarif",
              NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(lh_sh(dir, "python3 -c \"import json; d=json.load(open('a.sarif')); "
                         "rs=d['runs'][0]['results']; "
                         "assert sorted(x['properties']['repository'] for x in rs) == "
                         "['acme/api','acme/tools','acme/web'], rs\"") == 0);
    /* html: the same model in one self-contained page */
    lh_run_lh(&r, dir, NULL, "report", "--db", "audit.db", "--format", "html", "-o", "a.html",
              NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(lh_sh(dir, "python3 -c \"import json, re; s=open('a.html').read(); "
                         "m=re.search(r'<script id=.lh-model. type=.application/json.>(.*?)"
                         "</script>', s, re.S); d=json.loads(m.group(1)); "
                         "assert d['schema'] == 'leakhound-audit/1' and len(d['secrets']) == 3 "
                         "and len(d['repositories']) == 3, d\"") == 0);
    lh_run_lh(&r, dir, NULL, "report", "--db", "audit.db", "--repo", "acme/none", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    lh_run_dispose(&r);
    git_server_stop(&srv);
}

Test(audit_db, triage_shows_in_the_report)
{
    three_repos();
    struct lh_run r;
    audit(&r, 1, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    const char *fp = strstr(r.out, "\"fingerprint\":\"");
    cr_assert(fp != NULL);
    char fingerprint[33];
    snprintf(fingerprint, sizeof(fingerprint), "%.32s", fp + 15);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "triage", fingerprint, "--status", "revoked", "--note",
              "rotated in INC-42", "--db", "audit.db", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "report", "--db", "audit.db", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "\"status\": \"revoked\"") && strstr(r.out, "rotated in INC-42"), "%s",
              r.out);
    cr_assert(strstr(r.err, "0 open secrets") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    /*
     * The next audit of that repository (unchanged: findings read back from the database)
     * and one after a new commit (rescanned) both suppress the triaged secret: exit 0, the
     * summary counts it, --show-suppressed lists it with its status.
     */
    audit(&r, 1, NULL);
    cr_assert(eq(int, r.status, 0), "%s\n%s", r.out, r.err);
    cr_assert(strstr(r.err, "1 suppressed (0 inline allow, 0 baseline, 0 below --min-confidence, "
                            "1 triaged in the scan database)") != NULL,
              "%s", r.err);
    cr_assert(strstr(r.out, "\"fingerprint\"") == NULL, "%s", r.out);
    lh_run_dispose(&r);
    repo_commit(dir, names[1], "docs/notes.md", "nothing secret\n");
    char url[256];
    url_of(url, sizeof(url), 1);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "audit.db", "--format", "jsonl",
              "--show-suppressed", NULL);
    cr_assert(eq(int, r.status, 0), "%s\n%s", r.out, r.err);
    cr_assert(strstr(r.err, " in 1 blob (") != NULL, "%s", r.err); /* the new one only */
    cr_assert(strstr(r.out, "\"suppressed\":\"triage\",\"triage\":\"revoked\"") != NULL, "%s",
              r.out);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "audit.db", "--show-suppressed", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.out, "(suppressed: triage revoked)") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* reopened: reported (and failing) again */
    lh_run_lh(&r, dir, NULL, "triage", fingerprint, "--status", "open", "--db", "audit.db", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    audit(&r, 1, NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(strstr(r.out, fingerprint) != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* unknown ids and bad statuses are usage errors */
    lh_run_lh(&r, dir, NULL, "triage", "0123456789abcdef0123456789abcdef", "--status", "accepted",
              "--db", "audit.db", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "triage", fingerprint, "--status", "maybe", "--db", "audit.db", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    lh_run_dispose(&r);
    /* a file that is no scan database */
    lh_write_file(dir, "not.db", "hello\n", 6);
    lh_run_lh(&r, dir, NULL, "report", "--db", "not.db", NULL);
    cr_assert(eq(int, r.status, 2), "%s", r.err);
    cr_assert(strstr(r.err, "not a leakhound scan database") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    git_server_stop(&srv);
}

Test(audit_db, merge_of_two_databases_dedups)
{
    three_repos();
    char url[256];
    struct lh_run r;
    /* shard 1: api and web; shard 2: web and tools (web in both) */
    url_of(url, sizeof(url), 0);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "s1.db", "-q", NULL);
    lh_run_dispose(&r);
    url_of(url, sizeof(url), 1);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "s1.db", "-q", NULL);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "s2.db", "-q", NULL);
    lh_run_dispose(&r);
    url_of(url, sizeof(url), 2);
    lh_run_lh(&r, dir, NULL, "history", url, "--db", "s2.db", "-q", "--format", "jsonl", "-o",
              "tools.jsonl", NULL);
    lh_run_dispose(&r);
    char sid[LH_SHA256_HEX_LEN + 1];
    lh_sha256_hex(sid, tokens[2], strlen(tokens[2]));
    lh_run_lh(&r, dir, NULL, "triage", sid, "--db", "s2.db", "--status", "accepted", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "merge", "all.db", "s1.db", "s2.db", "tools.jsonl", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "3 repositories, 3 secrets, 3 occurrences") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    char db[512];
    snprintf(db, sizeof(db), "%s/all.db", dir);
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM findings"), 3));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM blobs"), 5));
    /* a fork holding acme/api's secret: one secret, two repositories */
    lh_run_lh(&r, dir, NULL, "history", "work-acme/api", "--db", "fork.db", "--repo-name",
              "acme/api-fork", "-q", NULL);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "merge", "all.db", "fork.db", NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "4 repositories, 3 secrets, 4 occurrences") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    lh_run_lh(&r, dir, NULL, "report", "--db", "all.db", NULL);
    cr_assert(strstr(r.out, "\"status\": \"accepted\"") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "\"acme/api\",\n        \"acme/api-fork\"") != NULL, "%s", r.out);
    lh_run_dispose(&r);
    /* SARIF keeps the fork's occurrence apart from the original's */
    lh_run_lh(&r, dir, NULL, "report", "--db", "all.db", "--format", "sarif", "-o", "all.sarif",
              NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(lh_sh(dir, "python3 -c \"import json; d=json.load(open('all.sarif')); "
                         "rs=d['runs'][0]['results']; assert len(rs) == 4, len(rs)\"") == 0);
    /* a malformed JSONL line is named */
    lh_write_file(dir, "bad.jsonl", "{\"rule_id\": 1}\n", 15);
    lh_run_lh(&r, dir, NULL, "merge", "all.db", "bad.jsonl", NULL);
    cr_assert(eq(int, r.status, 3), "%s", r.err);
    cr_assert(strstr(r.err, "bad.jsonl:1:") != NULL, "%s", r.err);
    lh_run_dispose(&r);
    git_server_stop(&srv);
}
