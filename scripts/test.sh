#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install packages, build the debug build with
# ASan+UBSan and warnings as errors, run every test (unit, integration, rules check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
cmake --preset debug >/dev/null
cmake --build build/debug -j"$(nproc)"
ctest --test-dir build/debug --output-on-failure -j"$(nproc)"
