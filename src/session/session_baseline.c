/* SPDX-License-Identifier: MIT */
/*
 * The baseline of a session: which file (the one named by the user, else the configuration's,
 * else LH_DEFAULT_BASELINE at the project root when it exists), applying it with warnings
 * about expired and stale entries, and the create and prune operations
 * (session_baseline.h). A baseline that was asked for and cannot be read stops the run: a
 * scan without it would report a different set.
 */
#include "session/session_baseline.h"

#include "session/session_int.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The baseline found at the project root without configuration */
#define DEFAULT_BASELINE ".leakhound-baseline.json"
/* Expired and stale entries warned about one by one, at most */
#define MAX_ENTRY_WARNINGS 20

static bool regular_file(const char *path, off_t *size)
{
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (ok && size) {
        *size = st.st_size;
    }
    return ok;
}

int lh_session_baseline_open(struct lh_session *s)
{
    const struct lh_session_opts *o = s->o;
    if (o->baseline) {
        s->baseline_path = strdup(o->baseline);
    } else if (o->file_baseline) {
        s->baseline_path = strdup(o->file_baseline);
        s->baseline_confined = o->baseline_confine != NULL;
    } else if (s->project_root) {
        /* the file `baseline create -o` writes there is honoured without configuration;
         * at the project root by construction, so prune may rewrite it in place */
        s->baseline_path = lh_path_join(s->project_root, DEFAULT_BASELINE);
        if (s->baseline_path && !regular_file(s->baseline_path, NULL)) {
            free(s->baseline_path);
            s->baseline_path = NULL;
            return 0;
        }
    } else {
        return 0;
    }
    if (!s->baseline_path) {
        return lh_error_oom();
    }
    off_t size = 0;
    if (o->baseline_missing_ok && regular_file(s->baseline_path, &size) && size == 0) {
        return 0; /* `baseline create > FILE`: the shell emptied FILE before we ran */
    }
    int rc = lh_baseline_load_file(&s->baseline, s->baseline_path);
    if (rc == LH_ENOTFOUND && o->baseline_missing_ok) {
        lh_error_clear();
        return 0;
    }
    return rc == 0 || rc == LH_EIO || rc == LH_ENOMEM ? rc : LH_EINVAL;
}

/*
 * Whether a baseline entry can be judged in this run: its rule is loaded and active, and an
 * entry made from history (it has a commit) only when the run scans history (a work tree
 * scan cannot see a secret that lives in history only).
 */
static bool entry_checked(const struct lh_session *s, const struct lh_baseline_entry *e)
{
    if (e->commit[0] && s->in->kind != LH_INPUT_HISTORY) {
        return false;
    }
    const struct lh_rule *r = s->rs ? lh_ruleset_find(s->rs, e->rule_id) : NULL;
    return r && lh_rule_active(r);
}

size_t lh_session_baseline_apply(struct lh_session *s, bool warn_stale)
{
    if (!s->baseline_path) {
        return 0;
    }
    char today[LH_BASELINE_DATE_LEN + 1];
    lh_baseline_today(today);
    struct lh_baseline_stats st;
    lh_baseline_apply(&s->baseline, &s->findings, today, &st);
    const char *name = s->baseline_path;
    size_t stale = 0;
    size_t shown = 0;
    for (size_t i = 0; i < s->baseline.count; i++) {
        const struct lh_baseline_entry *e = &s->baseline.entries[i];
        bool expired = e->matched && lh_baseline_expired(e, today);
        bool is_stale = !e->matched && entry_checked(s, e);
        stale += is_stale;
        if (!(expired || (is_stale && warn_stale)) || shown++ >= MAX_ENTRY_WARNINGS) {
            continue;
        }
        if (expired) {
            lh_session_warn(s,
                            "%s:%d: baseline entry for rule '%s' (fingerprint %s) expired on %s; "
                            "its finding%s reported again",
                            name, e->line, e->rule_id, e->fingerprint, e->expires,
                            e->matched == 1 ? " is" : "s are");
        } else {
            lh_session_warn(s,
                            "%s:%d: stale baseline entry for rule '%s' (fingerprint %s) matched "
                            "no finding; remove it with 'leakhound baseline prune'",
                            name, e->line, e->rule_id, e->fingerprint);
        }
    }
    if (shown > MAX_ENTRY_WARNINGS) {
        lh_session_warn(s, "%s: %zu more expired or stale baseline entries not listed", name,
                        shown - MAX_ENTRY_WARNINGS);
    }
    if (warn_stale && stale) {
        lh_session_warn(s, "%s: %zu stale baseline entr%s", name, stale, stale == 1 ? "y" : "ies");
    }
    return stale;
}

