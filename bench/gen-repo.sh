#!/usr/bin/env bash
# Synthetic git repository for the history and staged benchmarks (and CI-sized runs).
#
#   bench/gen-repo.sh [--commits N] [--files N] [--size KB] [--branches N] [--seed N]
#                     [--bare] DIR
#
# Builds DIR with `git fast-import`: an initial tree of --files source-like text files of
# about --size KB each, then --commits commits that each edit a few files (insert, change
# and delete lines, so consecutive versions delta well), now and then add, rename or delete
# a file or commit a binary blob, on main and --branches topic branches that are merged back.
# A few commits plant token-shaped strings (not checksum-valid, so they are not findings).
# The result is repacked the way `git gc` packs (delta chains of depth 50), so reading it
# costs what reading a real repository costs. Same seed, same repository (fixed dates).
# Defaults (3000 commits, 2000 files of 8 KB) give about 90 MB of blob content.
# With --files 40000 --commits 20 you get a large work tree for `leakhound staged`.
set -euo pipefail
commits=3000 files=2000 size=8 branches=4 seed=1 bare=0
while [ $# -gt 1 ]; do
    case $1 in
    --commits) commits=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --branches) branches=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --bare) bare=1; shift ;;
    *) echo "gen-repo.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
dir=${1:?usage: bench/gen-repo.sh [--commits N] [--files N] [--size KB] [--branches N] [--seed N] [--bare] DIR}
if [ -e "$dir" ]; then
    echo "gen-repo.sh: '$dir' exists; remove it first" >&2
    exit 2
fi
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
if [ "$bare" = 1 ]; then
    git -c init.defaultBranch=main init -q --bare "$dir"
    gitdir=$dir
else
    git -c init.defaultBranch=main init -q "$dir"
    gitdir=$dir/.git
fi

python3 - "$commits" "$files" "$size" "$branches" "$seed" <<'EOS' | git --git-dir="$gitdir" fast-import --quiet --done
import random, sys

commits, nfiles, size_kb, nbranches, seed = (int(x) for x in sys.argv[1:6])
rnd = random.Random(seed)
out = sys.stdout.buffer
WORDS = ("alpha beta gamma delta state buffer config request handle parse value index "
         "result error count offset length token client server socket retry timeout "
         "cache entry node tree blob commit ref path name data flags mode size").split()
DIRS = ["src", "src/net", "src/util", "lib", "docs", "tests", "tests/unit", "include",
        "tools", "examples"]
EXTS = [".c", ".h", ".py", ".md", ".txt", ".json", ".yml", ".sh"]

def line():
    k = rnd.randrange(6)
    w = [rnd.choice(WORDS) for _ in range(rnd.randrange(3, 9))]
    if k == 0:
        return "    /* %s */" % " ".join(w)
    if k == 1:
        return "    %s = %s(%s, %d);" % (w[0], "_".join(w[1:3]), w[-1], rnd.randrange(1000))
    if k == 2:
        return "if (%s->%s > %d) {" % (w[0], w[1], rnd.randrange(100))
    if k == 3:
        return "}"
    return " ".join(w)

def new_file():
    n = max(4, size_kb * 1024 // 36)
    return [line() for _ in range(rnd.randrange(n // 2, n + n // 2))]

def name(i):
    return "%s/%s_%d%s" % (DIRS[i % len(DIRS)], rnd.choice(WORDS), i, EXTS[i % len(EXTS)])

def blob(lines):
    data = ("\n".join(lines) + "\n").encode()
    out.write(b"data %d\n" % len(data))
    out.write(data)
    out.write(b"\n")

def edit(lines):
    for _ in range(rnd.randrange(1, 6)):
        op = rnd.randrange(3)
        i = rnd.randrange(len(lines)) if lines else 0
        if op == 0 or not lines:
            lines.insert(i, line())
        elif op == 1:
            lines[i] = line()
        else:
            del lines[i]
    if rnd.random() < 0.01:
        # token-shaped, but no valid checksum: exercises the prefilter, not a finding
        lines.insert(0, "TOKEN = 'ghp_%s'" % "".join(
            rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(36)))

tree = {}
mark = 0
when = 1600000000

def commit(ref, msg, parent, changes, merge=None):
    global mark, when
    mark += 1
    when += 60
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.write(b"author Bench <bench@example.com> %d +0000\n" % when)
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
    m = msg.encode()
    out.write(b"data %d\n%s\n" % (len(m), m))
    if parent:
        out.write(b"from :%d\n" % parent)
    if merge:
        out.write(b"merge :%d\n" % merge)
    for kind, path, lines in changes:
        if kind == "M":
            out.write(b"M 100644 inline %s\n" % path.encode())
            blob(lines)
        elif kind == "B":
            out.write(b"M 100644 inline %s\n" % path.encode())
            data = bytes(rnd.randrange(256) for _ in range(4096)) + b"\0"
            out.write(b"data %d\n" % len(data))
            out.write(data)
            out.write(b"\n")
        else:
            out.write(b"D %s\n" % path.encode())
    return mark

changes = []
for i in range(nfiles):
    p = name(i)
    tree[p] = new_file()
    changes.append(("M", p, tree[p]))
head = commit("refs/heads/main", "initial import", None, changes)
branch_heads = {}
next_file = nfiles
for c in range(1, commits):
    changes = []
    paths = list(tree.keys()) if c % 200 == 1 else paths
    for p in rnd.sample(paths, min(len(paths), rnd.randrange(1, 8))):
        if p not in tree:
            continue
        edit(tree[p])
        changes.append(("M", p, tree[p]))
    r = rnd.random()
    if r < 0.02:
        p = name(next_file)
        next_file += 1
        tree[p] = new_file()
        changes.append(("M", p, tree[p]))
    elif r < 0.03 and len(tree) > 10:
        p = rnd.choice(paths)
        if p in tree:
            del tree[p]
            changes.append(("D", p, None))
    elif r < 0.035:
        changes.append(("B", "assets/blob_%d.bin" % c, None))
    elif r < 0.04 and len(tree) > 10:
        # a rename: the same blob at a new path
        p = rnd.choice(paths)
        if p in tree and not any(ch[1] == p for ch in changes):
            q = name(next_file)
            next_file += 1
            tree[q] = tree.pop(p)
            changes.append(("D", p, None))
            changes.append(("M", q, tree[q]))
    if nbranches and c % 50 == 0:
        b = "refs/heads/topic-%d" % (c // 50 % nbranches)
        base = branch_heads.get(b, head)
        bchanges = []
        for p in rnd.sample(paths, 3):
            if p in tree:
                lines = list(tree[p])
                edit(lines)
                bchanges.append(("M", p, lines))
        branch_heads[b] = commit(b, "topic work %d" % c, base, bchanges)
        if c % 100 == 0:
            head = commit("refs/heads/main", "merge %s" % b, head, changes, branch_heads[b])
            continue
    head = commit("refs/heads/main", "change %d" % c, head, changes)
out.write(b"done\n")
EOS

git --git-dir="$gitdir" repack -adq --depth=50 --window=50
git --git-dir="$gitdir" tag -a v1.0 -m "release" main~$((commits / 3)) 2>/dev/null || true
if [ "$bare" = 0 ]; then
    git -C "$dir" checkout -q -f main
fi
blob_bytes=$(git --git-dir="$gitdir" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '$1 == "blob" { n++; s += $2 } END { printf "%d blobs, %.1f MB", n, s / 1e6 }')
echo "gen-repo.sh: $dir: $(git --git-dir="$gitdir" rev-list --all --count) commits, $blob_bytes"
