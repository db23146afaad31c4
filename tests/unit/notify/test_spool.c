/* SPDX-License-Identifier: MIT */
/*
 * The durable spool: a torn last line (crash during append) or a corrupt line never loses
 * the records around it, new records always start on a fresh line, the journal is private,
 * compaction drops delivered tokens without forgetting them, processes sharing a state
 * directory never queue a token twice, and a live process's lease is respected while a dead
 * one's is not.
 */
#include "notify/revoke.h"
#include "support/notify.h"
#include "support/receiver.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *dir;
static char state[4096];
static char journal[4200];

static void setup(void)
{
    t_env();
    dir = lh_tmpdir();
    cr_assert(dir != NULL);
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(journal, sizeof(journal), "%s/revoke.jsonl", state);
}

static void teardown(void)
{
    lh_rmtree(dir);
    free(dir);
}

TestSuite(spool, .init = setup, .fini = teardown, .timeout = LH_TEST_TIMEOUT);

struct warnings {
    size_t n;
    char text[4096];
};

static void on_warn(const char *msg, void *payload)
{
    struct warnings *w = payload;
    w->n++;
    size_t len = strlen(w->text);
    snprintf(w->text + len, sizeof(w->text) - len, "%s\n", msg);
}

static struct lh_revoker *open_w(const struct lh_revoke_route *route, struct warnings *w)
{
    struct lh_revoke_opts o = {.warn = on_warn, .payload = w};
    struct lh_revoker *rv = NULL;
    int rc = lh_revoker_open_opts(&rv, state, route, 1, &o);
    cr_assert(eq(int, rc, 0), "open: %s", lh_error_get());
    return rv;
}

struct tally {
    size_t pending, delivered, failed;
    char keys[8][65];
    size_t nkeys;
};

static void count(const struct lh_revoke_entry_info *e, void *payload)
{
    struct tally *t = payload;
    t->pending += !strcmp(e->state, "pending");
    t->delivered += !strcmp(e->state, "delivered");
    t->failed += !strcmp(e->state, "failed");
    if (t->nkeys < 8) {
        snprintf(t->keys[t->nkeys++], 65, "%s", e->key);
    }
}

static struct tally list(struct lh_revoker *rv)
{
    struct tally t;
    memset(&t, 0, sizeof(t));
    cr_assert(eq(int, lh_revoker_list(rv, count, &t), 0));
    return t;
}

static size_t enqueue(struct lh_revoker *rv, const char *tok)
{
    struct lh_revoke_item it = t_item(tok);
    size_t q = 99;
    int rc = lh_revoker_enqueue(rv, &it, &q);
    cr_assert(eq(int, rc, 0), "enqueue: %s", lh_error_get());
    return q;
}

static size_t file_size(const char *p)
{
    struct stat st;
    cr_assert(eq(int, stat(p, &st), 0));
    return (size_t)st.st_size;
}

/* Every line of the journal must be a JSON object except those listed as torn. */
static size_t count_valid_lines(const char *p, size_t *invalid)
{
    char *s = lh_read_file(p);
    cr_assert(s != NULL);
    size_t valid = 0;
    *invalid = 0;
    for (char *line = s; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        json_error_t je;
        json_t *o = json_loadb(line, len, 0, &je);
        if (json_is_object(o)) {
            valid++;
        } else {
            (*invalid)++;
        }
        json_decref(o);
        line += len + (nl ? 1 : 0);
    }
    free(s);
    return valid;
}

Test(spool, truncated_last_line_keeps_earlier_entries)
{
    struct lh_revoke_route route = t_route("http://127.0.0.1:9/hook");
    struct warnings w = {0};
    struct lh_revoker *rv = open_w(&route, &w);
    char a[41], b[41];
    t_token(a, 21);
    t_token(b, 22);
    cr_assert(eq(sz, enqueue(rv, a), 1));
    size_t after_first = file_size(journal);
    cr_assert(eq(sz, enqueue(rv, b), 1));
    lh_revoker_close(rv);
    /* a crash in the middle of the second append: keep half of its line */
    size_t full = file_size(journal);
    cr_assert(eq(int, truncate(journal, (off_t)(after_first + (full - after_first) / 2)), 0));

    rv = open_w(&route, &w);
    cr_assert(eq(sz, w.n, 1));
    cr_assert(strstr(w.text, "incomplete last record") != NULL, "%s", w.text);
    struct tally t = list(rv);
    cr_assert(eq(sz, t.pending, 1));
    char ka[65];
    lh_test_sha256_hex(ka, a);
    cr_assert(eq(str, t.keys[0], ka));
    /* the lost request is queued again by the next detection; the kept one is not */
    cr_assert(eq(sz, enqueue(rv, a), 0));
    cr_assert(eq(sz, enqueue(rv, b), 1));
    lh_revoker_close(rv);

    /* the new record went on its own line: only the torn fragment is invalid */
    size_t invalid = 0;
    cr_assert(eq(sz, count_valid_lines(journal, &invalid), 2));
    cr_assert(eq(sz, invalid, 1));
    memset(&w, 0, sizeof(w));
    rv = open_w(&route, &w);
    cr_assert(eq(sz, w.n, 1));
    cr_assert(strstr(w.text, "corrupt record") != NULL, "%s", w.text);
    t = list(rv);
    cr_assert(eq(sz, t.pending, 2));
    lh_revoker_close(rv);
}

