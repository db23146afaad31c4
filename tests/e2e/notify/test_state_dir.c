/* SPDX-License-Identifier: MIT */
/*
 * The revocation state directory is opened safely (issue #15): a symbolic link in place of
 * the journal, the lock or the directory, and a journal or directory that another user owns
 * or can write, are refused by `scan --revoke`, `revoke flush` and `revoke status` with exit
 * 4 and one error line naming the path; nothing is appended to the link's target. Foreign
 * owners need root to set up (chown): those tests are skipped otherwise (CI runs as root).
 */
#include "support/notify.h"
#include "support/support.h"
#include "util/fs.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534

static char *dir;
static char *state;
static char *journal;
static char tok[41];

static void setup(void)
{
    t_env();
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    state = lh_path_join(dir, "state");
    journal = lh_path_join(state, "revoke.jsonl");
    cr_assert(state && journal);
    cr_assert(eq(int, mkdir(state, 0700), 0));
    t_token(tok, 800);
    char buf[128];
    snprintf(buf, sizeof(buf), "GH=%s\n", tok);
    lh_write_file(dir, "tree/a.env", buf, strlen(buf));
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
    free(state);
    free(journal);
}

TestSuite(state_dir, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

static void need_root(void)
{
    if (geteuid() != 0) {
        cr_skip_test("needs root to give a file to another user");
    }
}

/*
 * Runs the three commands that open the spool; each must exit 4 with exactly one error line
 * that names `path` and contains `why`, and never print the token.
 */
static void all_refuse(const char *path, const char *why)
{
    const char *scan[] = {
        LH_BIN, "scan", "--revoke", "--revoke-url", "http://127.0.0.1:9/hook", "--state-dir",
        state,  "tree", NULL};
    const char *flush[] = {LH_BIN, "revoke", "flush", "--state-dir", state, NULL};
    const char *status[] = {LH_BIN, "revoke", "status", "--state-dir", state, NULL};
    const char *const *cmds[] = {scan, flush, status};
    for (size_t c = 0; c < 3; c++) {
        const char *const *argv = cmds[c];
        struct lh_run r;
        lh_run_in(&r, dir, NULL, 0, argv);
        cr_assert(eq(int, r.status, 4), "%s %s: %s", argv[1], argv[2], r.err);
        char *line = lh_error_line(r.err);
        cr_assert(line != NULL, "%s %s: not one error line: %s", argv[1], argv[2], r.err);
        cr_assert(strstr(line, path) != NULL, "%s", line);
        cr_assert(strstr(line, why) != NULL, "%s", line);
        cr_assert(strstr(r.err, tok) == NULL && strstr(r.out, tok) == NULL);
        free(line);
        lh_run_dispose(&r);
    }
}

Test(state_dir, symlinked_journal_is_refused_and_its_target_untouched)
{
    char *target = lh_path_join(dir, "elsewhere.txt");
    lh_write_file(dir, "elsewhere.txt", "", 0);
    cr_assert(eq(int, chmod(target, 0644), 0));
    cr_assert(eq(int, symlink(target, journal), 0));
    all_refuse(journal, "symbolic link");
    struct stat st;
    cr_assert(eq(int, stat(target, &st), 0));
    cr_assert(eq(sz, (size_t)st.st_size, 0));                /* no token appended */
    cr_assert(eq(u32, (unsigned)(st.st_mode & 0777), 0644)); /* and not chmod'ed */
    free(target);
}

Test(state_dir, symlinked_lock_and_directory_are_refused)
{
    char *lock = lh_path_join(state, "revoke.lock");
    char *target = lh_path_join(dir, "lock-target");
    lh_write_file(dir, "lock-target", "", 0);
    cr_assert(eq(int, symlink(target, lock), 0));
    all_refuse(lock, "symbolic link");
    cr_assert(eq(int, unlink(lock), 0));
    /* the directory itself a link to a private directory: still refused */
    char *real = lh_path_join(dir, "real-state");
    cr_assert(eq(int, mkdir(real, 0700), 0));
    lh_rmtree(state);
    cr_assert(eq(int, symlink(real, state), 0));
    all_refuse(state, "symbolic link");
    free(real);
    free(target);
    free(lock);
}

Test(state_dir, journal_owned_by_another_user_is_refused)
{
    need_root();
    lh_write_file(state, "revoke.jsonl", "", 0);
    cr_assert(eq(int, chmod(journal, 0600), 0));
    cr_assert(eq(int, chown(journal, NOBODY, NOBODY), 0));
    all_refuse(journal, "owned by uid 65534");
}

Test(state_dir, directory_owned_by_another_user_is_refused)
{
    need_root();
    cr_assert(eq(int, chown(state, NOBODY, NOBODY), 0));
    all_refuse(state, "owned by uid 65534");
}

Test(state_dir, group_or_world_writable_directory_or_journal_is_refused)
{
    cr_assert(eq(int, chmod(state, 0770), 0));
    all_refuse(state, "writable by other users (mode 770)");
    cr_assert(eq(int, chmod(state, 0777), 0));
    all_refuse(state, "writable by other users (mode 777)");
    cr_assert(eq(int, chmod(state, 0700), 0));
    lh_write_file(state, "revoke.jsonl", "", 0);
    cr_assert(eq(int, chmod(journal, 0666), 0));
    all_refuse(journal, "writable by other users (mode 666)");
}

Test(state_dir, private_directory_is_accepted_and_a_readable_one_warned_about)
{
    const char *argv[] = {
        LH_BIN,        "scan", "--revoke", "--dry-run", "--revoke-url", "http://127.0.0.1:9/hook",
        "--state-dir", state,  "tree",     NULL};
    struct lh_run r;
    lh_run_in(&r, dir, NULL, 0, argv);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
    cr_assert(eq(int, chmod(state, 0755), 0));
    const char *st[] = {LH_BIN, "revoke", "status", "--state-dir", state, NULL};
    lh_run_in(&r, dir, NULL, 0, st);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    const char *fl[] = {LH_BIN, "revoke", "flush", "--state-dir", state, NULL};
    lh_run_in(&r, dir, NULL, 0, fl);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    cr_assert(strstr(r.err, "readable by other users (mode 755)") != NULL, "%s", r.err);
    lh_run_dispose(&r);
}
