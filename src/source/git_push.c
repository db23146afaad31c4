/* SPDX-License-Identifier: MIT */
/*
 * The pre-push hook's input (lh_git_push_parse, git_range.h): git writes one line per pushed
 * ref, "<local ref> <local id> <remote ref> <remote id>", exactly four fields separated by
 * single spaces. Lines and their count are capped; an error names the line number and never
 * echoes the line (it may hold anything).
 */
#include "source/git_range.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

void lh_git_push_dispose(struct lh_git_push *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].local_ref);
        free(p->items[i].remote_ref);
    }
    free(p->items);
    memset(p, 0, sizeof(*p));
}

/* Splits a line into its four space-separated fields; false if there are not exactly four. */
static bool fields(const char *line, size_t len, const char *f[4], size_t fl[4])
{
    size_t k = 0;
    size_t i = 0;
    while (i < len) {
        if (k == 4) {
            return false;
        }
        size_t start = i;
        while (i < len && line[i] != ' ') {
            i++;
        }
        if (i == start) {
            return false; /* two spaces, or a leading one */
        }
        f[k] = line + start;
        fl[k] = i - start;
        k++;
        if (i < len) {
            i++;
            if (i == len) {
                return false; /* trailing space */
            }
        }
    }
    return k == 4;
}

static int parse_id(git_oid *out, const char *s, size_t n)
{
    char hex[GIT_OID_HEXSZ + 1];
    if (n != GIT_OID_HEXSZ || !all_hex(s, n)) {
        return -1;
    }
    memcpy(hex, s, n);
    hex[n] = '\0';
    return git_oid_fromstr(out, hex) < 0 ? -1 : 0;
}

static int parse_line(struct lh_git_push_update *u, const char *line, size_t len, size_t lineno)
{
    const char *f[4];
    size_t fl[4];
    memset(u, 0, sizeof(*u));
    if (!fields(line, len, f, fl)) {
        lh_error_set("pre-push input line %zu: expected '<local ref> <local id> <remote ref> "
                     "<remote id>'",
                     lineno);
        return LH_EINVAL;
    }
    if (parse_id(&u->local, f[1], fl[1]) < 0 || parse_id(&u->remote, f[3], fl[3]) < 0) {
        lh_error_set("pre-push input line %zu: an object id is not 40 hex digits", lineno);
        return LH_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
            lh_error_set("pre-push input line %zu: control character in a ref name", lineno);
            return LH_EINVAL;
        }
    }
    u->local_ref = strndup(f[0], fl[0]);
    u->remote_ref = strndup(f[2], fl[2]);
    if (!u->local_ref || !u->remote_ref) {
        free(u->local_ref);
        free(u->remote_ref);
        memset(u, 0, sizeof(*u));
        return lh_error_oom();
    }
    return 0;
}

int lh_git_push_parse(struct lh_git_push *out, const char *buf, size_t len)
{
    size_t alloc = 0;
    size_t lineno = 0;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; rc == 0 && i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        size_t n = end - i;
        lineno++;
        if (n && buf[i + n - 1] == '\r') {
            n--;
        }
        if (n > LH_GIT_PUSH_MAX_LINE) {
            lh_error_set("pre-push input line %zu: longer than %d bytes", lineno,
                         LH_GIT_PUSH_MAX_LINE);
            rc = LH_ETOOBIG;
        } else if (n > 0 && out->count >= LH_GIT_PUSH_MAX_LINES) {
            lh_error_set("pre-push input: more than %d lines", LH_GIT_PUSH_MAX_LINES);
            rc = LH_ETOOBIG;
        } else if (n > 0) {
            if (out->count == alloc) {
                size_t na = alloc ? alloc * 2 : 8;
                struct lh_git_push_update *it = realloc(out->items, na * sizeof(*it));
                if (!it) {
                    rc = lh_error_oom();
                    break;
                }
                out->items = it;
                alloc = na;
            }
            rc = parse_line(&out->items[out->count], buf + i, n, lineno);
            if (rc == 0) {
                out->count++;
            }
        }
        i = end + 1;
    }
    if (rc < 0) {
        lh_git_push_dispose(out);
    }
    return rc;
}
