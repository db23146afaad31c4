/* SPDX-License-Identifier: MIT */
/*
 * Reports from a scan database (see export.h): every occurrence is read back as a finding
 * (rule stand-ins from the rows, the repository in its provenance), then written as the
 * audit model (secrets grouped by id, ordered by their introduction), that model as the HTML
 * page of report/html.h, as JSONL through the history writer's finding object plus the
 * triage, or through the SARIF writer.
 */
#include "audit/export.h"

#include "audit/db.h"
#include "audit/row.h"
#include "report/html.h"
#include "report/report.h"
#include "util/date.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct triage {
    char status[32];
    char *note;
    char *updated_at;
};

static void triage_dispose(struct triage *t)
{
    free(t->note);
    free(t->updated_at);
}

static int triage_get(sqlite3_stmt *st, const char *id, struct triage *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->status, sizeof(t->status), "open");
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(t->status, sizeof(t->status), "%s", lh_audit_db_text(st, 0));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            t->note = strdup(lh_audit_db_text(st, 1));
        }
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            t->updated_at = strdup(lh_audit_db_text(st, 2));
        }
    }
    return 0;
}

static json_t *triage_json(const struct triage *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(t->status));
    json_object_set_new(o, "note", t->note ? lh_report_json_text(t->note) : json_null());
    json_object_set_new(o, "updated_at", t->updated_at ? json_string(t->updated_at) : json_null());
    return o;
}

/* The occurrences, ordered by secret then introduction, into l (rules in stubs). */
static int load(sqlite3 *db, const char *repo, struct lh_findings *l, struct lh_ruleset *stubs)
{
    sqlite3_stmt *st = NULL;
    int rc = lh_audit_db_prepare(
        db, &st,
        "SELECT " LH_AUDIT_ROW_OCC_COLS ", (SELECT name FROM repositories r WHERE r.id = repo)"
        " AS rname FROM findings WHERE ?1 IS NULL OR repo = (SELECT id FROM repositories"
        " WHERE name = ?1) ORDER BY secret, date, rname, path, line, col");
    if (rc < 0) {
        return rc;
    }
    if (repo) {
        sqlite3_bind_text(st, 1, repo, -1, SQLITE_STATIC);
    }
    int s;
    while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
        struct lh_finding f;
        rc = lh_audit_row_occurrence(&f, st, NULL, stubs);
        if (rc == 1) {
            rc = 0;
            continue;
        }
        const char *name = (const char *)sqlite3_column_text(st, LH_AUDIT_ROW_NCOLS + 7);
        if (rc == 0 && name) {
            f.prov.repository = strdup(name);
            rc = f.prov.repository ? 0 : lh_error_oom();
        }
        rc = rc ? rc : lh_findings_push(l, &f);
        lh_finding_dispose(&f);
    }
    if (rc == 0 && s != SQLITE_DONE) {
        rc = lh_audit_db_fail(db, "cannot read the scan database");
    }
    sqlite3_finalize(st);
    return rc;
}

static bool listed(const struct lh_finding *f)
{
    return !f->invalid && !f->suppressed;
}

static int64_t when(const char *date)
{
    int64_t t = 0;
    if (!date || lh_date_parse(&t, date, (int64_t)time(NULL)) < 0) {
        return INT64_MAX;
    }
    return t;
}

static json_t *occurrence_json(const struct lh_finding *f)
{
    const struct lh_provenance *p = &f->prov;
    json_t *o = json_object();
    json_object_set_new(o, "repository", lh_report_json_text(p->repository));
    json_object_set_new(o, "path", lh_report_json_text(f->path));
    json_object_set_new(o, "line", json_integer((json_int_t)f->line));
    json_object_set_new(o, "column", json_integer((json_int_t)f->column));
    json_object_set_new(o, "commit", p->commit ? json_string(p->commit) : json_null());
    json_object_set_new(o, "date", p->date ? lh_report_json_text(p->date) : json_null());
    json_object_set_new(o, "author", p->author ? lh_report_json_text(p->author) : json_null());
    json_object_set_new(o, "message", p->message ? lh_report_json_text(p->message) : json_null());
    json_object_set_new(o, "blob", p->blob ? json_string(p->blob) : json_null());
    json_t *refs = json_array();
    for (size_t i = 0; i < p->refs.count; i++) {
        json_array_append_new(refs, lh_report_json_text(p->refs.items[i]));
    }
    json_object_set_new(o, "refs", refs);
    json_object_set_new(o, "fingerprint", json_string(f->fingerprint));
    return o;
}

