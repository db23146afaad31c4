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
    -n ripgrep-floor "$out/floor.sh"
python3 - "$out/dir.json" <<'EOS'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
lh, rg = r["leakhound"]["mean"], r["ripgrep-floor"]["mean"]
print(f"RATIO leakhound/ripgrep = {lh / rg:.2f}  (leakhound {lh*1000:.1f} ms, ripgrep {rg*1000:.1f} ms; target <= 2.0)")
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
