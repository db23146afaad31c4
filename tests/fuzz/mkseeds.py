#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the seed corpora of the fuzz harnesses in fixtures/fuzz/<name>/.

The seeds are small, real-looking inputs: the built-in rule files and hand-written rule
edge cases, sample configurations, baselines, texts holding one token of every validator
kind (fresh, deterministic tokens from scripts/mktoken.py --seed, never live credentials),
partner requests, key lists and revocation journals, and YAML edge cases (directives,
recursive anchors) for the rule loader. Files are rewritten in place, so the
corpora stay reviewable in diffs; crash reproducers live in fixtures/fuzz/<name>-crashes/
and are never touched here. Existing seed files are kept (some seeds hold fresh random keys or
timestamps, and rewriting them would only churn the diff); --force rewrites them all.
Run from anywhere: python3 tests/fuzz/mkseeds.py [--force]
"""

import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "fixtures" / "fuzz"


FORCE = "--force" in sys.argv


def put(corpus, name, data):
    d = OUT / corpus
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    if FORCE or not (d / name).exists():
        (d / name).write_bytes(data)


def tokens():
    """One deterministic token per kind of scripts/mktoken.py."""
    mk = ROOT / "scripts" / "mktoken.py"
    kinds = []
    for line in subprocess.run([sys.executable, mk, "--list"], check=True,
                               capture_output=True, text=True).stdout.splitlines():
        if line.strip():
            kinds.append(line.split()[0])
    out = {}
    for i, k in enumerate(kinds):
        out[k] = subprocess.run([sys.executable, mk, "--seed", str(100 + i), k], check=True,
                                capture_output=True, text=True).stdout.strip()
    return out


RULE_EDGE_CASES = {
    "pair.yml": """rules:
  - id: acme-pair
    name: Acme key pair
    keywords: [acme_id_, acme_secret_]
    pattern: '(?:(?<id>acme_id_[a-z0-9]{8}).{0,40}?(?<secret>acme_secret_[A-Za-z0-9]{20})|(?<secret>acme_secret_[A-Za-z0-9]{20}).{0,40}?(?<id>acme_id_[a-z0-9]{8}))'
    min_entropy: 2.5
    max_length: 128
    examples:
      - {text: 'id=acme_id_abcd1234 s=acme_secret_Zq8Lm3Np7Rt2Vw6Xy1Bc', secret: acme_secret_Zq8Lm3Np7Rt2Vw6Xy1Bc}
    negative_examples: [acme_secret_short]
""",
    "validators.yml": """rules:
  - id: zuplo-like
    name: zuplo
    keywords: [zpka_]
    keywords_case: insensitive
    pattern: '(?<secret>zpka_[a-f0-9]{32}_[a-f0-9]{8})'
    validator: crc32-hex
    allow: {regexes: ['0{8}$'], stopwords: [example], paths: ['*/testdata/*']}
    examples: [zpka_3e6c4f7d39954ca29353b7ab88589b64_de26cd55]
    negative_examples: [zpka_00000000000000000000000000000000_00000000]
  - id: atlassian-like
    name: atlassian
    keywords: [ATATT3]
    pattern: '(?<secret>ATATT3[A-Za-z0-9_=-]{100,300}=[A-F0-9]{8})'
    validator: {name: crc32-hex, params: {separator: "=", covers: through_separator, case: upper}}
    max_length: 512
    enabled: false
    examples: [x]
    negative_examples: [y]
  - id: bech-like
    name: age
    keywords: [AGE-SECRET-KEY-1]
    pattern: '(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})'
    validator: {name: bech32, params: {hrp: age-secret-key-, case: upper}}
    confidence: low
    references: [https://age-encryption.org/v1]
    examples: [x]
    negative_examples: [y]
""",
    "catastrophic.yml": """rules:
  - id: backtrack
    name: catastrophic backtracking
    keywords: [a]
    pattern: '(?<secret>(a+)+b)'
    examples: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac]
    negative_examples: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac]
""",
    "errors.yml": """rules:
  - id: Bad_ID
    name: x
    keywords: ['']
    pattern: '(?<secret>[a-z'
    validator: no-such-validator
    unknown_key: 1
