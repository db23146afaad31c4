/* SPDX-License-Identifier: MIT */
/*
 * The scanning session in process: real files, real git repositories built with the git
 * CLI, real baselines on disk. Each test opens a session from settings, runs it and checks
 * the outcome, the report it wrote and what it said through its callbacks.
 */
#include "session/project.h"
#include "session/session.h"
#include "session/session_baseline.h"
#include "support/support.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

LH_TMPDIR_SUITE(session);

static char tok[41];
static char tok2[41];

/* What the callbacks received, one line each. */
struct heard {
    char warnings[8192];
    char notes[8192];
    size_t previews;
};

static void append(char *buf, size_t cap, const char *msg)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s\n", msg);
}

static void on_warn(const char *msg, void *payload)
{
    struct heard *h = payload;
    append(h->warnings, sizeof(h->warnings), msg);
}

static void on_note(const char *msg, void *payload)
{
    struct heard *h = payload;
    append(h->notes, sizeof(h->notes), msg);
}

static void on_event(const struct lh_revoke_event *ev, void *payload)
{
    struct heard *h = payload;
    h->previews += ev->kind == LH_REVOKE_EV_PREVIEW;
    /* a preview shows the request body, which carries the token: never a warning or note */
    cr_assert(strstr(h->warnings, tok) == NULL);
}

/* Settings for a session in `dir`: no cache, callbacks into h, report to `report`. */
static void settings(struct lh_session_opts *o, struct heard *h, const char *report)
{
    lh_session_opts_init(o);
    memset(h, 0, sizeof(*h));
    o->no_cache = true;
    o->warn = on_warn;
    o->note = on_note;
    o->revoke_event = on_event;
    o->payload = h;
    o->output = report;
    o->format = "json";
    o->tool_version = "test";
}

static char *path(const char *rel)
{
    char *p = malloc(strlen(dir) + strlen(rel) + 2);
    cr_assert(p != NULL);
    sprintf(p, "%s/%s", dir, rel);
    return p;
}

static void put(const char *rel, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(const char *rel, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    lh_write_file(dir, rel, text, strlen(text));
}

/* Runs a session over `in` with o; returns the code, fills *out. */
static int run(const struct lh_session_opts *o, const struct lh_session_input *in,
               struct lh_outcome *out)
{
    struct lh_session *s = NULL;
    int rc = lh_session_open(&s, o, in);
    if (rc == 0) {
        rc = lh_session_run(s, out);
    }
    lh_session_free(s);
    return rc;
}

static json_t *report(const char *file)
{
    json_error_t err;
    json_t *j = json_load_file(file, 0, &err);
    cr_assert(j != NULL, "%s: %s", file, err.text);
    return j;
}

static void setup_tokens(void)
{
    lh_make_github_token(tok, "ghp_", "Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9Gh4Jk0");
    lh_make_github_token(tok2, "gho_", "Pz4Xc7Vb2Nm9Lk1Jh6Gf3Ds8Aq5Wr0");
}

/* A session over `dir`, which holds a token in a.env, reporting to dir/r.json. */
struct fixture {
    struct lh_session_opts o;
    struct heard h;
    struct lh_session_input in;
    const char *paths[1];
    char *report;
};

static void fixture_init(struct fixture *f)
{
    setup_tokens();
    put("a.env", "GITHUB_TOKEN=%s\n", tok);
    f->paths[0] = dir;
    f->in = (struct lh_session_input){.kind = LH_INPUT_PATHS, .paths = f->paths, .npaths = 1};
    f->report = path("r.json");
    settings(&f->o, &f->h, f->report);
}

static void fixture_dispose(struct fixture *f)
{
    lh_session_opts_dispose(&f->o);
    free(f->report);
}

Test(session, scans_paths_reports_and_decides)
{
    setup_tokens();
    put("app/.env", "GITHUB_TOKEN=%s\n", tok);
    put("app/readme.txt", "%s", "nothing here\n");
    char *out_file = path("report.json");
    char *app = path("app");
    const char *paths[] = {app};
    struct lh_session_input in = {.kind = LH_INPUT_PATHS, .paths = paths, .npaths = 1};
    struct lh_session_opts o;
    struct heard h;
    settings(&o, &h, out_file);
    struct lh_outcome out;
    cr_assert(eq(int, run(&o, &in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(int, out.verdict, LH_OUTCOME_FINDINGS));
    cr_assert(eq(sz, out.reported, 1));
    cr_assert(eq(sz, out.failing, 1));
    cr_assert(eq(sz, out.summary.files, 2));
    cr_assert(strstr(out.summary_line, "1 finding") != NULL, "%s", out.summary_line);
    /* the summary line is a note, after the report */
    cr_assert(strstr(h.notes, out.summary_line) != NULL, "%s", h.notes);
    json_t *j = report(out_file);
    cr_assert(eq(sz, json_array_size(j), 1));
    json_t *f = json_array_get(j, 0);
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(f, "rule_id")), "github-pat-classic"));
    char *dump = json_dumps(f, 0);
    cr_assert(strstr(dump, tok) == NULL, "the report shows the secret");
    free(dump);
    json_decref(j);
    /* fail only on confirmed: the classic token is confirmed, so still findings */
    o.fail_on = LH_CONF_CONFIRMED;
    cr_assert(eq(int, run(&o, &in, &out), 0));
    cr_assert(eq(int, out.verdict, LH_OUTCOME_FINDINGS));
    lh_session_opts_dispose(&o);
    free(out_file);
    free(app);
}

