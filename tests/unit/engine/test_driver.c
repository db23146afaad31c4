/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the scan driver through a test input that implements source/input.h the
 * way a real one does (heap jobs, a per-worker reader, items with origins): findings get the
 * path of the origin chain and the nearest blob id, line filters drop findings, inputs that
 * announce one job are read on the calling thread, every job is read or discarded exactly
 * once when a read fails, a failed prepare reads nothing, binary items are counted and
 * skipped, and the stats of a run add up.
 */
#include "engine/driver.h"
#include "finding/detect.h"
#include "rules/ruleset.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "tok_q7rk2mxv9lpa4stz"

static struct lh_ruleset *rs;
static struct lh_detector *d;
static struct lh_findings l;
static struct lh_scan_stats st;
static struct lh_input_env env;

static void setup(void)
{
    const char *rules = "rules:\n"
                        "  - {id: t-tok, name: T, keywords: [tok_],\n"
                        "     pattern: '(?<secret>tok_[a-z0-9]{16})'}\n";
    cr_assert(eq(int, lh_ruleset_new(&rs), 0));
    cr_assert(
        eq(int, lh_ruleset_load_buffer(rs, "t.yml", (const uint8_t *)rules, strlen(rules)), 0),
        "%s", lh_error_get());
    struct lh_detect_opts o = {.inline_allow = true};
    cr_assert(eq(int, lh_detector_new(&d, rs, &o), 0), "%s", lh_error_get());
    lh_findings_init(&l);
    memset(&st, 0, sizeof(st));
    memset(&env, 0, sizeof(env));
    env.threads = 2;
    env.stats = &st;
}

static void teardown(void)
{
    lh_findings_dispose(&l);
    lh_detector_free(d);
    lh_ruleset_free(rs);
}

TestSuite(driver, .init = setup, .fini = teardown);

/* ---- the test input: njobs heap jobs of `per_job` items each ---- */

struct job {
    size_t index;
};

struct tin {
    struct lh_input base;
    size_t njobs;
    size_t per_job;
    size_t announce;  /* what prepare says (max_jobs) */
    int prepare_rc;   /* returned by prepare */
    size_t fail_at;   /* read of this job index returns LH_ENOMEM (SIZE_MAX: never) */
    const char *text; /* every item's content */
    size_t text_len;
    bool nested;      /* each item is a blob holding one archive member */
    const char *path; /* every item's path (NULL: dir/f<job>-<item>.txt) */
    lh_line_filter_fn lines;
    pthread_mutex_t lock;
    size_t readers, readers_freed, jobs_read, jobs_discarded, items_scanned, kept;
    bool read_off_main; /* some job was read on another thread */
    pthread_t main;
};

static int t_prepare(struct lh_input *in, size_t *max_jobs)
{
    struct tin *t = (struct tin *)in;
    *max_jobs = t->announce;
    return t->prepare_rc;
}

static int t_produce(struct lh_input *in, lh_submit_fn submit, void *payload)
{
    struct tin *t = (struct tin *)in;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->njobs; i++) {
        struct job *j = malloc(sizeof(*j)); /* a leak if the driver lost one */
        cr_assert(j != NULL);
        j->index = i;
        rc = submit(j, payload);
    }
    return rc;
}

static int t_reader_new(struct lh_input *in, void **out)
{
    struct tin *t = (struct tin *)in;
    pthread_mutex_lock(&t->lock);
    t->readers++;
    pthread_mutex_unlock(&t->lock);
    *out = malloc(16);
    return *out ? 0 : LH_ENOMEM;
}

static void t_reader_free(struct lh_input *in, void *reader)
{
    struct tin *t = (struct tin *)in;
    pthread_mutex_lock(&t->lock);
    t->readers_freed++;
    pthread_mutex_unlock(&t->lock);
    free(reader);
}

static bool only_line_2(const void *payload, size_t first, size_t last)
{
    (void)payload;
    return first <= 2 && 2 <= last;
}

