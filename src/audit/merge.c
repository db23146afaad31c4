/* SPDX-License-Identifier: MIT */
/*
 * Merging scan databases and JSONL files into one database; see export.h. A database is
 * attached and copied with SQL in one transaction per input (ruleset ids mapped through
 * their hashes); a JSONL file is read line by line (each line at most 1 MiB) and its
 * occurrences added to their repositories, skipping the ones already there.
 */
#include "audit/db.h"
#include "audit/export.h"
#include "rules/rule.h"
#include "util/buf.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE (1u << 20)

static const char *const MERGE_DB[] = {
    "INSERT OR IGNORE INTO rulesets(hash, created_at) SELECT hash, created_at FROM src.rulesets",
    /* what the input scanned and this database did not: the blob's findings, then the blob */
    "INSERT INTO blob_findings SELECT bf.blob, m.id, bf.rule_id, bf.rule_name, bf.provider,"
    " bf.validator, bf.path, bf.line, bf.col, bf.end_line, bf.end_col, bf.offset, bf.length,"
    " bf.confidence, bf.invalid, bf.suppressed_by, bf.decoded, bf.secret, bf.fingerprint,"
    " bf.redacted, bf.meta_key, bf.meta_value FROM src.blob_findings bf"
    " JOIN src.rulesets sr ON sr.id = bf.ruleset JOIN main.rulesets m ON m.hash = sr.hash"
    " WHERE NOT EXISTS (SELECT 1 FROM main.blobs b WHERE b.blob = bf.blob AND b.ruleset = m.id)",
    "INSERT OR IGNORE INTO blobs SELECT b.blob, m.id, b.findings FROM src.blobs b"
    " JOIN src.rulesets sr ON sr.id = b.ruleset JOIN main.rulesets m ON m.hash = sr.hash",
    /* repositories: the input's replace ours when its audit is later (or ours is missing) */
    "CREATE TEMP TABLE newer AS SELECT s.* FROM src.repositories s"
    " LEFT JOIN main.repositories r ON r.name = s.name WHERE r.id IS NULL"
    " OR coalesce(s.last_scanned_at, '') > coalesce(r.last_scanned_at, '')",
    "INSERT INTO main.repositories(name) SELECT name FROM temp.newer WHERE true"
    " ON CONFLICT(name) DO NOTHING",
    "UPDATE main.repositories SET (url, last_scanned_at, ruleset, complete, refs, blobs,"
    " blobs_scanned, findings, errors) = (SELECT n.url, n.last_scanned_at, (SELECT m.id FROM"
    " main.rulesets m JOIN src.rulesets sr ON sr.hash = m.hash WHERE sr.id = n.ruleset),"
    " n.complete, n.refs, n.blobs, n.blobs_scanned, n.findings, n.errors FROM temp.newer n"
    " WHERE n.name"
    " = main.repositories.name) WHERE name IN (SELECT name FROM temp.newer)",
    "DELETE FROM main.findings WHERE repo IN (SELECT r.id FROM main.repositories r"
    " JOIN temp.newer n ON n.name = r.name)",
    "DELETE FROM main.refs WHERE repo IN (SELECT r.id FROM main.repositories r"
    " JOIN temp.newer n ON n.name = r.name)",
    "INSERT INTO main.findings SELECT r.id, f.secret, f.fingerprint, f.rule_id, f.rule_name,"
    " f.provider, f.validator, f.confidence, f.invalid, f.suppressed_by, f.path, f.line, f.col,"
    " f.end_line, f.end_col, f.decoded, f.redacted, f.meta_key, f.meta_value, f.commit_id,"
    " f.date, f.author, f.message, f.blob, f.refs FROM src.findings f JOIN temp.newer n ON"
    " n.id = f.repo JOIN main.repositories r ON r.name = n.name",
    "INSERT INTO main.refs SELECT r.id, x.name, x.tip FROM src.refs x JOIN temp.newer n ON"
    " n.id = x.repo JOIN main.repositories r ON r.name = n.name",
    "DROP TABLE temp.newer",
    /* secrets: known facts filled in, the triage updated last wins */
    "INSERT INTO main.secrets SELECT * FROM src.secrets WHERE true ON CONFLICT(id) DO UPDATE"
    " SET rule_id = coalesce(rule_id, excluded.rule_id), fingerprint = coalesce(fingerprint,"
    " excluded.fingerprint), redacted = coalesce(redacted, excluded.redacted), first_seen ="
    " min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen,"
    " first_seen)), status = CASE WHEN coalesce(excluded.updated_at, '') >"
    " coalesce(updated_at, '') THEN excluded.status ELSE status END, note = CASE WHEN"
    " coalesce(excluded.updated_at, '') > coalesce(updated_at, '') THEN excluded.note ELSE"
    " note END, updated_at = max(coalesce(updated_at, ''), coalesce(excluded.updated_at, ''))",
    "UPDATE main.secrets SET updated_at = NULL WHERE updated_at = ''",
    NULL,
};

