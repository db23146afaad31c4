# SPDX-License-Identifier: MIT
"""Audit models ("leakhound-audit/1", docs/report.md) for the HTML report tests.

small(): three repositories, six secrets (three GitHub) with up to four occurrences each across
repositories, every triage status, one secret gone from all refs. hostile(): the same with
script and markup planted in every free-text field. large(n): n secrets over 40 repositories
with 1-4 occurrences each, deterministic.
"""
import hashlib
import random

GENERATED_AT = "2026-12-06T10:00:00Z"
XSS_SCRIPT = "</script><script>window.__pwned=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=\"window.__pwned=2;alert(2)\">"
XSS_COMMENT = "<!--<script>window.__pwned=3</script>-->"


def sha(*parts):
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def repo(name, findings, refs=4, blobs=120):
    return {"name": name, "url": "https://git.example.test/%s.git" % name,
            "last_scanned_at": "2026-12-06T09:58:00Z", "refs": refs, "blobs_scanned": blobs,
            "findings": findings}


def occ(repo_name, path, line, commit, date, message, refs, author="Dev One <dev1@example.test>"):
    return {"repository": repo_name, "path": path, "line": line, "column": 10,
            "commit": commit, "date": date, "author": author, "message": message,
            "blob": sha("blob", repo_name, path, commit), "refs": refs,
            "fingerprint": sha("fp", repo_name, path, commit)}


def secret(key, rule_id, rule_name, provider, confidence, redacted, status, note, occurrences,
           still_in_refs, updated_at=None):
    first = occurrences[0]
    return {
        "id": sha("secret", key), "fingerprint": first["fingerprint"], "rule_id": rule_id,
        "rule_name": rule_name, "provider": provider, "confidence": confidence,
        "secret": redacted,
        "triage": {"status": status, "note": note,
                   "updated_at": updated_at if status != "open" else None},
        "introduced": {"repository": first["repository"], "commit": first["commit"],
                       "date": first["date"], "author": first["author"]},
        "still_in_refs": still_in_refs, "occurrences": occurrences}


def small():
    c = lambda n: sha("commit", str(n))  # noqa: E731
    main = ["refs/heads/main"]
    secrets = [
        secret("gh1", "github-pat-classic", "GitHub classic personal access token", "GitHub",
               "confirmed", "ghp_e7****cD47", "open", None,
               [occ("acme/api", "config/.env", 3, c(1), "2025-03-01T12:00:00Z",
                    "add local config", main),
                occ("acme/web", "deploy/env.sh", 12, c(2), "2025-06-10T08:30:00Z",
                    "copy the deploy script", main + ["refs/tags/v1.0"])],
               ["acme/api:refs/heads/main", "acme/web:refs/heads/main",
                "acme/web:refs/tags/v1.0"]),
        secret("aws1", "aws-access-key-id", "AWS access key ID", "AWS", "probable",
               "AKIA****WXYZ", "revoked", "rotated by ops, ticket SEC-12",
               [occ("acme/infra", "terraform/main.tf", 40, c(3), "2024-11-05T09:00:00Z",
                    "terraform: first cut", []),
                occ("acme/infra", "terraform/main.tf", 41, c(4), "2025-01-20T16:45:00Z",
                    "terraform: move provider block", []),
                occ("acme/infra", "terraform/old/main.tf", 40, c(4), "2025-01-20T16:45:00Z",
                    "terraform: move provider block", []),
                occ("acme/api", "scripts/backup.sh", 7, c(5), "2025-02-14T11:11:00Z",
                    "backup script", [])],
               [], "2026-11-30T10:00:00Z"),
        secret("slack1", "slack-webhook-url", "Slack incoming webhook URL", "Slack", "low",
               "https://hooks.slack.com/services/T0****x9Zq", "false-positive",
               "test fixture, not a live hook",
               [occ("acme/web", "test/fixtures/hooks.json", 5, c(6), "2025-08-01T10:00:00Z",
                    "fixtures", main)],
               ["acme/web:refs/heads/main"], "2026-10-01T10:00:00Z"),
        secret("stripe1", "stripe-secret-key", "Stripe secret key", "Stripe", "confirmed",
               "sk_live_****9fQ2", "accepted", "restricted test-mode key, accepted risk",
               [occ("acme/api", "billing/settings.py", 22, c(7), "2025-09-09T09:09:00Z",
                    "billing settings", main)],
               ["acme/api:refs/heads/main"], "2026-09-10T10:00:00Z"),
        secret("gh2", "github-pat-fine-grained", "GitHub fine-grained personal access token",
               "GitHub", "probable", "github_pat_11****Qm3x", "open", None,
               [occ("acme/infra", "ci/release.yml", 18, c(8), "2026-02-02T02:02:00Z",
                    "release workflow", main)],
               ["acme/infra:refs/heads/main"]),
        secret("gh3", "github-oauth-token", "GitHub OAuth access token", "GitHub", "low",
               "gho_Ab****9xYz", "open", None,
               [occ("acme/web", "docs/setup.md", 30, c(9), "2026-05-05T05:05:00Z",
                    "setup docs", ["refs/heads/docs"])],
               ["acme/web:refs/heads/docs"]),
    ]
    return {
        "schema": "leakhound-audit/1", "generated_at": GENERATED_AT,
        "tool": {"name": "leakhound", "version": "0.1.0-test"},
        "scope": {"repositories": 3, "organisation": "acme"},
        "repositories": [repo("acme/api", 4), repo("acme/web", 3), repo("acme/infra", 2)],
        "secrets": secrets,
    }


