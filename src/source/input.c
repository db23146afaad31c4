/* SPDX-License-Identifier: MIT */
/*
 * What every input shares (see input.h): the binary test, exclude globs, skip and error
 * accounting with warnings, and the reported path of an origin chain. Counting lives here
 * so that a "skipped" or an "error" means the same for a file, a blob and an archive member.
 */
#include "source/input.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <string.h>

#define BINARY_PROBE 8000
#define WARN_MAX 1536

void lh_input_free(struct lh_input *in)
{
    if (in) {
        in->ops->free(in);
    }
}

int lh_input_produce_self(struct lh_input *in, lh_submit_fn submit, void *payload)
{
    return submit(in, payload);
}

size_t lh_input_max_size(const struct lh_input_env *env)
{
    return env->max_file_size ? env->max_file_size : LH_DEFAULT_MAX_FILE_SIZE;
}

bool lh_input_is_binary(const uint8_t *buf, size_t len)
{
    return memchr(buf, 0, len < BINARY_PROBE ? len : BINARY_PROBE) != NULL;
}

bool lh_input_excluded(const struct lh_input_env *env, const char *path)
{
    const char *p = strncmp(path, "./", 2) == 0 ? path + 2 : path;
    for (size_t i = 0; i < env->nexclude; i++) {
        if (fnmatch(env->exclude[i], p, 0) == 0) {
            return true;
        }
    }
    return false;
}

static void vwarn(const struct lh_input_env *env, const char *fmt, va_list ap) LH_PRINTF(2, 0);
static void vwarn(const struct lh_input_env *env, const char *fmt, va_list ap)
{
    char msg[WARN_MAX];
    if (!env->warn) {
        return;
    }
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    env->warn(msg, env->warn_payload);
}

void lh_input_skip(const struct lh_input_env *env, enum lh_skip why, const char *fmt, ...)
{
    struct lh_scan_stats *st = env->stats;
    atomic_fetch_add(&st->items, 1);
    switch (why) {
    case LH_SKIP_BINARY:
        atomic_fetch_add(&st->skipped_binary, 1);
        break;
    case LH_SKIP_LARGE:
        atomic_fetch_add(&st->skipped_large, 1);
        break;
    case LH_SKIP_OTHER:
        atomic_fetch_add(&st->skipped_other, 1);
        break;
    case LH_SKIP_ERROR:
        atomic_fetch_add(&st->errors, 1);
        break;
    }
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vwarn(env, fmt, ap);
        va_end(ap);
    }
}

void lh_input_error(const struct lh_input_env *env, const char *fmt, ...)
{
    va_list ap;
    atomic_fetch_add(&env->stats->errors, 1);
    va_start(ap, fmt);
    vwarn(env, fmt, ap);
    va_end(ap);
}

void lh_input_warn(const struct lh_input_env *env, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(env, fmt, ap);
    va_end(ap);
}

static int put_chain(struct lh_buf *b, const struct lh_origin *o)
{
    if (o->parent) {
        int rc = put_chain(b, o->parent);
        if (rc < 0) {
            return rc;
        }
    }
    if (!o->path || !o->path[0]) {
        return 0;
    }
    if (b->len > 0) {
        int rc = lh_buf_puts(b, "!/");
        if (rc < 0) {
            return rc;
        }
    }
    return lh_buf_puts(b, o->path);
}

const char *lh_origin_path(const struct lh_origin *o, struct lh_buf *scratch)
{
    if (!o->parent) {
        return o->path ? o->path : "";
    }
    lh_buf_clear(scratch);
    if (put_chain(scratch, o) < 0) {
        return NULL;
    }
    return scratch->len ? scratch->ptr : ""; /* lh_buf_put keeps it NUL-terminated */
}

const char *lh_origin_blob(const struct lh_origin *o)
{
    for (; o; o = o->parent) {
        if (o->kind == LH_ORIGIN_BLOB && o->id) {
            return o->id;
        }
    }
    return NULL;
}

size_t lh_origin_depth(const struct lh_origin *o)
{
    size_t n = 0;
    for (; o; o = o->parent) {
        n++;
    }
    return n;
}
