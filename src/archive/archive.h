/* SPDX-License-Identifier: MIT */
/*
 * Archives (libarchive): zip and its kin (jar, war, ear, apk, whl, nupkg), tar, 7z, rar, ar,
 * and gzip/bzip2/xz/lzma/zstd/lz4/compress/lzip streams, compressed tars and single
 * compressed files alike. An input is an archive when its first bytes carry a format's magic
 * (lh_archive_sniff), or, for the zip family whose files may start with a launcher script,
 * when its name ends in a zip extension and libarchive opens it. A walk reads the members one
 * after the other and hands each regular file's content to a callback with its display path,
 * "dist/app.jar!/BOOT-INF/classes/application.yml"; a member that is itself an archive is
 * opened in turn, up to a nesting depth, streamed from its parent (tar-like formats) or from
 * a bounded buffer (zip and 7z, which need to seek).
 *
 * Invariants: nothing is ever written to disk, whatever the member names (`..`, absolute
 * paths, links are only names); links, directories and devices have no content and are not
 * followed; memory is bounded by the limits (one leaf buffer of at most max_member_size, and
 * per nesting level one read chunk and, for zip/7z, one buffer of at most max_member_size);
 * every limit (total and per-member uncompressed size, compression ratio, member count,
 * depth, time) is checked while data is decompressed, and a hit ends that member or that
 * archive with one warning that names the archive and the member; corrupt or truncated
 * archives end with a warning, the members read before it are still reported. libarchive is
 * loaded on first use (archive/libarchive.h); external decompression programs are never run.
 * Not done: encrypted members (counted in one warning), formats other than the above (iso,
 * cab, cpio, ...), recovering members after a corrupt header.
 */
#ifndef LH_ARCHIVE_ARCHIVE_H
#define LH_ARCHIVE_ARCHIVE_H

#include "util/buf.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lh_archive_kind {
    LH_ARCHIVE_NONE = 0,
    LH_ARCHIVE_ZIP,
    LH_ARCHIVE_TAR,
    LH_ARCHIVE_7Z,
    LH_ARCHIVE_RAR,
    LH_ARCHIVE_AR,
    LH_ARCHIVE_COMPRESSED, /* gzip, bzip2, xz, lzma, zstd, lz4, compress, lzip */
};

/* Bytes lh_archive_sniff needs to see every magic (tar's is at offset 257). */
#define LH_ARCHIVE_SNIFF_LEN 512

/* The archive kind whose magic starts buf (len bytes, fewer than needed is fine). */
enum lh_archive_kind lh_archive_sniff(const uint8_t *buf, size_t len);

/* LH_ARCHIVE_ZIP when the name ends in a zip-family extension (.zip .jar .war .ear .apk .aar
 * .whl .nupkg .egg .xpi .vsix), else NONE: a hint for zips behind a launcher script. */
enum lh_archive_kind lh_archive_kind_by_name(const char *name);

struct lh_archive_limits {
    unsigned max_depth;     /* archives within archives; 0: archives are not opened */
    uint64_t max_size;      /* uncompressed bytes read from one archive, nested included */
    size_t max_member_size; /* uncompressed bytes of one member that are scanned */
    uint64_t max_members;   /* members of one archive, nested included */
    unsigned max_ratio;     /* uncompressed / compressed, past 1 MiB; 0: no check */
    double max_seconds;     /* time for one archive, nested included; 0: no limit */
};

#define LH_ARCHIVE_DEFAULT_DEPTH 3u
#define LH_ARCHIVE_DEFAULT_SIZE (1024ull * 1024u * 1024u)
#define LH_ARCHIVE_DEFAULT_MEMBER_SIZE (25u * 1024u * 1024u)
#define LH_ARCHIVE_DEFAULT_MEMBERS 50000u
#define LH_ARCHIVE_DEFAULT_RATIO 100u
#define LH_ARCHIVE_DEFAULT_SECONDS 60.0

void lh_archive_limits_default(struct lh_archive_limits *l);

/* One regular-file member, handed to lh_archive_member_fn; everything is borrowed. */
struct lh_archive_member {
    const char *path;    /* display path: "<archive>!/<member>[!/<member>...]" */
    const char *name;    /* the member's name in its innermost archive, as stored */
    const uint8_t *data; /* its content (or the first max_member_size bytes of it) */
    size_t len;
    unsigned depth; /* 1: a member of the archive the walk started from */
};