static int merge_db(sqlite3 *db, const char *path)
{
    /* validates it first: a clear message for what is no scan database */
    sqlite3 *check = NULL;
    int rc = lh_audit_db_open(&check, path, false);
    lh_audit_db_close(check);
    if (rc < 0) {
        return rc;
    }
    sqlite3_stmt *st = NULL;
    rc = lh_audit_db_prepare(db, &st, "ATTACH DATABASE ?1 AS src");
    if (rc == 0) {
        sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : lh_audit_db_fail(db, "cannot read the input");
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        return rc;
    }
    rc = lh_audit_db_begin(db);
    for (size_t i = 0; rc == 0 && MERGE_DB[i]; i++) {
        rc = lh_audit_db_exec(db, MERGE_DB[i], "cannot merge the scan database");
    }
    rc = rc ? rc : lh_audit_db_commit(db);
    if (rc < 0) {
        lh_audit_db_rollback(db);
    }
    int drc = lh_audit_db_exec(db, "DETACH DATABASE src", "cannot merge the scan database");
    return rc ? rc : drc;
}

/* ---- JSONL ---- */

struct jl {
    sqlite3 *db;
    const char *file;
    char *file_repo; /* the file's name without directory and extension */
    sqlite3_stmt *repo_ins, *repo_id, *exists, *ins, *sec, *tri;
    char now[32];
};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    if (s) {
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, i);
    }
}

static int step(struct jl *j, sqlite3_stmt *st)
{
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    return s == SQLITE_DONE || s == SQLITE_ROW ? 0 : lh_audit_db_fail(j->db, "cannot merge");
}

static int repo_of(struct jl *j, const char *name, int64_t *id)
{
    bind_str(j->repo_ins, 1, name);
    bind_str(j->repo_ins, 2, j->now);
    int rc = step(j, j->repo_ins);
    if (rc < 0) {
        return rc;
    }
    bind_str(j->repo_id, 1, name);
    if (sqlite3_step(j->repo_id) != SQLITE_ROW) {
        sqlite3_reset(j->repo_id);
        return lh_audit_db_fail(j->db, "cannot merge");
    }
    *id = sqlite3_column_int64(j->repo_id, 0);
    sqlite3_reset(j->repo_id);
    return 0;
}

