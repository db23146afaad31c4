#!/usr/bin/env bash
# Load test of `leakhound serve`, the secret scanning partner endpoint, with wrk.
#
#   bench/load.sh [SECONDS] [CONNECTIONS] [ATTACK]   (defaults: 60 s per batch size, 16, none)
#
# Loopback only, bounded in time (each wrk run is killed after SECONDS + 30 s). Builds a
# release binary in build/serve-rel, makes an EC P-256 key pair and key list, and three
# request bodies of 1, 10 and 100 tokens (half checksum-valid ghp_/npm_ tokens, half
# look-alikes with one character changed), each signed once with `openssl dgst` exactly
# as GitHub signs (ECDSA P-256 / SHA-256, base64 DER). For each batch size it runs wrk
# for SECONDS with bench/partner.lua while sampling the server's resident memory every
# second, then prints requests/s, tokens/s, p50/p99 latency, errors (non-2xx or socket)
# and memory: RSS after the first 10 s, at the end, and the peak (VmHWM). A run passes
# when it has no errors and the RSS at the end is within 10% (and 4 MiB) of the RSS at
# 10 s. Exit 0 when every run passes. The server runs with the access log on (to
# /dev/null), revocation off.
#
# ATTACK (issue 15) runs bench/attack.py against the same server for the whole test:
# `slowloris` (1000 connections trickling one header line every 3 s) or `bodyflood` (950
# connections each sending ~1 MB of a body with a bogus signature, then idling), both
# reopening whatever the server closes, from 100 loopback addresses. Under attack a run
# passes when the server's peak RSS stays under 200 MiB and it exits 0 on SIGTERM; answers
# other than 200 (503 when the body budget is spent) are counted and reported, not failed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
conns=${2:-16}
attack=${3:-none}
case $attack in none | slowloris | bodyflood) ;; *) echo "unknown attack '$attack'" >&2; exit 2 ;; esac
ulimit -n 8192 2>/dev/null || true # 1000 attackers and their server ends, plus headroom
scripts/deps.sh bench >/dev/null
cmake -S . -B build/serve-rel -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DLH_BUILD_TESTS=OFF >/dev/null
cmake --build build/serve-rel -j2 --target leakhound >/dev/null
lh=$PWD/build/serve-rel/leakhound

work=$(mktemp -d)
pid=""
apid=""
cleanup() {
    if [ -n "$apid" ] && kill -0 "$apid" 2>/dev/null; then
        kill -TERM "$apid"
        wait "$apid" || true
    fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
export LEAKHOUND_CACHE_DIR="$work/cache"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
python3 - "$work" <<'EOS'
import hashlib, json, random, sys, zlib
work = sys.argv[1]
pem = open(f"{work}/pub.pem").read()
kid = hashlib.sha256(pem.encode()).hexdigest()
open(f"{work}/key_id", "w").write(kid)
json.dump({"public_keys": [{"key_identifier": kid, "key": pem, "is_current": True}]},
          open(f"{work}/keys.json", "w"))
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
rng = random.Random(7)
def token(prefix):
    body = "".join(rng.choice(B62) for _ in range(30))
    c, cs = zlib.crc32(body.encode()), ""
    for _ in range(6):
        cs, c = B62[c % 62] + cs, c // 62
    return prefix + body + cs
for n in (1, 10, 100):
    items = []
    for i in range(n):
        t = token("ghp_" if i % 4 < 2 else "npm_")
        if i % 2:  # a look-alike: one character changed, the checksum fails
            t = t[:10] + ("A" if t[10] != "A" else "B") + t[11:]
        items.append({"token": t, "type": "github_personal_access_token" if t[:4] == "ghp_"
                      else "npm_access_token", "url": "https://github.com/o/r/blob/c/f",
                      "source": "content"})
    # compact and without a trailing newline: these bytes are what gets signed
    open(f"{work}/body{n}.json", "w").write(json.dumps(items, separators=(",", ":")))
port = __import__("socket").socket()
port.bind(("127.0.0.1", 0))
open(f"{work}/port", "w").write(str(port.getsockname()[1]))
port.close()
EOS
for n in 1 10 100; do
    openssl dgst -sha256 -sign "$work/key.pem" -out "$work/sig$n.der" "$work/body$n.json"
    base64 -w0 "$work/sig$n.der" > "$work/sig$n.txt"
done
port=$(cat "$work/port")
url="http://127.0.0.1:$port/github/secret-scanning"

"$lh" serve --no-config --listen "127.0.0.1:$port" --github-keys "$work/keys.json" \
    --threads 2 --max-connections 1000 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then break; fi
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; exit 1; }

