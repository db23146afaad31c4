#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the end-to-end tests that start `leakhound serve` (and the threaded scan/history
# hardening tests) against a ThreadSanitizer build of the binary.
#
#   bench/tsan.sh [CRITERION FILTER]      default: the http, partner and hardening tests
#
# Why not simply `ctest --preset tsan`: Criterion 2.4 cannot start under TSan ("Could not
# initialize inheritable arena": BoxFort probes random addresses for its shared arena and
# TSan has reserved them), so the test *runners* are built without sanitizers in
# build/tsan-e2e, and the leakhound binary they start (LH_BIN) is replaced by the TSan build
# from build/tsan (`cmake --preset tsan`). Every TSan report of every server process goes to
# $out/tsan.<pid>; the script fails if there is any. In-process tests (the handler, the
# spool) still run uninstrumented here.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/lh-tsan-XXXXXX)
cmake --preset tsan >/dev/null
nice -n 19 cmake --build build/tsan -j"$(nproc)" --target leakhound >/dev/null
cmake -S . -B build/tsan-e2e -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-g -O1" \
    -DLH_WERROR=ON >/dev/null
nice -n 19 cmake --build build/tsan-e2e -j"$(nproc)" --target test_http test_partner test_hardening >/dev/null
cp build/tsan/leakhound build/tsan-e2e/leakhound
export TSAN_OPTIONS="log_path=$out/tsan second_deadlock_stack=1"
export LEAKHOUND_CACHE_DIR=$PWD/build/tsan-e2e/test-cache
rc=0
(cd build/tsan-e2e && ./test_http --jobs 2) || rc=1
(cd build/tsan-e2e && ./test_partner --jobs 2) || rc=1
(cd build/tsan-e2e && ./test_hardening --jobs 2 --filter "${1:-*}") || rc=1
reports=$(find "$out" -type f | wc -l)
if [ "$reports" -ne 0 ]; then
    echo "ThreadSanitizer reports: $reports (in $out)" >&2
    head -60 "$out"/* >&2
    exit 1
fi
rm -rf "$out"
echo "no ThreadSanitizer reports"
exit $rc