/* Writes b to dest (NULL or "-": the session's stream; else atomically). */
static int write_baseline(const struct lh_session *s, const struct lh_baseline *b, const char *dest)
{
    char *text = NULL;
    int rc = lh_baseline_dump(&text, b);
    if (rc < 0) {
        return rc;
    }
    if (!dest || !strcmp(dest, "-")) {
        FILE *f = s->o->stream ? s->o->stream : stdout;
        if (fputs(text, f) == EOF || fflush(f) != 0) {
            lh_error_set("cannot write the baseline to stdout");
            rc = LH_EIO;
        }
    } else if (lh_fs_write_atomic(dest, text, strlen(text)) < 0) {
        lh_error_set("cannot write baseline '%s': %s", dest, lh_error_get());
        rc = LH_EIO;
    }
    free(text);
    return rc;
}

static const char *dest_name(const char *dest)
{
    return dest && strcmp(dest, "-") ? dest : "stdout";
}

int lh_session_baseline_create(struct lh_session *s, const char *dest,
                               struct lh_baseline_result *out)
{
    memset(out, 0, sizeof(*out));
    struct lh_report_summary sum;
    int rc = lh_session_scan(s, &sum);
    if (rc < 0) {
        return rc;
    }
    struct lh_baseline b;
    lh_baseline_init(&b);
    rc = lh_baseline_add_findings(&b, &s->findings, s->baseline_path ? &s->baseline : NULL);
    /* entries made from history cannot be judged by a scan of files: kept as they are */
    bool history = s->in->kind == LH_INPUT_HISTORY;
    for (size_t i = 0; rc == 0 && !history && s->baseline_path && i < s->baseline.count; i++) {
        if (s->baseline.entries[i].commit[0]) {
            rc = lh_baseline_add_entry(&b, &s->baseline.entries[i]);
        }
    }
    rc = rc ? rc : write_baseline(s, &b, dest);
    if (rc == 0) {
        out->written = true;
        out->dest = dest_name(dest);
        out->entries = b.count;
        out->files = sum.files;
        out->unit = sum.unit;
        for (size_t i = 0; i < s->findings.count; i++) {
            out->findings += !s->findings.items[i].invalid && !s->findings.items[i].suppressed;
        }
    }
    lh_baseline_dispose(&b);
    if (rc == 0 && sum.errors) {
        lh_error_set("%zu input%s could not be read; the baseline does not cover %s", sum.errors,
                     sum.errors == 1 ? "" : "s", sum.errors == 1 ? "it" : "them");
        rc = LH_EIO;
    }
    return rc;
}

/*
 * Whether the session's baseline file may be rewritten: one named by the user always; one
 * named by a configuration found in the scanned tree only inside that file's directory, so a
 * repository cannot make leakhound rewrite a file elsewhere.
 */
static int writable(const struct lh_session *s)
{
    if (!s->baseline_confined) {
        return 0;
    }
    char *real = realpath(s->baseline_path, NULL);
    char *dir = realpath(s->o->baseline_confine, NULL);
    size_t n = dir ? strlen(dir) : 0;
    bool inside = real && dir && !strncmp(real, dir, n) && (real[n] == '/' || n == 1);
    free(real);
    free(dir);
    if (inside) {
        return 0;
    }
    lh_error_set("refusing to rewrite '%s': the baseline named by '%s' lies outside that file's "
                 "directory; name it with --baseline, or write elsewhere with --output",
                 s->baseline_path, s->o->file_name ? s->o->file_name : "the configuration");
    return LH_EUSAGE;
}

int lh_session_baseline_prune(struct lh_session *s, const char *dest,
                              struct lh_baseline_result *out)
{
    memset(out, 0, sizeof(*out));
    if (!s->baseline_path) {
        lh_error_set("baseline prune needs a baseline: --baseline FILE or 'baseline:' in the "
                     "config");
        return LH_EUSAGE;
    }
    int rc = dest ? 0 : writable(s);
    if (rc < 0) {
        return rc;
    }
    if (!s->full_scan) {
        lh_error_set("baseline prune needs a full scan of the project root '%s': entries for "
                     "what a partial scan does not see would be removed",
                     s->project_root ? s->project_root : ".");
        return LH_EUSAGE;
    }
    struct lh_report_summary sum;
    rc = lh_session_scan(s, &sum);
    if (rc < 0) {
        return rc;
    }
    if (sum.errors) {
        lh_error_set("%zu input%s could not be read; not pruning '%s' (entries for %s would be "
                     "lost)",
                     sum.errors, sum.errors == 1 ? "" : "s", s->baseline_path,
                     sum.errors == 1 ? "it" : "them");
        return LH_EIO;
    }
    lh_session_baseline_apply(s, false);
    for (size_t i = s->baseline.count; i-- > 0;) {
        const struct lh_baseline_entry *e = &s->baseline.entries[i];
        if (e->matched || !entry_checked(s, e)) {
            continue;
        }
        lh_session_note(s, "baseline: removing %s:%d: rule '%s' (fingerprint %s)", s->baseline_path,
                        e->line, e->rule_id, e->fingerprint);
        lh_baseline_remove(&s->baseline, i);
        out->removed++;
    }
    const char *to = dest ? dest : s->baseline_path;
    rc = write_baseline(s, &s->baseline, to);
    if (rc == 0) {
        out->written = true;
        out->dest = dest_name(to);
        out->entries = s->baseline.count;
    }
    return rc;
}