# one request by hand: the labels must alternate true/false as the bodies were built
curl -sf "$url" -H "Github-Public-Key-Identifier: $(cat "$work/key_id")" \
    -H "Github-Public-Key-Signature: $(cat "$work/sig10.txt")" \
    --data-binary @"$work/body10.json" | python3 -c '
import json, sys
labels = [e["label"] for e in json.load(sys.stdin)]
want = ["true_positive" if i % 2 == 0 else "false_positive" for i in range(10)]
sys.exit(0 if labels == want else "unexpected labels: %s" % labels)'

if [ "$attack" != none ]; then
    python3 bench/attack.py "$attack" "$port" --key-id "$(cat "$work/key_id")" \
        > "$work/attack.txt" 2>&1 &
    apid=$!
    sleep 5 # let the attack take every slot (or the budget) first
    echo "under attack: $attack (bench/attack.py), started 5 s before the first run"
fi

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; }
ok=1
printf '%-6s %10s %11s %9s %9s %7s %10s %10s %10s\n' batch req/s tokens/s p50_ms p99_ms errors \
    rss@10s_MiB rss_end_MiB peak_MiB
for n in 1 10 100; do
    : > "$work/rss$n"
    ( while kill -0 "$pid" 2>/dev/null; do rss_kib >> "$work/rss$n"; sleep 1; done ) &
    sampler=$!
    LH_BODY="$work/body$n.json" LH_KEY_ID="$work/key_id" LH_SIGNATURE="$work/sig$n.txt" \
        timeout $((secs + 30)) wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s \
        -s bench/partner.lua "$url" > "$work/wrk$n.txt"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    res=$(grep '^LH_RESULT' "$work/wrk$n.txt")
    val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $res"; }
    rps=$(val rps)
    errs=$(( $(val non2xx) + $(val socket_errors) ))
    at10=$(sed -n '10p' "$work/rss$n")
    at10=${at10:-$(head -1 "$work/rss$n")}
    end=$(tail -1 "$work/rss$n")
    awk -v n="$n" -v rps="$rps" -v p50="$(val p50_ms)" -v p99="$(val p99_ms)" -v e="$errs" \
        -v a="$at10" -v z="$end" -v h="$(hwm_kib)" 'BEGIN {
            printf "%-6s %10s %11.0f %9s %9s %7s %10.1f %10.1f %10.1f\n", n, rps, rps * n,
                   p50, p99, e, a / 1024, z / 1024, h / 1024 }'
    growth=$((end - at10))
    if [ "$attack" != none ]; then
        if [ "$(hwm_kib)" -gt $((200 * 1024)) ]; then
            echo "  FAIL: peak RSS over 200 MiB under attack" >&2
            ok=0
        fi
        continue
    fi
    if [ "$errs" -ne 0 ]; then
        echo "  FAIL: $errs errors" >&2
        ok=0
    fi
    if [ "$growth" -gt 4096 ] && [ "$growth" -gt $((at10 / 10)) ]; then
        echo "  FAIL: resident memory grew by $growth KiB during the run" >&2
        ok=0
    fi
done
if [ -n "$apid" ]; then
    kill -TERM "$apid"
    wait "$apid" || true
    apid=""
    grep '^ATTACK_RESULT' "$work/attack.txt" || true
    curl -s "http://127.0.0.1:$port/metrics" | grep -E '^leakhound_serve_(connections_closed|body_budget_refusals)' || true
fi
kill -TERM "$pid"
st=0
wait "$pid" || st=$?
pid=""
if [ "$st" -ne 0 ]; then
    echo "FAIL: leakhound serve exited $st after SIGTERM" >&2
    ok=0
fi
[ "$ok" -eq 1 ] && echo "PASS" || { echo "FAIL"; exit 1; }
