/* SPDX-License-Identifier: MIT */
/*
 * libgit2, loaded on first use. `scan` of files never touches git, yet linking libgit2
 * costs every command its ~12 dependencies (Kerberos, mbed TLS, libssh2, http-parser) in
 * the dynamic loader: about 2.6 ms of a 20 ms budget for scanning one small file. The git
 * commands call lh_libgit2_load() (through lh_git_global_init) before any git_* call; it
 * dlopens LH_LIBGIT2_SONAME, the ABI of the <git2.h> this is compiled against, once per
 * process, and fills lh_libgit2_api. Never dlclosed.
 *
 * Every libgit2 function the code calls is listed once in LH_LIBGIT2_FUNCTIONS (the table
 * members and symbol names) and once below as a macro that sends the call through the
 * table, so git code keeps calling git_foo(...) with the real header's types. The toolchain
 * keeps the two lists honest: a macro without a list entry does not compile (no such
 * member), and a call to a function missing from both fails to link, because the binary
 * does not link libgit2. Include this header (via source/git.h) instead of <git2.h>.
 */
#ifndef LH_SOURCE_LIBGIT2_H
#define LH_SOURCE_LIBGIT2_H

#include "util/error.h"

#include <git2.h>

/* The SONAME of the libgit2 whose <git2.h> this is compiled against ("libgit2.so.1.5"). */
#define LH_LIBGIT2_SONAME "libgit2.so." LIBGIT2_SOVERSION

#define LH_LIBGIT2_FUNCTIONS(X)                                                                    \
    X(git_blob_free)                                                                               \
    X(git_blob_lookup)                                                                             \
    X(git_blob_rawcontent)                                                                         \
    X(git_blob_rawsize)                                                                            \
    X(git_buf_dispose)                                                                             \
    X(git_commit_author)                                                                           \
    X(git_commit_free)                                                                             \
    X(git_commit_lookup)                                                                           \
    X(git_commit_parent_id)                                                                        \
    X(git_commit_parentcount)                                                                      \
    X(git_commit_summary)                                                                          \
    X(git_commit_time)                                                                             \
    X(git_commit_time_offset)                                                                      \
    X(git_commit_tree_id)                                                                          \
    X(git_config_free)                                                                             \
    X(git_config_get_string_buf)                                                                   \
    X(git_config_open_ondisk)                                                                      \
    X(git_config_set_bool)                                                                         \
    X(git_config_set_string)                                                                       \
    X(git_credential_ssh_key_from_agent)                                                           \
    X(git_credential_userpass_plaintext_new)                                                       \
    X(git_diff_buffers)                                                                            \
    X(git_diff_find_options_init)                                                                  \
    X(git_diff_find_similar)                                                                       \
    X(git_diff_foreach)                                                                            \
    X(git_diff_free)                                                                               \
    X(git_diff_options_init)                                                                       \
    X(git_diff_tree_to_index)                                                                      \
    X(git_error_last)                                                                              \
    X(git_fetch_options_init)                                                                      \
    X(git_index_free)                                                                              \
    X(git_libgit2_init)                                                                            \
    X(git_libgit2_opts)                                                                            \
    X(git_libgit2_shutdown)                                                                        \
    X(git_merge_bases)                                                                             \
    X(git_object_free)                                                                             \
    X(git_object_id)                                                                               \
    X(git_object_lookup)                                                                           \
    X(git_object_peel)                                                                             \
    X(git_object_type)                                                                             \
    X(git_object_type2string)                                                                      \
    X(git_odb_foreach)                                                                             \
    X(git_odb_free)                                                                                \
    X(git_odb_object_data)                                                                         \
    X(git_odb_object_free)                                                                         \
    X(git_odb_object_size)                                                                         \
    X(git_odb_read)                                                                                \
    X(git_odb_read_header)                                                                         \
    X(git_oid_cmp)                                                                                 \
    X(git_oid_equal)                                                                               \
    X(git_oid_fromstr)                                                                             \
    X(git_oid_is_zero)                                                                             \
    X(git_oidarray_dispose)                                                                        \
    X(git_reference_free)                                                                          \
    X(git_reference_iterator_free)                                                                 \
    X(git_reference_iterator_new)                                                                  \
    X(git_reference_name)                                                                          \
    X(git_reference_name_to_id)                                                                    \
    X(git_reference_next)                                                                          \
    X(git_reference_peel)                                                                          \
    X(git_reference_symbolic_target)                                                               \
    X(git_reference_target)                                                                        \
    X(git_reference_type)                                                                          \
    X(git_reflog_entry_byindex)                                                                    \
    X(git_reflog_entry_id_new)                                                                     \
    X(git_reflog_entrycount)                                                                       \
    X(git_reflog_free)                                                                             \
    X(git_reflog_read)                                                                             \
    X(git_remote_create_options_init)                                                              \
    X(git_remote_create_with_opts)                                                                 \
    X(git_remote_fetch)                                                                            \
    X(git_remote_free)                                                                             \
    X(git_repository_commondir)                                                                    \
    X(git_repository_config)                                                                       \
    X(git_repository_config_snapshot)                                                              \
    X(git_repository_discover)                                                                     \
    X(git_repository_free)                                                                         \
    X(git_repository_head)                                                                         \
    X(git_repository_head_detached)                                                                \
    X(git_repository_index)                                                                        \
    X(git_repository_init)                                                                         \
    X(git_repository_is_bare)                                                                      \
    X(git_repository_is_shallow)                                                                   \
    X(git_repository_odb)                                                                          \
    X(git_repository_open_bare)                                                                    \
    X(git_repository_open_ext)                                                                     \
    X(git_repository_path)                                                                         \
    X(git_repository_workdir)                                                                      \
    X(git_revparse_single)                                                                         \
    X(git_tree_entry_byindex)                                                                      \
    X(git_tree_entry_bypath)                                                                       \
    X(git_tree_entry_free)                                                                         \
    X(git_tree_entry_id)                                                                           \
    X(git_tree_entry_name)                                                                         \
    X(git_tree_entry_type)                                                                         \
    X(git_tree_entrycount)                                                                         \
    X(git_tree_free)                                                                               \
    X(git_tree_lookup)