def hostile():
    m = small()
    m["scope"]["organisation"] = "acme" + XSS_IMG
    m["repositories"].append(repo("evil/" + XSS_SCRIPT, 1))
    m["repositories"][-1]["url"] = "javascript:window.__pwned=4"
    s = m["secrets"][0]
    s["rule_name"] = "GitHub " + XSS_COMMENT
    s["triage"] = {"status": "open", "note": "note " + XSS_SCRIPT + " " + XSS_IMG +
                   " \u2028 line sep \u2029 par sep", "updated_at": None}
    o = s["occurrences"][0]
    o["repository"] = "evil/" + XSS_SCRIPT
    o["path"] = "src/" + XSS_SCRIPT + "/" + XSS_IMG + ".env"
    o["message"] = "fix " + XSS_SCRIPT + " " + XSS_COMMENT + " " + XSS_IMG
    o["author"] = "Mallory " + XSS_IMG
    s["introduced"]["repository"] = o["repository"]
    s["still_in_refs"].append("evil/" + XSS_SCRIPT + ":refs/heads/" + XSS_IMG)
    return m


def large(n=10000, seed=17):
    rnd = random.Random(seed)
    repos = ["acme/service-%02d" % i for i in range(40)]
    rules = [("github-pat-classic", "GitHub classic personal access token", "GitHub", "ghp_"),
             ("aws-access-key-id", "AWS access key ID", "AWS", "AKIA"),
             ("slack-bot-token", "Slack bot token", "Slack", "xoxb-"),
             ("stripe-secret-key", "Stripe secret key", "Stripe", "sk_live_"),
             ("gitlab-pat", "GitLab personal access token", "GitLab", "glpat-"),
             ("private-key-pem", "PEM private key", "Generic", "-----BEGIN ")]
    statuses = ["open"] * 6 + ["false-positive", "revoked", "accepted"]
    confs = ["confirmed", "probable", "probable", "low"]
    counts = {r: 0 for r in repos}
    secrets = []
    for i in range(n):
        rule_id, rule_name, provider, prefix = rules[i % len(rules)]
        k = rnd.randint(1, 4)
        day = rnd.randint(0, 1400)
        occs = []
        for j in range(k):
            r = rnd.choice(repos)
            counts[r] += 1
            d = day + j * rnd.randint(1, 90)
            date = "%04d-%02d-%02dT%02d:00:00Z" % (2022 + d // 365 % 5, d % 365 // 31 + 1,
                                                  d % 28 + 1, d % 24)
            occs.append(occ(r, "src/module_%d/config_%d.yml" % (i % 97, j), 1 + j, sha("c", str(i), str(j)),
                            date, "change %d" % i, ["refs/heads/main"] if j == k - 1 else []))
        status = statuses[i % len(statuses)]
        live = [occs[-1]["repository"] + ":refs/heads/main"] if i % 5 else []
        secrets.append(secret("big%d" % i, rule_id, rule_name, provider, confs[i % 4],
                              prefix + "****%04d" % i, status,
                              None if status == "open" else "note %d" % i, occs, live,
                              "2026-12-01T00:00:00Z"))
    return {
        "schema": "leakhound-audit/1", "generated_at": GENERATED_AT,
        "tool": {"name": "leakhound", "version": "0.1.0-test"},
        "scope": {"repositories": len(repos), "organisation": "acme"},
        "repositories": [repo(r, counts[r]) for r in repos],
        "secrets": secrets,
    }
