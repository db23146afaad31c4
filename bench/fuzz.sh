#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one libFuzzer harness for a given time.
#
#   bench/fuzz.sh NAME SECONDS [extra libFuzzer flags...]     e.g. bench/fuzz.sh detect 600
#   bench/fuzz.sh --list
#
# Builds build/fuzz (clang, -DLH_FUZZ=ON: -fsanitize=fuzzer,address,undefined) if needed,
# then fuzzes tests/fuzz/fuzz_NAME.c niced, with the committed seeds fixtures/fuzz/NAME/
# (read-only) and a working corpus build/fuzz/corpus/NAME/ (new inputs land there, so the
# committed seeds stay small; copy a few interesting ones over by hand). A crash, leak,
# timeout (10 s per input) or RSS over 2 GiB is saved as fixtures/fuzz/NAME-crashes/<kind>-<sha1>,
# which the ordinary build's ctest test fuzz_NAME then replays forever. Prints the
# executions per second and the corpus size at the end. Exit status: libFuzzer's (0 clean).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ "${1:-}" = "--list" ]; then
    for f in tests/fuzz/fuzz_*.c; do n=${f##*/fuzz_}; echo "${n%.c}"; done
    exit 0
fi
name=${1:?usage: bench/fuzz.sh NAME SECONDS [libFuzzer flags] (bench/fuzz.sh --list)}
secs=${2:?usage: bench/fuzz.sh NAME SECONDS}
shift 2
[ -f "tests/fuzz/fuzz_$name.c" ] || { echo "no harness tests/fuzz/fuzz_$name.c" >&2; exit 2; }
command -v clang >/dev/null || scripts/deps.sh fuzz

build=$root/build/fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-g -O1" \
        -DLH_FUZZ=ON -DLH_BUILD_TESTS=OFF >/dev/null
fi
nice -n 19 cmake --build "$build" -j"$(nproc)" --target "fuzz_$name" >/dev/null

corpus=$build/corpus/$name
crashes=$root/fixtures/fuzz/$name-crashes
mkdir -p "$corpus" "$crashes"
dict=()
[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
log=$build/fuzz-$name.log
echo "fuzzing $name for $secs s (log: $log)"
set +e
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    nice -n 19 "$build/fuzz_$name" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "$@" \
    "$corpus" "fixtures/fuzz/$name" >"$log" 2>&1
rc=$?
set -e
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: [0-9]*' || true)
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
echo "RESULT $name: ${secs}s, ${execs:-?} execs, ${speed:-?} exec/s, $cov," \
    "corpus $files files / $bytes bytes, exit $rc"
if [ $rc -ne 0 ]; then
    grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" | head -20 >&2
fi
exit $rc
