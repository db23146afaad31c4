#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install packages, build the debug build with
# ASan+UBSan and warnings as errors, run every test (unit, integration, rules check); then
# the same for the tsan preset (ThreadSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
# Test artifacts (the HTML report's screenshots, tests/e2e/report_html) are copied to
# artifacts/ at the top of the tree when the script ends, passed or failed: the one path a CI
# job keeps (docs/report.md).
keep_artifacts() {
    if compgen -G "build/debug/artifacts/*" >/dev/null; then
        mkdir -p artifacts
        cp -f build/debug/artifacts/* artifacts/
        echo "test artifacts: $(pwd)/artifacts/ ($(ls artifacts | tr '\n' ' '))"
    fi
}
trap keep_artifacts EXIT
cmake --preset debug >/dev/null
cmake --build build/debug -j"$(nproc)"
ctest --test-dir build/debug --output-on-failure -j"$(nproc)"
# Then the ThreadSanitizer build: every test's spawned leakhound (scan pool, history,
# serve) and rules_check run under TSan; any report fails the test (exit code 88,
# tests/support). See docs/fuzzing.md for what the tsan preset runs and why.
cmake --preset tsan >/dev/null
cmake --build build/tsan -j"$(nproc)"
ctest --test-dir build/tsan --output-on-failure -j"$(nproc)"
