/* SPDX-License-Identifier: MIT */
/*
 * Several reports from one run (`--report FORMAT[:FILE]`, repeatable) through the real
 * binary: the text report stays on stdout next to github annotations while SARIF (validated
 * against the official schema) and JSON go to files, all holding the same findings; files are
 * replaced atomically (a hard link to the old file keeps the old bytes: it was never
 * truncated in place, and no temporary file is left behind); one failing destination does
 * not stop the others and gives exit 4; conflicting destinations are usage errors before
 * anything is scanned.
 */
#include "support/report.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

RT_FIXTURE(multi);

static size_t count_tmp_files(const char *d)
{
    size_t n = 0;
    DIR *dh = opendir(d);
    cr_assert(dh != NULL);
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        n += strstr(e->d_name, ".tmp.") != NULL;
    }
    closedir(dh);
    return n;
}

static size_t json_file_count(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    cr_assert(j != NULL, "%s is not JSON: %s", path, je.text);
    int is_array = json_is_array(j);
    cr_assert(is_array, "%s is not an array", path);
    size_t n = json_array_size(j);
    json_decref(j);
    return n;
}

static size_t sarif_results(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    cr_assert(j != NULL, "%s is not JSON: %s", path, je.text);
    size_t n =
        json_array_size(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results"));
    json_decref(j);
    return n;
}

Test(multi, text_on_stdout_with_sarif_json_and_github_in_one_run)
{
    rt_put(dir, "src/a.env", "A=%s\n", tok);
    rt_put(dir, "src/b.yml", "b:\n  key: %s\n", tok2);
    unsetenv("GITHUB_STEP_SUMMARY");
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--report", "sarif:leakhound.sarif", "--report",
              "json:leakhound.json", "--report", "github", "--color", "never", "src", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    /* the text report is on stdout: its file:line:column lines and the github commands */
    cr_assert(strstr(r.out, "src/a.env:1:3") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "src/b.yml:2:8") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "::error file=src/a.env,line=1,") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, "::error file=src/b.yml,line=2,") != NULL, "%s", r.out);
    cr_assert(strstr(r.out, tok) == NULL, "a secret in clear");
    /* the text report comes first (--format), then the github annotations */
    cr_assert(strstr(r.out, "src/a.env:1:3") < strstr(r.out, "::error"), "%s", r.out);
    lh_run_dispose(&r);
    cr_assert(eq(sz, json_file_count(rt_path(dir, "leakhound.json")), 2));
    cr_assert(eq(sz, sarif_results(rt_path(dir, "leakhound.sarif")), 2));
    cr_assert(eq(sz, count_tmp_files(dir), 0));
}

Test(multi, files_hold_the_same_findings_and_sarif_validates)
{
    rt_put(dir, "src/a.env", "A=%s\n", tok);
    rt_put(dir, "src/b.yml", "b:\n  key: %s\n", tok2);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "--report", "sarif:leakhound.sarif", "--report",
              "json:leakhound.json", "--report", "jsonl:leakhound.jsonl", "src", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(sz, json_file_count(rt_path(dir, "leakhound.json")), 2));
    cr_assert(eq(sz, sarif_results(rt_path(dir, "leakhound.sarif")), 2));
    char *jl = lh_read_file(rt_path(dir, "leakhound.jsonl"));
    cr_assert(jl != NULL);
    cr_assert(eq(sz, rt_lines(jl), 2), "%s", jl);
    free(jl);
    cr_assert(eq(int, rt_sarif_validate(dir, "leakhound.sarif"), 0));
    /* reports are for sharing: created by the umask (0022 here), not 0600 */
    struct stat st;
    cr_assert(eq(int, stat(rt_path(dir, "leakhound.sarif"), &st), 0));
    cr_assert(eq(int, (int)(st.st_mode & 0777), 0644));
    lh_run_dispose(&r);
}

Test(multi, file_reports_are_replaced_atomically)
{
    rt_put(dir, "src/a.env", "A=%s\n", tok);
    rt_put(dir, "leakhound.json", "old report\n", NULL);
    cr_assert(eq(int, lh_sh(dir, "ln leakhound.json keep.json"), 0));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--report", "json:leakhound.json", "src", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    cr_assert(eq(sz, json_file_count(rt_path(dir, "leakhound.json")), 1));
    /* written to a new file and renamed over: the old inode still holds the old bytes */
    char *old = lh_read_file(rt_path(dir, "keep.json"));
    cr_assert(eq(str, old, "old report\n"));
    free(old);
    cr_assert(eq(sz, count_tmp_files(dir), 0));
    lh_run_dispose(&r);
}

Test(multi, a_failing_report_does_not_stop_the_others)
{
    rt_put(dir, "src/a.env", "A=%s\n", tok);
    /* a directory where the SARIF file should go: the rename fails */
    cr_assert(eq(int, lh_sh(dir, "mkdir -p taken.sarif/x"), 0));
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-f", "json", "-o", "main.json", "--report",
              "sarif:taken.sarif", "--report", "json:second.json", "src", NULL);
    cr_assert(eq(int, r.status, 4), "%s", r.err);
    char *e = lh_error_line(r.err);
    cr_assert(e != NULL, "%s", r.err);
    cr_assert(strstr(e, "taken.sarif") != NULL, "%s", e);
    free(e);
    cr_assert(eq(sz, json_file_count(rt_path(dir, "main.json")), 1));
    cr_assert(eq(sz, json_file_count(rt_path(dir, "second.json")), 1));
    cr_assert(eq(sz, count_tmp_files(dir), 0));
    lh_run_dispose(&r);
}

Test(multi, devices_are_written_in_place)
{
    rt_put(dir, "src/a.env", "A=%s\n", tok);
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--report", "sarif:/dev/null", "src", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
}

Test(multi, conflicting_destinations_are_usage_errors)
{
    rt_put(dir, "src/a.env", "A=%s\n", tok);
    static const char *const bad[][4] = {
        {"-f", "json", "--report", "sarif"},           /* two machine formats on stdout */
        {"--report", "json", "--report", "github"},    /* json and text and github on stdout */
        {"--report", "sarif:x", "--report", "json:x"}, /* one file twice */
        {"--report", "xml:x", "--report", "github"},   /* unknown format */
        {"--report", "sarif:", "--report", "github"},  /* no file name */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct lh_run r;
        lh_run_lh(&r, dir, NULL, "scan", bad[i][0], bad[i][1], bad[i][2], bad[i][3], "src", NULL);
        cr_assert(eq(int, r.status, 2), "case %zu: %s", i, r.err);
        char *e = lh_error_line(r.err);
        cr_assert(e != NULL, "case %zu: %s", i, r.err);
        free(e);
        /* refused before scanning: no summary line, no file */
        cr_assert(strstr(r.err, "finding") == NULL, "case %zu: %s", i, r.err);
        cr_assert(access(rt_path(dir, "x"), F_OK) != 0);
        lh_run_dispose(&r);
    }
    /* text and github share stdout: that is fine */
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "scan", "-q", "--report", "github", "--report", "text", "src", NULL);
    cr_assert(eq(int, r.status, 1), "%s", r.err);
    lh_run_dispose(&r);
}