""",
    "anchors.yml": """base: &b
  name: anchored
  keywords: [anch_]
  pattern: '(?<secret>anch_[0-9]{10})'
  examples: [anch_0123456789]
  negative_examples: [anch_01]
rules:
  - <<: *b
    id: anchored-one
""",
    "deep.yml": "rules: " + "[" * 40 + "]" * 40 + "\n",
    "empty.yml": "",
    "flow.yml": "{rules: [{id: f, name: f, keywords: [f_], pattern: '(?<secret>f_[a-z]{4})', "
                "examples: [f_abcd], negative_examples: [f_ab]}]}\n",
}

CONFIGS = {
    "full.yml": """rules: [rules/extra.yml, rules/more]
enable_rules: [credit-card*]
disable_rules: [aws-*]
allow_paths: ['vendor/*', '*.min.js']
min_confidence: probable
fail_on: confirmed
baseline: .leakhound-baseline.json
format: sarif
revoke:
  enabled: true
  state_dir: /var/lib/leakhound
  routes:
    - url: https://revoke.example.com/hook
      rules: [github-*, npm-*]
      min_confidence: confirmed
      secret_env: LEAKHOUND_WEBHOOK_SECRET
      send: sha256
      timeout: 10
      connect_timeout: 2.5
      max_attempts: 5
serve:
  listen: 127.0.0.1:8080
  path: /github/secret-scanning
  max_body: 1048576
  max_connections: 1000
  timeout: 30
  threads: 4
  feedback: token_hash
  type_map:
    github_personal_access_token: [github-pat, github-fine-grained-pat]
    npm_access_token: npm-access-token
  reporters:
    - name: github
      key_id_header: Github-Public-Key-Identifier
      signature_header: Github-Public-Key-Signature
      keys_file: /etc/leakhound/github-keys.json
      keys_url: https://api.github.com/meta/public_keys/secret_scanning