/* One secret: the listed occurrences items[a..b) of the same id. */
static json_t *secret_json(const struct lh_findings *l, size_t a, size_t b, sqlite3_stmt *tq)
{
    size_t first = SIZE_MAX;
    int64_t first_t = INT64_MAX;
    enum lh_confidence conf = LH_CONF_LOW;
    for (size_t i = a; i < b; i++) {
        const struct lh_finding *f = &l->items[i];
        if (!listed(f)) {
            continue;
        }
        int64_t t = when(f->prov.date);
        if (first == SIZE_MAX || t < first_t) {
            first = i;
            first_t = t;
        }
        conf = f->confidence > conf ? f->confidence : conf;
    }
    if (first == SIZE_MAX) {
        return NULL;
    }
    const struct lh_finding *f0 = &l->items[first];
    char red[64];
    lh_finding_redact(red, sizeof(red), f0);
    struct triage t;
    triage_get(tq, f0->secret_sha256, &t);
    json_t *s = json_object();
    json_object_set_new(s, "id", json_string(f0->secret_sha256));
    json_object_set_new(s, "fingerprint", json_string(f0->fingerprint));
    json_object_set_new(s, "rule_id", json_string(f0->rule->id));
    json_object_set_new(s, "rule_name", lh_report_json_text(f0->rule->name));
    json_object_set_new(s, "provider",
                        f0->rule->provider ? lh_report_json_text(f0->rule->provider) : json_null());
    json_object_set_new(s, "confidence", json_string(lh_confidence_name(conf)));
    json_object_set_new(s, "secret", json_string(red));
    json_object_set_new(s, "triage", triage_json(&t));
    triage_dispose(&t);
    json_t *intro = json_object();
    json_object_set_new(intro, "repository", lh_report_json_text(f0->prov.repository));
    json_object_set_new(intro, "commit",
                        f0->prov.commit ? json_string(f0->prov.commit) : json_null());
    json_object_set_new(intro, "date",
                        f0->prov.date ? lh_report_json_text(f0->prov.date) : json_null());
    json_object_set_new(intro, "author",
                        f0->prov.author ? lh_report_json_text(f0->prov.author) : json_null());
    json_object_set_new(s, "introduced", intro);
    json_t *still = json_array();
    json_t *occ = json_array();
    json_t *repos = json_array();
    for (size_t i = a; i < b; i++) {
        const struct lh_finding *f = &l->items[i];
        if (!listed(f)) {
            continue;
        }
        json_array_append_new(occ, occurrence_json(f));
        json_t *rn = lh_report_json_text(f->prov.repository);
        bool seen = false;
        for (size_t k = 0; k < json_array_size(repos) && !seen; k++) {
            seen = json_equal(json_array_get(repos, k), rn);
        }
        if (!seen) {
            json_array_append(repos, rn);
        }
        json_decref(rn);
        for (size_t r = 0; r < f->prov.refs.count; r++) {
            char ref[1024];
            snprintf(ref, sizeof(ref), "%s:%s", f->prov.repository ? f->prov.repository : "",
                     f->prov.refs.items[r]);
            json_t *js = lh_report_json_text(ref);
            bool dup = false;
            for (size_t k = 0; k < json_array_size(still) && !dup; k++) {
                dup = json_equal(json_array_get(still, k), js);
            }
            if (!dup) {
                json_array_append(still, js);
            }
            json_decref(js);
        }
    }
    json_object_set_new(s, "repositories", repos);
    json_object_set_new(s, "still_in_refs", still);
    json_object_set_new(s, "occurrences", occ);
    return s;
}

