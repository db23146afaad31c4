#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails (exit 1) when any C source or header under src/, tests/, bench/ or fuzz/ differs from
# what clang-format makes of it with the checked-in .clang-format; names each differing file.
# Usage: scripts/check_format.sh [SOURCE_DIR]   (ctest entry `clang_format`; fix with -i)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$cf" ]; then
    echo "check_format.sh: clang-format not installed (scripts/deps.sh test installs it)" >&2
    exit 1
fi
cd "$root"
bad=0
while IFS= read -r -d '' f; do
    if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "check_format.sh: $f differs from .clang-format (run: $cf -i $f)" >&2
        bad=$((bad + 1))
    fi
done < <(find src tests bench fuzz -type f \( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null)
if [ "$bad" -gt 0 ]; then
    echo "check_format.sh: FAIL: $bad file(s) not formatted" >&2
    exit 1
fi
echo "check_format.sh: all C files formatted"
