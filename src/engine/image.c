/* SPDX-License-Identifier: MIT */
/* Container image scanning; see image.h. */
#include "engine/image.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_CAP (16u * 1024u * 1024u)    /* one manifest or config */
#define CAPTURE_CAP (64u * 1024u * 1024u) /* all of them, from a tarball */
#define MAX_LAYERS 4096
#define MAX_INDEX_DEPTH 4

struct blob {
    char *name;
    char *data;
    size_t len;
};

struct layer {
    char *name;           /* in the tarball or layout directory */
    char *digest;         /* "sha256:..." */
    struct lh_strlist wh; /* paths deleted by this layer ("dir/" for opaque directories) */
};

struct image {
    const struct lh_detector *d;
    const struct lh_image_opts *o;
    struct lh_findings *out;
    struct lh_scan_stats *st;
    const char *path;
    bool is_dir;
    struct lh_archive_limits lim;
    struct lh_detect_scratch *ds;
    struct blob *blobs;
    size_t nblobs;
    size_t captured;
    struct layer *layers;
    size_t nlayers;
    struct lh_strlist configs; /* blob names, with config_digests in step */
    struct lh_strlist config_digests;
    size_t cur; /* layer being walked */
};

static void iwarn(const struct image *im, const char *fmt, ...) LH_PRINTF(2, 3);
static void iwarn(const struct image *im, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    lh_vformat_mid(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (im->o->warn) {
        im->o->warn(msg, im->o->warn_payload);
    }
}

static const char *norm(const char *name)
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
    const char *p = norm(name);
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

static const struct blob *find_blob(const struct image *im, const char *name)
{
    for (size_t i = 0; i < im->nblobs; i++) {
        if (!strcmp(im->blobs[i].name, name)) {
            return &im->blobs[i];
        }
    }
    return NULL;
}

static int keep_blob(struct image *im, const char *name, struct lh_buf *b)
{
    struct blob *nb = realloc(im->blobs, (im->nblobs + 1) * sizeof(*nb));
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
static json_t *get_json(struct image *im, const char *name)
{
    const struct blob *b = find_blob(im, name);
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

static int add_layer(struct image *im, const char *name, const char *digest)
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
    struct layer *nl = realloc(im->layers, (im->nlayers + 1) * sizeof(*nl));
    if (!nl) {
        return lh_error_oom();
    }
    im->layers = nl;
    struct layer *l = &nl[im->nlayers];
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

static int add_config(struct image *im, const char *name, const char *digest)
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
static int docker_manifest(struct image *im, json_t *m)
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
        json_t *conf = cfg ? get_json(im, norm(cfg)) : NULL;
        json_t *diff = json_object_get(json_object_get(conf, "rootfs"), "diff_ids");
        int rc = cfg ? add_config(im, norm(cfg), NULL) : 0;
        size_t k;
        json_t *l;
        json_array_foreach(layers, k, l)
        {
            const char *ln = json_string_value(l);
            char *dg = ln ? digest_of_name(ln) : NULL;
            const char *diff_id = json_string_value(json_array_get(diff, k));
            if (rc == 0 && ln) {
                rc = add_layer(im, norm(ln), dg ? dg : diff_id);
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
static int oci_index(struct image *im, json_t *idx, int depth)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(idx, "manifests"), i, m)
    {
        const char *dg = json_string_value(json_object_get(m, "digest"));
        char *name = name_of_digest(dg);
        json_t *j = name ? get_json(im, name) : NULL;
        int rc = 0;
        if (!j) {
            iwarn(im, "%s; image manifest %s skipped",
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

static int load_manifests(struct image *im)
{
    json_t *m = find_blob(im, "manifest.json") || im->is_dir ? get_json(im, "manifest.json") : NULL;
    int rc = 0;
    if (m) {
        rc = docker_manifest(im, m);
    } else {
        json_t *idx = get_json(im, "index.json");
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

/* ---- scanning ---- */

struct fctx {
    struct image *im;
    const char *layer;
};

static int on_finding(struct lh_finding *f, void *payload)
{
    struct fctx *c = payload;
    f->prov.layer = strdup(c->layer);
    if (!f->prov.layer) {
        lh_finding_dispose(f);
        return lh_error_oom();
    }
    return lh_findings_push(c->im->out, f);
}

static int scan_text(struct image *im, const char *path, const char *digest, struct lh_buf *b)
{
    struct fctx c = {im, digest};
    if (b->len == 0) {
        return 0;
    }
    atomic_fetch_add(&im->st->scanned, 1);
    atomic_fetch_add(&im->st->bytes, b->len);
    return lh_detect_blob(im->d, im->ds, (const uint8_t *)b->ptr, b->len, path, on_finding, &c);
}

/* Env, Labels and history created_by of one config, one entry per line. */
static int scan_config(struct image *im, const char *name, const char *digest)
{
    json_t *cfg = get_json(im, name);
    struct lh_buf env, labels, hist;
    int rc = 0;
    if (!cfg) {
        atomic_fetch_add(&im->st->errors, 1);
        iwarn(im, "%s; image config not scanned", lh_error_get());
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
        rc = scan_text(im, "config!/Env", digest, &env);
    }
    if (rc == 0) {
        rc = scan_text(im, "config!/Labels", digest, &labels);
    }
    if (rc == 0) {
        rc = scan_text(im, "config!/history", digest, &hist);
    }
    lh_buf_wipe(&env);
    lh_buf_wipe(&labels);
    lh_buf_wipe(&hist);
    json_decref(cfg);
    return rc;
}

static int layer_entry(const char *name, unsigned type, void *payload)
{
    struct image *im = payload;
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
    if (n > 0 && (size_t)n < sizeof(path) && lh_strlist_push(&im->layers[im->cur].wh, path) < 0) {
        return lh_error_oom();
    }
    return 1; /* a marker, not a file */
}

static int layer_member(const struct lh_archive_member *m, void *payload)
{
    struct image *im = payload;
    struct fctx c = {im, im->layers[im->cur].digest};
    return lh_detect_blob(im->d, im->ds, m->data, m->len, m->path, on_finding, &c);
}

static void layer_warn(const char *msg, void *payload)
{
    struct image *im = payload;
    iwarn(im, "%s", msg);
}

static void layer_opts(struct image *im, struct lh_archive_opts *ao)
{
    memset(ao, 0, sizeof(*ao));
    ao->limits = im->lim;
    ao->limits.max_depth = im->lim.max_depth + 1; /* the layer itself is a level */
    ao->scan_binary = im->o->scan_binary;
    ao->on_member = layer_member;
    ao->on_entry = layer_entry;
    ao->warn = layer_warn;
    ao->payload = im;
    ao->prefix = "";
}

static int layer_done(struct image *im, int rc, const char *where, struct lh_archive_stats *as)
{
    atomic_fetch_add(&im->st->scanned, (size_t)as->members);
    atomic_fetch_add(&im->st->bytes, (size_t)as->bytes);
    atomic_fetch_add(&im->st->skipped_binary, (size_t)as->skipped_binary);
    if (rc == LH_ARCHIVE_NOT_ARCHIVE || rc == LH_EIO) {
        atomic_fetch_add(&im->st->errors, 1);
        iwarn(im, "layer %s ('%s') %s; not scanned", im->layers[im->cur].digest, where,
              rc == LH_EIO ? lh_error_get() : "is not a tar archive");
        rc = 0;
    }
    return rc;
}

static int scan_layers_dir(struct image *im)
{
    int rc = 0;
    for (im->cur = 0; rc == 0 && im->cur < im->nlayers; im->cur++) {
        char *p = lh_path_join(im->path, im->layers[im->cur].name);
        if (!p) {
            return lh_error_oom();
        }
        int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct lh_archive_opts ao;
        struct lh_archive_stats as = {0};
        layer_opts(im, &ao);
        if (fd < 0) {
            lh_error_set("cannot open: %s", strerror(errno));
            rc = LH_EIO;
        } else {
            rc = lh_archive_walk_fd(fd, p, &ao, &as);
            close(fd);
        }
        rc = layer_done(im, rc, p, &as);
        free(p);
    }
    return rc;
}

static int capture_json(struct image *im, struct lh_archive_reader *rd, const char *name,
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

/* A tarball: pass 1 keeps the JSON files, pass 2 walks the layers as they come. */
static int scan_tar(struct image *im, int pass)
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
        name = norm(name);
        if (type != S_IFREG) { /* AE_IFREG is S_IFREG */
            continue;
        }
        if (pass == 1) {
            rc = capture_json(im, rd, name, size);
            continue;
        }
        for (im->cur = 0; im->cur < im->nlayers; im->cur++) {
            if (!strcmp(im->layers[im->cur].name, name)) {
                break;
            }
        }
        if (im->cur < im->nlayers) {
            char where[4200];
            struct lh_archive_opts ao;
            struct lh_archive_stats as = {0};
            snprintf(where, sizeof(where), "%s!/%s", im->path, name);
            layer_opts(im, &ao);
            rc = layer_done(im, lh_archive_reader_walk(rd, where, &ao, &as), where, &as);
        }
    }
    lh_archive_reader_free(rd);
    close(fd);
    return rc;
}

/* Marks findings in files that a later layer deletes. */
static void mark_deleted(struct image *im, size_t first)
{
    for (size_t i = first; i < im->out->count; i++) {
        struct lh_finding *f = &im->out->items[i];
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

int lh_image_scan(const struct lh_detector *d, const char *path, const struct lh_image_opts *o,
                  struct lh_findings *out, struct lh_scan_stats *st)
{
    struct image im = {.d = d, .o = o, .out = out, .st = st, .path = path};
    struct stat sb;
    size_t first = out->count;
    if (stat(path, &sb) != 0) {
        lh_error_set("cannot read '%s': %s", path, strerror(errno));
        return LH_EIO;
    }
    im.is_dir = S_ISDIR(sb.st_mode);
    if (o->limits) {
        im.lim = *o->limits;
    } else {
        lh_archive_limits_default(&im.lim);
    }
    int rc = im.is_dir ? 0 : scan_tar(&im, 1);
    if (rc == 0) {
        rc = load_manifests(&im);
    }
    if (rc == 0) {
        rc = lh_detect_scratch_new(&im.ds, d);
    }
    for (size_t i = 0; rc == 0 && i < im.configs.count; i++) {
        rc = scan_config(&im, im.configs.items[i], im.config_digests.items[i]);
    }
    if (rc == 0) {
        rc = im.is_dir ? scan_layers_dir(&im) : scan_tar(&im, 2);
    }
    if (rc == 0) {
        mark_deleted(&im, first);
    }
    lh_detect_scratch_free(im.ds);
    for (size_t i = 0; i < im.nblobs; i++) {
        free(im.blobs[i].name);
        free(im.blobs[i].data);
    }
    free(im.blobs);
    for (size_t i = 0; i < im.nlayers; i++) {
        free(im.layers[i].name);
        free(im.layers[i].digest);
        lh_strlist_dispose(&im.layers[i].wh);
    }
    free(im.layers);
    lh_strlist_dispose(&im.configs);
    lh_strlist_dispose(&im.config_digests);
    return rc;
}