static int jl_line(struct jl *j, json_t *o, size_t lineno)
{
    const char *rule = str(o, "rule_id");
    const char *sec = str(o, "secret_sha256");
    const char *fp = str(o, "fingerprint");
    if (!json_is_object(o) || !rule || !sec || !fp) {
        lh_error_set("%s:%zu: not a leakhound finding (rule_id, secret_sha256 and fingerprint "
                     "are required)",
                     j->file, lineno);
        return LH_EINVAL;
    }
    const char *repo = str(o, "repository") ? str(o, "repository") : j->file_repo;
    int64_t rid = 0;
    int rc = repo_of(j, repo, &rid);
    if (rc < 0) {
        return rc;
    }
    json_int_t line = json_integer_value(json_object_get(o, "line"));
    json_int_t col = json_integer_value(json_object_get(o, "column"));
    sqlite3_bind_int64(j->exists, 1, rid);
    bind_str(j->exists, 2, fp);
    bind_str(j->exists, 3, str(o, "path"));
    sqlite3_bind_int64(j->exists, 4, line);
    sqlite3_bind_int64(j->exists, 5, col);
    bind_str(j->exists, 6, str(o, "commit"));
    bool dup = sqlite3_step(j->exists) == SQLITE_ROW;
    sqlite3_reset(j->exists);
    const char *confs = str(o, "confidence");
    enum lh_confidence conf = LH_CONF_LOW;
    bool invalid = confs && !strcmp(confs, "invalid");
    if (confs && !invalid && lh_confidence_parse(&conf, confs) < 0) {
        conf = LH_CONF_LOW;
    }
    const char *supp = str(o, "suppressed");
    if (!dup) {
        sqlite3_stmt *st = j->ins;
        sqlite3_bind_int64(st, 1, rid);
        bind_str(st, 2, sec);
        bind_str(st, 3, fp);
        bind_str(st, 4, rule);
        bind_str(st, 5, str(o, "rule_name"));
        bind_str(st, 6, str(o, "provider"));
        bind_str(st, 7, str(o, "validator"));
        sqlite3_bind_int(st, 8, (int)conf);
        sqlite3_bind_int(st, 9, invalid);
        sqlite3_bind_int(st, 10, supp && !strcmp(supp, "inline") ? 1 : 0);
        bind_str(st, 11, str(o, "path"));
        sqlite3_bind_int64(st, 12, line);
        sqlite3_bind_int64(st, 13, col);
        sqlite3_bind_int64(st, 14, json_integer_value(json_object_get(o, "end_line")));
        sqlite3_bind_int64(st, 15, json_integer_value(json_object_get(o, "end_column")));
        bind_str(st, 16, str(o, "secret"));
        bind_str(st, 17, str(o, "commit"));
        bind_str(st, 18, str(o, "date"));
        bind_str(st, 19, str(o, "author"));
        bind_str(st, 20, str(o, "message"));
        bind_str(st, 21, str(o, "blob"));
        json_t *refs = json_object_get(o, "refs");
        char *rt = json_dumps(json_is_array(refs) ? refs : json_array(), JSON_COMPACT);
        bind_str(st, 22, rt ? rt : "[]");
        free(rt);
        rc = step(j, st);
    }
    if (rc == 0 && !invalid) {
        bind_str(j->sec, 1, sec);
        bind_str(j->sec, 2, rule);
        bind_str(j->sec, 3, fp);
        bind_str(j->sec, 4, str(o, "secret"));
        bind_str(j->sec, 5, j->now);
        rc = step(j, j->sec);
    }
    json_t *tri = json_object_get(o, "triage");
    const char *ts = str(tri, "status");
    const char *tu = str(tri, "updated_at");
    if (rc == 0 && ts && tu && lh_audit_triage_status_valid(ts)) {
        bind_str(j->tri, 1, sec);
        bind_str(j->tri, 2, ts);
        bind_str(j->tri, 3, str(tri, "note"));
        bind_str(j->tri, 4, tu);
        rc = step(j, j->tri);
    }
    return rc;
}

