/* SPDX-License-Identifier: MIT */
/*
 * The input interface: everything leakhound scans (files and directories, stdin, the blobs
 * of a git history or range, staged changes; archive members and image layers later) is an
 * input that yields items, (buf, len, origin), to one scan driver (engine/driver.h) with one
 * stats struct. An input works in two places: on the calling thread it enumerates cheap
 * descriptions of work ("jobs": a batch of paths, a run of blob ids) and hands them to the
 * driver; on a worker thread it reads a job's content and passes each item to the worker's
 * sink, the driver's single per-item entry point. Reading is where the time goes (open and
 * read a file, inflate a blob), so it is what runs in parallel.
 *
 * An origin says where an item came from and is rich enough for nesting: a member of an
 * archive found inside a blob has the blob as parent, and its reported path is the chain
 * joined by "!/" (`dist/app.jar!/BOOT-INF/classes/application.yml`). Origins and items are
 * borrowed views that live for one sink call; nothing here allocates per item.
 *
 * This layer knows nothing of rules, detectors or findings: the driver turns items into
 * findings. Inputs count what they skip or fail to read through lh_input_skip and
 * lh_input_error, so every input's numbers mean the same.
 */
#ifndef LH_SOURCE_INPUT_H
#define LH_SOURCE_INPUT_H

#include "util/buf.h"
#include "util/error.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives one warning line (no secret in it); called from any thread. */
typedef void (*lh_warn_fn)(const char *msg, void *payload);

/* Default of lh_input_env.max_file_size. */
#define LH_DEFAULT_MAX_FILE_SIZE (25u * 1024u * 1024u)

/* What a scan is doing, for progress displays (lh_scan_stats.phase). */
enum lh_scan_phase {
    LH_PHASE_START = 0,
    LH_PHASE_WALK,   /* enumerating (git: listing commits and walking trees) */
    LH_PHASE_READ,   /* reading and scanning items */
    LH_PHASE_REPORT, /* post-processing findings (git: provenance) */
};

/*
 * The one stats struct of every scan, updated from any thread. An item is one unit of
 * content an input considered: a file, a blob, a staged file, stdin.
 */
struct lh_scan_stats {
    atomic_size_t items;       /* considered: scanned, skipped or unreadable */
    atomic_size_t items_total; /* known in advance (git inputs), else 0 */
    atomic_size_t scanned;     /* items handed to the detector */
    atomic_size_t bytes;       /* content bytes read (scanned, or then found binary) */
    atomic_size_t skipped_binary;
    atomic_size_t skipped_large;
    atomic_size_t skipped_other; /* symlinks not followed, devices, sockets, too deep */
    atomic_size_t errors;        /* unreadable files, refs, commits, trees and blobs */
    atomic_size_t skipped_known; /* git: blobs a blob filter knew (scanned before), not read */
    atomic_size_t commits;       /* git: commits walked */
    atomic_size_t commits_total;
    atomic_int phase;    /* enum lh_scan_phase */
    atomic_bool shallow; /* git: the history is cut off (shallow clone) */
};

struct lh_findings;

/*
 * A history scan's filter of blobs scanned before (the scan database of audit/): a blob it
 * knows is neither read nor counted as an item (stats->skipped_known counts it); each blob
 * read and scanned (or skipped as binary or large) is reported once its findings are in the
 * run's output, so the filter can store the blob with them.
 */
struct lh_blob_filter {
    /* calling thread, while the scan order is built: true to leave the blob out */
    bool (*known)(const uint8_t id[20], void *payload);
    /* a worker thread, after the blob's findings were appended; negative stops the scan */
    int (*scanned)(const uint8_t id[20], void *payload);
    /* calling thread, after the read and before provenance (engine/history.c): appends
     * the findings of the blobs left out; may be NULL */
    int (*add_known)(struct lh_findings *out, void *payload);
    void *payload;
};

/* Options every input honours, the counters it updates and where its warnings go. */
struct lh_input_env {
    size_t threads;             /* workers (0: all cores) */
    size_t max_file_size;       /* items larger are skipped (0: LH_DEFAULT_MAX_FILE_SIZE) */
    bool scan_binary;           /* scan content with a NUL byte in its first 8000 bytes too */
    bool follow_symlinks;       /* files: follow symbolic links found in directories */
    const char *const *exclude; /* path globs (fnmatch, '*' crosses '/'); borrowed */
    size_t nexclude;
    lh_warn_fn warn; /* may be NULL */
    void *warn_payload;
    struct lh_scan_stats *stats;              /* required; borrowed */
    const struct lh_blob_filter *blob_filter; /* git history: may be NULL; borrowed */
};

enum lh_origin_kind {
    LH_ORIGIN_FILE,   /* path: as given on the command line or walked */
    LH_ORIGIN_STDIN,  /* path: "-" */
    LH_ORIGIN_BLOB,   /* id: the blob's hex id; path: a path it has in a tree ("" if none,
                         the id for an object no tree holds) */
    LH_ORIGIN_MEMBER, /* an archive member; path: its name inside the archive (parent) */
    LH_ORIGIN_LAYER,  /* an image layer; id: its digest; path: how reports name it, or NULL */
};

/*
 * Where an item came from. All strings and the parent are borrowed from the input (or, for
 * a nested item, from the item that contains it) and live as long as the sink call.
 */
struct lh_origin {
    enum lh_origin_kind kind;
    const char *path;
    const char *id;
    const struct lh_origin *parent; /* the container (archive, layer, blob) or NULL */
};

/*
 * Only findings whose lines [first, last] (1-based) pass are kept: staged changes report
 * added and changed lines only. Called on the worker thread that scans the item.
 */
typedef bool (*lh_line_filter_fn)(const void *payload, size_t first, size_t last);

