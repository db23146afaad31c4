/* SPDX-License-Identifier: MIT */
/*
 * Corpus replay driver: the main() of the `fuzzreplay_<name>` executables of the ordinary
 * (gcc, ASan+UBSan) build. Feeds every regular file of each directory argument to the
 * harness's LLVMFuzzerTestOneInput once, in name order; a directory that does not exist
 * is skipped (a harness may have no saved crash reproducers). Exits 0 when every input ran
 * (a crash aborts the process and the sanitizers print the report that fails the test),
 * 1 when no input was found at all (an empty seed corpus is a packaging mistake).
 */
#include "fuzz/common.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t alloc = 4096;
    size_t len = 0;
    unsigned char *buf = malloc(alloc);
    size_t n;
    while (buf && (n = fread(buf + len, 1, alloc - len, f)) > 0) {
        len += n;
        if (len == alloc) {
            alloc *= 2;
            unsigned char *nb = realloc(buf, alloc);
            if (!nb) {
                free(buf);
            }
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        return -1;
    }
    /* an exact-size copy, so ASan sees a read one byte past the input */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    (void)LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        return 0;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char **nn = realloc(names, (n + 1) * sizeof(*names));
        if (!nn) {
            break;
        }
        names = nn;
        names[n] = strdup(e->d_name);
        if (names[n]) {
            n++;
        }
    }
    closedir(d);
    if (n > 1) {
        qsort(names, n, sizeof(*names), cmp_names);
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(path);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (run_dir(argv[i], &count) < 0) {
            return 2;
        }
    }
    printf("replayed %zu inputs\n", count);
    return count ? 0 : 1;
}
