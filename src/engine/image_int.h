/* SPDX-License-Identifier: MIT */
/*
 * Internals of the image input shared by image.c (the input: configs and layers as items)
 * and image_manifest.c (what the image holds: docker save manifest.json or OCI index.json,
 * its configs and layers, the JSON files kept from a tarball). Not for other modules.
 */
#ifndef LH_ENGINE_IMAGE_INT_H
#define LH_ENGINE_IMAGE_INT_H

#include "engine/image.h"
#include "rules/rule.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lh_image_blob {
    char *name;
    char *data;
    size_t len;
};

struct lh_image_layer {
    char *name;           /* in the tarball or layout directory */
    char *digest;         /* "sha256:..." */
    struct lh_strlist wh; /* paths deleted by this layer ("dir/" for opaque directories) */
};

struct lh_image {
    struct lh_input base;
    const char *path;
    bool is_dir;
    struct lh_archive_limits lim;
    struct lh_image_blob *blobs; /* JSON files kept from a tarball, or read from a layout */
    size_t nblobs;
    size_t captured;
    struct lh_image_layer *layers;
    size_t nlayers;
    struct lh_strlist configs; /* blob names, with config_digests in step */
    struct lh_strlist config_digests;
};

/* Strips leading "./" and "/" from a member name (borrowed, inside name). */
const char *lh_image_norm(const char *name);

/*
 * A tarball's first pass: keeps the current member of rd when it may be a manifest, index
 * or config (a JSON file up to 4 MiB; all of them up to 64 MiB). Returns 0 or LH_ENOMEM.
 */
int lh_image_capture_json(struct lh_image *im, struct lh_archive_reader *rd, const char *name,
                          int64_t size) LH_WUR;

/*
 * Reads the manifests: the layers (in image order, shared ones once) and configs to scan.
 * Returns 0, LH_EIO (no manifest.json or index.json: not an image), LH_EINVAL (invalid JSON,
 * no layers, too many layers) or LH_ENOMEM.
 */
int lh_image_manifests_load(struct lh_image *im) LH_WUR;

/* The JSON file `name` of the image (NULL when absent or invalid: message set). New ref. */
json_t *lh_image_json(struct lh_image *im, const char *name);

/* Frees the blobs, layers and config lists. */
void lh_image_manifests_dispose(struct lh_image *im);

#endif
