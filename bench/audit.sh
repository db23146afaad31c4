#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Re-audit benchmark: `leakhound history --db` of a repository with a cold scan database, then
# again with nothing changed (warm). Target: warm <= 0.1x cold.
#
#   bench/audit.sh [--threads N] [--url] [REPO]      REPO default: /work/.mirror/curl+curl/repo
#
# --url audits file://REPO instead of the path, so the cold run includes mirroring it into
# the cache and the warm run a fetch that finds nothing new. Also prints the summary lines
# (blobs scanned and skipped), the peak RSS of the cold run, whether both runs reported the
# same findings, and the database's size. Exit status 1 when warm > 0.1x cold.
# LEAKHOUND=/path/to/leakhound skips building build/release and times that binary instead.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=$(nproc) url=0
while [ $# -gt 0 ]; do
    case $1 in
    --threads) threads=$2; shift 2 ;;
    --url) url=1; shift ;;
    -*) echo "audit.sh: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
    esac
done
repo=${1:-/work/.mirror/curl+curl/repo}
[ -d "$repo" ] || { echo "audit.sh: no repository '$repo'" >&2; exit 2; }
lh=${LEAKHOUND:-}
if [ -z "$lh" ]; then
    cmake --preset release >/dev/null
    cmake --build build/release -j"$(nproc)" --target leakhound >/dev/null
    lh=$PWD/build/release/leakhound
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LEAKHOUND_CACHE_DIR="$out/cache"
target=$repo
[ "$url" = 1 ] && target="file://$(realpath "$repo")"
"$lh" scan -q --exit-code 0 /dev/null >/dev/null 2>&1 || true # compiled-rules cache warm

run() { # label -> seconds on stdout, the summary line to $out/$1.txt
    local t0 t1
    t0=$(date +%s.%N)
    # exit 4 when an archive inside a blob is corrupt (curl's history has a few): not the
    # benchmark's business, the summary line says so
    /usr/bin/time -f '%M' -o "$out/$1.rss" "$lh" history "$target" --db "$out/audit.db" \
        --threads "$threads" --exit-code 0 --format jsonl -o "$out/$1.jsonl" 2>"$out/$1.txt" ||
        true
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
cold=$(run cold)
warm=$(run warm)
echo "repository:  $target ($(git --git-dir="$repo" for-each-ref | wc -l) refs)"
echo "cold:        $(printf '%.2f' "$cold") s  peak RSS $(( $(tail -1 "$out/cold.rss") / 1024 )) MB"
echo "             $(grep -h 'finding' "$out/cold.txt" | tail -1)"
echo "warm:        $(printf '%.2f' "$warm") s"
echo "             $(grep -h 'finding' "$out/warm.txt" | tail -1)"
ratio=$(echo "$warm / $cold" | bc -l)
echo "warm/cold:   $(printf '%.3f' "$ratio") (target <= 0.1)"
cmp -s <(sort "$out/cold.jsonl") <(sort "$out/warm.jsonl") && echo "reports:     identical" ||
    echo "reports:     DIFFER"
echo "database:    $(du -h "$out/audit.db" | cut -f1)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 0.1) }'
