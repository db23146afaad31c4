#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install packages, build the release binary,
# scan a directory (default: fixtures/demo). Extra arguments go to `leakhound scan`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
if [ $# -eq 0 ]; then set -- fixtures/demo; fi
exec build/release/leakhound scan "$@"