/* Receives each member to scan. Return 0 to go on, a negative code to stop the walk. */
typedef int (*lh_archive_member_fn)(const struct lh_archive_member *m, void *payload);

/*
 * Optional: sees every entry of the outermost archive (depth 1) before its content: its name
 * as stored and its type (AE_IFREG, AE_IFDIR, AE_IFLNK, ...). Return 1 to skip the entry,
 * 0 to go on, a negative code to stop the walk. (Image layers: whiteouts.)
 */
typedef int (*lh_archive_entry_fn)(const char *name, unsigned type, void *payload);

/* One line, no secret in it, member names with control characters replaced by '?'. */
typedef void (*lh_archive_warn_fn)(const char *msg, void *payload);

struct lh_archive_opts {
    struct lh_archive_limits limits;
    bool scan_binary; /* hand over members with NUL bytes too (otherwise counted, skipped) */
    lh_archive_member_fn on_member;
    lh_archive_entry_fn on_entry; /* may be NULL */
    lh_archive_warn_fn warn;      /* may be NULL */
    void *payload;                /* for the three callbacks */
    /* members' display paths start with this instead of "<path>!/" (NULL: that); `path`
     * still names the archive in warnings. Image layers use "". */
    const char *prefix;
};

/* What one walk did (added to, not reset). */
struct lh_archive_stats {
    uint64_t archives;       /* archives opened, nested included */
    uint64_t members;        /* members handed to on_member */
    uint64_t bytes;          /* their bytes */
    uint64_t skipped_binary; /* members with NUL bytes, not handed over */
    uint64_t limited;        /* limit hits (each warned about) */
};

/* lh_archive_walk_* return value: the input is not an archive after all (nothing read). */
#define LH_ARCHIVE_NOT_ARCHIVE 1

/*
 * Walks the archive in the open file fd (read from offset 0; seekable; not closed).
 * `path` names it in display paths and warnings. Returns 0 when the walk ended, limits hit
 * and corrupt archives included (warned about); LH_ARCHIVE_NOT_ARCHIVE when libarchive does
 * not recognise the data (nothing is reported: scan it as a plain file); LH_EIO when
 * libarchive cannot be loaded; LH_ENOMEM; or a callback's negative code. Thread-safe for
 * distinct walks; st may be NULL.
 */
int lh_archive_walk_fd(int fd, const char *path, const struct lh_archive_opts *o,
                       struct lh_archive_stats *st) LH_WUR;

/* The same for an archive in memory (borrowed for the call), e.g. a git blob. */
int lh_archive_walk_mem(const uint8_t *buf, size_t len, const char *path,
                        const struct lh_archive_opts *o, struct lh_archive_stats *st) LH_WUR;

/*
 * A plain sequential reader over one archive for callers that need the members themselves
 * (container images: manifests first, then the layers): next entry, read the current
 * member into a bounded buffer, or walk the current member as an archive of its own (its
 * own limits, streamed). Time-limited by `seconds` (0: none) over the reader's life.
 */
struct lh_archive_reader;

/* Opens fd (not closed; read from offset 0). LH_EIO (not readable as an archive, message
 * names path), LH_ENOMEM. *out is set on success only. */
int lh_archive_reader_open(struct lh_archive_reader **out, int fd, const char *path,
                           double seconds) LH_WUR;

/*
 * Moves to the next entry: 1 with *name (borrowed until the next call; leading "./"
 * removed), *type (AE_IF*) and *size (-1: unknown); 0 at the end; LH_EIO for a corrupt
 * or truncated archive or when the time is up (message names the archive).
 */
int lh_archive_reader_next(struct lh_archive_reader *r, const char **name, unsigned *type,
                           int64_t *size) LH_WUR;

/* Appends the current member's content to b; LH_ETOOBIG past b's cap, LH_EIO. */
int lh_archive_reader_read(struct lh_archive_reader *r, struct lh_buf *b) LH_WUR;

/* lh_archive_walk_fd for the current member (display path `path`), streamed. */
int lh_archive_reader_walk(struct lh_archive_reader *r, const char *path,
                           const struct lh_archive_opts *o, struct lh_archive_stats *st) LH_WUR;

void lh_archive_reader_free(struct lh_archive_reader *r);

#endif