/* Members are named fn_<function>: no macro below can expand inside a member name. */
struct lh_libgit2 {
#define LH_LIBGIT2_MEMBER(f) __typeof__(f) *fn_##f;
    LH_LIBGIT2_FUNCTIONS(LH_LIBGIT2_MEMBER)
#undef LH_LIBGIT2_MEMBER
};

/* The table; filled by the first successful lh_libgit2_load, immutable afterwards. */
extern struct lh_libgit2 lh_libgit2_api;

/*
 * Loads libgit2 on the first call; later calls return the first outcome. `purpose` names
 * what needs it, for the message. Returns 0, or LH_EIO with "cannot load libgit2.so.1.5
 * (needed for <purpose>): <dlerror text>"; a failure is final for the process. Thread-safe.
 * Does not run git_libgit2_init (lh_git_global_init does).
 */
int lh_libgit2_load(const char *purpose) LH_WUR;

#define git_blob_free (lh_libgit2_api.fn_git_blob_free)
#define git_blob_lookup (lh_libgit2_api.fn_git_blob_lookup)
#define git_blob_rawcontent (lh_libgit2_api.fn_git_blob_rawcontent)
#define git_blob_rawsize (lh_libgit2_api.fn_git_blob_rawsize)
#define git_buf_dispose (lh_libgit2_api.fn_git_buf_dispose)
#define git_commit_author (lh_libgit2_api.fn_git_commit_author)
#define git_commit_free (lh_libgit2_api.fn_git_commit_free)
#define git_commit_lookup (lh_libgit2_api.fn_git_commit_lookup)
#define git_commit_parent_id (lh_libgit2_api.fn_git_commit_parent_id)
#define git_commit_parentcount (lh_libgit2_api.fn_git_commit_parentcount)
#define git_commit_summary (lh_libgit2_api.fn_git_commit_summary)
#define git_commit_time (lh_libgit2_api.fn_git_commit_time)
#define git_commit_time_offset (lh_libgit2_api.fn_git_commit_time_offset)
#define git_commit_tree_id (lh_libgit2_api.fn_git_commit_tree_id)
#define git_config_free (lh_libgit2_api.fn_git_config_free)
#define git_config_get_string_buf (lh_libgit2_api.fn_git_config_get_string_buf)
#define git_config_open_ondisk (lh_libgit2_api.fn_git_config_open_ondisk)
#define git_config_set_bool (lh_libgit2_api.fn_git_config_set_bool)
#define git_config_set_string (lh_libgit2_api.fn_git_config_set_string)
#define git_credential_userpass_plaintext_new                                                      \
    (lh_libgit2_api.fn_git_credential_userpass_plaintext_new)
