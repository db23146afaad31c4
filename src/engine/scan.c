/* SPDX-License-Identifier: MIT */
/* Files, directories and stdin through the scan driver; see scan.h. */
#include "engine/scan.h"

#include "engine/driver.h"
#include "source/input_files.h"
#include "source/input_stdin.h"

#include <stdlib.h>
#include <string.h>

int lh_scan_collect(struct lh_finding *f, void *payload)
{
    return lh_findings_push(payload, f);
}

void lh_scan_env(struct lh_input_env *env, const struct lh_scan_opts *o,
                 struct lh_scan_stats *stats)
{
    memset(env, 0, sizeof(*env));
    env->threads = o->threads;
    env->max_file_size = o->max_file_size;
    env->scan_binary = o->scan_binary;
    env->follow_symlinks = o->follow_symlinks;
    if (o->exclude) {
        env->exclude = (const char *const *)o->exclude->items;
        env->nexclude = o->exclude->count;
    }
    env->warn = o->warn;
    env->warn_payload = o->warn_payload;
    env->stats = stats;
    env->blob_filter = o->blob_filter;
}

int lh_scan_paths(const struct lh_detector *d, const char *const *paths, size_t npaths,
                  const struct lh_scan_opts *o, struct lh_findings *out,
                  struct lh_scan_stats *stats)
{
    struct lh_input_env env;
    struct lh_driver_opts dopts = {.archive = o->archive};
    struct lh_input **inputs = calloc(npaths + 1, sizeof(*inputs));
    const char **files = calloc(npaths + 1, sizeof(*files));
    size_t ninputs = 0, nfiles = 0;
    int rc = 0;
    lh_scan_env(&env, o, stats);
    if (!inputs || !files) {
        rc = lh_error_oom();
        goto out;
    }
    /* stdin first, then the files and directories in one input (one pool, one walk) */
    for (size_t i = 0; rc == 0 && i < npaths; i++) {
        if (!strcmp(paths[i], "-")) {
            rc = lh_input_stdin_new(&inputs[ninputs], &env);
            if (rc == 0) {
                ninputs++;
            }
        } else {
            files[nfiles++] = paths[i];
        }
    }
    if (rc == 0 && nfiles) {
        rc = lh_input_files_new(&inputs[ninputs], files, nfiles, &env);
        if (rc == 0) {
            ninputs++;
        }
    }
    if (rc == 0) {
        rc = lh_driver_run(d, inputs, ninputs, &dopts, out);
    }
out:
    for (size_t i = 0; inputs && i < ninputs; i++) {
        lh_input_free(inputs[i]);
    }
    free(inputs);
    free(files);
    return rc;
}