Test(spool, complete_record_missing_only_its_newline_counts)
{
    struct lh_revoke_route route = t_route("http://127.0.0.1:9/hook");
    struct warnings w = {0};
    struct lh_revoker *rv = open_w(&route, &w);
    char a[41], b[41];
    t_token(a, 23);
    t_token(b, 24);
    enqueue(rv, a);
    lh_revoker_close(rv);
    cr_assert(eq(int, truncate(journal, (off_t)(file_size(journal) - 1)), 0)); /* drop '\n' */
    rv = open_w(&route, &w);
    cr_assert(eq(sz, w.n, 0), "%s", w.text);
    cr_assert(eq(sz, list(rv).pending, 1));
    cr_assert(eq(sz, enqueue(rv, a), 0));
    cr_assert(eq(sz, enqueue(rv, b), 1));
    lh_revoker_close(rv);
    size_t invalid = 0;
    cr_assert(eq(sz, count_valid_lines(journal, &invalid), 2));
    cr_assert(eq(sz, invalid, 0));
}

Test(spool, garbage_lines_are_skipped_with_a_warning)
{
    struct lh_revoke_route route = t_route("http://127.0.0.1:9/hook");
    struct warnings w = {0};
    struct lh_revoker *rv = open_w(&route, &w);
    char a[41], b[41];
    t_token(a, 25);
    t_token(b, 26);
    enqueue(rv, a);
    lh_revoker_close(rv);
    FILE *f = fopen(journal, "a");
    cr_assert(f != NULL);
    fputs("\x01\xff not json\n{\"v\":1,\"op\":\"done\",\"id\":\"nothex\"}\n[1,2]\n\n"
          "{\"v\":2,\"op\":\"queued\"}\n",
          f);
    fclose(f);
    rv = open_w(&route, &w);
    cr_assert(eq(sz, w.n, 4), "%s", w.text); /* the empty line is not a record */
    cr_assert(eq(sz, list(rv).pending, 1));
    cr_assert(eq(sz, enqueue(rv, b), 1));
    lh_revoker_close(rv);
    memset(&w, 0, sizeof(w));
    rv = open_w(&route, &w);
    cr_assert(eq(sz, list(rv).pending, 2));
    lh_revoker_close(rv);
}

Test(spool, journal_is_private)
{
    struct lh_revoke_route route = t_route("http://127.0.0.1:9/hook");
    struct warnings w = {0};
    mode_t old = umask(0);
    struct lh_revoker *rv = open_w(&route, &w);
    umask(old);
    char a[41];
    t_token(a, 27);
    enqueue(rv, a);
    lh_revoker_close(rv);
    struct stat st;
    cr_assert(eq(int, stat(state, &st), 0));
    cr_assert(eq(u32, (unsigned)(st.st_mode & 0777), 0700));
    cr_assert(eq(int, stat(journal, &st), 0));
    cr_assert(eq(u32, (unsigned)(st.st_mode & 0777), 0600));
    /* a journal someone made readable is restricted again */
    cr_assert(eq(int, chmod(journal, 0644), 0));
    rv = open_w(&route, &w);
    lh_revoker_close(rv);
    cr_assert(eq(int, stat(journal, &st), 0));
    cr_assert(eq(u32, (unsigned)(st.st_mode & 0777), 0600));
}