#define git_credential_ssh_key_from_agent (lh_libgit2_api.fn_git_credential_ssh_key_from_agent)
#define git_diff_buffers (lh_libgit2_api.fn_git_diff_buffers)
#define git_diff_find_options_init (lh_libgit2_api.fn_git_diff_find_options_init)
#define git_diff_find_similar (lh_libgit2_api.fn_git_diff_find_similar)
#define git_diff_foreach (lh_libgit2_api.fn_git_diff_foreach)
#define git_diff_free (lh_libgit2_api.fn_git_diff_free)
#define git_diff_options_init (lh_libgit2_api.fn_git_diff_options_init)
#define git_diff_tree_to_index (lh_libgit2_api.fn_git_diff_tree_to_index)
#define git_error_last (lh_libgit2_api.fn_git_error_last)
#define git_fetch_options_init (lh_libgit2_api.fn_git_fetch_options_init)
#define git_index_free (lh_libgit2_api.fn_git_index_free)
#define git_libgit2_init (lh_libgit2_api.fn_git_libgit2_init)
#define git_libgit2_opts (lh_libgit2_api.fn_git_libgit2_opts)
#define git_libgit2_shutdown (lh_libgit2_api.fn_git_libgit2_shutdown)
#define git_merge_bases (lh_libgit2_api.fn_git_merge_bases)
#define git_object_free (lh_libgit2_api.fn_git_object_free)
#define git_object_id (lh_libgit2_api.fn_git_object_id)
#define git_object_lookup (lh_libgit2_api.fn_git_object_lookup)
#define git_object_peel (lh_libgit2_api.fn_git_object_peel)
#define git_object_type (lh_libgit2_api.fn_git_object_type)
#define git_object_type2string (lh_libgit2_api.fn_git_object_type2string)
#define git_odb_foreach (lh_libgit2_api.fn_git_odb_foreach)
#define git_odb_free (lh_libgit2_api.fn_git_odb_free)
#define git_odb_object_data (lh_libgit2_api.fn_git_odb_object_data)
#define git_odb_object_free (lh_libgit2_api.fn_git_odb_object_free)
#define git_odb_object_size (lh_libgit2_api.fn_git_odb_object_size)
#define git_odb_read (lh_libgit2_api.fn_git_odb_read)
#define git_odb_read_header (lh_libgit2_api.fn_git_odb_read_header)
#define git_oid_cmp (lh_libgit2_api.fn_git_oid_cmp)
#define git_oid_equal (lh_libgit2_api.fn_git_oid_equal)
#define git_oid_fromstr (lh_libgit2_api.fn_git_oid_fromstr)
#define git_oid_is_zero (lh_libgit2_api.fn_git_oid_is_zero)
#define git_oidarray_dispose (lh_libgit2_api.fn_git_oidarray_dispose)
#define git_reference_free (lh_libgit2_api.fn_git_reference_free)
#define git_reference_iterator_free (lh_libgit2_api.fn_git_reference_iterator_free)
#define git_reference_iterator_new (lh_libgit2_api.fn_git_reference_iterator_new)
#define git_reference_name (lh_libgit2_api.fn_git_reference_name)
#define git_reference_name_to_id (lh_libgit2_api.fn_git_reference_name_to_id)
#define git_reference_next (lh_libgit2_api.fn_git_reference_next)
#define git_reference_peel (lh_libgit2_api.fn_git_reference_peel)
#define git_reference_symbolic_target (lh_libgit2_api.fn_git_reference_symbolic_target)
#define git_reference_target (lh_libgit2_api.fn_git_reference_target)
#define git_reference_type (lh_libgit2_api.fn_git_reference_type)
#define git_reflog_entry_byindex (lh_libgit2_api.fn_git_reflog_entry_byindex)
#define git_reflog_entry_id_new (lh_libgit2_api.fn_git_reflog_entry_id_new)
#define git_reflog_entrycount (lh_libgit2_api.fn_git_reflog_entrycount)
#define git_reflog_free (lh_libgit2_api.fn_git_reflog_free)
#define git_reflog_read (lh_libgit2_api.fn_git_reflog_read)
#define git_remote_create_options_init (lh_libgit2_api.fn_git_remote_create_options_init)
#define git_remote_create_with_opts (lh_libgit2_api.fn_git_remote_create_with_opts)
#define git_remote_fetch (lh_libgit2_api.fn_git_remote_fetch)
#define git_remote_free (lh_libgit2_api.fn_git_remote_free)
#define git_repository_commondir (lh_libgit2_api.fn_git_repository_commondir)
#define git_repository_config (lh_libgit2_api.fn_git_repository_config)
#define git_repository_config_snapshot (lh_libgit2_api.fn_git_repository_config_snapshot)
#define git_repository_discover (lh_libgit2_api.fn_git_repository_discover)
#define git_repository_free (lh_libgit2_api.fn_git_repository_free)
#define git_repository_head (lh_libgit2_api.fn_git_repository_head)
#define git_repository_head_detached (lh_libgit2_api.fn_git_repository_head_detached)
#define git_repository_index (lh_libgit2_api.fn_git_repository_index)
#define git_repository_init (lh_libgit2_api.fn_git_repository_init)
#define git_repository_is_bare (lh_libgit2_api.fn_git_repository_is_bare)
#define git_repository_is_shallow (lh_libgit2_api.fn_git_repository_is_shallow)
#define git_repository_odb (lh_libgit2_api.fn_git_repository_odb)
#define git_repository_open_bare (lh_libgit2_api.fn_git_repository_open_bare)
#define git_repository_open_ext (lh_libgit2_api.fn_git_repository_open_ext)
#define git_repository_path (lh_libgit2_api.fn_git_repository_path)
#define git_repository_workdir (lh_libgit2_api.fn_git_repository_workdir)
#define git_revparse_single (lh_libgit2_api.fn_git_revparse_single)
#define git_tree_entry_byindex (lh_libgit2_api.fn_git_tree_entry_byindex)
#define git_tree_entry_bypath (lh_libgit2_api.fn_git_tree_entry_bypath)
#define git_tree_entry_free (lh_libgit2_api.fn_git_tree_entry_free)
#define git_tree_entry_id (lh_libgit2_api.fn_git_tree_entry_id)
#define git_tree_entry_name (lh_libgit2_api.fn_git_tree_entry_name)
#define git_tree_entry_type (lh_libgit2_api.fn_git_tree_entry_type)
#define git_tree_entrycount (lh_libgit2_api.fn_git_tree_entrycount)
#define git_tree_free (lh_libgit2_api.fn_git_tree_free)
#define git_tree_lookup (lh_libgit2_api.fn_git_tree_lookup)

#endif