static int t_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    struct tin *t = (struct tin *)in;
    struct job *j = job;
    size_t index = j->index;
    int rc = 0;
    cr_assert(reader != NULL);
    free(j);
    pthread_mutex_lock(&t->lock);
    t->jobs_read++;
    if (!pthread_equal(pthread_self(), t->main)) {
        t->read_off_main = true;
    }
    pthread_mutex_unlock(&t->lock);
    if (index == t->fail_at) {
        return lh_error_oom();
    }
    for (size_t i = 0; rc >= 0 && i < t->per_job; i++) {
        char path[64];
        char id[41];
        snprintf(path, sizeof(path), "%s", t->path ? t->path : "");
        if (!t->path) {
            snprintf(path, sizeof(path), "dir/f%zu-%zu.txt", index, i);
        }
        snprintf(id, sizeof(id), "%040zu", index * 1000 + i);
        struct lh_item it = {
            .buf = (const uint8_t *)t->text,
            .len = t->text_len,
            .origin = {.kind = LH_ORIGIN_BLOB, .path = path, .id = id},
            .lines = t->lines,
        };
        struct lh_item box; /* outlives the member's scan: the member points at it */
        if (t->nested) {
            /* what an archive reader does: the container, then its member */
            box = it;
            box.buf = (const uint8_t *)"PK\3\4 no secret here";
            box.len = strlen((const char *)box.buf);
            box.origin.path = "dist/app.jar";
            rc = sink->scan(sink, &box);
            cr_assert(eq(int, rc, 0));
            it.origin = (struct lh_origin){.kind = LH_ORIGIN_MEMBER,
                                           .path = "BOOT-INF/classes/application.yml",
                                           .parent = &box.origin};
        }
        rc = sink->scan(sink, &it);
        pthread_mutex_lock(&t->lock);
        t->items_scanned++;
        t->kept += rc > 0 ? (size_t)rc : 0;
        pthread_mutex_unlock(&t->lock);
    }
    return rc < 0 ? rc : 0;
}

static void t_discard(struct lh_input *in, void *job)
{
    struct tin *t = (struct tin *)in;
    pthread_mutex_lock(&t->lock);
    t->jobs_discarded++;
    pthread_mutex_unlock(&t->lock);
    free(job);
}

static void t_free(struct lh_input *in)
{
    (void)in;
}

static const struct lh_input_ops t_ops = {
    .name = "test",
    .prepare = t_prepare,
    .produce = t_produce,
    .reader_new = t_reader_new,
    .reader_free = t_reader_free,
    .read = t_read,
    .discard = t_discard,
    .free = t_free,
};

static void tin_init(struct tin *t, size_t njobs, size_t per_job, const char *text)
{
    memset(t, 0, sizeof(*t));
    t->base.ops = &t_ops;
    t->base.env = &env;
    t->njobs = njobs;
    t->per_job = per_job;
    t->announce = SIZE_MAX;
    t->fail_at = SIZE_MAX;
    t->text = text;
    t->text_len = strlen(text);
    t->main = pthread_self();
    pthread_mutex_init(&t->lock, NULL);
}

/* ---- tests ---- */

Test(driver, pool_scans_every_item_with_its_origin)
{
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 40, 5, "key = \"" SECRET "\"\n");
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0), "%s", lh_error_get());
    cr_assert(eq(sz, l.count, 200));
    cr_assert(eq(sz, t.kept, 200));
    cr_assert(eq(sz, t.jobs_read, 40));
    cr_assert(eq(sz, t.jobs_discarded, 0));
    cr_assert(t.read_off_main, "a pool run reads on its workers");
    cr_assert(t.readers >= 1 && t.readers <= 2, "one reader per worker, not %zu", t.readers);
    cr_assert(eq(sz, t.readers_freed, t.readers));
    cr_assert(eq(sz, atomic_load(&st.items), 200));
    cr_assert(eq(sz, atomic_load(&st.scanned), 200));
    cr_assert(eq(sz, atomic_load(&st.bytes), 200 * t.text_len));
    cr_assert(eq(int, atomic_load(&st.phase), LH_PHASE_READ));
    bool seen = false;
    for (size_t i = 0; i < l.count; i++) {
        const struct lh_finding *f = &l.items[i];
        cr_assert(f->prov.blob != NULL && strlen(f->prov.blob) == 40);
        if (!strcmp(f->path, "dir/f39-4.txt")) {
            seen = true;
            cr_assert(eq(str, f->prov.blob, "0000000000000000000000000000000000039004"));
        }
    }
    cr_assert(seen);
}