""",
    "minimal.yml": "min_confidence: low\n",
    "empty.yml": "",
    "bad-key.yml": "revoke:\n  routes:\n    - url: ftp://x\n      bogus: 1\n",
    "limits.yml": "serve:\n  max_body: 63\n  max_connections: 0\n  timeout: 99999\n  threads: -1\n",
    "types.yml": "serve:\n  type_map: {a: [x], b: y, c: [z, '*']}\n  feedback: token_raw\n",
}


def fingerprint(rule, secret):
    sha = hashlib.sha256(secret.encode()).hexdigest()
    return hashlib.sha256(f"leakhound-fp-v1:{rule}:{sha}".encode()).hexdigest()[:32]


def baselines(tok):
    entries = [
        {"fingerprint": fingerprint("github-pat", tok["ghp"]), "rule_id": "github-pat",
         "path": "config/app.env", "reason": "rotated 2024-05-01", "owner": "team-infra",
         "expires": "2030-12-31"},
        {"fingerprint": fingerprint("npm-access-token", tok["npm"]),
         "rule_id": "npm-access-token", "path": ".npmrc"},
        {"fingerprint": fingerprint("slack-bot-token", "x"), "rule_id": "slack-bot-token"},
    ]
    entries.sort(key=lambda e: e["fingerprint"])
    lines = ",\n".join("    " + json.dumps(e) for e in entries)
    return {
        "three.json": '{\n  "version": 1,\n  "entries": [\n' + lines + "\n  ]\n}\n",
        "empty.json": '{\n  "version": 1,\n  "entries": []\n}\n',
        "bad-date.json": '{"version": 1, "entries": [{"fingerprint": "%s", "rule_id": "x", '
                         '"expires": "2023-02-30"}]}' % fingerprint("x", "y"),
        "dup.json": '{"version": 1, "entries": [{"fingerprint": "%s", "rule_id": "x"}, '
                    '{"fingerprint": "%s", "rule_id": "x"}]}' % ((fingerprint("x", "y"),) * 2),
        "unknown.json": '{"version": 1, "entries": [], "extra": true}',
        "version2.json": '{"version": 2, "entries": []}',
    }


def texts(tok):
    out = {}
    for kind, t in tok.items():
        out[f"tok-{kind}.txt"] = f"# {kind}\nexport TOKEN=\"{t}\"\n"
    out["env-mixed.env"] = "REGION=eu-west-1\nGITHUB_TOKEN=%s\nNPM_TOKEN=%s # leakhound:allow\n" % (
        tok["ghp"], tok["npm"])
    out["aws-pair.csv"] = "User name,Access key ID,Secret access key\nci,%s,%s\n" % (
        tok["aws"], "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq9Qm4TvXs")
    out["near-miss.txt"] = "token: %s\n" % (tok["ghp"][:-1] + ("A" if tok["ghp"][-1] != "A" else "B"))
    out["latin1.txt"] = b"caf\xe9 \xff\xfe ghp_" + tok["ghp"][4:].encode() + b"\n\x80\x80"
    out["utf8-columns.txt"] = "\u00e9\u00e9\u00e9 \U0001f511 %s\n" % tok["glsa"]
    out["pem.txt"] = ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
                      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                      "QyNTUxOQAAACDkRj0Vq8mZ3l9Zb1m7Zk1Zr0Wc2c8h8Yk4Ue2Qm6d4oAAAAJg=\n"
                      "-----END OPENSSH PRIVATE KEY-----\n")
    out["placeholders.txt"] = "TOKEN=${GITHUB_TOKEN}\nKEY={{ api_key }}\nghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
    out["keywords-only.txt"] = "ghp_ gho_ npm_ glsa_ sk-ant- AKIA xoxb- AGE-SECRET-KEY-1 eyJ " * 4
    out["empty.txt"] = ""
    # regression (issue #9): a malformed PEM block that made the PEM rule backtrack to the
    # PCRE2 limit and give up on the region, hiding the real key after it
    out["regress-pem-backtracking.txt"] = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t\n"
        + "n" * 300 + "\n\nsome text\n-----BEGIN RSA PRIVATE KEY-----\n"
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
        "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
        "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo\n"
        "-----END RSA PRIVATE KEY-----\n")
    return out


def encoded_texts(tok):
    """Texts with the ghp token hidden by each decoder (decode and detect corpora)."""
    import base64
    import urllib.parse
    t = tok["ghp"]
    b = base64.b64encode(t.encode()).decode()
    bb = base64.b64encode(b.encode()).decode()
    auth = base64.b64encode(("octocat:" + t).encode()).decode()
    cfg = base64.b64encode(('{"auths":{"ghcr.io":{"auth":"%s"}}}' % auth).encode()).decode()
    kube = base64.encodebytes(("users:\n- name: ci\n  user:\n    token: %s\n" % t).encode())
    wrapped = "".join("    " + line + "\n" for line in kube.decode().split())
    return {
        "enc-k8s-secret.yaml": "apiVersion: v1\nkind: Secret\ndata:\n  token: %s\n" % b,
        "enc-dockerconfigjson.yaml": "data:\n  .dockerconfigjson: %s\n" % cfg,
        "enc-double.txt": "blob = %s\n" % bb,
        "enc-url-safe.txt": "v = %s\n" % base64.urlsafe_b64encode(("?>" + t).encode()).decode(),
        "enc-wrapped.yaml": "data:\n  kubeconfig: |\n" + wrapped,
        "enc-percent.txt": "url: https://ci.test/hook?token=%s&x=1\n" % (
            "".join("%%%02X" % ord(c) for c in t[:4]) + t[4:]),
        "enc-percent-twice.txt": "u=%s\n" % urllib.parse.quote(
            "".join("%%%02X" % ord(c) for c in t), safe=""),
        "enc-escape.json": '{"token": "%s"}\n' % (
            "".join("\\u%04x" % ord(c) for c in t[:4]) + t[4:]),
        "enc-escape-mixed.json": '{"u": "https:\\/\\/x.test\\/\\x41 \\ud83d\\ude00 \\"q\\" %s"}\n' % t,
        "enc-hex.txt": "h = %s\n" % t.encode().hex(),
    }


def spool_records(tok):
    def rid(url, key):
        return hashlib.sha256(f"{url}\n{key}".encode()).hexdigest()[:16]

    url = "https://revoke.example.com/hook"
    recs = []
    for i, k in enumerate(["ghp", "npm", "glsa"]):
        key = hashlib.sha256(tok[k].encode()).hexdigest()
        body = json.dumps({"token": tok[k], "type": k, "url": "https://github.com/o/r/blob/x"})
        recs.append({"v": 1, "op": "queued", "id": rid(url, key), "ts": 1700000000 + i, "key": key,
                     "url": url, "secret_env": "HOOK_SECRET", "rule_id": f"{k}-rule", "route": 0,
                     "body": body})
    ids = [r["id"] for r in recs]
    keys = [r["key"] for r in recs]
    recs.append({"v": 1, "op": "lease", "id": ids[0], "ts": 1700000100, "pid": 1,
                 "until": 4102444800})
    recs.append({"v": 1, "op": "deferred", "id": ids[1], "ts": 1700000200, "attempts": 3,
                 "status": 503, "error": "HTTP 503"})
    recs.append({"v": 1, "op": "done", "id": ids[2], "ts": 1700000300, "key": keys[2], "url": url,
                 "rule_id": "glsa-rule", "route": 0, "queued_at": 1700000002, "attempts": 1,
                 "status": 200})
    recs.append({"v": 1, "op": "failed", "id": ids[1], "ts": 1700000400, "key": keys[1], "url": url,
                 "rule_id": "npm-rule", "route": 0, "queued_at": 1700000001, "attempts": 5,
                 "status": 410, "error": "HTTP 410"})
    lines = [json.dumps(r, separators=(",", ":")) for r in recs]
    return {
        "journal.jsonl": "\n".join(lines) + "\n",
        "torn-tail.jsonl": "\n".join(lines[:4]) + "\n" + lines[4][: len(lines[4]) // 2],
        "corrupt-middle.jsonl": lines[0] + "\n{not json\n" + "\n".join(lines[1:]) + "\n",
        "queued-only.jsonl": lines[0] + "\n",
        "unknown-op.jsonl": '{"v":1,"op":"exploded","id":"%s","ts":1}\n' % ids[0],
        "empty.jsonl": "",
    }


def pem_key():
    r = subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"],
                       check=True, capture_output=True)
    pub = subprocess.run(["openssl", "ec", "-pubout"], input=r.stdout, check=True,
                         capture_output=True)
    return pub.stdout.decode()


def keyrings():
    k1, k2 = pem_key(), pem_key()
    lst = {"public_keys": [
        {"key_identifier": "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a",
         "key": k1, "is_current": False},
        {"key_identifier": "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c",
         "key": k2, "is_current": True}]}
    return {
        "github.json": json.dumps(lst, indent=2),
        "one.json": json.dumps({"public_keys": lst["public_keys"][:1]}),
        "no-keys.json": '{"public_keys": []}',
        "bad-pem.json": '{"public_keys": [{"key_identifier": "a", "key": "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n"}]}',
        "not-object.json": "[1, 2, 3]",
    }


def requests(tok):
    reqs = {}
    body = json.dumps([
        {"token": tok["ghp"], "type": "github_personal_access_token",
         "url": "https://github.com/octo/repo/blob/abc/config.env", "source": "content"},
        {"token": tok["npm"], "type": "npm_access_token", "url": "", "source": "commit"},
        {"token": "ghp_notarealtokenatallnotarealtokenatall", "type": "github_personal_access_token",
         "url": "https://example.com", "source": "issue"},
        {"token": tok["glsa"], "type": "unmapped_type"},
    ])
    for flags, name in [(1, "signed"), (3, "signed-raw"), (5, "signed-spool-down"),
                        (9, "signed-tiny-cap")]:
        reqs[f"{name}.bin"] = bytes([flags]) + b"\n" + body.encode()
    reqs["unsigned.bin"] = b"\x00Github-Public-Key-Identifier: abc\nGithub-Public-Key-Signature: " \
                           b"MEUCIQDg==\n\n" + body.encode()
    reqs["bad-der.bin"] = b"\x00Github-Public-Key-Identifier: fuzz-key-1\n" \
                          b"Github-Public-Key-Signature: AAAA\n\n[]"
    reqs["signed-empty-array.bin"] = b"\x01\n[]"
    reqs["signed-not-array.bin"] = b'\x01\n{"token": "x"}'
    reqs["signed-bad-element.bin"] = b'\x01\n[{"token": 1}]'
    reqs["signed-dup-keys.bin"] = b'\x01\n[{"token": "a", "token": "b"}]'
    reqs["signed-nested.bin"] = b"\x01\n" + b"[" * 64 + b"]" * 64
    return reqs


def git_indexes():
    """Real .git/index files: versions 2, 3 (intent-to-add) and 4, with and without TREE."""
    import tempfile
    out = {}
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a",
               GIT_COMMITTER_EMAIL="a@b")
    with tempfile.TemporaryDirectory() as d:
        def git(*a):
            subprocess.run(["git", *a], cwd=d, env=env, check=True, capture_output=True)

        def idx():
            return pathlib.Path(d, ".git", "index").read_bytes()

        git("init", "-q")
        for rel in ["a.txt", "src/main.c", "src/lib/util.c", "docs/x/y/z.md", "b c.txt"]:
            p = pathlib.Path(d, rel)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(rel + "\n")
        git("add", "-A")
        out["v2-no-tree.idx"] = idx()
        git("commit", "-qm", "one")
        out["v2-tree.idx"] = idx()
        pathlib.Path(d, "new.txt").write_text("n\n")
        git("add", "-N", "new.txt")
        out["v3-intent-to-add.idx"] = idx()
        git("update-index", "--index-version", "4")
        out["v4.idx"] = idx()
        pathlib.Path(d, "src/main.c").write_text("changed\n")
        git("add", "src/main.c")
        out["v4-invalidated-tree.idx"] = idx()
    out["truncated.idx"] = out["v2-tree.idx"][:40]
    return out


YAML_TEXTS = {
    "kinds.yml": """---
