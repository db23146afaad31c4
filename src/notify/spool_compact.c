/* SPDX-License-Identifier: MIT */
/*
 * Compaction of the revocation journal (spool_int.h): when it is worth it, and rewriting the
 * journal atomically (temp file, fsync, rename, directory fsync) as the records that replay
 * to each entry's current state, without the bodies, hence the raw tokens, of finished
 * entries. Runs with the spool's lock held, like every other write.
 */
#include "notify/spool_int.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool lh_spool_should_compact(const struct lh_spool *sp)
{
    if (sp->read_only || sp->broken) {
        return false;
    }
    if (sp->corrupt > 0 || sp->records > 2 * sp->count + 64) {
        return true;
    }
    for (size_t i = 0; i < sp->count; i++) {
        if (sp->items[i].state != LH_SPOOL_PENDING && sp->items[i].body_on_disk) {
            return true;
        }
    }
    return false;
}

/* One entry as the records that replay to it. */
static int snapshot(struct lh_buf *b, const struct lh_spool_entry *e, int64_t now)
{
    if (e->state != LH_SPOOL_PENDING) {
        json_t *rec =
            lh_spool_finish_record(e, e->state == LH_SPOOL_DONE ? "done" : "failed", e->updated_at,
                                   e->attempts, e->last_status, e->last_error);
        int rc = rec ? lh_spool_dump_line(b, rec) : lh_error_oom();
        json_decref(rec);
        return rc;
    }
    json_t *q =
        json_pack("{s:i,s:s,s:s,s:I,s:s,s:s,s:s*,s:s,s:I,s:s%}", "v", 1, "op", "queued", "id",
                  e->id, "ts", (json_int_t)e->queued_at, "key", e->key, "url", e->url, "secret_env",
                  e->secret_env, "rule_id", e->rule_id, "route", (json_int_t)e->route, "body",
                  e->body ? e->body : "{}", e->body ? e->body_len : (size_t)2);
    int rc = q ? lh_spool_dump_line(b, q) : lh_error_oom();
    lh_spool_record_free(q);
    if (rc == 0 && (e->attempts || e->last_error)) {
        json_t *d =
            json_pack("{s:i,s:s,s:s,s:I,s:I,s:I,s:s*}", "v", 1, "op", "deferred", "id", e->id, "ts",
                      (json_int_t)e->updated_at, "attempts", (json_int_t)e->attempts, "status",
                      (json_int_t)e->last_status, "error", e->last_error);
        rc = d ? lh_spool_dump_line(b, d) : lh_error_oom();
        json_decref(d);
    }
    if (rc == 0 && lh_spool_leased(e, now)) {
        json_t *l =
            json_pack("{s:i,s:s,s:s,s:I,s:I,s:I}", "v", 1, "op", "lease", "id", e->id, "ts",
                      (json_int_t)now, "pid", (json_int_t)(e->inflight ? getpid() : e->lease_pid),
                      "until", (json_int_t)e->lease_until);
        rc = l ? lh_spool_dump_line(b, l) : lh_error_oom();
        json_decref(l);
    }
    return rc;
}

int lh_spool_compact(struct lh_spool *sp)
{
    if (sp->read_only) {
        return 0;
    }
    struct lh_buf b;
    lh_buf_init(&b, LH_SPOOL_MAX_BYTES);
    char *tmp = NULL;
    int fd = -1;
    int64_t now = lh_spool_now();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sp->count; i++) {
        rc = snapshot(&b, &sp->items[i], now);
    }
    if (rc < 0) {
        goto out;
    }
    tmp = lh_path_join(sp->dir, LH_SPOOL_JOURNAL ".tmp");
    if (!tmp) {
        rc = lh_error_oom();
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || lh_fs_write_all(fd, b.ptr ? b.ptr : "", b.len) != 0 || fsync(fd) != 0) {
        lh_error_set("cannot write '%s': %s", tmp, strerror(errno));
        rc = LH_EIO;
        goto out;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, sp->path) != 0) {
        lh_error_set("cannot replace '%s': %s", sp->path, strerror(errno));
        rc = LH_EIO;
        goto out;
    }
    rc = lh_spool_fsync_dir(sp->dir);
    if (rc == 0) {
        rc = lh_spool_open_journal(sp);
    }
    struct stat st;
    if (rc == 0 && fstat(sp->fd, &st) != 0) {
        lh_error_set("cannot stat '%s': %s", sp->path, strerror(errno));
        rc = LH_EIO;
    }
    if (rc < 0) {
        sp->broken = true;
        goto out;
    }
    sp->dev = st.st_dev;
    sp->ino = st.st_ino;
    sp->off = (size_t)st.st_size;
    sp->tail_clean = true;
    sp->corrupt = 0;
    sp->records = 0;
    for (size_t i = 0; i < sp->count; i++) {
        struct lh_spool_entry *e = &sp->items[i];
        e->body_on_disk = e->state == LH_SPOOL_PENDING;
        sp->records += e->state == LH_SPOOL_PENDING ? 1u + (e->attempts || e->last_error) : 1u;
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    if (rc < 0 && tmp) {
        unlink(tmp);
    }
    free(tmp);
    lh_buf_wipe(&b);
    return rc;
}
