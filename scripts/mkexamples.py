#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fill synthetic examples into rule files, or print them.

Rule authors write markers where an example token belongs and run this script once; the
markers are replaced in place by fresh random values, so every example in rules/*.yml is
synthetic (never a leaked credential) and, for checksummed formats, checksum-valid.

    @@gen TEMPLATE@@   a random string of the template's shape. The template is a tiny
                       regex subset: literals, escapes (\\. \\- \\\\ \\$ \\/ ...), classes
                       such as [A-Za-z0-9_-] and the shorthands \\d \\h (lower hex) \\H
                       (upper hex), each optionally followed by {n} or {n,m}.
    @@b64json TEXT@@   standard base64 (padded) of TEXT, after the markers inside TEXT are
                       filled (for tokens that are base64 of JSON).
    @@tok KIND@@       a checksum-valid token from scripts/mktoken.py (see its --list), plus
                       the kinds added below (more Azure key kinds, GitLab prefixes).

A marker may carry a `#name` suffix (`@@gen#a ...@@`) to reuse the same value within one
rule, e.g. a token inside a `{text, secret}` example and the same token as its `secret`.
Markers are replaced before YAML parses the file: inside double-quoted YAML strings write
`\h`, not `\\h`.

    python3 scripts/mkexamples.py --fill rules/digitalocean.yml
    python3 scripts/mkexamples.py 'dop_v1_\\h{64}'       # print one value
    python3 scripts/mkexamples.py --tok azure-ml         # print one token
"""

import argparse
import importlib.util
import os
import random
import re
import string
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("mktoken", os.path.join(HERE, "mktoken.py"))
mktoken = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mktoken)

rng = random.SystemRandom()

# Extra Microsoft HIS v1 kinds (reference §2.8 table): signature, key bytes, seed, url-safe,
# base62 only. mktoken.py covers one seed per kind; these add the remaining ones the
# catalogue uses so that every seed of a rule has an example.
mktoken.HIS_KINDS.update({
    "azure-ml": ("+AMC", 64, "Classic0", False, False),
    "azure-eventgrid": ("AZEG", 32, 0x53656E6452656376, False, False),
    "azure-search-admin": ("AzSe", 39, "PAdmin00", True, True),
    "azure-cosmos-ro": ("ACDb", 64, "MastRO00", False, False),
    "azure-apim-direct": ("APIM", 64, "Tenant00", False, False),
    "azure-iot-device": ("AIoT", 32, "Device00", False, False),
    "azure-functions-master": ("AzFu", 40, "Master00", True, False),
})

EXTRA = {
    "gldt": lambda: mktoken.gitlab("gldt-"),
    "glrt": lambda: mktoken.gitlab("glrt-t1_"),
    "glcbt": lambda: mktoken.gitlab("glcbt-"),
    "glft": lambda: mktoken.gitlab("glft-"),
    "gloas": lambda: mktoken.gitlab("gloas-"),
    "age-pq": lambda: mktoken.bech32_encode("age-secret-key-pq-", mktoken.rand_bytes(32)).upper(),
    "jwt-rs256": lambda: jwt_with({"alg": "RS256", "kid": mktoken.rand_str(mktoken.ALNUM, 8)}, 256),
}


def jwt_with(header, sig_bytes):
    """A structurally valid JWT with the given header and a random signature."""
    import json
    import time
    claims = {"iss": "https://auth.example.com/", "sub": mktoken.rand_str(mktoken.ALNUM, 12),
              "aud": "api", "exp": int(time.time()) + 3600}
    enc = [mktoken.b64(json.dumps(x, separators=(",", ":")).encode(), url=True, pad=False)
           for x in (header, claims)]
    return ".".join(enc + [mktoken.b64(mktoken.rand_bytes(sig_bytes), url=True, pad=False)])

CLASSES = {
    "d": string.digits,
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "w": string.ascii_letters + string.digits + "_",
}


def parse_class(t, i):
    """Parses [...] at t[i]; returns (alphabet, next index)."""
    assert t[i] == "["
    i += 1
    chars = []
    while t[i] != "]":
        c = t[i]
        if c == "\\":
            i += 1
            c = t[i]
            if c in CLASSES:
                chars.extend(CLASSES[c])
                i += 1
                continue
        if i + 2 < len(t) and t[i + 1] == "-" and t[i + 2] != "]":
            lo, hi = c, t[i + 2]
            chars.extend(chr(x) for x in range(ord(lo), ord(hi) + 1))
            i += 3
            continue
        chars.append(c)
        i += 1
    return "".join(dict.fromkeys(chars)), i + 1


def gen(template):
    out = []
    i = 0
    while i < len(template):
        c = template[i]
        if c == "[":
            alphabet, i = parse_class(template, i)
        elif c == "\\":
            nxt = template[i + 1]
            alphabet = CLASSES.get(nxt, nxt)
            i += 2
        else:
            alphabet = c
            i += 1
        lo = hi = 1
        m = re.match(r"\{(\d+)(?:,(\d+))?\}", template[i:])
        if m:
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            i += m.end()
        n = rng.randint(lo, hi)
        if len(alphabet) == 1:
            out.append(alphabet * n)
        else:
            # random bodies; reject a run of 4 identical characters (a look of filler)
            while True:
                s = "".join(rng.choice(alphabet) for _ in range(n))
                if not re.search(r"(.)\1\1\1", s):
                    break
            out.append(s)
    return "".join(out)


def tok(kind):
    if kind in EXTRA:
        return EXTRA[kind]()
    if kind not in mktoken.KINDS and kind in mktoken.HIS_KINDS:
        return mktoken.his_key(kind)
    if kind not in mktoken.KINDS:
        raise SystemExit("unknown token kind %r" % kind)
    return mktoken.KINDS[kind][1]()


MARKER = re.compile(r"@@(gen|tok)(?:#(\w+))? (.+?)@@")
B64JSON = re.compile(r"@@b64json(?:#\w+)? (.+?)@@")


def fill(path):
    text = open(path).read()
    named = {}

    def repl(m):
        kind, name, arg = m.group(1), m.group(2), m.group(3)
        key = (kind, name, arg)
        if name and key in named:
            return named[key]
        value = gen(arg) if kind == "gen" else tok(arg)
        if name:
            named[key] = value
        return value

    # named values are scoped to one rule: a new `- id:` line starts a fresh scope
    out = []
    for line in text.split("\n"):
        if re.match(r"\s*- id:", line):
            named.clear()
        line = MARKER.sub(repl, line)
        out.append(B64JSON.sub(lambda m: mktoken.b64(m.group(1).encode()), line))
    new = "\n".join(out)
    if new != text:
        open(path, "w").write(new)
    return len(MARKER.findall(text))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("template", nargs="?", help="print one value of this shape")
    ap.add_argument("--fill", nargs="+", metavar="FILE", help="replace markers in place")
    ap.add_argument("--tok", metavar="KIND", help="print one checksum-valid token")
    ap.add_argument("-n", type=int, default=1)
    args = ap.parse_args()
    if args.fill:
        for p in args.fill:
            print("%s: %d markers filled" % (p, fill(p)))
    for _ in range(args.n):
        if args.tok:
            print(tok(args.tok))
        elif args.template:
            print(gen(args.template))
    return 0


if __name__ == "__main__":
    sys.exit(main())