plain: value
single: 'it''s'
double: "tab\\tnul\\0end \\u00e9"
literal: |
  line one
  line two
folded: >-
  folded
  text
empty:
tagged: !!int 42
local: !custom {a: 1}
verbatim: !<tag:example.com,2000:x> [1, 2]
anchor: &a {k: [x, y]}
alias: [*a, *a]
? [complex, key]
: flow
block:
  - one
  - - nested
    - {deep: [1, [2, [3]]]}
...
""",
    "directives.yml": "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "recursive.yml": "a: &a [*a, *a]\n",
    "empty.yml": "",
}


def git_packs():
    """Real packs in fuzz_pack's framing (4-byte big-endian .idx length, .idx, .pack): offset
    deltas of a growing file, and the same history stored uncompressed."""
    import struct
    import tempfile
    out = {}
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a",
               GIT_COMMITTER_EMAIL="a@b")
    with tempfile.TemporaryDirectory() as d:
        def git(*a):
            subprocess.run(["git", *a], cwd=d, env=env, check=True, capture_output=True)

        def pack():
            pd = pathlib.Path(d, ".git", "objects", "pack")
            idx = sorted(pd.glob("*.idx"))[0]
            data = idx.read_bytes()
            return struct.pack(">I", len(data)) + data + idx.with_suffix(".pack").read_bytes()

        git("init", "-q")
        lines = []
        for i in range(6):
            lines.append(f"line {i}: token = value-{i * 7919}\n")
            pathlib.Path(d, "f.txt").write_text("".join(lines) * 3)
            git("add", "f.txt")
            git("commit", "-qm", f"c{i}")
        git("repack", "-adf", "--depth=10", "--window=10")
        out["deltas.pack"] = pack()
        git("-c", "pack.compression=0", "repack", "-adf")
        out["uncompressed.pack"] = pack()
    return out


def main():
    tok = tokens()
    for name, data in git_indexes().items():
        put("gitindex", name, data)
    for name, data in git_packs().items():
        put("pack", name, data)
    for f in sorted((ROOT / "rules").glob("*.yml")):
        put("rules", f"builtin-{f.name}", f.read_bytes())
    for name, text in RULE_EDGE_CASES.items():
        put("rules", name, text)
    for name, text in CONFIGS.items():
        put("config", name, text)
    for name, text in baselines(tok).items():
        put("baseline", name, text)
    for name, data in texts(tok).items():
        put("detect", name, data)
    for name, data in encoded_texts(tok).items():
        put("detect", name, data)
        put("decode", name, data)
    for name, data in requests(tok).items():
        put("server", name, data)
    for name, data in keyrings().items():
        put("keyring", name, data)
    for name, data in spool_records(tok).items():
        put("spool", name, data)
    for name, text in YAML_TEXTS.items():
        put("rules", f"yaml-{name}", text)


if __name__ == "__main__":
    main()