Test(session, min_confidence_and_disable_suppress)
{
    struct fixture f;
    fixture_init(&f);
    struct lh_outcome out;
    f.o.min_confidence = LH_CONF_CONFIRMED; /* the classic token is confirmed: reported */
    cr_assert(eq(int, run(&f.o, &f.in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(sz, out.reported, 1));
    cr_assert(eq(int, lh_strlist_push(&f.o.disable, "github-*"), 0));
    cr_assert(eq(int, run(&f.o, &f.in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(int, out.verdict, LH_OUTCOME_CLEAN));
    cr_assert(eq(sz, out.reported, 0));
    fixture_dispose(&f);
}

/* The --format report and every --report, each complete; a conflict is refused at open. */
Test(session, several_reports_in_one_run)
{
    struct fixture f;
    fixture_init(&f);
    char *sarif = path("out.sarif");
    char spec[4200];
    snprintf(spec, sizeof(spec), "sarif:%s", sarif);
    cr_assert(eq(int, lh_strlist_push(&f.o.reports, spec), 0));
    char *text = NULL;
    size_t len = 0;
    f.o.stream = open_memstream(&text, &len);
    cr_assert(eq(int, lh_strlist_push(&f.o.reports, "text"), 0));
    struct lh_outcome out;
    cr_assert(eq(int, run(&f.o, &f.in, &out), 0), "%s", lh_error_get());
    fclose(f.o.stream);
    f.o.stream = NULL;
    json_t *j = report(f.report);
    cr_assert(eq(sz, json_array_size(j), 1));
    json_decref(j);
    j = report(sarif);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(j, "version")), "2.1.0"));
    json_decref(j);
    cr_assert(strstr(text, "github-pat-classic") != NULL, "%s", text);
    free(text);
    /* two reports on stdout cannot be told apart */
    f.o.output = NULL;
    cr_assert(eq(int, lh_strlist_push(&f.o.reports, "sarif"), 0));
    cr_assert(eq(int, run(&f.o, &f.in, &out), LH_EUSAGE));
    fixture_dispose(&f);
    free(sarif);
}

/* An entry made from history is never judged by a scan of files: not stale, kept by create. */
Test(session, history_entries_survive_scans_of_files)
{
    struct fixture f;
    fixture_init(&f);
    put("bl.json",
        "{\"version\": 1, \"entries\": [{\"fingerprint\": \"%s\", \"rule_id\": "
        "\"github-pat-classic\", \"commit\": \"0123456789abcdef0123456789abcdef01234567\"}]}\n",
        "00000000000000000000000000000000");
    char *bl = path("bl.json");
    f.o.baseline = bl;
    struct lh_outcome out;
    cr_assert(eq(int, run(&f.o, &f.in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(sz, out.stale, 0), "a history entry judged by a scan of files");
    f.o.no_report = true;
    struct lh_session *s = NULL;
    struct lh_baseline_result res;
    cr_assert(eq(int, lh_session_open(&s, &f.o, &f.in), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_session_baseline_create(s, bl, &res), 0), "%s", lh_error_get());
    cr_assert(eq(sz, res.entries, 2), "the history entry and the file's finding");
    cr_assert(eq(str, (char *)res.unit, "files"));
    lh_session_free(s);
    char *text = lh_read_file(bl);
    cr_assert(strstr(text, "0123456789abcdef0123456789abcdef01234567") != NULL, "%s", text);
    free(text);
    fixture_dispose(&f);
    free(bl);
}

Test(session, selection_errors_name_their_layer)
{
    struct fixture f;
    fixture_init(&f);
    struct lh_outcome out;
    cr_assert(eq(int, lh_strlist_push(&f.o.enable, "no-such-rule"), 0));
    cr_assert(eq(int, run(&f.o, &f.in, &out), LH_EUSAGE));
    cr_assert(eq(str, (char *)lh_error_get(), "--enable-rule 'no-such-rule' matches no rule"));
    lh_strlist_dispose(&f.o.enable);
    f.o.file_name = "/p/.leakhound.yml";
    cr_assert(eq(int, lh_strlist_push(&f.o.file_disable, "github-pat-clasic"), 0));
    cr_assert(eq(int, run(&f.o, &f.in, &out), LH_EINVAL));
    cr_assert(eq(str, (char *)lh_error_get(),
                 "/p/.leakhound.yml: disable_rules: 'github-pat-clasic' matches no rule"));
    fixture_dispose(&f);
}

/* A baseline made by create suppresses; a new secret is reported; prune drops the stale. */
Test(session, baseline_create_apply_and_prune)
{
    setup_tokens();
    cr_assert(eq(int, lh_sh(dir, "git init -q repo"), 0));
    put("repo/a.env", "GITHUB_TOKEN=%s\n", tok);
    char *repo = path("repo");
    char *bl = path("repo/.leakhound-baseline.json");
    char *out_file = path("r.json");
    const char *paths[] = {repo};
    struct lh_session_input in = {.kind = LH_INPUT_PATHS, .paths = paths, .npaths = 1};
    struct lh_session_opts o;
    struct heard h;
    settings(&o, &h, NULL);
    o.no_report = true;
    o.baseline_missing_ok = true;
    o.baseline = bl;
    struct lh_session *s = NULL;
    struct lh_baseline_result res;
    cr_assert(eq(int, lh_session_open(&s, &o, &in), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_session_baseline_create(s, bl, &res), 0), "%s", lh_error_get());
    cr_assert(res.written);
    cr_assert(eq(sz, res.entries, 1));
    cr_assert(eq(sz, res.findings, 1));
    lh_session_free(s);
    char *text = lh_read_file(bl);
    cr_assert(strstr(text, "github-pat-classic") != NULL, "%s", text);
    cr_assert(strstr(text, tok) == NULL, "the baseline holds the secret");
    free(text);
    lh_session_opts_dispose(&o);

    /* found at the project root without being named; a second secret is reported */
    put("repo/b.env", "TOKEN=%s\n", tok2);
    settings(&o, &h, out_file);
    struct lh_outcome out;
    cr_assert(eq(int, run(&o, &in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(sz, out.reported, 1));
    cr_assert(strstr(out.summary_line, "1 baseline") != NULL, "%s", out.summary_line);

    /* the first secret is gone: its entry is stale, warned about on a full scan */
    put("repo/a.env", "%s", "GITHUB_TOKEN=\n");
    memset(&h, 0, sizeof(h));
    cr_assert(eq(int, run(&o, &in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(sz, out.stale, 1));
    cr_assert(strstr(h.warnings, "stale baseline entr") != NULL, "%s", h.warnings);
    lh_session_opts_dispose(&o);

    /* prune refuses a partial scan, then removes the entry on a full one */
    char *sub = path("repo/sub");
    cr_assert(eq(int, lh_sh(dir, "mkdir -p repo/sub"), 0));
    const char *partial[] = {sub};
    struct lh_session_input pin = {.kind = LH_INPUT_PATHS, .paths = partial, .npaths = 1};
    settings(&o, &h, NULL);
    o.no_report = true;
    cr_assert(eq(int, lh_session_open(&s, &o, &pin), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_session_baseline_prune(s, NULL, &res), LH_EUSAGE));
    cr_assert(strstr(lh_error_get(), "full scan") != NULL, "%s", lh_error_get());
    lh_session_free(s);
    cr_assert(eq(int, lh_session_open(&s, &o, &in), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_session_baseline_prune(s, NULL, &res), 0), "%s", lh_error_get());
    cr_assert(eq(sz, res.removed, 1));
    cr_assert(eq(sz, res.entries, 0));
    cr_assert(strstr(h.notes, "baseline: removing") != NULL, "%s", h.notes);
    lh_session_free(s);
    text = lh_read_file(bl);
    cr_assert(strstr(text, "github-pat-classic") == NULL, "%s", text);
    free(text);
    lh_session_opts_dispose(&o);
    free(sub);
    free(repo);
    free(bl);
    free(out_file);
}

/* A baseline named by an untrusted configuration is rewritten only inside its directory. */
Test(session, prune_refuses_a_confined_baseline_outside_its_directory)
{
    setup_tokens();
    put("elsewhere/bl.json", "%s", "{\"version\": 1, \"entries\": []}\n");
    cr_assert(eq(int, lh_sh(dir, "git init -q repo"), 0));
    char *repo = path("repo");
    char *bl = path("elsewhere/bl.json");
    const char *paths[] = {repo};
    struct lh_session_input in = {.kind = LH_INPUT_PATHS, .paths = paths, .npaths = 1};
    struct lh_session_opts o;
    struct heard h;
    settings(&o, &h, NULL);
    o.no_report = true;
    o.file_name = "repo/.leakhound.yml";
    o.file_baseline = bl;
    o.baseline_confine = repo;
    struct lh_session *s = NULL;
    struct lh_baseline_result res;
    cr_assert(eq(int, lh_session_open(&s, &o, &in), 0), "%s", lh_error_get());
    cr_assert(eq(int, lh_session_baseline_prune(s, NULL, &res), LH_EUSAGE));
    cr_assert(strstr(lh_error_get(), "refusing to rewrite") != NULL, "%s", lh_error_get());
    /* to another destination it may */
    char *dest = path("pruned.json");
    cr_assert(eq(int, lh_session_baseline_prune(s, dest, &res), 0), "%s", lh_error_get());
    cr_assert(res.written);
    lh_session_free(s);
    lh_session_opts_dispose(&o);
    free(dest);
    free(repo);
    free(bl);
}

Test(session, missing_baseline_is_a_configuration_error)
{
    struct fixture f;
    fixture_init(&f);
    char *bl = path("nope.json");
    f.o.baseline = bl;
    struct lh_outcome out;
    cr_assert(eq(int, run(&f.o, &f.in, &out), LH_EINVAL));
    cr_assert(strstr(lh_error_get(), "nope.json") != NULL, "%s", lh_error_get());
    fixture_dispose(&f);
    free(bl);
}

/* History and staged inputs on a real repository with an origin holding credentials. */
Test(session, git_inputs_and_repository_name)
{
    setup_tokens();
    cr_assert(eq(int,
                 lh_sh(dir, "git init -q repo && cd repo && git remote add origin "
                            "https://ci:hunter2@example.com/acme/app.git"),
                 0));
    put("repo/a.env", "GITHUB_TOKEN=%s\n", tok);
    cr_assert(eq(int,
                 lh_sh(dir, "cd repo && git add -A && git -c user.name=T -c "
                            "user.email=t@example.com commit -qm one && git rm -q a.env && "
                            "git -c user.name=T -c user.email=t@example.com commit -qm two"),
                 0));
    char *repo = path("repo");
    char *out_file = path("h.json");
    const char *paths[] = {repo};
    struct lh_session_input in = {.kind = LH_INPUT_HISTORY, .paths = paths, .npaths = 1};
    struct lh_session_opts o;
    struct heard h;
    settings(&o, &h, out_file);
    struct lh_outcome out;
    cr_assert(eq(int, run(&o, &in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(sz, out.reported, 1), "the deleted secret is in the history");
    cr_assert(eq(str, (char *)out.summary.unit, "blobs"));
    json_t *j = report(out_file);
    const char *name = json_string_value(json_object_get(json_array_get(j, 0), "repository"));
    cr_assert(eq(str, (char *)name, "https://example.com/acme/app.git"));
    json_decref(j);
    char *named = lh_project_repo_name(repo);
    cr_assert(eq(str, named, "https://example.com/acme/app.git"));
    free(named);

    /* an unknown revision is the caller's mistake */
    in.range = "nope..HEAD";
    cr_assert(eq(int, run(&o, &in, &out), LH_EUSAGE));
    in.range = NULL;

    /* staged: only what the index adds */
    put("repo/b.env", "TOKEN=%s\n", tok2);
    cr_assert(eq(int, lh_sh(dir, "cd repo && git add b.env"), 0));
    in.kind = LH_INPUT_STAGED;
    cr_assert(eq(int, run(&o, &in, &out), 0), "%s", lh_error_get());
    cr_assert(eq(sz, out.reported, 1));
    cr_assert(eq(str, (char *)out.summary.unit, "files"));
    /* not a repository */
    const char *root[] = {"/"};
    in.paths = root;
    cr_assert(eq(int, run(&o, &in, &out), LH_EUSAGE));
    lh_session_opts_dispose(&o);
    free(repo);
    free(out_file);
}

/* Revocation is checked at open and previewed by a dry run; nothing is written. */
Test(session, revocation_settings_and_dry_run)
{
    struct fixture f;
    fixture_init(&f);
    char *state = path("state");
    f.o.state_dir = state;
    struct lh_outcome out;
    cr_assert(eq(int, lh_strlist_push(&f.o.revoke_urls, "https://127.0.0.1:9/revoke"), 0));
    cr_assert(eq(int, run(&f.o, &f.in, &out), LH_EUSAGE), "a route without --revoke");
    lh_strlist_dispose(&f.o.revoke_urls);
    f.o.revoke = true;
    cr_assert(eq(int, run(&f.o, &f.in, &out), LH_EINVAL), "revocation without a route");
    cr_assert(strstr(lh_error_get(), "no route") != NULL, "%s", lh_error_get());
    cr_assert(eq(int, lh_strlist_push(&f.o.revoke_urls, "https://127.0.0.1:9/revoke"), 0));
    f.o.dry_run = true;
    cr_assert(eq(int, run(&f.o, &f.in, &out), 0), "%s", lh_error_get());
    cr_assert(out.revoked);
    cr_assert(eq(sz, f.h.previews, 1));
    cr_assert(eq(int, access(state, F_OK), -1), "a dry run wrote the state directory");
    fixture_dispose(&f);
    free(state);
}

/* With no input, a session is the rules and the detector (serve, rules commands). */
Test(session, without_input_only_rules_and_detector)
{
    struct lh_session_opts o;
    struct heard h;
    settings(&o, &h, NULL);
    struct lh_session *s = NULL;
    cr_assert(eq(int, lh_session_open(&s, &o, NULL), 0), "%s", lh_error_get());
    cr_assert(lh_session_detector(s) != NULL);
    cr_assert(gt(sz, lh_session_rules(s)->count, 100));
    cr_assert(eq(ptr, (void *)lh_session_project_root(s), NULL));
    lh_session_free(s);
    lh_session_opts_dispose(&o);
}

Test(session, project_root_and_uri_prefix)
{
    cr_assert(eq(int, lh_sh(dir, "git init -q repo && mkdir -p repo/a/b plain"), 0));
    char *b = path("repo/a/b");
    char *repo = path("repo");
    char *real_repo = realpath(repo, NULL);
    char *root = lh_project_git_root(b);
    cr_assert(eq(str, root, real_repo));
    free(root);
    char *plain = path("plain");
    cr_assert(eq(ptr, lh_project_git_root(plain), NULL));
    bool in_git = true;
    root = lh_project_root(plain, plain, &in_git);
    cr_assert(not(in_git));
    char *real_plain = realpath(plain, NULL);
    cr_assert(eq(str, root, real_plain));
    free(root);
    char cwd[4096];
    cr_assert(getcwd(cwd, sizeof(cwd)) != NULL);
    cr_assert(eq(int, chdir(b), 0));
    char *prefix = lh_project_uri_prefix();
    cr_assert(eq(str, prefix, "a/b/"));
    free(prefix);
    cr_assert(eq(int, chdir(cwd), 0));
    free(b);
    free(repo);
    free(real_repo);
    free(plain);
    free(real_plain);
}
