#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Full-size hostile inputs (issue #9; the CI tests in tests/e2e/hardening are scaled down):
# generates each input under a temporary directory, runs the release build of leakhound on
# it under GNU time, and prints one line per case: exit status, peak RSS and wall time.
#
#   bench/hostile.sh [KEEP_DIR]      (needs ~3 GB of free disk for the 1 GB blob)
#
# Cases: a 100 MB single-line file with tokens in it (scanned with --max-file-size 200M) and
# the same file under the default 25 MiB cap (skipped with a warning); a 24 MB .env and
# .htpasswd whose every line is a candidate of the whole-file rules; 100,000 tiny files;
# a 300-level tree and paths beyond PATH_MAX; symlink loops, FIFOs and devices with
# --follow-symlinks; 100 MB of random non-UTF-8 bytes (--scan-binary); git history with a
# 1 GB blob (skipped by its header), a corrupt pack, and refs/objects that are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ -x /usr/bin/time ] || scripts/deps.sh bench
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
lh=$root/build/release/leakhound
work=${1:-$(mktemp -d /tmp/lh-hostile-XXXXXX)}
mkdir -p "$work"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT
export LEAKHOUND_CACHE_DIR=$work/cache GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
tok=$(python3 scripts/mktoken.py --seed 1 ghp)
tok2=$(python3 scripts/mktoken.py --seed 2 ghp)
G="git -c user.name=a -c user.email=a@example.com -c gc.auto=0"

# run NAME DIR ARGS...: one result line; reports go to $work/NAME.out/.err
run() {
    local name=$1 dir=$2
    shift 2
    local t="$work/time.txt"
    set +e
    (cd "$dir" && /usr/bin/time -v -o "$t" "$lh" "$@" >"$work/$name.out" 2>"$work/$name.err")
    local rc=$?
    set -e
    local rss wall
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$t")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$t")
    printf '%-44s exit %-3s peak RSS %8s MB  wall %s  (report %s bytes)\n' "$name" "$rc" "$rss" \
        "$wall" "$(stat -c %s "$work/$name.out")"
}

echo "leakhound $("$lh" --version | cut -d' ' -f2), $(nproc) cores, work dir $work"

