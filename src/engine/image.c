/* SPDX-License-Identifier: MIT */
/*
 * Container image scanning (see image.h) as an input of the scan driver: its prepare reads
 * the manifests (a tarball's JSON files on a first pass); its one job, read on the calling
 * thread (a tarball is one stream), hands the driver each config's Env, Labels and history
 * and each layer's files as items whose origin is a member of the layer (the layer's
 * digest in the parent origin, which gives findings their layer); whiteouts are collected
 * while a layer is walked and mark findings deleted once the scan is done.
 */
#include "engine/driver.h"
#include "engine/image_int.h"
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_CAP (16u * 1024u * 1024u) /* one config's scanned text */

/* One layer (or config) being scanned: its origin is the parent of its files. */
struct walk {
    struct lh_image *im;
    struct lh_sink *sink;
    struct lh_image_layer *layer; /* NULL for a config */
    struct lh_origin origin;
};

static int scan_text(struct walk *w, const char *name, struct lh_buf *b)
{
    if (b->len == 0) {
        return 0;
    }
    struct lh_item it = {
        .buf = (const uint8_t *)b->ptr,
        .len = b->len,
        .origin = {.kind = LH_ORIGIN_MEMBER, .path = name, .parent = &w->origin},
    };
    int rc = w->sink->scan(w->sink, &it);
    return rc < 0 ? rc : 0;
}

/* Env, Labels and history created_by of one config, one entry per line. */
static int scan_config(struct lh_image *im, struct lh_sink *sink, const char *name,
                       const char *digest)
{
    struct walk w = {im, sink, NULL, {.kind = LH_ORIGIN_LAYER, .id = digest}};
    json_t *cfg = lh_image_json(im, name);
    struct lh_buf env, labels, hist;
    int rc = 0;
    if (!cfg) {
        lh_input_error(im->base.env, "%s; image config not scanned", lh_error_get());
        return 0;
    }
    lh_buf_init(&env, JSON_CAP);
    lh_buf_init(&labels, JSON_CAP);
    lh_buf_init(&hist, JSON_CAP);
    json_t *c = json_object_get(cfg, "config");
    size_t i;
    json_t *v;
    const char *k;
    json_array_foreach(json_object_get(c, "Env"), i, v)
    {
        if (rc == 0 && json_is_string(v)) {
            rc = lh_buf_printf(&env, "%s\n", json_string_value(v));
        }
    }
    json_object_foreach(json_object_get(c, "Labels"), k, v)
    {
        if (rc == 0 && json_is_string(v)) {
            rc = lh_buf_printf(&labels, "%s=%s\n", k, json_string_value(v));
        }
    }
    json_array_foreach(json_object_get(cfg, "history"), i, v)
    {
        const char *cb = json_string_value(json_object_get(v, "created_by"));
        if (rc == 0) {
            rc = lh_buf_printf(&hist, "%s\n", cb ? cb : "");
        }
    }
    if (rc == 0) {
        rc = scan_text(&w, "config!/Env", &env);
    }
    if (rc == 0) {
        rc = scan_text(&w, "config!/Labels", &labels);
    }
    if (rc == 0) {
        rc = scan_text(&w, "config!/history", &hist);
    }
    lh_buf_wipe(&env);
    lh_buf_wipe(&labels);
    lh_buf_wipe(&hist);
    json_decref(cfg);
    return rc;
}

static int layer_entry(const char *name, unsigned type, void *payload)
{
    struct walk *w = payload;
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    (void)type;
    if (strncmp(base, ".wh.", 4) != 0) {
        return 0;
    }
    char path[4200];
    int n = !strcmp(base, ".wh..wh..opq")
                ? snprintf(path, sizeof(path), "%.*s", (int)(base - name), name)
                : snprintf(path, sizeof(path), "%.*s%s", (int)(base - name), name, base + 4);
    if (n > 0 && (size_t)n < sizeof(path) && lh_strlist_push(&w->layer->wh, path) < 0) {
        return lh_error_oom();
    }
    return 1; /* a marker, not a file */
}

