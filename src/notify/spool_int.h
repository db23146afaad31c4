/* SPDX-License-Identifier: MIT */
/*
 * Internal to the spool (spool.c: the journal file, locking and appends; spool_replay.c: the
 * entry table and replaying records into it; spool_compact.c: rewriting the journal as one
 * snapshot per entry). Not for use outside src/notify/spool*.c.
 */
#ifndef LH_NOTIFY_SPOOL_INT_H
#define LH_NOTIFY_SPOOL_INT_H

#include "notify/spool.h"
#include "util/buf.h"

#include <jansson.h>
#include <pthread.h>

struct lh_spool {
    pthread_mutex_t mu;
    char *dir;
    char *path;
    char *lock_path;
    int fd;      /* journal; -1 when read-only and absent */
    int lock_fd; /* -1 when read-only and absent */
    bool read_only;
    bool broken; /* a write or fsync failed: refuse further writes */
    dev_t dev;
    ino_t ino;
    size_t off;      /* journal bytes applied */
    bool tail_clean; /* the journal ends with '\n' (or is empty) */
    size_t lines;    /* lines seen, for messages */
    size_t records;  /* records applied from the current file */
    size_t corrupt;  /* lines skipped in the current file */
    struct lh_spool_entry *items;
    size_t count;
    size_t alloc;
    size_t *index; /* id hash table: 1 + position in items, 0 = empty; nindex is a power of 2 */
    size_t nindex;
    lh_spool_warn_fn warn;
    void *payload;
};

/* Passes one formatted warning to the spool's warn callback (if any). */
void lh_spool_warnf(struct lh_spool *sp, const char *fmt, ...) LH_PRINTF(2, 3);
/* Seconds since the epoch (record timestamps). */
int64_t lh_spool_now(void);

/* ---- spool_replay.c ---- */

/* Disposes every entry (wiping bodies) and empties the id index; keeps the allocations. */
void lh_spool_table_clear(struct lh_spool *sp);
/*
 * Applies one parsed record to the table. Returns 0, 1 when the record is not usable (*why
 * says why; the caller warns and skips it) or LH_ENOMEM.
 */
int lh_spool_apply(struct lh_spool *sp, json_t *rec, const char **why);
/* Applies buf[len] (journal bytes from sp->off on), advancing sp->off; warns about bad lines. */
int lh_spool_apply_bytes(struct lh_spool *sp, const char *buf, size_t len);
/* Releases a record, wiping its body string first (NULL is a no-op). */
void lh_spool_record_free(json_t *rec);

/* ---- spool.c, for compaction ---- */

/* (Re)opens the journal file into sp->fd (read-write: creating it, 0600). */
int lh_spool_open_journal(struct lh_spool *sp);
/* fsync() of a directory (after creating or renaming a file in it). */
int lh_spool_fsync_dir(const char *dir);
/* Serialises rec as one line appended to b. */
int lh_spool_dump_line(struct lh_buf *b, json_t *rec);
/* The done/failed record of e (new reference, NULL when out of memory). */
json_t *lh_spool_finish_record(const struct lh_spool_entry *e, const char *op, int64_t ts,
                               unsigned attempts, long status, const char *error);

#endif
