/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the history scan's own pack reader (source/git_pack.h), which reads the
 * .idx and .pack files of the repository being scanned, i.e. files an attacker can write.
 * An input is a 4-byte big-endian length L, then L bytes of .idx, then the .pack; both are
 * written to objects/pack/ of a scratch directory, opened, and every object the index lists
 * is read: its header, its data inflated (at most 1 MiB), and for an offset delta whose base
 * is a whole object, the delta applied to the base. Independently the input's two halves are
 * given to lh_git_delta_apply as base and delta. Invariants: errors are the documented
 * codes; an inflated object has exactly the size its header gives; a delta result has the
 * length it reports, within the cap.
 */
#include "fuzz/common.h"
#include "source/git_pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_OBJECT (1u << 20)
#define MAX_OBJECTS 256 /* objects read per input: enough to reach every code path */

static bool read_error(int rc)
{
    return rc == LH_EINVAL || rc == LH_ETOOBIG || rc == LH_EIO || rc == LH_ENOMEM;
}

static void check_delta(const uint8_t *base, size_t blen, const uint8_t *delta, size_t dlen)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    int rc = lh_git_delta_apply(&out, &out_len, base, blen, delta, dlen, MAX_OBJECT);
    if (rc < 0) {
        LH_FUZZ_CHECK(read_error(rc) && out == NULL);
        return;
    }
    LH_FUZZ_CHECK(out != NULL && out_len <= MAX_OBJECT && out[out_len] == '\0');
    free(out);
}

/* Reads one object, and applies it to its base when it is an offset delta of a whole object. */
static void read_object(const struct lh_git_pack *p, uint32_t pos, struct lh_git_pack_scratch *s)
{
    struct lh_git_pack_obj o;
    if (lh_git_pack_header(&o, p, pos, NULL) < 0) {
        return;
    }
    LH_FUZZ_CHECK(o.data > o.start && o.data <= o.end && o.end <= p->size);
    uint8_t *data = NULL;
    int rc = lh_git_pack_inflate(&data, s, p, &o, MAX_OBJECT);
    if (rc < 0) {
        LH_FUZZ_CHECK(read_error(rc) && data == NULL);
        return;
    }
    LH_FUZZ_CHECK(o.size <= MAX_OBJECT && data[o.size] == '\0');
    uint32_t bpos = 0;
    struct lh_git_pack_obj b;
    uint8_t *base = NULL;
    if (o.type == LH_GIT_PACK_OFS_DELTA && lh_git_pack_position(p, o.base, &bpos) &&
        lh_git_pack_header(&b, p, bpos, NULL) == 0 && b.type >= 1 && b.type <= 4 &&
        lh_git_pack_inflate(&base, s, p, &b, MAX_OBJECT) == 0) {
        check_delta(base, (size_t)b.size, data, (size_t)o.size);
        free(base);
    }
    free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2) {
        check_delta(data, size / 2, data + size / 2, size - size / 2);
    }
    if (size < 4) {
        return 0;
    }
    size_t ilen = (size_t)data[0] << 24 | (size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3];
    if (ilen > size - 4) {
        ilen = size - 4;
    }
    char dir[4096];
    char path[4200];
    snprintf(dir, sizeof(dir), "%s/objects", lh_fuzz_tmpdir());
    mkdir(dir, 0700);
    snprintf(path, sizeof(path), "%s/pack", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/pack/pack-fuzz.idx", dir);
    lh_fuzz_write(path, data + 4, ilen);
    snprintf(path, sizeof(path), "%s/pack/pack-fuzz.pack", dir);
    lh_fuzz_write(path, data + 4 + ilen, size - 4 - ilen);

    struct lh_git_packs ps;
    int rc = lh_git_packs_open(&ps, dir);
    if (rc < 0) {
        LH_FUZZ_CHECK(rc == LH_ENOMEM);
        lh_error_clear();
        return 0;
    }
    struct lh_git_pack_scratch s;
    memset(&s, 0, sizeof(s));
    for (size_t i = 0; i < ps.count; i++) {
        const struct lh_git_pack *p = &ps.items[i];
        for (uint32_t pos = 0; pos < p->count && pos < MAX_OBJECTS; pos++) {
            read_object(p, pos, &s);
        }
        /* every id the index lists is found at an object start */
        for (uint32_t k = 0; k < p->count && k < MAX_OBJECTS; k++) {
            uint64_t off = 0;
            uint32_t at = 0;
            if (lh_git_pack_find(p, p->ids + (size_t)k * 20, &off)) {
                LH_FUZZ_CHECK(lh_git_pack_position(p, off, &at) && at < p->count);
            }
        }
    }
    lh_git_pack_scratch_dispose(&s);
    lh_git_packs_dispose(&ps);
    lh_error_clear();
    return 0;
}
