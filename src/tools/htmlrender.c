/* SPDX-License-Identifier: MIT */
/*
 * htmlrender: renders an audit model file (the "leakhound-audit/1" JSON document of
 * `leakhound report --format json`) as the HTML report, without a scan database. A test and
 * development tool (tests/e2e/report_html/ drives it; edit src/report/html/, rebuild, render
 * a model, reload the page); users get the same page from `leakhound report --format html`.
 *
 *   htmlrender MODEL.json|- [OUT.html]      (no OUT: standard output)
 *
 * Exit status: 0 written, 2 usage, 4 the model cannot be read or is not an audit document,
 * or the output cannot be written (one line on stderr naming the file). The model is read
 * whole (capped at 1 GiB); OUT is written atomically (a partial page is never left behind).
 */
#include "cli/exit.h"
#include "report/html.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_CAP ((size_t)1 << 30)

static int render(const char *in, const char *out_path)
{
    struct lh_buf b;
    json_t *model = NULL;
    char *page = NULL;
    size_t page_len = 0;
    FILE *mem = NULL;
    lh_buf_init(&b, MODEL_CAP);
    int rc = lh_fs_read_file(&b, in);
    if (rc != 0) {
        goto out;
    }
    json_error_t jerr;
    model = json_loadb(b.ptr ? b.ptr : "", b.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!model) {
        lh_error_set("cannot parse the audit model '%s': line %d column %d: %s", in, jerr.line,
                     jerr.column, jerr.text);
        rc = LH_EINVAL;
        goto out;
    }
    if (!out_path) {
        rc = lh_report_html_write(stdout, model, "standard output");
        goto out;
    }
    mem = open_memstream(&page, &page_len);
    if (!mem) {
        rc = lh_error_oom();
        goto out;
    }
    rc = lh_report_html_write(mem, model, out_path);
    if (fclose(mem) != 0 && rc == 0) {
        rc = lh_error_oom();
    }
    mem = NULL;
    if (rc == 0) {
        rc = lh_fs_write_atomic(out_path, page, page_len);
    }
out:
    if (rc != 0 && rc != LH_EIO && rc != LH_ENOMEM && rc != LH_ETOOBIG && rc != LH_EINVAL) {
        rc = LH_EIO;
    }
    free(page);
    json_decref(model);
    lh_buf_dispose(&b);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
        fputs("usage: htmlrender MODEL.json|- [OUT.html]\n", argc == 2 ? stdout : stderr);
        return argc == 2 ? LH_EXIT_CLEAN : LH_EXIT_USAGE;
    }
    int rc = render(argv[1], argc == 3 ? argv[2] : NULL);
    if (rc != 0) {
        fprintf(stderr, "htmlrender: %s\n", lh_error_get());
        return LH_EXIT_IO;
    }
    return LH_EXIT_CLEAN;
}
