/* SPDX-License-Identifier: MIT */
/*
 * Container images: a `docker save` tarball (manifest.json), an OCI image layout (index.json
 * and blobs/) as a directory or a tar, either possibly compressed. Each layer is walked as an
 * archive of its own (archive/archive.h, its own limits) and every file in it scanned, with
 * the layer's digest on each finding; files that a later layer deletes (whiteouts
 * `.wh.<name>`, opaque directories `.wh..wh..opq`) are still scanned and marked deleted,
 * since they are still in the image. The image config is scanned too: its Env lines, Labels
 * and history `created_by` commands, as "config!/Env", "config!/Labels", "config!/history"
 * (one entry per line), the config's digest as their layer. A tarball is read twice
 * (manifests, then layers) and never extracted; memory is bounded by the archive limits
 * plus at most 64 MiB of manifests and configs. Not done: signature or digest verification,
 * foreign (non-distributable) layers stored elsewhere, files replaced (not deleted) by a
 * later layer are not marked.
 */
#ifndef LH_ENGINE_IMAGE_H
#define LH_ENGINE_IMAGE_H

#include "engine/scan.h"

struct lh_image_opts {
    const struct lh_archive_limits *limits; /* per layer; NULL: defaults */
    bool scan_binary;
    lh_warn_fn warn;
    void *warn_payload;
};

/*
 * Scans the image at path (a tarball or a layout directory), appending findings to out;
 * stats count the files scanned, unreadable layers as errors. Returns 0, LH_EIO (not
 * readable, or not an image: the message names path and says why), LH_EINVAL (a manifest
 * that is not valid JSON or names a blob that is missing), LH_ENOMEM.
 */
int lh_image_scan(const struct lh_detector *d, const char *path, const struct lh_image_opts *o,
                  struct lh_findings *out, struct lh_scan_stats *st) LH_WUR;

#endif
