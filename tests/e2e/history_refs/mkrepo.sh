#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the many-refs fixture of tests/e2e/history_refs: a repository with 50 files edited
# by each of 90 commits on main, one row each (4,500 blob versions, more than the history input's
# threshold for reading by delta family), repacked into delta chains up to 50 deep, and 500 refs:
# main, 56 branches and 39 tags at commits along main, 400 refs/pull/N/head, and a side line
# (feat-a, feat-b, feat-c, tag v-secret) around a commit that adds secret 1; secret 2 is
# added on main by commit 40 and removed by commit 70. Also writes DIR.expect1 and
# DIR.expect2: the listed refs (heads, tags) whose trees still hold each secret, from
# `git grep`, the oracle the test compares `history` with.
#
#   mkrepo.sh DIR SECRET1 SECRET2
set -eu
dir=$1 s1=$2 s2=$3
git init -q -b main "$dir"
cd "$dir"
git config user.name 'Ada Lovelace'
git config user.email ada@example.com
awk -v s2="$s2" 'BEGIN {
    t = 1700000000
    for (c = 1; c <= 90; c++) {
        print "commit refs/heads/main"
        print "mark :" c
        print "committer Ada Lovelace <ada@example.com> " (t + c * 60) " +0000"
        msg = "commit " c
        print "data " length(msg); print msg
        if (c > 1) print "from :" (c - 1)
        for (f = 1; f <= 50; f++) {
            # each commit rewrites one row: versions far apart differ much, neighbours little
            val[f, c % 60] = "commit " c " value " (c * f * 7919 % 10007)
            body = ""
            for (i = 0; i < 60; i++) body = body "file " f " row " i " " val[f, i] "\n"
            print "M 100644 inline src/f" f ".txt"
            print "data " length(body); printf "%s", body
        }
        if (c == 40) {
            sec = "# deploy\nGITHUB_TOKEN=" s2 "\n"
            print "M 100644 inline deploy/env.sh"
            print "data " length(sec); printf "%s", sec
        }
        if (c == 70) print "D deploy/env.sh"
        print ""
    }
}' | git fast-import --quiet
git checkout -q -f main
git checkout -q -b feat-a main~30
printf 'API_TOKEN = "%s"\n' "$s1" > config.py
git add config.py
git commit -q -m 'add config' --date='2023-11-15T10:00:00Z'
git tag v-secret
git checkout -q -b feat-b
git rm -q config.py
git commit -q -m 'remove config' --date='2023-11-15T11:00:00Z'
git checkout -q -b feat-c v-secret
echo extra > extra.txt
git add extra.txt
git commit -q -m 'more' --date='2023-11-15T12:00:00Z'
git checkout -q main
secret=$(git rev-parse v-secret)
{
    i=1
    while [ $i -le 56 ]; do echo "create refs/heads/b$i main~$((i + 10))"; i=$((i + 1)); done
    i=1
    while [ $i -le 39 ]; do echo "create refs/tags/t$i main~$((i * 2))"; i=$((i + 1)); done
    i=1
    while [ $i -le 400 ]; do
        case $((i % 4)) in
        0) echo "create refs/pull/$i/head $secret" ;;
        1) echo "create refs/pull/$i/head refs/heads/feat-b" ;;
        *) echo "create refs/pull/$i/head main~$((i % 89))" ;;
        esac
        i=$((i + 1))
    done
} | git update-ref --stdin
git repack -q -a -d -f --depth=50 --window=50
git prune-packed
git pack-refs --all
for n in 1 2; do
    eval "s=\$s$n"
    git for-each-ref --format='%(refname)' refs/heads refs/tags | while read -r r; do
        if git grep -q -F "$s" "$r" --; then echo "$r"; fi
    done > "$dir.expect$n"
done
