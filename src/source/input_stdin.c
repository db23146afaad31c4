/* SPDX-License-Identifier: MIT */
/* The stdin input; see input_stdin.h. */
#include "source/input_stdin.h"

#include "util/buf.h"
#include "util/fs.h"

#include <stdlib.h>
#include <unistd.h>

static int stdin_prepare(struct lh_input *in, size_t *max_jobs)
{
    (void)in;
    *max_jobs = 1;
    return 0;
}

static int stdin_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    const struct lh_input_env *env = in->env;
    struct lh_buf b;
    (void)reader;
    (void)job;
    lh_buf_init(&b, lh_input_max_size(env));
    int rc = lh_fs_read_fd(&b, STDIN_FILENO, "<stdin>");
    if (rc == LH_ETOOBIG) {
        lh_input_skip(env, LH_SKIP_LARGE, "%s; skipped", lh_error_get());
        rc = 0;
    } else if (rc == 0) {
        struct lh_item it = {
            .buf = (const uint8_t *)(b.ptr ? b.ptr : ""),
            .len = b.len,
            .origin = {.kind = LH_ORIGIN_STDIN, .path = "-"},
        };
        rc = sink->scan(sink, &it);
        rc = rc > 0 ? 0 : rc;
    }
    lh_buf_wipe(&b);
    return rc;
}

static void stdin_free(struct lh_input *in)
{
    free(in);
}

static const struct lh_input_ops stdin_ops = {
    .name = "stdin",
    .prepare = stdin_prepare,
    .produce = lh_input_produce_self,
    .read = stdin_read,
    .free = stdin_free,
};

int lh_input_stdin_new(struct lh_input **out, const struct lh_input_env *env)
{
    struct lh_input *in = calloc(1, sizeof(*in));
    if (!in) {
        return lh_error_oom();
    }
    in->ops = &stdin_ops;
    in->env = env;
    *out = in;
    return 0;
}
