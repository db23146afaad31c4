#!/usr/bin/env bash
# History-scan benchmark: `leakhound history` against the floor of reading every object.
#
#   bench/history.sh [--runs N] [--threads N] REPO
#   bench/history.sh --staged [--files N] [DIR]
#
# History: the floor is `git cat-file --batch-all-objects --batch --unordered`, which reads
# (inflates, in pack order) every object of REPO once and does nothing with it; leakhound
# must walk the refs, commits and trees, read every reachable blob and scan it. Both run in
# the same hyperfine session (alternating runs, so a noisy machine hurts both alike) and the
# script prints the wall-time ratio, the CPU-time ratio (user + sys, which a loaded machine
# does not distort), leakhound's blob bytes per second, its peak RSS (from /usr/bin/time -v)
# and the load average before and after. Targets: ratio <= 1.2 and peak RSS < 1 GB on a
# repository with 3 GB or more of blob content (e.g. `git clone --mirror` of
# github.com/curl/curl: about 17,900 refs with refs/pull/*, 87,000 commits).
#
# LEAKHOUND=/path/to/leakhound skips building build/release and times that binary instead.
#
# Staged: builds (once) a work tree of --files files (default 40000) with bench/gen-repo.sh
# in DIR (default /tmp/leakhound-bench-staged), stages a two-file change and times
# `leakhound staged` with the compiled-rules cache warm. Target: < 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5 threads=$(nproc) staged=0 files=40000
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --staged) staged=1; shift ;;
    --files) files=$2; shift 2 ;;
    -*) echo "history.sh: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
    esac
done
scripts/deps.sh bench
lh=${LEAKHOUND:-}
if [ -z "$lh" ]; then
    cmake --preset release >/dev/null
    cmake --build build/release -j"$(nproc)" --target leakhound >/dev/null
    lh=$PWD/build/release/leakhound
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LEAKHOUND_CACHE_DIR="$out/cache"

if [ "$staged" = 1 ]; then
    dir=${1:-/tmp/leakhound-bench-staged}
    if [ ! -d "$dir/.git" ]; then
        bench/gen-repo.sh --files "$files" --commits 20 --size 2 --branches 0 "$dir"
    fi
    git -C "$dir" reset -q --hard
    printf 'one more line\n' >> "$dir/$(git -C "$dir" ls-files | sed -n 10p)"
    printf 'NEW = "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"\n' > "$dir/staged-new.txt"
    git -C "$dir" add -A
    echo "work tree: $dir ($(git -C "$dir" ls-files | wc -l) files), staged: 2 files"
    "$lh" staged -q --exit-code 0 "$dir" >/dev/null # warm the rules cache and page cache
    # the same process start, rules and detector, scanning one small file: the fixed part
    printf 'REGION=eu-west-1\n' > "$out/small.env"
    hyperfine -N -w 3 -r 30 --export-json "$out/staged.json" \
        -n staged "$lh staged -q --exit-code 0 $dir" \
        -n startup "$lh scan -q --exit-code 0 $out/small.env"
    python3 - "$out/staged.json" <<'EOS'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
x, s = r["staged"], r["startup"]
print(f"STAGED {x['mean']*1000:.1f} ms mean, {x['min']*1000:.1f} ms min, "
      f"{x['max']*1000:.1f} ms max (target < 50 ms); "
      f"`scan` of one small file in the same run: {s['mean']*1000:.1f} ms mean")
EOS
    git -C "$dir" reset -q --hard
    exit 0
fi

repo=${1:?usage: bench/history.sh [--runs N] [--threads N] REPO}
read -r nblobs blob_bytes < <(git -C "$repo" cat-file --batch-all-objects \
    --batch-check='%(objecttype) %(objectsize)' | awk '$1 == "blob" { n++; s += $2 } END { printf "%d %.0f\n", n, s }')
echo "repository: $repo ($(git -C "$repo" rev-list --all --count) commits," \
    "$nblobs blobs, $((blob_bytes / 1000000)) MB of blob content), threads: $threads"

cmd="$lh history --quiet --threads $threads --format json --output /dev/null $repo"
# warm the rules cache and the page cache; leakhound exits 1 on findings, 4 on unreadable
# objects (partial clones): hyperfine -i accepts both
$cmd || true
git -C "$repo" cat-file --batch-all-objects --batch --unordered >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
hyperfine -N -i -w 1 -r "$runs" --export-json "$out/history.json" \
    -n floor "git -C $repo cat-file --batch-all-objects --batch --unordered" \
    -n leakhound "$cmd"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -v $cmd 2> "$out/time.txt" || true
rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$out/time.txt")
python3 - "$out/history.json" "$blob_bytes" "$rss" "$load_before" "$load_after" "$(nproc)" <<'EOS'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
blob_bytes, rss_kb = int(sys.argv[2]), int(sys.argv[3])
lh, floor = r["leakhound"]["mean"], r["floor"]["mean"]
sd = {k: v["stddev"] or 0.0 for k, v in r.items()}  # None with --runs 1
print(f"RATIO leakhound/floor = {lh / floor:.2f}  (leakhound {lh:.2f} s ± {sd['leakhound']:.2f},"
      f" floor {floor:.2f} s ± {sd['floor']:.2f}; target <= 1.2)")
cpu = {k: v["user"] + v["system"] for k, v in r.items()}
print(f"CPU RATIO leakhound/floor = {cpu['leakhound'] / cpu['floor']:.2f}  (user+sys: leakhound"
      f" {cpu['leakhound']:.1f} s, floor {cpu['floor']:.1f} s; a loaded machine distorts wall"
      f" time, not this)")
print(f"LOAD average {sys.argv[4]} before, {sys.argv[5]} after, on {sys.argv[6]} cores")
print(f"THROUGHPUT {blob_bytes / lh / 1e6:.0f} MB/s of blob content")
print(f"PEAK RSS {rss_kb / 1024:.0f} MB (target < 1024 MB)")
EOS