/* One unit of content to scan: a borrowed view, valid for the sink call only. */
struct lh_item {
    const uint8_t *buf; /* never NULL (a zero-length item points at ""); not NUL-terminated */
    size_t len;
    struct lh_origin origin;
    lh_line_filter_fn lines; /* NULL: every line */
    const void *lines_payload;
};

/*
 * The driver's per-item entry point as inputs see it (engine/driver.h implements it). One
 * sink belongs to one worker thread; an input calls it only from the thread and the read
 * call it was given. It is reentrant: an input nested in an item (the members of an archive
 * being scanned) calls the same sink for its own items, with origin.parent pointing at the
 * container's origin.
 */
struct lh_sink {
    /*
     * Scans one item: skips it if binary (unless scan_binary), else runs the detector and
     * keeps the findings. Returns the number of findings kept (>= 0: the caller should wipe
     * a private buffer that held any, it held a secret) or a negative code that must stop
     * the input (out of memory); the item's content is never an error.
     */
    int (*scan)(struct lh_sink *sink, const struct lh_item *item);
    /*
     * Whether scan opens this content as a container (an archive, when archives are
     * enabled): an input must then hand it over whole even if it looks binary. buf holds
     * at least the first 512 bytes read (or all of a shorter item); path is its name.
     */
    bool (*opens)(struct lh_sink *sink, const uint8_t *buf, size_t len, const char *path);
};

struct lh_input;

/* Hands one job to the driver (ownership passes, also on failure). Negative: stop. */
typedef int (*lh_submit_fn)(void *job, void *payload);

/*
 * What an input implements. Every function gets the input itself; jobs are input-defined
 * pointers. Thread rules: prepare and produce run on the calling thread, in that order, once;
 * reader_new, read and reader_free run on one worker thread each (possibly the calling
 * thread), concurrently with produce and with each other across workers.
 */
struct lh_input_ops {
    const char *name; /* "files", "stdin", "git history", "staged changes" */
    /*
     * Optional. The enumeration that must end before reading starts (git: the walk), and
     * an upper bound of the jobs produce will submit (SIZE_MAX: unknown). With at most one
     * job the driver reads on the calling thread and starts no threads. Errors are fatal
     * and stop every input of the run before any is read.
     */
    int (*prepare)(struct lh_input *in, size_t *max_jobs);
    /*
     * Submits every job (non-NULL) in order; returns 0, or stops at the first negative
     * return of submit (or its own error) and returns it. With one announced job, read
     * runs inside submit, on this thread.
     */
    int (*produce)(struct lh_input *in, lh_submit_fn submit, void *payload);
    /* Optional: a worker's reading state (a read buffer, a repository handle). */
    int (*reader_new)(struct lh_input *in, void **out);
    void (*reader_free)(struct lh_input *in, void *reader);
    /*
     * Reads the job's items and passes each to sink; frees the job. Per-item problems are
     * counted (lh_input_skip) and the job goes on; a negative return (out of memory, or a
     * negative return of the sink) stops the whole scan.
     */
    int (*read)(struct lh_input *in, void *reader, void *job, struct lh_sink *sink);
    /* Optional (NULL: jobs own nothing): frees a job that will not be read (a stopped scan). */
    void (*discard)(struct lh_input *in, void *job);
    /* Frees the input (NULL-safe through lh_input_free). */
    void (*free)(struct lh_input *in);
};

/* The common head of every input: concrete inputs embed it first. */
struct lh_input {
    const struct lh_input_ops *ops;
    const struct lh_input_env *env; /* borrowed; set by the constructor or before the run */
};

/* Frees an input through its ops (NULL: no-op). */
void lh_input_free(struct lh_input *in);

/* The produce of an input read as one job, the input itself (stdin, an image). */
int lh_input_produce_self(struct lh_input *in, lh_submit_fn submit, void *payload);

/* env->max_file_size, or the default when 0. */
size_t lh_input_max_size(const struct lh_input_env *env);

/* True if the buffer looks binary, as git decides: a NUL byte in the first 8000 bytes. */
bool lh_input_is_binary(const uint8_t *buf, size_t len);

/* True if path ("./" prefix ignored) matches one of env's exclude globs. */
bool lh_input_excluded(const struct lh_input_env *env, const char *path);

/* Why an item was not scanned (lh_input_skip). */
enum lh_skip {
    LH_SKIP_BINARY,
    LH_SKIP_LARGE,
    LH_SKIP_OTHER,
    LH_SKIP_ERROR, /* unreadable: counted as an error (exit 4) */
};

/*
 * Counts one item that was considered and not scanned (items and the reason's counter) and,
 * when fmt is not NULL, warns with the formatted line. Thread-safe.
 */
void lh_input_skip(const struct lh_input_env *env, enum lh_skip why, const char *fmt, ...)
    LH_PRINTF(3, 4);

/* Counts an error that is no item's (an unreadable tree, ref or directory) and warns. */
void lh_input_error(const struct lh_input_env *env, const char *fmt, ...) LH_PRINTF(2, 3);

/* Warns without counting anything. */
void lh_input_warn(const struct lh_input_env *env, const char *fmt, ...) LH_PRINTF(2, 3);

/*
 * The path reports show for an origin: its own path at the top level (borrowed, no copy),
 * else the chain of paths from the outermost container joined by "!/", links without a
 * path left out, written into scratch (cleared first). Returns NULL only when scratch
 * cannot grow (out of memory, message set).
 */
const char *lh_origin_path(const struct lh_origin *o, struct lh_buf *scratch);

/* The hex id of the nearest blob in the chain (the item itself first), or NULL. */
const char *lh_origin_blob(const struct lh_origin *o);

/* Links in the chain: 1 for a top-level item. */
size_t lh_origin_depth(const struct lh_origin *o);

#endif
