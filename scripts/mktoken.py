#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate fresh, checksum-valid (or structurally valid) tokens for leakhound's validators.

Every token is random and therefore not a live credential; the rule catalogue uses them as
`examples`, and tests/unit/validate checks that the C validators accept them. The algorithms
follow /work/shared/reference/partner-and-checksums.md part 2 and docs/validators.md; this file
is an independent second implementation of each of them in Python (standard library only).

    python3 scripts/mktoken.py ghp              # one ghp_ token
    python3 scripts/mktoken.py ado -n 3         # three Azure DevOps legacy PATs
    python3 scripts/mktoken.py --seed 7 wif     # reproducible output
    python3 scripts/mktoken.py --list           # every kind with its validator
"""

import argparse
import base64
import hashlib
import hmac
import json
import random
import secrets
import string
import sys
import time
import uuid
import zlib

ALNUM = string.digits + string.ascii_uppercase + string.ascii_lowercase
B62 = ALNUM  # GitHub alphabet: digits, upper, lower
B36 = string.digits + string.ascii_lowercase
URLSAFE = ALNUM + "-_"
B64STD = ALNUM + "+/"
HEX = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
AAD_ALPHABET = string.ascii_lowercase + string.ascii_uppercase + "1234567890.-_~"

rng = secrets.SystemRandom()


# ---- primitives -------------------------------------------------------------------------

def rand_str(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_bytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def crc32(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def to_radix(value, alphabet):
    """Digits of value, most significant first; "" for 0."""
    out = ""
    while value:
        value, d = divmod(value, len(alphabet))
        out = alphabet[d] + out
    return out


def radix(value, alphabet, width):
    out = to_radix(value, alphabet)
    if len(out) > width:
        raise ValueError("value does not fit")
    return alphabet[0] * (width - len(out)) + out


def b64(data, url=False, pad=True):
    text = base64.urlsafe_b64encode(data) if url else base64.b64encode(data)
    text = text.decode()
    return text if pad else text.rstrip("=")


def crc16_xmodem(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def marvin32(seed, data):
    """Microsoft Marvin32 folded to 32 bits (p0 ^ p1)."""
    m = 0xFFFFFFFF
    p0, p1 = seed & m, (seed >> 32) & m

    def rotl(v, n):
        return ((v << n) | (v >> (32 - n))) & m

    def block(p0, p1):
        p1 ^= p0
        p0 = rotl(p0, 20)
        p0 = (p0 + p1) & m
        p1 = rotl(p1, 9)
        p1 ^= p0
        p0 = rotl(p0, 27)
        p0 = (p0 + p1) & m
        p1 = rotl(p1, 19)
        return p0, p1

    full = len(data) // 4 * 4
    for i in range(0, full, 4):
        p0 = (p0 + int.from_bytes(data[i:i + 4], "little")) & m
        p0, p1 = block(p0, p1)
    tail = 0x80
    for byte in reversed(data[full:]):
        tail = (tail << 8) | byte
    p0 = (p0 + tail) & m
    p0, p1 = block(p0, p1)
    p0, p1 = block(p0, p1)
    return p0 ^ p1


def seed_of(name):
    return int.from_bytes(name.encode("ascii"), "big") if isinstance(name, str) else name


def b58encode(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, d = divmod(n, 58)
        out = B58[d] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def bech32_encode(hrp, data, bech32m=False):
    five, acc, bits = [], 0, 0
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    const = 0x2BC830A3 if bech32m else 1
    pm = bech32_polymod(expanded + five + [0] * 6) ^ const
    check = [(pm >> (5 * (5 - i))) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[v] for v in five + check)


def luhn_digit(partial):
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:  # doubled once the check digit is appended
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


# ---- generators: checksum formats ---------------------------------------------------------

def github(prefix, body_len):
    body = rand_str(ALNUM, body_len)
    return prefix + body + radix(crc32(body.encode()), B62, 6)


def github_pat():
    head = "github_pat_11" + rand_str(string.digits + string.ascii_uppercase, 8)
    head += rand_str(ALNUM, 12) + "_" + rand_str(ALNUM, 43)
    digest = hashlib.sha256(head.encode()).digest()
    return head + base64.b32encode(digest).decode()[:8] + rand_str(ALNUM, 8)


def glsa():
    head = "glsa_" + rand_str(ALNUM, 32)
    return head + "_" + crc32(head.encode()).to_bytes(4, "little").hex()


def atlassian():
    head = "ATATT3xFfGF0" + rand_str(URLSAFE, 171) + "="
    return head + "%08X" % crc32(head.encode())


def zuplo():
    body = rand_str(HEX, 32)
    return "zpka_" + body + "_" + "%08x" % crc32(body.encode())


def confluent():
    body = rand_str(B64STD, 54)
    return "cflt" + body + b64(crc32(body.encode()).to_bytes(4, "little"))[:6]


def gitlab(prefix="glpat-"):
    payload = "\n".join(["g:" + to_radix(rng.randrange(1, 36**4), B36),
                         "o:" + to_radix(rng.randrange(1, 36**5), B36),
                         "u:" + to_radix(rng.randrange(1, 36**5), B36)]).encode()
    raw = rand_bytes(16) + payload + bytes([len(payload)])
    text = b64(raw, url=True, pad=False)
    encoded = prefix + text + ".01." + radix(len(text), B36, 2)
    return encoded + radix(crc32(encoded.encode()), B36, 7)


# Microsoft HIS v1 identifiable keys: (signature, key bytes, seed, url-safe, base62 only)
HIS_KINDS = {
    "azure-storage": ("+ASt", 64, "Default0", False, False),
    "azure-cosmos": ("ACDb", 64, "MastRW00", False, False),
    "azure-batch": ("+ABa", 64, "AbAcct00", False, False),
    "azure-apim": ("APIM", 64, "Gatewy00", False, False),
    "azure-redis": ("AzCa", 32, "Access00", False, False),
    "azure-iot": ("AIoT", 32, "IoTHub00", False, False),
    "azure-servicebus": ("+ASb", 32, "Send0000", False, False),
    "azure-eventhub": ("+AEh", 32, "Listen00", False, False),
    "azure-relay": ("+ARm", 32, "Manage00", False, False),
    "azure-functions": ("AzFu", 40, "Functi00", True, False),
    "azure-search": ("AzSe", 39, "Query000", True, True),
    "azure-acr": ("+ACR", 39, "ACRDflt0", False, False),
}


def his_key(kind):
    sig, nbytes, seed, urlsafe, base62_only = HIS_KINDS[kind]
    sig_bytes = base64.b64decode(sig)
    pad = ((nbytes - 7) * 8) % 6
    mask = {2: 0xFCFFFFFF, 4: 0xF0FFFFFF}.get(pad, 0xFFFFFFFF)
    while True:
        key = bytearray(rand_bytes(nbytes))
        word = (key[nbytes - 8] << 24) & mask
        word |= sig_bytes[0] << (16 + pad) | sig_bytes[1] << (8 + pad) | sig_bytes[2] << pad
        key[nbytes - 8:nbytes - 4] = word.to_bytes(4, "big")
        key[nbytes - 4:] = marvin32(seed_of(seed), bytes(key[:nbytes - 4])).to_bytes(4, "little")
        text = b64(bytes(key), url=urlsafe)
        if urlsafe and nbytes == 39:
            text = text.rstrip("=")
        if base62_only and any(c not in ALNUM for c in text):
            continue
        return text


def aad():
    head = rand_str(ALNUM, 3) + "8Q~" + rand_str(ALNUM + ".-_~", 31)
    return head + radix(marvin32(0x4161645077643030, head.encode("latin-1")), AAD_ALPHABET, 6)[:3]


def ado_pat(app=False):
    b = bytearray(rand_bytes(32))
    token = bytes(b[0:2] + b[3:7] + b[9:22] + b[23:32])
    check = crc32(token) ^ (0x1019F92E if app else 0xE0B9692D)
    b[22], b[8], b[7], b[2] = check.to_bytes(4, "little")
    return base64.b32encode(bytes(b)).decode().rstrip("=").lower()


def cask(long_form=False, provider="TEST"):
    year = B62[max(0, time.gmtime().tm_year - 2024) % 62]
    month = "ABCDEFGHIJKL"[time.gmtime().tm_mon - 1]
    head = rand_str(ALNUM, 52) + "JQQJ99" + year + month + rand_str(ALNUM, 16) + provider
    check = marvin32(seed_of("Default0"), base64.b64decode(head)).to_bytes(4, "little")
    # the library's base62 detour: big-endian number in base62, leading zero bytes as '0'
    n = int.from_bytes(check, "big")
    zeros = min(len(check) - len(check.lstrip(b"\0")), 3)
    digits = "0" * zeros + (to_radix(n, B62) or "0")
    text = b64(base64.b64decode((digits + "0" * (6 - len(digits)))[:6] + "=="))
    return head + (text if long_form else text[:4])


def stellar():
    raw = bytes([0x90]) + rand_bytes(32)
    raw += crc16_xmodem(raw).to_bytes(2, "little")
    return base64.b32encode(raw).decode()


def wif(testnet=False, compressed=False):
    payload = bytes([0xEF if testnet else 0x80]) + rand_bytes(32) + (b"\x01" if compressed else b"")
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return b58encode(payload + check)


def pan():
    partial = "4" + rand_str(string.digits, 14)
    return partial + luhn_digit(partial)


# ---- generators: structural formats -------------------------------------------------------

def jwt():
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode(),
                 url=True, pad=False)
    claims = {"sub": str(rng.randrange(10**9)), "iat": int(time.time())}
    payload = b64(json.dumps(claims, separators=(",", ":")).encode(), url=True, pad=False)
    sig = hmac.new(rand_bytes(32), (header + "." + payload).encode(), hashlib.sha256).digest()
    return header + "." + payload + "." + b64(sig, url=True, pad=False)


def pypi():
    def packet(kind, data):
        assert len(data) < 128
        return bytes([kind, len(data)]) + data
    ident = str(uuid.UUID(bytes=rand_bytes(16), version=4)).encode()
    caveat = json.dumps({"version": 1, "permissions": "user"}, separators=(",", ":")).encode()
    raw = bytes([2]) + packet(1, b"pypi.org") + packet(2, ident) + b"\0"
    raw += packet(2, caveat) + b"\0" + b"\0" + packet(6, rand_bytes(32))
    return "pypi-" + b64(raw, url=True, pad=False)


def grafana_cloud():
    doc = {"o": str(rng.randrange(10**5, 10**7)), "n": "stack-" + rand_str(string.digits, 6)
           + "-hm-read-token", "k": rand_str(ALNUM, 24), "m": {"r": "prod-us-east-0"}}
    return "glc_" + b64(json.dumps(doc, separators=(",", ":")).encode(), pad=False)


def sentry():
    doc = {"iat": round(time.time(), 6), "url": "https://sentry.io",
           "region_url": "https://us.sentry.io", "org": "example-" + rand_str(B36, 6)}
    return ("sntrys_" + b64(json.dumps(doc, separators=(",", ":")).encode()) + "_"
            + b64(rand_bytes(32)).rstrip("="))


def onepassword():
    doc = {"signInAddress": "my.1password.com",
           "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256", "iterations": 650000,
                        "salt": b64(rand_bytes(16), url=True, pad=False)},
           "email": rand_str(B36, 13) + "@1passwordserviceaccounts.com",
           "srpX": rand_bytes(32).hex(),
           "muk": {"alg": "A256GCM", "ext": True, "k": b64(rand_bytes(32), url=True, pad=False),
                   "key_ops": ["encrypt", "decrypt"], "kty": "oct", "kid": "mp"},
           "secretKey": "A3-" + rand_str(B32, 6) + "-" + rand_str(B32, 11),
           "deviceUuid": rand_str(B36, 26)}
    return "ops_" + b64(json.dumps(doc, separators=(",", ":")).encode(), url=True, pad=False)


def openai(kind="proj"):
    if kind == "legacy":
        return "sk-" + rand_str(ALNUM, 20) + "T3BlbkFJ" + rand_str(ALNUM, 20)
    side = 74 if kind == "proj" else 58
    return "sk-" + kind + "-" + rand_str(URLSAFE, side) + "T3BlbkFJ" + rand_str(URLSAFE, side)


def anthropic(kind="api03"):
    return "sk-ant-" + kind + "-" + rand_str(URLSAFE, 93) + "AA"


def aws_key_id(prefix="AKIA", account=None):
    account = rng.randrange(10**11, 10**12) if account is None else account
    while True:
        z = (1 << 47) * rng.getrandbits(1) | account << 7 | rng.getrandbits(7)
        text = base64.b32encode(z.to_bytes(6, "big") + rand_bytes(4)).decode()
        if text[0] not in "IJ":
            return prefix + text


# ---- command line -------------------------------------------------------------------------

KINDS = {
    "ghp": ("github-crc32", lambda: github("ghp_", 30)),
    "gho": ("github-crc32", lambda: github("gho_", 30)),
    "ghu": ("github-crc32", lambda: github("ghu_", 30)),
    "ghs": ("github-crc32", lambda: github("ghs_", 30)),
    "ghr": ("github-crc32", lambda: github("ghr_", 70)),
    "npm": ("github-crc32", lambda: github("npm_", 30)),
    "github_pat": ("github-pat-sha256-b32", github_pat),
    "glsa": ("crc32-le-hex", glsa),
    "atlassian": ("crc32-hex (separator '=', covers through_separator, case upper)", atlassian),
    "zuplo": ("crc32-hex (defaults)", zuplo),
    "cflt": ("crc32-le-b64", confluent),
    "glpat": ("gitlab-routable", gitlab),
    "aad": ("azure-aad-secret", aad),
    "ado": ("azure-devops-pat", ado_pat),
    "ado-app": ("azure-devops-pat", lambda: ado_pat(app=True)),
    "cask": ("cask", cask),
    "cask-long": ("cask", lambda: cask(long_form=True)),
    "stellar": ("crc16-xmodem", stellar),
    "wif": ("base58check", wif),
    "wif-compressed": ("base58check", lambda: wif(compressed=True)),
    "wif-testnet": ("base58check", lambda: wif(testnet=True, compressed=True)),
    "age": ("bech32 (hrp age-secret-key-, case upper)",
            lambda: bech32_encode("age-secret-key-", rand_bytes(32)).upper()),
    "nsec": ("bech32 (hrp nsec)", lambda: bech32_encode("nsec", rand_bytes(32))),
    "pan": ("luhn", pan),
    "jwt": ("jwt", jwt),
    "pypi": ("pypi-macaroon", pypi),
    "glc": ("base64-json (prefix glc_, required_keys o,n,k,m.r)", grafana_cloud),
    "sntrys": ("base64-json (split _, part 1, required_keys iat,url,org)", sentry),
    "ops": ("base64-json (prefix ops_, encoding url, required_keys signInAddress,userAuth)",
            onepassword),
    "openai": ("openai-marker", openai),
    "openai-legacy": ("openai-marker", lambda: openai("legacy")),
    "openai-svcacct": ("openai-marker", lambda: openai("svcacct")),
    "anthropic": ("anthropic-suffix", anthropic),
    "anthropic-admin": ("anthropic-suffix", lambda: anthropic("admin01")),
    "aws": ("aws-key-id", aws_key_id),
}
for _kind in HIS_KINDS:
    KINDS[_kind] = ("marvin-identifiable (signature %s, seeds %s)"
                    % (HIS_KINDS[_kind][0], HIS_KINDS[_kind][2]),
                    lambda k=_kind: his_key(k))


def main():
    global rng
    ap = argparse.ArgumentParser(description="Print fresh checksum-valid test tokens.")
    ap.add_argument("kind", nargs="?", help="token kind (see --list)")
    ap.add_argument("-n", "--count", type=int, default=1, help="how many tokens (default 1)")
    ap.add_argument("--seed", type=int, help="deterministic output (not for real secrets)")
    ap.add_argument("--list", action="store_true", help="list kinds and their validators")
    args = ap.parse_args()
    if args.list:
        for name, (validator, _) in KINDS.items():
            print("%-18s %s" % (name, validator))
        return 0
    if args.kind not in KINDS:
        ap.error("unknown kind %r; try --list" % args.kind)
    if args.seed is not None:
        rng = random.Random(args.seed)
    for _ in range(args.count):
        print(KINDS[args.kind][1]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
