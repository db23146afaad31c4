/* SPDX-License-Identifier: MIT */
/* Report destinations: parsing, coexistence checks, atomic file writes; see multi.h. */
#include "report/multi.h"

#include "util/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int lh_report_dest_parse(struct lh_report_dest *out, const char *spec)
{
    memset(out, 0, sizeof(*out));
    const char *colon = strchr(spec, ':');
    size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
    char name[32];
    if (flen == 0 || flen >= sizeof(name)) {
        lh_error_set("invalid report '%.64s' (expected FORMAT or FORMAT:FILE, FORMAT one of: %s)",
                     spec, lh_report_formats());
        return LH_EUSAGE;
    }
    memcpy(name, spec, flen);
    name[flen] = '\0';
    out->ops = lh_report_find(name);
    if (!out->ops) {
        lh_error_set("unknown report format '%s' in '%.64s' (expected one of: %s)", name, spec,
                     lh_report_formats());
        return LH_EUSAGE;
    }
    if (!colon) {
        return 0;
    }
    if (colon[1] == '\0') {
        lh_error_set("missing file name after '%s:' (FORMAT:FILE; FORMAT alone writes to "
                     "stdout)",
                     name);
        return LH_EUSAGE;
    }
    if (!strcmp(colon + 1, "-")) {
        return 0;
    }
    out->path = strdup(colon + 1);
    return out->path ? 0 : lh_error_oom();
}

void lh_report_dest_dispose(struct lh_report_dest *d)
{
    free(d->path);
    d->path = NULL;
    d->ops = NULL;
}

static bool line_oriented(const struct lh_report_ops *ops)
{
    return !strcmp(ops->name, "text") || !strcmp(ops->name, "github");
}

int lh_report_dests_check(const struct lh_report_dest *d, size_t n)
{
    size_t on_stdout = 0;
    const char *machine = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!d[i].path) {
            on_stdout++;
            if (!line_oriented(d[i].ops) && !machine) {
                machine = d[i].ops->name;
            }
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (d[j].path && !strcmp(d[j].path, d[i].path)) {
                lh_error_set("two reports name the same file '%s'", d[i].path);
                return LH_EUSAGE;
            }
        }
    }
    if (on_stdout > 1 && machine) {
        lh_error_set("%zu reports go to stdout, one of them %s: give it a file (%s:FILE, or "
                     "--output FILE for --format)",
                     on_stdout, machine, machine);
        return LH_EUSAGE;
    }
    return 0;
}

/* Existing and not a regular file (a device, a FIFO): written in place, not replaced. */
static bool write_in_place(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

static int write_file(const struct lh_report_dest *d, const struct lh_findings *l,
                      const struct lh_report_ctx *ctx)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f) {
        return lh_error_oom();
    }
    int rc = d->ops->write(f, l, ctx);
    if (fclose(f) != 0 && rc == 0) {
        rc = lh_error_oom();
    }
    if (rc < 0) {
        free(mem);
        if (!lh_error_get()[0]) {
            lh_error_set("cannot write the %s report '%s'", d->ops->name, d->path);
        }
        return rc;
    }
    if (write_in_place(d->path)) {
        FILE *out = fopen(d->path, "w");
        if (!out) {
            lh_error_set("cannot write '%s': %s", d->path, strerror(errno));
            rc = LH_EIO;
        } else {
            bool ok = fwrite(mem, 1, len, out) == len;
            ok = fclose(out) == 0 && ok;
            if (!ok) {
                lh_error_set("cannot write '%s': %s", d->path, strerror(errno));
                rc = LH_EIO;
            }
        }
    } else {
        /* a report is for sharing (uploads, artifacts): the umask decides, as for `>` */
        rc = lh_fs_write_atomic_mode(d->path, mem, len, 0666);
    }
    free(mem);
    return rc;
}

int lh_report_dest_write(const struct lh_report_dest *d, FILE *out, const struct lh_findings *l,
                         const struct lh_report_ctx *ctx)
{
    lh_error_clear();
    if (d->path) {
        struct lh_report_ctx fctx = *ctx;
        fctx.color = false;
        return write_file(d, l, &fctx);
    }
    int rc = d->ops->write(out, l, ctx);
    if (fflush(out) != 0 && rc == 0) {
        lh_error_set("cannot write the %s report to stdout: %s", d->ops->name, strerror(errno));
        rc = LH_EIO;
    }
    if (rc < 0 && !lh_error_get()[0]) {
        lh_error_set("cannot write the %s report to stdout", d->ops->name);
    }
    return rc;
}