static int layer_member(const struct lh_archive_member *m, void *payload)
{
    struct walk *w = payload;
    struct lh_item it = {
        .buf = m->data ? m->data : (const uint8_t *)"",
        .len = m->len,
        .origin = {.kind = LH_ORIGIN_MEMBER, .path = m->path, .parent = &w->origin},
    };
    int rc = w->sink->scan(w->sink, &it);
    return rc < 0 ? rc : 0;
}

static void layer_warn(const char *msg, void *payload)
{
    struct walk *w = payload;
    lh_input_warn(w->im->base.env, "%s", msg);
}

static void layer_start(struct walk *w, struct lh_image *im, struct lh_sink *sink, size_t li,
                        struct lh_archive_opts *ao)
{
    *w = (struct walk){im, sink, &im->layers[li], {.kind = LH_ORIGIN_LAYER}};
    w->origin.id = w->layer->digest;
    memset(ao, 0, sizeof(*ao));
    ao->limits = im->lim;
    ao->limits.max_depth = im->lim.max_depth + 1; /* the layer itself is a level */
    ao->scan_binary = im->base.env->scan_binary;
    ao->on_member = layer_member;
    ao->on_entry = layer_entry;
    ao->warn = layer_warn;
    ao->payload = w;
    ao->prefix = ""; /* files are named as in the image: "etc/app.conf" */
}

static int layer_done(struct walk *w, int rc, const char *where, struct lh_archive_stats *as)
{
    atomic_fetch_add(&w->im->base.env->stats->skipped_binary, (size_t)as->skipped_binary);
    if (rc == LH_ARCHIVE_NOT_ARCHIVE || rc == LH_EIO) {
        lh_input_error(w->im->base.env, "layer %s ('%s') %s; not scanned", w->layer->digest, where,
                       rc == LH_EIO ? lh_error_get() : "is not a tar archive");
        rc = 0;
    }
    return rc;
}

static int scan_layers_dir(struct lh_image *im, struct lh_sink *sink)
{
    int rc = 0;
    for (size_t li = 0; rc == 0 && li < im->nlayers; li++) {
        char *p = lh_path_join(im->path, im->layers[li].name);
        if (!p) {
            return lh_error_oom();
        }
        int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct walk w;
        struct lh_archive_opts ao;
        struct lh_archive_stats as = {0};
        layer_start(&w, im, sink, li, &ao);
        if (fd < 0) {
            lh_error_set("cannot open: %s", strerror(errno));
            rc = LH_EIO;
        } else {
            rc = lh_archive_walk_fd(fd, p, &ao, &as);
            close(fd);
        }
        rc = layer_done(&w, rc, p, &as);
        free(p);
    }
    return rc;
}

/* A tarball: pass 1 keeps the JSON files, pass 2 walks the layers as they come. */
static int scan_tar(struct lh_image *im, int pass, struct lh_sink *sink)
{
    struct lh_archive_reader *rd = NULL;
    int fd = open(im->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        lh_error_set("cannot open '%s': %s", im->path, strerror(errno));
        return LH_EIO;
    }
    int rc = lh_archive_reader_open(&rd, fd, im->path, 0);
    const char *name;
    unsigned type;
    int64_t size;
    while (rc == 0 && (rc = lh_archive_reader_next(rd, &name, &type, &size)) == 1) {
        rc = 0;
        name = lh_image_norm(name);
        if (type != S_IFREG) { /* AE_IFREG is S_IFREG */
            continue;
        }
        if (pass == 1) {
            rc = lh_image_capture_json(im, rd, name, size);
            continue;
        }
        size_t li = 0;
        while (li < im->nlayers && strcmp(im->layers[li].name, name)) {
            li++;
        }
        if (li < im->nlayers) {
            char where[4200];
            struct walk w;
            struct lh_archive_opts ao;
            struct lh_archive_stats as = {0};
            snprintf(where, sizeof(where), "%s!/%s", im->path, name);
            layer_start(&w, im, sink, li, &ao);
            rc = layer_done(&w, lh_archive_reader_walk(rd, where, &ao, &as), where, &as);
        }
    }
    lh_archive_reader_free(rd);
    close(fd);
    return rc;
}

