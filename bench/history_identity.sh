#!/usr/bin/env bash
# Output identity of two leakhound builds on `history`: the sorted JSONL findings (commit,
# refs, fingerprints and all) and the summary's counts must be the same.
#
#   bench/history_identity.sh BASE_BINARY NEW_BINARY REPO...
#
# For each REPO, runs `history --format jsonl --threads 2` with both binaries, sorts the
# findings, and prints IDENTICAL (with the number of findings and the digest) or DIFFERENT
# with the first lines of the diff; the summary line ("N findings ... in M blobs (S MB) ...;
# skipped ...; U unreadable") is compared without its duration. Exit status: 0 if every
# repository is identical, 1 otherwise. Used to check performance work that must not change
# what is reported (bench/README.md).
set -uo pipefail
base=${1:?usage: bench/history_identity.sh BASE_BINARY NEW_BINARY REPO...}
new=${2:?usage: bench/history_identity.sh BASE_BINARY NEW_BINARY REPO...}
shift 2
[ $# -gt 0 ] || { echo "history_identity.sh: no repository given" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export LEAKHOUND_CACHE_DIR="$out/cache"
status=0
for repo in "$@"; do
    for which in base new; do
        bin=$base
        [ "$which" = new ] && bin=$new
        "$bin" history --format jsonl --threads 2 --output "$out/$which.jsonl" "$repo" \
            2> "$out/$which.err"
        echo "exit $?" >> "$out/$which.err"
        sort "$out/$which.jsonl" > "$out/$which.sorted"
        # the summary without its duration, and the exit status
        grep -E ' findings? \(|^exit ' "$out/$which.err" | sed -E 's/ in [0-9.]+ s;/;/' \
            > "$out/$which.summary"
    done
    n=$(wc -l < "$out/new.sorted")
    digest=$(sha256sum < "$out/new.sorted" | cut -c1-16)
    if cmp -s "$out/base.sorted" "$out/new.sorted" &&
        cmp -s "$out/base.summary" "$out/new.summary"; then
        echo "IDENTICAL $repo: $n findings, sha256 $digest; $(head -1 "$out/new.summary")"
    else
        echo "DIFFERENT $repo:"
        diff "$out/base.summary" "$out/new.summary" | head -5
        diff "$out/base.sorted" "$out/new.sorted" | head -10
        status=1
    fi
done
exit $status