Test(spool, compaction_drops_delivered_tokens_but_remembers_them)
{
    struct rx_opts ro = {.secret = T_SECRET};
    struct rx *r = rx_start(&ro);
    cr_assert(r != NULL);
    char url[128];
    rx_url(r, url, sizeof(url));
    struct lh_revoke_route route = t_route(url);
    struct warnings w = {0};
    struct lh_revoker *rv = open_w(&route, &w);
    char a[41], b[41];
    t_token(a, 28);
    t_token(b, 29);
    enqueue(rv, a);
    char *before = lh_read_file(journal);
    cr_assert(strstr(before, a) != NULL); /* pending: the raw token is what makes flush work */
    free(before);
    struct lh_revoke_stats st;
    cr_assert(eq(int, lh_revoker_flush(rv, &st), 0));
    cr_assert(eq(sz, st.delivered, 1));
    enqueue(rv, b); /* stays pending: its token must survive */
    lh_revoker_close(rv);
    char *after = lh_read_file(journal);
    cr_assert(strstr(after, a) == NULL, "delivered token still on disk");
    cr_assert(strstr(after, b) != NULL);
    char ka[65];
    lh_test_sha256_hex(ka, a);
    cr_assert(strstr(after, ka) != NULL);
    free(after);
    rv = open_w(&route, &w);
    cr_assert(eq(sz, enqueue(rv, a), 0)); /* still known as delivered */
    struct tally t = list(rv);
    cr_assert(eq(sz, t.delivered, 1));
    cr_assert(eq(sz, t.pending, 1));
    lh_revoker_close(rv);
    cr_assert(eq(sz, w.n, 0), "%s", w.text);
    rx_stop(r);
}

Test(spool, processes_sharing_a_state_dir_queue_each_token_once)
{
    struct lh_revoke_route route = t_route("http://127.0.0.1:9/hook");
    pid_t kids[3];
    for (int k = 0; k < 3; k++) {
        kids[k] = fork();
        cr_assert(kids[k] >= 0);
        if (kids[k] == 0) {
            struct lh_revoker *rv = NULL;
            if (lh_revoker_open(&rv, state, &route, 1) != 0) {
                _exit(2);
            }
            int bad = 0;
            for (unsigned i = 0; i < 30; i++) {
                char tok[41];
                t_token(tok, 200 + (i * 7 + (unsigned)k * 5) % 30);
                struct lh_revoke_item it = t_item(tok);
                bad |= lh_revoker_enqueue(rv, &it, NULL) != 0;
            }
            lh_revoker_close(rv);
            _exit(bad);
        }
    }
    for (int k = 0; k < 3; k++) {
        int status = 0;
        waitpid(kids[k], &status, 0);
        cr_assert(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0));
    }
    struct warnings w = {0};
    struct lh_revoker *rv = open_w(&route, &w);
    cr_assert(eq(sz, list(rv).pending, 30));
    lh_revoker_close(rv);
    size_t invalid = 0;
    cr_assert(eq(sz, count_valid_lines(journal, &invalid), 30)); /* no duplicate records */
    cr_assert(eq(sz, invalid, 0));
}

static void append_lease(pid_t pid, int64_t until)
{
    /* the entry id is the only one in the journal: take it from the first record */
    char *s = lh_read_file(journal);
    cr_assert(s != NULL);
    json_error_t je;
    json_t *o = json_loadb(s, strcspn(s, "\n"), 0, &je);
    cr_assert(o != NULL);
    FILE *f = fopen(journal, "a");
    cr_assert(f != NULL);
    fprintf(f, "{\"v\":1,\"op\":\"lease\",\"id\":\"%s\",\"ts\":%lld,\"pid\":%d,\"until\":%lld}\n",
            json_string_value(json_object_get(o, "id")), (long long)time(NULL), (int)pid,
            (long long)until);
    fclose(f);
    json_decref(o);
    free(s);
}

Test(spool, live_lease_is_respected_and_dead_one_is_not)
{
    struct rx_opts ro = {.secret = T_SECRET};
    struct rx *r = rx_start(&ro);
    cr_assert(r != NULL);
    char url[128];
    rx_url(r, url, sizeof(url));
    struct lh_revoke_route route = t_route(url);
    struct warnings w = {0};
    struct lh_revoker *rv = open_w(&route, &w);
    char a[41];
    t_token(a, 30);
    enqueue(rv, a);
    /* another live process (our parent, the test runner) is delivering it */
    append_lease(getppid(), (int64_t)time(NULL) + 600);
    struct lh_revoke_stats st;
    cr_assert(eq(int, lh_revoker_flush(rv, &st), 0));
    cr_assert(eq(sz, st.pending, 1));
    cr_assert(eq(sz, rx_count(r), 0));
    /* that process died (killed mid-delivery): its lease no longer holds the entry */
    pid_t kid = fork();
    cr_assert(kid >= 0);
    if (kid == 0) {
        _exit(0);
    }
    waitpid(kid, NULL, 0);
    append_lease(kid, (int64_t)time(NULL) + 600);
    cr_assert(eq(int, lh_revoker_flush(rv, &st), 0));
    cr_assert(eq(sz, st.delivered, 1));
    cr_assert(eq(sz, rx_count(r), 1));
    lh_revoker_close(rv);
    rx_stop(r);
}
