/* SPDX-License-Identifier: MIT */
/* What a container image holds: manifests, configs, layers; see image_int.h. */
#include "engine/image_int.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_CAP (16u * 1024u * 1024u)    /* one manifest or config */
#define CAPTURE_CAP (64u * 1024u * 1024u) /* all of them, from a tarball */
#define MAX_LAYERS 4096
#define MAX_INDEX_DEPTH 4

const char *lh_image_norm(const char *name)
{
    while (name[0] == '.' && name[1] == '/') {
        name += 2;
    }
    while (name[0] == '/') {
        name++;
    }
    return name;
}

/* "sha256:<hex>" for a blob named "blobs/sha256/<hex>" or "<hex>.json", else NULL. Heap. */
static char *digest_of_name(const char *name)
{
    char out[160];
    const char *p = lh_image_norm(name);
    if (lh_str_startswith(p, "blobs/")) {
        p += 6;
        const char *slash = strchr(p, '/');
        if (slash && !strchr(slash + 1, '/') && slash[1]) {
            snprintf(out, sizeof(out), "%.*s:%s", (int)(slash - p), p, slash + 1);
            return strdup(out);
        }
    }
    size_t n = strlen(p);
    if (n == 64 + 5 && lh_str_endswith(p, ".json") && strspn(p, "0123456789abcdef") == 64) {
        snprintf(out, sizeof(out), "sha256:%.64s", p);
        return strdup(out);
    }
    return NULL;
}