/* Marks findings in files that a later layer deletes. */
static void mark_deleted(const struct lh_image *im, struct lh_findings *out, size_t first)
{
    for (size_t i = first; i < out->count; i++) {
        struct lh_finding *f = &out->items[i];
        size_t li = 0;
        while (li < im->nlayers &&
               (!f->prov.layer || strcmp(im->layers[li].digest, f->prov.layer))) {
            li++;
        }
        const char *bang = strstr(f->path, "!/");
        size_t flen = bang ? (size_t)(bang - f->path) : strlen(f->path);
        for (size_t j = li + 1; j < im->nlayers && !f->prov.deleted; j++) {
            const struct lh_strlist *wh = &im->layers[j].wh;
            for (size_t k = 0; k < wh->count && !f->prov.deleted; k++) {
                const char *w = wh->items[k];
                size_t wl = strlen(w);
                bool opaque = wl == 0 || w[wl - 1] == '/';
                f->prov.deleted = opaque ? flen >= wl && !strncmp(f->path, w, wl)
                                         : flen >= wl && !strncmp(f->path, w, wl) &&
                                               (flen == wl || f->path[wl] == '/');
            }
        }
    }
}

/* ---- the input ---- */

static int image_prepare(struct lh_input *in, size_t *max_jobs)
{
    struct lh_image *im = (struct lh_image *)in;
    struct stat sb;
    *max_jobs = 1;
    if (stat(im->path, &sb) != 0) {
        lh_error_set("cannot read '%s': %s", im->path, strerror(errno));
        return LH_EIO;
    }
    im->is_dir = S_ISDIR(sb.st_mode);
    int rc = im->is_dir ? 0 : scan_tar(im, 1, NULL);
    return rc == 0 ? lh_image_manifests_load(im) : rc;
}

static int image_read(struct lh_input *in, void *reader, void *job, struct lh_sink *sink)
{
    struct lh_image *im = (struct lh_image *)in;
    int rc = 0;
    (void)reader;
    (void)job;
    for (size_t i = 0; rc == 0 && i < im->configs.count; i++) {
        rc = scan_config(im, sink, im->configs.items[i], im->config_digests.items[i]);
    }
    if (rc == 0) {
        rc = im->is_dir ? scan_layers_dir(im, sink) : scan_tar(im, 2, sink);
    }
    return rc;
}

static void image_free(struct lh_input *in)
{
    (void)in; /* lives on lh_image_scan's stack */
}

static const struct lh_input_ops image_ops = {
    .name = "container image",
    .prepare = image_prepare,
    .produce = lh_input_produce_self,
    .read = image_read,
    .free = image_free,
};

int lh_image_scan(const struct lh_detector *d, const char *path, const struct lh_image_opts *o,
                  struct lh_findings *out, struct lh_scan_stats *st)
{
    struct lh_input_env env = {
        .threads = 1,
        .scan_binary = o->scan_binary,
        .warn = o->warn,
        .warn_payload = o->warn_payload,
        .stats = st,
    };
    struct lh_image im = {.base = {&image_ops, &env}, .path = path};
    struct lh_input *in = &im.base;
    size_t first = out->count;
    if (o->limits) {
        im.lim = *o->limits;
    } else {
        lh_archive_limits_default(&im.lim);
    }
    /* no archive options: a layer's walker opens the archives inside it (one more level) */
    int rc = lh_driver_run(d, &in, 1, NULL, out);
    if (rc == 0) {
        mark_deleted(&im, out, first);
    }
    lh_image_manifests_dispose(&im);
    return rc;
}