Test(driver, one_announced_job_is_read_on_the_calling_thread)
{
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 1, 3, SECRET "\n");
    t.announce = 1;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0), "%s", lh_error_get());
    cr_assert(t.read_off_main == false);
    cr_assert(eq(sz, t.readers, 1));
    cr_assert(eq(sz, t.readers_freed, 1));
    cr_assert(eq(sz, l.count, 3));
}

Test(driver, no_job_makes_no_reader)
{
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 0, 1, SECRET);
    t.announce = 0;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0));
    cr_assert(eq(sz, t.readers, 0));
    cr_assert(eq(sz, l.count, 0));
}

Test(driver, nested_item_reports_the_chain_and_the_blob_of_its_container)
{
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 1, 1, "spring.token: " SECRET "\n");
    t.nested = true;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0), "%s", lh_error_get());
    cr_assert(eq(sz, l.count, 1));
    cr_assert(eq(str, l.items[0].path, "dist/app.jar!/BOOT-INF/classes/application.yml"));
    cr_assert(eq(str, l.items[0].prov.blob, "0000000000000000000000000000000000000000"));
    cr_assert(eq(sz, atomic_load(&st.items), 1), "items counts top-level items only");
    cr_assert(eq(sz, atomic_load(&st.scanned), 2), "the container and its member");
}

Test(driver, line_filter_drops_findings_on_other_lines)
{
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 1, 1, "a " SECRET "\nb " SECRET "\nc " SECRET "\n");
    t.announce = 1;
    t.lines = only_line_2;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0));
    cr_assert(eq(sz, l.count, 1));
    cr_assert(eq(sz, l.items[0].line, 2));
    cr_assert(eq(sz, t.kept, 1), "the sink counts kept findings only");
}

Test(driver, binary_items_are_counted_and_skipped_unless_asked)
{
    static const char text[] = "x\0y " SECRET "\n";
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 2, 2, "");
    t.text = text;
    t.text_len = sizeof(text) - 1;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0));
    cr_assert(eq(sz, l.count, 0));
    cr_assert(eq(sz, atomic_load(&st.skipped_binary), 4));
    cr_assert(eq(sz, atomic_load(&st.scanned), 0));
    cr_assert(eq(sz, atomic_load(&st.bytes), 4 * t.text_len), "read bytes count");
    env.scan_binary = true;
    tin_init(&t, 2, 2, "");
    t.text = text;
    t.text_len = sizeof(text) - 1;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0));
    cr_assert(eq(sz, l.count, 4));
}

Test(driver, failed_read_stops_the_run_and_every_job_is_freed_once)
{
    for (size_t announce = 1; announce <= 2; announce++) {
        struct tin t;
        struct lh_input *in = &t.base;
        tin_init(&t, 300, 1, SECRET);
        t.announce = announce == 1 ? 1 : SIZE_MAX;
        t.fail_at = 7;
        cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), LH_ENOMEM));
        /* the producer stops at the first refused submit: the rest were never made */
        cr_assert(t.jobs_read + t.jobs_discarded <= 300);
        cr_assert(t.jobs_read >= 8, "jobs 0..7 were read (%zu)", t.jobs_read);
        cr_assert(eq(sz, t.readers_freed, t.readers));
        if (announce == 1) {
            cr_assert(eq(sz, t.jobs_read, 8), "inline: nothing after the failure");
            cr_assert(eq(sz, t.jobs_discarded, 0));
        }
    }
}

