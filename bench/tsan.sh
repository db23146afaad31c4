#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the tsan preset's tests (ThreadSanitizer build, build/tsan), as scripts/test.sh does
# after the debug run.
#
#   bench/tsan.sh [CTEST REGEX]      default: every test (e.g. 'server|hardening')
#
# Criterion 2.4 cannot run under TSan, so in this preset the test runners link an
# uninstrumented copy of the core, and every process they spawn (LH_BIN) is the TSan
# build; ctest's TSAN_OPTIONS gives a report exit code 88 and the support library forwards
# it, which fails the test (CMakeLists.txt, docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset tsan >/dev/null
nice -n 19 cmake --build build/tsan -j"$(nproc)"
ctest --test-dir build/tsan --output-on-failure -j"$(nproc)" ${1:+-R "$1"}