# --- one 100 MB line, keyword-dense, tokens in the middle and at the end
mkdir -p "$work/line"
python3 - "$work/line/one-line.min.js" "$tok" <<'PY'
import sys
path, tok = sys.argv[1], sys.argv[2]
chunk = b"data=ghp_short npm_x glsa_ AKIA xoxb- sk-ant- eyJhbG -----BEGIN zpka_ ATATT3 ;"
size = 100 * 1024 * 1024
with open(path, "wb") as f:
    block = chunk * (1024 * 1024 // len(chunk))
    written = 0
    while written < size:
        if written >= size // 2 and written < size // 2 + len(block):
            f.write(b" " + tok.encode() + b" ")
        f.write(block)
        written += len(block)
    f.write(b" " + tok.encode() + b"\n")
PY
run "scan 100 MB single line" "$work/line" scan --no-config --threads 2 --format json \
    --max-file-size 200M one-line.min.js
run "scan 100 MB single line (25 MiB cap: skip)" "$work/line" scan --no-config --threads 2 \
    one-line.min.js

# --- credential files at the size cap: whole-file rules (no keywords) run their pattern over
# all of it; every line of the .env is a candidate for the dotenv rules' long alternations
mkdir -p "$work/cred"
python3 - "$work/cred" "$tok" <<'PY'
import sys
root, tok = sys.argv[1], sys.argv[2]
size = 24 * 1024 * 1024
env = "export " + "_".join(["A" * 39] * 6) + '_PASSWORD = "' + "x" * 200 + "\n"
htp = "u" * 250 + ":$apr1$" + "a" * 200 + "\n"
for name, line in ((".env", env), (".htpasswd", htp)):
    with open(f"{root}/{name}", "w") as f:
        for _ in range(size // len(line)):
            f.write(line)
        if name == ".env":
            f.write("DB_PASSWORD=Zq8Lm3Np7Rt2Vw6Xy1Bc5Df9\n")
PY
run "scan 2 x 24 MB hostile credential files" "$work" scan --no-config --threads 2 \
    --format json cred

# --- 100,000 tiny files
mkdir -p "$work/tiny"
python3 - "$work/tiny" "$tok" <<'PY'
import os, sys
root, tok = sys.argv[1], sys.argv[2]
for d in range(100):
    os.makedirs(f"{root}/d{d:03d}", exist_ok=True)
    for i in range(1000):
        with open(f"{root}/d{d:03d}/f{i:04d}.txt", "w") as f:
            f.write(tok if (d, i) == (57, 421) else "x=1\n")
PY
run "scan 100,000 tiny files" "$work" scan --no-config --threads 2 --format json tiny

# --- deep trees: 300 levels; and 90 levels of 60-character names (paths > PATH_MAX)
python3 - "$work/deep" "$tok" <<'PY'
import os, sys
root, tok = sys.argv[1], sys.argv[2]
os.makedirs(root + "/d" * 300, exist_ok=True)
open(root + "/d" * 10 + "/t.env", "w").write("T=" + tok + "\n")
fd = os.open(root, os.O_RDONLY)
name = "x" * 60
for _ in range(90):
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
with open(os.open("bottom.env", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
    f.write("T=" + tok + "\n")
PY
run "scan deep trees (300 levels, paths > PATH_MAX)" "$work" scan --no-config --format json deep

# --- symlink loops, FIFOs, devices
mkdir -p "$work/links/a/b"
printf 'T=%s\n' "$tok" >"$work/links/a/b/t.env"
ln -s ../.. "$work/links/a/b/up"
ln -s . "$work/links/a/here"
ln -s self "$work/links/a/self"
ln -s /dev/zero "$work/links/zero"
mkfifo "$work/links/fifo"
run "scan symlink loops (--follow-symlinks)" "$work" scan --no-config --follow-symlinks \
    --format json links

# --- 100 MB of random bytes (not UTF-8), NULs replaced so it is not skipped as binary
mkdir -p "$work/bin"
python3 - "$work/bin/random.dat" "$tok" <<'PY'
import os, sys
path, tok = sys.argv[1], sys.argv[2]
with open(path, "wb") as f:
    for i in range(100):
        f.write(os.urandom(1024 * 1024).replace(b"\0", b"\x80"))
        if i == 50:
            f.write(b" T=" + tok.encode() + b" ")
PY
run "scan 100 MB non-UTF-8 bytes" "$work/bin" scan --no-config --max-file-size 200M \
    --format json random.dat

# --- git: a 1 GB blob, a corrupt pack, missing objects
git -c init.defaultBranch=main init -q "$work/repo"
(cd "$work/repo" && printf 'T=%s\n' "$tok" >a.env && $G add -A && $G commit -qm one &&
    head -c 1073741824 /dev/zero | tr '\0' a >huge.bin && printf '\nT=%s\n' "$tok2" >>huge.bin &&
    $G add -A && $G commit -qm huge && rm huge.bin)
run "history with a 1 GB blob (skipped by header)" "$work/repo" history --no-config --format json
run "history with a 1 GB blob (--max-file-size 2G)" "$work/repo" history --no-config \
    --max-file-size 2G --format json

git -c init.defaultBranch=main init -q "$work/corrupt"
(cd "$work/corrupt" && printf 'T=%s\n' "$tok" >a.env &&
    for i in $(seq 2000); do head -c 2000 /dev/urandom | base64 >"f$i.txt"; done &&
    $G add -A && $G commit -qm files && $G repack -q -a -d && $G prune-packed &&
    p=$(ls .git/objects/pack/*.pack) && s=$(stat -c %s "$p") &&
    head -c $((s / 2)) /dev/urandom | dd of="$p" bs=1M seek=$((s / 4)) oflag=seek_bytes \
        conv=notrunc status=none)
run "history over a corrupt pack (2000 blobs)" "$work/corrupt" history --no-config --format json

git -c init.defaultBranch=main init -q "$work/missing"
(cd "$work/missing" && printf 'T=%s\n' "$tok" >a.env && $G add -A && $G commit -qm one &&
    printf 'T=%s\n' "$tok2" >b.env && $G add -A && $G commit -qm two &&
    echo 0123456789abcdef0123456789abcdef01234567 >.git/refs/heads/ghost &&
    b=$($G rev-parse HEAD:b.env) && rm -f ".git/objects/${b:0:2}/${b:2}")
run "history with missing ref target and blob" "$work/missing" history --no-config --format json

echo "reports and stderr: $work/*.out, $work/*.err"
