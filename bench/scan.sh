#!/usr/bin/env bash
# Directory-scan benchmark: leakhound vs the ripgrep floor over the same tree, same threads.
#
#   bench/scan.sh DIR [THREADS]
#
# The floor is `rg -c` over a fixed-string alternation of every enabled rule's keywords
# (what any prefilter must at least do), with ripgrep told to read what leakhound reads
# (hidden and git-ignored files too, no .git, binary files skipped). Both run in the same
# hyperfine session; the script prints the wall-time ratio leakhound / ripgrep, then the
# single-small-file latency with the compiled-rules cache warm and cold.
#
# It also prints where leakhound's time goes and the least it could take: the same hyperfine
# session times both tools reading the tree for one literal that never matches (ripgrep
# -F, and leakhound with one such rule, no decoding, no archives: opening and reading the
# files, start-up included), and scancost (src/tools/scancost.c) times, on one thread with
# the files in memory, the Vectorscan pass of the built-in rules alone and with the rules'
# regexes. "lower bound" = leakhound's read time + the Vectorscan pass / THREADS: no scan
# with these rules on this machine can be faster, whatever else it saves.
#
# LEAKHOUND=/path/to/leakhound skips building build/release and times that binary instead
# (to compare two builds: the floor uses each binary's own keyword list).
# LEAKHOUND_ARGS="--max-decode-depth 0" adds options to every timed leakhound command
# (split on blanks), e.g. to measure what decoding costs.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: bench/scan.sh DIR [THREADS]}
threads=${2:-$(nproc)}
scripts/deps.sh bench
lh=${LEAKHOUND:-}
if [ -z "$lh" ]; then
    cmake --preset release >/dev/null
    cmake --build build/release -j"$(nproc)" >/dev/null
    lh=$PWD/build/release/leakhound
fi
# scancost of the same build (LEAKHOUND=...: the one next to that binary, if it has one)
scancost=${SCANCOST:-$(dirname "$lh")/scancost}
read -r -a extra <<< "${LEAKHOUND_ARGS:-}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LEAKHOUND_CACHE_DIR="$out/cache"

# keywords of the enabled rules, one per line, for `rg -F -f` (case-insensitive ones are
# searched case-sensitively here, which only makes the floor cheaper)
"$lh" rules list --format json | python3 -c 'import json,sys
seen=set()
for r in json.load(sys.stdin):
    if r["enabled"]:
        for k in r["keywords"]:
            if k not in seen:
                seen.add(k); print(k)' > "$out/keywords"
nkw=$(wc -l < "$out/keywords")
cat > "$out/floor.sh" <<EOS
#!/bin/sh
# exit 0: matches, 1: none; anything else (a usage error) must fail the benchmark
rg -c -F -f "$out/keywords" -uu --no-messages -g '!.git' -j $threads "$dir" >/dev/null
[ \$? -le 1 ]
EOS
chmod +x "$out/floor.sh"
cat > "$out/io.sh" <<EOS
#!/bin/sh
rg -c -F zqxjzqxjv -uu --no-messages -g '!.git' -j $threads "$dir" >/dev/null
[ \$? -le 1 ]
EOS
chmod +x "$out/io.sh"
cat > "$out/one.yml" <<'EOS'
rules:
  - id: io-probe
    name: A literal no file holds (times reading the tree)
    keywords: [zqxjzqxjv]
    pattern: '(?<secret>zqxjzqxjv[0-9]{8})'
EOS
# The floor must really search: it has to report matches in at least one file (an earlier
# version passed the keywords after `--`, so ripgrep searched for nothing in 19 ms).
nfloor=$(rg -c -F -f "$out/keywords" -uu --no-messages -g '!.git' -j "$threads" "$dir" | wc -l)
if [ "$nfloor" -eq 0 ]; then
    echo "bench: the ripgrep floor matched no file in $dir; refusing to report a ratio" >&2
    exit 1
fi

echo "tree: $dir ($(du -sh "$dir" | cut -f1), $(find "$dir" -type f | wc -l) files), threads: $threads, keywords: $nkw, files the floor matches: $nfloor"
"$lh" scan --quiet --exit-code 0 "${extra[@]}" "$dir" >/dev/null # warm the page cache and rules cache
[ ${#extra[@]} -eq 0 ] || echo "leakhound options: ${extra[*]}"
hyperfine -N -w 2 -r 10 --export-json "$out/dir.json" \
    -n leakhound "$lh scan --quiet --exit-code 0 --threads $threads --format jsonl ${extra[*]} $dir" \
    -n ripgrep-floor "$out/floor.sh" \
    -n leakhound-read "$lh scan --quiet --exit-code 0 --threads $threads --format jsonl --no-builtin-rules --rules $out/one.yml --max-decode-depth 0 --max-archive-depth 0 $dir" \
    -n ripgrep-read "$out/io.sh"
cost=none
if [ -x "$scancost" ]; then
    "$scancost" "$dir" 5 > "$out/cost.txt"
    cost=$out/cost.txt
fi
python3 - "$out/dir.json" "$cost" "$threads" <<'EOS'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
lh, rg = r["leakhound"]["mean"], r["ripgrep-floor"]["mean"]
print(f"RATIO leakhound/ripgrep = {lh / rg:.2f}  (leakhound {lh*1000:.1f} ms, ripgrep {rg*1000:.1f} ms; target <= 2.0)")
lr, rr = r["leakhound-read"]["mean"], r["ripgrep-read"]["mean"]
print(f"read the tree (one literal no file holds): leakhound {lr*1000:.1f} ms, ripgrep {rr*1000:.1f} ms")
if sys.argv[2] != "none":
    c = dict(l.split() for l in open(sys.argv[2]))
    pre, allm, first = float(c["prefilter_ms"]), float(c["matcher_ms"]), float(c["matcher_first_ms"])
    mb = int(c["bytes"]) / 1e6
    t = int(sys.argv[3])
    print(f"one thread, files in memory ({mb:.1f} MB): Vectorscan pass {pre:.1f} ms CPU, "
          f"with the rules' regexes {allm:.1f} ms ({first:.1f} ms on the first pass, which compiles them)")
    lb = lr + pre / 1000 / t
    print(f"LOWER BOUND read + Vectorscan/{t} = {lb*1000:.1f} ms = {lb / rg:.2f} of the floor")
EOS

small="$out/small.env"
printf 'REGION=eu-west-1\nGITHUB_TOKEN=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\n' > "$small"
hyperfine -N -w 3 -r 30 --export-json "$out/small.json" \
    -n small-warm "$lh scan --quiet --exit-code 0 ${extra[*]} $small" \
    -n small-nocache "$lh scan --quiet --exit-code 0 --no-cache ${extra[*]} $small"
python3 - "$out/small.json" <<'EOS'
import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    print(f"{x['command']}: {x['mean']*1000:.1f} ms mean, {x['max']*1000:.1f} ms max (target warm < 20 ms)")
EOS
