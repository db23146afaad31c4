/* SPDX-License-Identifier: MIT */
/*
 * A run killed with SIGKILL mid-scan loses nothing it had committed: the next run skips
 * exactly the blobs the database holds and still reports their findings. Two runs at once
 * on one database both succeed. (LEAKHOUND_TEST_SCAN_DELAY_MS slows each blob down so the
 * kill lands mid-scan.)
 */
#include "audit_helpers.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

LH_TMPDIR_SUITE(audit_resume);

#define NFILES 200

/* A repository of NFILES distinct files, every 20th holding a distinct GitHub token. */
static void big_repo(const char *name)
{
    char work[512];
    snprintf(work, sizeof(work), "%s/%s", dir, name);
    cr_assert(lh_sh(dir, "git init -q '%s'", name) == 0);
    for (int i = 0; i < NFILES; i++) {
        char rel[256];
        char content[256];
        snprintf(rel, sizeof(rel), "%s/f%03d.txt", name, i);
        if (i % 20 == 0) {
            char body[48];
            char tok[41];
            snprintf(body, sizeof(body), "Pw4Nc8Rv1Lk6Tq3Xz9Bm2Hd7Js5%c%02d", name[0],
                     (i / 20) % 100);
            lh_make_github_token(tok, "ghp_", body);
            snprintf(content, sizeof(content), "token=%s\n", tok);
        } else {
            snprintf(content, sizeof(content), "%s file %d\n", name, i);
        }
        lh_write_file(dir, rel, content, strlen(content));
    }
    cr_assert(lh_sh(dir,
                    "cd '%s' && git add -A && git -c user.name=D -c user.email=d@e commit "
                    "-qm all",
                    name) == 0);
}

static void env(void)
{
    char c[512];
    snprintf(c, sizeof(c), "%s/cache", dir);
    setenv("LEAKHOUND_CACHE_DIR", c, 1);
}

Test(audit_resume, sigkill_mid_scan_resumes_without_rescanning)
{
    env();
    big_repo("big");
    char db[512];
    char log[512];
    snprintf(db, sizeof(db), "%s/audit.db", dir);
    snprintf(log, sizeof(log), "%s/run.log", dir);
    setenv("LEAKHOUND_TEST_SCAN_DELAY_MS", "25", 1);
    struct lh_proc p;
    const char *argv[] = {LH_BIN, "history", "big", "--db", db, "--threads", "1", "-q", NULL};
    cr_assert(lh_proc_start(&p, dir, argv, log) == 0);
    /* wait for at least one committed batch, then kill it */
    long long k = 0;
    long long t0 = lh_now_ms();
    while (lh_now_ms() - t0 < 60000) {
        k = db_count(db, "SELECT count(*) FROM blobs");
        if (k >= 20) {
            break;
        }
        usleep(50000);
    }
    cr_assert(lh_proc_alive(&p), "the run ended before it could be killed");
    int st = lh_proc_stop(&p, SIGKILL, 10000);
    lh_proc_dispose(&p);
    cr_assert(eq(int, st, 128 + SIGKILL));
    unsetenv("LEAKHOUND_TEST_SCAN_DELAY_MS");
    k = db_count(db, "SELECT count(*) FROM blobs");
    long long kf = db_count(db, "SELECT count(*) FROM blob_findings");
    cr_assert(k >= 20 && k < NFILES, "committed %lld of %d blobs", k, NFILES);
    /* the committed blobs' findings were committed with them */
    cr_assert(eq(i64, kf, db_count(db, "SELECT coalesce(sum(findings), 0) FROM blobs")));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "history", "big", "--db", db, "--format", "jsonl", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blobs ("), NFILES - k), "%s", r.err);
    cr_assert(eq(i64, number_before(r.err, "blobs skipped"), k), "%s", r.err);
    /* all ten findings: those of skipped blobs come from the database */
    size_t lines = 0;
    for (const char *q = r.out; (q = strchr(q, '\n')) != NULL; q++) {
        lines++;
    }
    cr_assert(eq(sz, lines, NFILES / 20), "%s", r.out);
    lh_run_dispose(&r);
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM blobs"), NFILES));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM findings"), NFILES / 20));
}

Test(audit_resume, two_runs_at_once_on_one_database)
{
    env();
    big_repo("one");
    big_repo("two");
    char db[512];
    char log1[512];
    char log2[512];
    snprintf(db, sizeof(db), "%s/audit.db", dir);
    snprintf(log1, sizeof(log1), "%s/one.log", dir);
    snprintf(log2, sizeof(log2), "%s/two.log", dir);
    /* slow enough that both write batches while the other does */
    setenv("LEAKHOUND_TEST_SCAN_DELAY_MS", "5", 1);
    struct lh_proc p1;
    struct lh_proc p2;
    const char *a1[] = {LH_BIN, "history", "one", "--db", db, "--threads", "2", NULL};
    const char *a2[] = {LH_BIN, "history", "two", "--db", db, "--threads", "2", NULL};
    cr_assert(lh_proc_start(&p1, dir, a1, log1) == 0);
    cr_assert(lh_proc_start(&p2, dir, a2, log2) == 0);
    int s1 = lh_proc_stop(&p1, 0, 120000);
    int s2 = lh_proc_stop(&p2, 0, 120000);
    char *l1 = lh_read_file(log1);
    char *l2 = lh_read_file(log2);
    cr_assert(eq(int, s1, 1), "%s", l1);
    cr_assert(eq(int, s2, 1), "%s", l2);
    cr_assert(strstr(l1, "10 findings") && strstr(l2, "10 findings"), "%s\n%s", l1, l2);
    free(l1);
    free(l2);
    lh_proc_dispose(&p1);
    lh_proc_dispose(&p2);
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM repositories WHERE complete = 1"), 2));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM blobs"), 2 * NFILES));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM findings"), 2 * NFILES / 20));
    cr_assert(eq(i64, db_count(db, "SELECT count(*) FROM secrets"), 2 * NFILES / 20));
}