static int merge_jsonl(sqlite3 *db, const char *path, FILE *f)
{
    struct jl j = {.db = db, .file = path};
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    j.file_repo = strndup(base, strcspn(base, "."));
    lh_audit_db_now(j.now);
    int rc = j.file_repo ? 0 : lh_error_oom();
    rc = rc ? rc
            : lh_audit_db_prepare(db, &j.repo_ins,
                                  "INSERT INTO repositories(name, last_scanned_at, complete)"
                                  " VALUES(?1, ?2, 1) ON CONFLICT(name) DO NOTHING");
    rc = rc ? rc
            : lh_audit_db_prepare(db, &j.repo_id, "SELECT id FROM repositories WHERE name = ?1");
    rc = rc ? rc
            : lh_audit_db_prepare(db, &j.exists,
                                  "SELECT 1 FROM findings WHERE repo = ?1 AND fingerprint = ?2"
                                  " AND path IS ?3 AND line = ?4 AND col = ?5 AND commit_id IS ?6");
    rc = rc ? rc
            : lh_audit_db_prepare(db, &j.ins,
                                  "INSERT INTO findings(repo, secret, fingerprint, rule_id,"
                                  " rule_name, provider, validator, confidence, invalid,"
                                  " suppressed_by, path, line, col, end_line, end_col, redacted,"
                                  " commit_id, date, author, message, blob, refs) VALUES(?1, ?2,"
                                  " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                                  " ?17, ?18, ?19, ?20, ?21, ?22)");
    rc = rc ? rc
            : lh_audit_db_prepare(db, &j.sec,
                                  "INSERT OR IGNORE INTO secrets(id, rule_id, fingerprint,"
                                  " redacted, first_seen) VALUES(?1, ?2, ?3, ?4, ?5)");
    rc = rc ? rc
            : lh_audit_db_prepare(db, &j.tri,
                                  "UPDATE secrets SET status = ?2, note = ?3, updated_at = ?4"
                                  " WHERE id = ?1 AND coalesce(updated_at, '') < ?4");
    rc = rc ? rc : lh_audit_db_begin(db);
    char *line = NULL;
    size_t cap = 0;
    size_t lineno = 0;
    ssize_t n;
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)n > MAX_LINE) {
            lh_error_set("%s:%zu: line longer than 1 MiB", path, lineno);
            rc = LH_EINVAL;
            break;
        }
        size_t k = (size_t)n;
        while (k && (line[k - 1] == '\n' || line[k - 1] == '\r' || line[k - 1] == ' ')) {
            k--;
        }
        if (!k) {
            continue;
        }
        json_error_t err;
        json_t *o = json_loadb(line, k, 0, &err);
        if (!o) {
            lh_error_set("%s:%zu: not JSON: %s", path, lineno, err.text);
            rc = LH_EINVAL;
            break;
        }
        rc = jl_line(&j, o, lineno);
        json_decref(o);
    }
    free(line);
    if (rc == 0 && ferror(f)) {
        lh_error_set("cannot read '%s': %s", path, strerror(errno));
        rc = LH_EIO;
    }
    rc = rc ? rc : lh_audit_db_commit(db);
    if (rc < 0) {
        lh_audit_db_rollback(db);
    }
    sqlite3_finalize(j.repo_ins);
    sqlite3_finalize(j.repo_id);
    sqlite3_finalize(j.exists);
    sqlite3_finalize(j.ins);
    sqlite3_finalize(j.sec);
    sqlite3_finalize(j.tri);
    free(j.file_repo);
    return rc;
}

/* A database by its first 16 bytes, else JSONL. */
static int merge_one(sqlite3 *db, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lh_error_set("cannot open '%s': %s", path, strerror(errno));
        return errno == ENOENT ? LH_EUSAGE : LH_EIO;
    }
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof(head), f);
    int rc;
    if (n == 16 && !memcmp(head, "SQLite format 3", 16)) {
        fclose(f);
        rc = merge_db(db, path);
    } else {
        rewind(f);
        rc = merge_jsonl(db, path, f);
        fclose(f);
    }
    return rc;
}

static size_t count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    if (lh_audit_db_prepare(db, &st, sql) == 0 && sqlite3_step(st) == SQLITE_ROW) {
        n = (size_t)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

int lh_audit_merge(const char *out_db, const char *const *inputs, size_t n,
                   struct lh_audit_merge_stats *st)
{
    sqlite3 *db = NULL;
    memset(st, 0, sizeof(*st));
    int rc = lh_audit_db_open(&db, out_db, true);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = merge_one(db, inputs[i]);
        st->inputs += rc == 0;
    }
    if (rc == 0) {
        st->repositories = count(db, "SELECT count(*) FROM repositories");
        st->secrets = count(db, "SELECT count(DISTINCT secret) FROM findings");
        st->occurrences = count(db, "SELECT count(*) FROM findings");
    }
    lh_audit_db_close(db);
    return rc;
}