static int cmp_introduced(const void *pa, const void *pb)
{
    json_t *a = *(json_t *const *)pa;
    json_t *b = *(json_t *const *)pb;
    const char *da = json_string_value(json_object_get(json_object_get(a, "introduced"), "date"));
    const char *db = json_string_value(json_object_get(json_object_get(b, "introduced"), "date"));
    int64_t ta = when(da);
    int64_t tb = when(db);
    if (ta != tb) {
        return ta < tb ? -1 : 1;
    }
    return strcmp(json_string_value(json_object_get(a, "id")),
                  json_string_value(json_object_get(b, "id")));
}

static json_t *repositories_json(sqlite3 *db, const char *repo, size_t *n)
{
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    *n = 0;
    if (lh_audit_db_prepare(db, &st,
                            "SELECT name, url, last_scanned_at, refs, blobs, id FROM repositories"
                            " WHERE ?1 IS NULL OR name = ?1 ORDER BY name") < 0) {
        json_decref(arr);
        return NULL;
    }
    if (repo) {
        sqlite3_bind_text(st, 1, repo, -1, SQLITE_STATIC);
    }
    sqlite3_stmt *cnt = NULL;
    if (lh_audit_db_prepare(db, &cnt,
                            "SELECT count(*) FROM findings WHERE repo = ?1 AND invalid = 0 AND"
                            " suppressed_by = 0") < 0) {
        sqlite3_finalize(st);
        json_decref(arr);
        return NULL;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "name", lh_report_json_text(lh_audit_db_text(st, 0)));
        json_object_set_new(o, "url",
                            sqlite3_column_type(st, 1) == SQLITE_NULL
                                ? json_null()
                                : lh_report_json_text(lh_audit_db_text(st, 1)));
        json_object_set_new(o, "last_scanned_at",
                            sqlite3_column_type(st, 2) == SQLITE_NULL
                                ? json_null()
                                : json_string(lh_audit_db_text(st, 2)));
        json_object_set_new(o, "refs", json_integer(sqlite3_column_int64(st, 3)));
        json_object_set_new(o, "blobs_scanned", json_integer(sqlite3_column_int64(st, 4)));
        sqlite3_reset(cnt);
        sqlite3_bind_int64(cnt, 1, sqlite3_column_int64(st, 5));
        json_int_t nf = sqlite3_step(cnt) == SQLITE_ROW ? sqlite3_column_int64(cnt, 0) : 0;
        json_object_set_new(o, "findings", json_integer(nf));
        json_array_append_new(arr, o);
        (*n)++;
    }
    sqlite3_finalize(cnt);
    sqlite3_finalize(st);
    return arr;
}

static char *meta(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    if (lh_audit_db_prepare(db, &st, "SELECT value FROM meta WHERE key = ?1") == 0) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            v = strdup(lh_audit_db_text(st, 0));
        }
    }
    sqlite3_finalize(st);
    return v;
}

static int write_model(FILE *out, sqlite3 *db, const struct lh_audit_report_opts *o,
                       const struct lh_findings *l, sqlite3_stmt *tq, size_t *nopen, bool html)
{
    char now[32];
    size_t nrepos = 0;
    lh_audit_db_now(now);
    json_t *doc = json_object();
    json_object_set_new(doc, "schema", json_string(LH_AUDIT_SCHEMA));
    json_object_set_new(doc, "generated_at", json_string(now));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("leakhound"));
    json_object_set_new(tool, "version", json_string(o->tool_version ? o->tool_version : ""));
    json_object_set_new(doc, "tool", tool);
    json_t *repos = repositories_json(db, o->repository, &nrepos);
    char *org = meta(db, "organisation");
    json_t *scope = json_object();
    json_object_set_new(scope, "repositories", json_integer((json_int_t)nrepos));
    json_object_set_new(scope, "organisation", org ? lh_report_json_text(org) : json_null());
    free(org);
    json_object_set_new(doc, "scope", scope);
    json_object_set_new(doc, "repositories", repos ? repos : json_array());
    size_t n = 0;
    json_t **secrets = calloc(l->count ? l->count : 1, sizeof(*secrets));
    if (!secrets) {
        json_decref(doc);
        return lh_error_oom();
    }
    for (size_t a = 0; a < l->count;) {
        size_t b = a + 1;
        while (b < l->count && !strcmp(l->items[b].secret_sha256, l->items[a].secret_sha256)) {
            b++;
        }
        json_t *s = secret_json(l, a, b, tq);
        if (s) {
            secrets[n++] = s;
        }
        a = b;
    }
    qsort(secrets, n, sizeof(*secrets), cmp_introduced);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *status =
            json_string_value(json_object_get(json_object_get(secrets[i], "triage"), "status"));
        *nopen += status && !strcmp(status, "open");
        json_array_append_new(arr, secrets[i]);
    }
    free(secrets);
    json_object_set_new(doc, "secrets", arr);
    if (html) {
        /* the same document, rendered as one self-contained page (report/html.h) */
        int hrc = lh_report_html_write(out, doc, o->out_name);
        json_decref(doc);
        return hrc;
    }
    int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(doc);
    if (rc != 0) {
        lh_error_set("cannot write the json report");
        return LH_EIO;
    }
    return 0;
}

