/* SPDX-License-Identifier: MIT */
/*
 * libarchive, loaded on first use, like libgit2 (source/libgit2.h): libarchive.so.13 brings
 * libxml2, ICU and libstdc++ into the process (16 libraries), which a scan of a tree without
 * archives must not pay for at start-up. lh_libarchive_load() dlopens it the first time an
 * input looks like an archive and fills lh_libarchive_api; the macros below send each call
 * through the table so the code keeps calling archive_foo(...) with <archive.h>'s types.
 * Every function used is listed once in LH_LIBARCHIVE_FUNCTIONS and once as a macro; a
 * function missing from either does not compile or does not link. Include this header
 * instead of <archive.h>.
 */
#ifndef LH_ARCHIVE_LIBARCHIVE_H
#define LH_ARCHIVE_LIBARCHIVE_H

#include "util/error.h"

#include <archive.h>
#include <archive_entry.h>

/* The SONAME of the libarchive 3.x whose <archive.h> this is compiled against. */
#define LH_LIBARCHIVE_SONAME "libarchive.so.13"

#define LH_LIBARCHIVE_FUNCTIONS(X)                                                                 \
    X(archive_entry_filetype)                                                                      \
    X(archive_entry_is_encrypted)                                                                  \
    X(archive_entry_pathname)                                                                      \
    X(archive_entry_pathname_utf8)                                                                 \
    X(archive_entry_size)                                                                          \
    X(archive_entry_size_is_set)                                                                   \
    X(archive_error_string)                                                                        \
    X(archive_filter_bytes)                                                                        \
    X(archive_filter_count)                                                                        \
    X(archive_format)                                                                              \
    X(archive_read_data)                                                                           \
    X(archive_read_data_skip)                                                                      \
    X(archive_read_free)                                                                           \
    X(archive_read_new)                                                                            \
    X(archive_read_next_header)                                                                    \
    X(archive_read_open1)                                                                          \
    X(archive_read_set_callback_data)                                                              \
    X(archive_read_set_read_callback)                                                              \
    X(archive_read_set_seek_callback)                                                              \
    X(archive_read_set_skip_callback)                                                              \
    X(archive_read_support_filter_bzip2)                                                           \
    X(archive_read_support_filter_compress)                                                        \
    X(archive_read_support_filter_gzip)                                                            \
    X(archive_read_support_filter_lz4)                                                             \
    X(archive_read_support_filter_lzip)                                                            \
    X(archive_read_support_filter_lzma)                                                            \
    X(archive_read_support_filter_xz)                                                              \
    X(archive_read_support_filter_zstd)                                                            \
    X(archive_read_support_format_7zip)                                                            \
    X(archive_read_support_format_ar)                                                              \
    X(archive_read_support_format_rar)                                                             \
    X(archive_read_support_format_rar5)                                                            \
    X(archive_read_support_format_raw)                                                             \
    X(archive_read_support_format_tar)                                                             \
    X(archive_read_support_format_zip)                                                             \
    X(archive_set_error)

/* Members are named fn_<function>: no macro below can expand inside a member name. */
struct lh_libarchive {
#define LH_LIBARCHIVE_MEMBER(f) __typeof__(f) *fn_##f;
    LH_LIBARCHIVE_FUNCTIONS(LH_LIBARCHIVE_MEMBER)
#undef LH_LIBARCHIVE_MEMBER
};

/* The table; filled by the first successful lh_libarchive_load, immutable afterwards. */
extern struct lh_libarchive lh_libarchive_api;

/*
 * Loads libarchive on the first call; later calls return the first outcome. Returns 0, or
 * LH_EIO with "cannot load libarchive.so.13 (needed for archives): <reason>"; a failure is
 * final for the process. Thread-safe.
 */
int lh_libarchive_load(void) LH_WUR;

#define archive_entry_filetype (lh_libarchive_api.fn_archive_entry_filetype)
#define archive_entry_is_encrypted (lh_libarchive_api.fn_archive_entry_is_encrypted)
#define archive_entry_pathname (lh_libarchive_api.fn_archive_entry_pathname)
#define archive_entry_pathname_utf8 (lh_libarchive_api.fn_archive_entry_pathname_utf8)
#define archive_entry_size (lh_libarchive_api.fn_archive_entry_size)
#define archive_entry_size_is_set (lh_libarchive_api.fn_archive_entry_size_is_set)
#define archive_error_string (lh_libarchive_api.fn_archive_error_string)
#define archive_filter_bytes (lh_libarchive_api.fn_archive_filter_bytes)
#define archive_filter_count (lh_libarchive_api.fn_archive_filter_count)
#define archive_format (lh_libarchive_api.fn_archive_format)
#define archive_read_data (lh_libarchive_api.fn_archive_read_data)
#define archive_read_data_skip (lh_libarchive_api.fn_archive_read_data_skip)
#define archive_read_free (lh_libarchive_api.fn_archive_read_free)
#define archive_read_new (lh_libarchive_api.fn_archive_read_new)
#define archive_read_next_header (lh_libarchive_api.fn_archive_read_next_header)
#define archive_read_open1 (lh_libarchive_api.fn_archive_read_open1)
#define archive_read_set_callback_data (lh_libarchive_api.fn_archive_read_set_callback_data)
#define archive_read_set_read_callback (lh_libarchive_api.fn_archive_read_set_read_callback)
#define archive_read_set_seek_callback (lh_libarchive_api.fn_archive_read_set_seek_callback)
#define archive_read_set_skip_callback (lh_libarchive_api.fn_archive_read_set_skip_callback)
#define archive_read_support_filter_bzip2 (lh_libarchive_api.fn_archive_read_support_filter_bzip2)
#define archive_read_support_filter_compress                                                       \
    (lh_libarchive_api.fn_archive_read_support_filter_compress)
#define archive_read_support_filter_gzip (lh_libarchive_api.fn_archive_read_support_filter_gzip)
#define archive_read_support_filter_lz4 (lh_libarchive_api.fn_archive_read_support_filter_lz4)
#define archive_read_support_filter_lzip (lh_libarchive_api.fn_archive_read_support_filter_lzip)
#define archive_read_support_filter_lzma (lh_libarchive_api.fn_archive_read_support_filter_lzma)
#define archive_read_support_filter_xz (lh_libarchive_api.fn_archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (lh_libarchive_api.fn_archive_read_support_filter_zstd)
#define archive_read_support_format_7zip (lh_libarchive_api.fn_archive_read_support_format_7zip)
#define archive_read_support_format_ar (lh_libarchive_api.fn_archive_read_support_format_ar)
#define archive_read_support_format_rar (lh_libarchive_api.fn_archive_read_support_format_rar)
#define archive_read_support_format_rar5 (lh_libarchive_api.fn_archive_read_support_format_rar5)
#define archive_read_support_format_raw (lh_libarchive_api.fn_archive_read_support_format_raw)
#define archive_read_support_format_tar (lh_libarchive_api.fn_archive_read_support_format_tar)
#define archive_read_support_format_zip (lh_libarchive_api.fn_archive_read_support_format_zip)
#define archive_set_error (lh_libarchive_api.fn_archive_set_error)

#endif
