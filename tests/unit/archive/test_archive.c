/* SPDX-License-Identifier: MIT */
/* Unit tests of archive detection (magic numbers) and of walks over archives in memory. */
#include "archive/archive.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(archive_sniff, .timeout = LH_TEST_TIMEOUT);

Test(archive_sniff, magic_numbers)
{
    static const struct {
        const char *bytes;
        size_t len;
        enum lh_archive_kind kind;
    } cases[] = {
        {"PK\3\4\x14\0\0\0", 8, LH_ARCHIVE_ZIP},
        {"PK\5\6\0\0\0\0", 8, LH_ARCHIVE_ZIP},
        {"\x1f\x8b\x08\0\0\0\0\0", 8, LH_ARCHIVE_COMPRESSED},
        {"BZh91AY&SY", 10, LH_ARCHIVE_COMPRESSED},
        {"\xfd"
         "7zXZ\0\0\0",
         8, LH_ARCHIVE_COMPRESSED},
        {"\x28\xb5\x2f\xfd\0\0", 6, LH_ARCHIVE_COMPRESSED},
        {"7z\xbc\xaf\x27\x1c\0\4", 8, LH_ARCHIVE_7Z},
        {"!<arch>\ndebian", 14, LH_ARCHIVE_AR},
        {"Rar!\x1a\x07\x01\0", 8, LH_ARCHIVE_RAR},
        /* text that starts like a magic is not an archive */
        {"BZh9 is a nice name", 19, LH_ARCHIVE_NONE},
        {"PK is not a zip", 15, LH_ARCHIVE_NONE},
        {"7z archives are common", 22, LH_ARCHIVE_NONE},
        {"\x1f\x8b", 2, LH_ARCHIVE_NONE},
        {"", 0, LH_ARCHIVE_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = (int)lh_archive_sniff((const uint8_t *)cases[i].bytes, cases[i].len);
        cr_assert(eq(int, got, (int)cases[i].kind), "case %zu", i);
    }
    uint8_t tar[512] = {0};
    memcpy(tar, "file.txt", 8);
    memcpy(tar + 257,
           "ustar\0"
           "00",
           8);
    cr_assert(eq(int, (int)lh_archive_sniff(tar, sizeof(tar)), (int)LH_ARCHIVE_TAR));
    memcpy(tar + 257, "ustar  \0", 8);
    cr_assert(eq(int, (int)lh_archive_sniff(tar, sizeof(tar)), (int)LH_ARCHIVE_TAR));
    cr_assert(eq(int, (int)lh_archive_sniff(tar, 260), (int)LH_ARCHIVE_NONE));
}

Test(archive_sniff, zip_family_names)
{
    static const char *const zips[] = {"a.zip",        "dist/app.JAR", "x.war",
                                       "x.ear",        "x.apk",        "pkg-1.0-py3-none-any.whl",
                                       "Pkg.1.0.nupkg"};
    for (size_t i = 0; i < sizeof(zips) / sizeof(zips[0]); i++) {
        cr_assert(eq(int, (int)lh_archive_kind_by_name(zips[i]), (int)LH_ARCHIVE_ZIP), "%s",
                  zips[i]);
    }
    cr_assert(eq(int, (int)lh_archive_kind_by_name("zip"), (int)LH_ARCHIVE_NONE));
    cr_assert(eq(int, (int)lh_archive_kind_by_name("notes.txt"), (int)LH_ARCHIVE_NONE));
}

struct seen {
    char paths[8][256];
    size_t n;
    char warn[2048];
};

static int on_member(const struct lh_archive_member *m, void *payload)
{
    struct seen *s = payload;
    if (s->n < 8) {
        snprintf(s->paths[s->n++], 256, "%s=%.*s", m->path, (int)m->len, (const char *)m->data);
    }
    return 0;
}

static void on_warn(const char *msg, void *payload)
{
    struct seen *s = payload;
    size_t l = strlen(s->warn);
    snprintf(s->warn + l, sizeof(s->warn) - l, "%s\n", msg);
}

/* Walks the file at path (built by the test's tar) from memory. */
static int walk(struct seen *s, const char *path, const struct lh_archive_limits *lim)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL);
    data = malloc(1 << 20);
    len = fread(data, 1, 1 << 20, f);
    fclose(f);
    struct lh_archive_opts o = {.on_member = on_member, .warn = on_warn, .payload = s};
    if (lim) {
        o.limits = *lim;
    } else {
        lh_archive_limits_default(&o.limits);
    }
    int rc = lh_archive_walk_mem((const uint8_t *)data, len, "t.tar", &o, NULL);
    free(data);
    return rc;
}

LH_TMPDIR_SUITE(archive_walk);

Test(archive_walk, members_links_and_limits)
{
    cr_assert(eq(int,
                 lh_sh(dir, "mkdir d && printf one > d/a.txt && printf two > d/b.txt && "
                            "ln -s /etc/passwd d/link && tar -cf t.tar d/a.txt d/link d/b.txt"),
                 0));
    char path[4096];
    snprintf(path, sizeof(path), "%s/t.tar", dir);
    struct seen s = {0};
    cr_assert(eq(int, walk(&s, path, NULL), 0));
    cr_assert(eq(sz, s.n, 2), "%s", s.warn); /* the link is a name only */
    cr_assert(eq(str, s.paths[0], "t.tar!/d/a.txt=one"));
    cr_assert(eq(str, s.paths[1], "t.tar!/d/b.txt=two"));
    /* two entries allowed: a.txt and the link */
    struct lh_archive_limits lim;
    lh_archive_limits_default(&lim);
    lim.max_members = 2;
    memset(&s, 0, sizeof(s));
    cr_assert(eq(int, walk(&s, path, &lim), 0));
    cr_assert(eq(sz, s.n, 1));
    cr_assert(strstr(s.warn, "archive 't.tar': more than 2 members (--max-archive-members)") !=
                  NULL,
              "%s", s.warn);
    /* depth 0: not an archive to open */
    lim.max_depth = 0;
    memset(&s, 0, sizeof(s));
    cr_assert(eq(int, walk(&s, path, &lim), LH_ARCHIVE_NOT_ARCHIVE));
    /* plain text is no archive */
    struct lh_archive_opts o = {.on_member = on_member, .payload = &s};
    lh_archive_limits_default(&o.limits);
    cr_assert(eq(int, lh_archive_walk_mem((const uint8_t *)"hello", 5, "x.txt", &o, NULL),
                 LH_ARCHIVE_NOT_ARCHIVE));
}