Test(driver, failed_prepare_reads_no_input)
{
    struct tin a, b;
    tin_init(&a, 3, 1, SECRET);
    tin_init(&b, 3, 1, SECRET);
    b.prepare_rc = LH_EIO;
    struct lh_input *ins[] = {&a.base, &b.base};
    cr_assert(eq(int, lh_driver_run(d, ins, 2, NULL, &l), LH_EIO));
    cr_assert(eq(sz, a.jobs_read + b.jobs_read, 0));
    cr_assert(eq(sz, l.count, 0));
}

Test(driver, inputs_of_one_run_share_the_output_and_stats)
{
    struct tin a, b;
    tin_init(&a, 2, 2, SECRET);
    tin_init(&b, 5, 1, SECRET);
    a.announce = 1;
    struct lh_input *ins[] = {&a.base, &b.base};
    cr_assert(eq(int, lh_driver_run(d, ins, 2, NULL, &l), 0));
    cr_assert(eq(sz, l.count, 9));
    cr_assert(eq(sz, atomic_load(&st.items), 9));
}

/* A real zip (made by zip(1)) holding the secret, and a zip inside it holding it too. */
static uint8_t *make_jar(size_t *len)
{
    char *dir = lh_tmpdir();
    cr_assert(dir != NULL);
    lh_write_file(dir, "BOOT-INF/classes/application.yml", "token: " SECRET "\n",
                  strlen("token: " SECRET "\n"));
    lh_write_file(dir, "in/x.env", "T=" SECRET "\n", strlen("T=" SECRET "\n"));
    cr_assert(eq(int, lh_sh(dir, "cd in && zip -q ../inner.zip x.env"), 0));
    cr_assert(
        eq(int, lh_sh(dir, "mkdir lib && mv inner.zip lib/ && zip -qr app.jar BOOT-INF lib"), 0));
    char path[4096];
    snprintf(path, sizeof(path), "%s/app.jar", dir);
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL);
    uint8_t *buf = malloc(1 << 20);
    cr_assert(buf != NULL);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    lh_rmtree(dir);
    free(dir);
    return buf;
}

Test(driver, archive_members_are_nested_items_of_their_blob)
{
    size_t len = 0;
    uint8_t *jar = make_jar(&len);
    struct lh_archive_limits lim;
    lh_archive_limits_default(&lim);
    struct lh_driver_opts o = {.archive = &lim};
    struct tin t;
    struct lh_input *in = &t.base;
    tin_init(&t, 1, 1, "");
    t.text = (const char *)jar;
    t.text_len = len;
    t.announce = 1;
    t.path = "dist/app.jar";
    cr_assert(eq(int, lh_driver_run(d, &in, 1, &o, &l), 0), "%s", lh_error_get());
    cr_assert(eq(sz, l.count, 2));
    lh_findings_sort(&l);
    cr_assert(eq(str, l.items[0].path, "dist/app.jar!/BOOT-INF/classes/application.yml"));
    cr_assert(eq(str, l.items[1].path, "dist/app.jar!/lib/inner.zip!/x.env"));
    for (size_t i = 0; i < l.count; i++) {
        cr_assert(eq(str, l.items[i].prov.blob, "0000000000000000000000000000000000000000"));
    }
    cr_assert(eq(sz, t.kept, 2), "the container's scan counts its members' findings");
    cr_assert(eq(sz, atomic_load(&st.items), 1), "one top-level item");
    cr_assert(eq(sz, atomic_load(&st.scanned), 2), "two members scanned, not the zip");

    /* archives not opened: the zip is binary content, skipped */
    lh_findings_dispose(&l);
    lh_findings_init(&l);
    memset(&st, 0, sizeof(st));
    tin_init(&t, 1, 1, "");
    t.text = (const char *)jar;
    t.text_len = len;
    cr_assert(eq(int, lh_driver_run(d, &in, 1, NULL, &l), 0));
    cr_assert(eq(sz, l.count, 0));
    cr_assert(eq(sz, atomic_load(&st.skipped_binary), 1));
    free(jar);
}
