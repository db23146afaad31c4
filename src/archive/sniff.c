/* SPDX-License-Identifier: MIT */
/*
 * Archive detection by content: the magic numbers of the formats archive.c opens. Kept
 * strict enough that text never matches (bzip2 needs its block or end-of-stream magic
 * after "BZh1".."BZh9", tar the "ustar" field at offset 257), since every file of a scan
 * passes through here. See archive.h.
 */
#include "archive/archive.h"

#include <string.h>
#include <strings.h>

static bool has(const uint8_t *buf, size_t len, size_t off, const char *magic, size_t n)
{
    return len >= off + n && memcmp(buf + off, magic, n) == 0;
}

enum lh_archive_kind lh_archive_sniff(const uint8_t *b, size_t len)
{
    if (len < 4) {
        return LH_ARCHIVE_NONE;
    }
    switch (b[0]) {
    case 'P': /* local header, empty archive, spanned marker */
        if (has(b, len, 0, "PK\3\4", 4) || has(b, len, 0, "PK\5\6", 4) ||
            has(b, len, 0, "PK\7\10PK\3\4", 8)) {
            return LH_ARCHIVE_ZIP;
        }
        break;
    case 0x1f: /* gzip (deflate), compress */
        if ((b[1] == 0x8b && b[2] == 8) || b[1] == 0x9d) {
            return LH_ARCHIVE_COMPRESSED;
        }
        break;
    case 'B':
        if (has(b, len, 0, "BZh", 3) && b[3] >= '1' && b[3] <= '9' &&
            (has(b, len, 4, "\x31\x41\x59\x26\x53\x59", 6) ||
             has(b, len, 4, "\x17\x72\x45\x38\x50\x90", 6))) {
            return LH_ARCHIVE_COMPRESSED;
        }
        break;
    case 0xfd:
        if (has(b, len, 0,
                "\xfd"
                "7zXZ\0",
                6)) {
            return LH_ARCHIVE_COMPRESSED;
        }
        break;
    case 0x28:
        if (has(b, len, 0, "\x28\xb5\x2f\xfd", 4)) {
            return LH_ARCHIVE_COMPRESSED;
        }
        break;
    case 0x04:
        if (has(b, len, 0, "\x04\x22\x4d\x18", 4)) {
            return LH_ARCHIVE_COMPRESSED;
        }
        break;
    case 'L':
        if (has(b, len, 0, "LZIP", 4) && len > 4 && b[4] == 1) {
            return LH_ARCHIVE_COMPRESSED;
        }
        break;
    case '7':
        if (has(b, len, 0, "7z\xbc\xaf\x27\x1c", 6)) {
            return LH_ARCHIVE_7Z;
        }
        break;
    case 'R':
        if (has(b, len, 0, "Rar!\x1a\x07", 6)) {
            return LH_ARCHIVE_RAR;
        }
        break;
    case '!':
        if (has(b, len, 0, "!<arch>\n", 8)) {
            return LH_ARCHIVE_AR;
        }
        break;
    default:
        break;
    }
    /* POSIX ustar ("ustar\0") and GNU tar ("ustar  \0") */
    if (has(b, len, 257, "ustar\0", 6) || has(b, len, 257, "ustar  \0", 8)) {
        return LH_ARCHIVE_TAR;
    }
    return LH_ARCHIVE_NONE;
}

enum lh_archive_kind lh_archive_kind_by_name(const char *name)
{
    static const char *const zips[] = {".zip", ".jar",   ".war", ".ear", ".apk", ".aar",
                                       ".whl", ".nupkg", ".egg", ".xpi", ".vsix"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(zips) / sizeof(zips[0]); i++) {
        size_t m = strlen(zips[i]);
        if (n > m && strcasecmp(name + n - m, zips[i]) == 0) {
            return LH_ARCHIVE_ZIP;
        }
    }
    return LH_ARCHIVE_NONE;
}