static int write_jsonl(FILE *out, const struct lh_findings *l, sqlite3_stmt *tq, size_t *nopen)
{
    const char *last = "";
    for (size_t i = 0; i < l->count; i++) {
        const struct lh_finding *f = &l->items[i];
        if (!listed(f)) {
            continue;
        }
        struct triage t;
        triage_get(tq, f->secret_sha256, &t);
        if (strcmp(last, f->secret_sha256) != 0) {
            *nopen += !strcmp(t.status, "open");
            last = f->secret_sha256;
        }
        json_t *o = lh_report_finding_json(f, false, NULL);
        if (o) {
            json_object_set_new(o, "triage", triage_json(&t));
        }
        triage_dispose(&t);
        int rc = o ? json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
        json_decref(o);
        fputc('\n', out);
        if (rc != 0) {
            lh_error_set("cannot write the jsonl report");
            return LH_EIO;
        }
    }
    return 0;
}

static int repo_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int rc = lh_audit_db_prepare(db, &st, "SELECT 1 FROM repositories WHERE name = ?1");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            lh_error_set("no repository '%s' in the scan database", name);
            rc = LH_EUSAGE;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int lh_audit_report(FILE *out, const struct lh_audit_report_opts *o, size_t *nopen)
{
    size_t open_count = 0;
    const char *fmt = o->format ? o->format : "json";
    bool html = !strcmp(fmt, "html");
    if (strcmp(fmt, "json") && strcmp(fmt, "jsonl") && strcmp(fmt, "sarif") && !html) {
        lh_error_set("report format '%s' is not json, jsonl, sarif or html", fmt);
        return LH_EUSAGE;
    }
    sqlite3 *db = NULL;
    struct lh_ruleset *stubs = NULL;
    sqlite3_stmt *tq = NULL;
    struct lh_findings l;
    lh_findings_init(&l);
    int rc = lh_audit_db_open(&db, o->db_path, false);
    rc = rc ? rc : (o->repository ? repo_exists(db, o->repository) : 0);
    rc = rc ? rc : lh_ruleset_new(&stubs);
    rc = rc ? rc : load(db, o->repository, &l, stubs);
    rc = rc ? rc
            : lh_audit_db_prepare(db, &tq,
                                  "SELECT status, note, updated_at FROM secrets WHERE id = ?1");
    if (rc == 0 && (!strcmp(fmt, "json") || html)) {
        rc = write_model(out, db, o, &l, tq, &open_count, html);
    } else if (rc == 0 && !strcmp(fmt, "jsonl")) {
        rc = write_jsonl(out, &l, tq, &open_count);
    } else if (rc == 0) {
        lh_findings_sort(&l);
        struct lh_report_summary sum = {.unit = "blobs"};
        struct lh_report_ctx ctx = {
            .rules = stubs,
            .summary = &sum,
            .tool_version = o->tool_version,
            .repo_name = o->repository,
        };
        rc = lh_report_find("sarif")->write(out, &l, &ctx);
    }
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        lh_error_set("cannot write the report");
        rc = LH_EIO;
    }
    sqlite3_finalize(tq);
    lh_findings_dispose(&l);
    lh_ruleset_free(stubs);
    lh_audit_db_close(db);
    if (nopen) {
        *nopen = open_count;
    }
    return rc;
}