/* "blobs/<alg>/<hex>" for a descriptor digest "<alg>:<hex>" (checked: no path tricks). */
static char *name_of_digest(const char *digest)
{
    const char *colon = digest ? strchr(digest, ':') : NULL;
    if (!colon || colon == digest || strchr(colon + 1, '/') || strstr(digest, "..") ||
        strchr(digest, '/') || !colon[1]) {
        return NULL;
    }
    char out[300];
    if (snprintf(out, sizeof(out), "blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1) >=
        (int)sizeof(out)) {
        return NULL;
    }
    return strdup(out);
}

static const struct lh_image_blob *find_blob(const struct lh_image *im, const char *name)
{
    for (size_t i = 0; i < im->nblobs; i++) {
        if (!strcmp(im->blobs[i].name, name)) {
            return &im->blobs[i];
        }
    }
    return NULL;
}

static int keep_blob(struct lh_image *im, const char *name, struct lh_buf *b)
{
    struct lh_image_blob *nb = realloc(im->blobs, (im->nblobs + 1) * sizeof(*nb));
    if (!nb) {
        return lh_error_oom();
    }
    im->blobs = nb;
    nb[im->nblobs].name = strdup(name);
    if (!nb[im->nblobs].name) {
        return lh_error_oom();
    }
    nb[im->nblobs].len = b->len;
    nb[im->nblobs].data = lh_buf_take(b);
    if (!nb[im->nblobs].data) {
        free(nb[im->nblobs].name);
        return lh_error_oom();
    }
    im->captured += nb[im->nblobs].len;
    im->nblobs++;
    return 0;
}

/* A JSON file of the image (NULL when absent or not JSON: a message is set). New reference. */
json_t *lh_image_json(struct lh_image *im, const char *name)
{
    const struct lh_image_blob *b = find_blob(im, name);
    if (!b && im->is_dir) {
        char *p = lh_path_join(im->path, name);
        struct lh_buf buf;
        lh_buf_init(&buf, JSON_CAP);
        int rc = p ? lh_fs_read_file(&buf, p) : lh_error_oom();
        free(p);
        if (rc == 0 && lh_buf_putc(&buf, '\0') == 0) {
            buf.len--;
            rc = keep_blob(im, name, &buf);
            b = rc == 0 ? &im->blobs[im->nblobs - 1] : NULL;
        }
        lh_buf_dispose(&buf);
    }
    if (!b) {
        lh_error_set("'%s' has no '%s'", im->path, name);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(b->data, b->len, 0, &je);
    if (!j) {
        lh_error_set("'%s' in '%s' is not valid JSON: %s (line %d)", name, im->path, je.text,
                     je.line);
    }
    return j;
}

static int add_layer(struct lh_image *im, const char *name, const char *digest)
{
    for (size_t i = 0; i < im->nlayers; i++) {
        if (!strcmp(im->layers[i].name, name)) {
            return 0; /* shared by two images: scanned once, in its first place */
        }
    }
    if (im->nlayers >= MAX_LAYERS) {
        lh_error_set("'%s' has more than %d layers", im->path, MAX_LAYERS);
        return LH_EINVAL;
    }
    struct lh_image_layer *nl = realloc(im->layers, (im->nlayers + 1) * sizeof(*nl));
    if (!nl) {
        return lh_error_oom();
    }
    im->layers = nl;
    struct lh_image_layer *l = &nl[im->nlayers];
    memset(l, 0, sizeof(*l));
    l->name = strdup(name);
    l->digest = digest ? strdup(digest) : digest_of_name(name);
    if (!l->digest && l->name) {
        l->digest = strdup(name);
    }
    if (!l->name || !l->digest) {
        free(l->name);
        free(l->digest);
        return lh_error_oom();
    }
    im->nlayers++;
    return 0;
}

static int add_config(struct lh_image *im, const char *name, const char *digest)
{
    for (size_t i = 0; i < im->configs.count; i++) {
        if (!strcmp(im->configs.items[i], name)) {
            return 0;
        }
    }
    char *dg = digest ? strdup(digest) : digest_of_name(name);
    int rc = lh_strlist_push(&im->configs, name);
    if (rc == 0) {
        rc = lh_strlist_push(&im->config_digests, dg ? dg : name);
    }
    free(dg);
    return rc < 0 ? lh_error_oom() : 0;
}

/* docker save: [{"Config": "...", "Layers": ["..."]}, ...] */
static int docker_manifest(struct lh_image *im, json_t *m)
{
    size_t i;
    json_t *e;
    if (!json_is_array(m)) {
        lh_error_set("manifest.json in '%s' is not a list of images", im->path);
        return LH_EINVAL;
    }
    json_array_foreach(m, i, e)
    {
        const char *cfg = json_string_value(json_object_get(e, "Config"));
        json_t *layers = json_object_get(e, "Layers");
        json_t *conf = cfg ? lh_image_json(im, lh_image_norm(cfg)) : NULL;
        json_t *diff = json_object_get(json_object_get(conf, "rootfs"), "diff_ids");
        int rc = cfg ? add_config(im, lh_image_norm(cfg), NULL) : 0;
        size_t k;
        json_t *l;
        json_array_foreach(layers, k, l)
        {
            const char *ln = json_string_value(l);
            char *dg = ln ? digest_of_name(ln) : NULL;
            const char *diff_id = json_string_value(json_array_get(diff, k));
            if (rc == 0 && ln) {
                rc = add_layer(im, lh_image_norm(ln), dg ? dg : diff_id);
            }
            free(dg);
        }
        json_decref(conf);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* OCI: an index's manifests, recursively; a manifest's config and layers. */
static int oci_index(struct lh_image *im, json_t *idx, int depth)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(idx, "manifests"), i, m)
    {
        const char *dg = json_string_value(json_object_get(m, "digest"));
        char *name = name_of_digest(dg);
        json_t *j = name ? lh_image_json(im, name) : NULL;
        int rc = 0;
        if (!j) {
            lh_input_warn(im->base.env, "%s; image manifest %s skipped",
                          name ? lh_error_get() : "a manifest has no valid digest", dg ? dg : "");
        } else if (json_object_get(j, "manifests") && depth < MAX_INDEX_DEPTH) {
            rc = oci_index(im, j, depth + 1);
        } else if (json_object_get(j, "layers")) {
            const char *cdg =
                json_string_value(json_object_get(json_object_get(j, "config"), "digest"));
            char *cname = name_of_digest(cdg);
            if (cname) {
                rc = add_config(im, cname, cdg);
            }
            free(cname);
            size_t k;
            json_t *l;
            json_array_foreach(json_object_get(j, "layers"), k, l)
            {
                const char *ldg = json_string_value(json_object_get(l, "digest"));
                char *lname = name_of_digest(ldg);
                if (rc == 0 && lname) {
                    rc = add_layer(im, lname, ldg);
                }
                free(lname);
            }
        }
        json_decref(j);
        free(name);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int lh_image_manifests_load(struct lh_image *im)
{
    json_t *m =
        find_blob(im, "manifest.json") || im->is_dir ? lh_image_json(im, "manifest.json") : NULL;
    int rc = 0;
    if (m) {
        rc = docker_manifest(im, m);
    } else {
        json_t *idx = lh_image_json(im, "index.json");
        if (!idx) {
            lh_error_set("'%s' is not a container image: no manifest.json (docker save) or "
                         "index.json (OCI layout)",
                         im->path);
            return LH_EIO;
        }
        rc = oci_index(im, idx, 0);
        json_decref(idx);
    }
    json_decref(m);
    if (rc == 0 && im->nlayers == 0 && im->configs.count == 0) {
        lh_error_set("'%s' names no image layers", im->path);
        rc = LH_EINVAL;
    }
    return rc;
}

int lh_image_capture_json(struct lh_image *im, struct lh_archive_reader *rd, const char *name,
                          int64_t size)
{
    bool named = !strcmp(name, "manifest.json") || !strcmp(name, "index.json") ||
                 lh_str_endswith(name, ".json");
    if (!(named || lh_str_startswith(name, "blobs/")) || size > 4 * 1024 * 1024 ||
        im->captured > CAPTURE_CAP || find_blob(im, name)) {
        return 0;
    }
    struct lh_buf b;
    lh_buf_init(&b, 4 * 1024 * 1024);
    int rc = lh_archive_reader_read(rd, &b);
    size_t ws = 0;
    while (ws < b.len && strchr(" \t\r\n", b.ptr[ws])) {
        ws++;
    }
    if (rc == 0 && ws < b.len && (b.ptr[ws] == '{' || b.ptr[ws] == '[')) {
        rc = keep_blob(im, name, &b);
    } else if (rc == LH_ETOOBIG) {
        rc = 0;
    }
    lh_buf_dispose(&b);
    return rc;
}

void lh_image_manifests_dispose(struct lh_image *im)
{
    for (size_t i = 0; i < im->nblobs; i++) {
        free(im->blobs[i].name);
        free(im->blobs[i].data);
    }
    free(im->blobs);
    for (size_t i = 0; i < im->nlayers; i++) {
        free(im->layers[i].name);
        free(im->layers[i].digest);
        lh_strlist_dispose(&im->layers[i].wh);
    }
    free(im->layers);
    lh_strlist_dispose(&im->configs);
    lh_strlist_dispose(&im->config_digests);
}
