#!/usr/bin/env bash
# The Debian package end to end: a release build of the source tree, `cpack -G DEB`, then
# checks on the .deb itself (Depends names the dlopened libgit2, libcurl and libmicrohttpd
# next to the linked libraries, and every dependency is installed here, so the package is
# installable on this machine), extraction into a fresh root with dpkg-deb, and the extracted
# binary scanning with its embedded rules: a file, and the history of a real repository
# (which loads libgit2 on first use). Usage: deb.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
build=$work/pkg-build
root=$work/pkg-root
rm -rf "$root" "$work/pkg-t"
mkdir -p "$work"
fail() {
    echo "deb.sh: FAIL: $*" >&2
    exit 1
}

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLH_BUILD_TESTS=OFF \
    -DLH_SANITIZE= -DLH_WERROR=ON "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG -D_FORTIFY_SOURCE=2" \
    >"$work/pkg-configure.log"
cmake --build "$build" -j2 --target leakhound >"$work/pkg-build.log"
rm -f "$build"/leakhound_*.deb
(cd "$build" && cpack -G DEB >"$work/pkg-cpack.log") || {
    cat "$work/pkg-cpack.log" >&2
    fail "cpack -G DEB failed"
}
deb=$(ls "$build"/leakhound_*.deb)
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# ---- the control file ----
info=$(dpkg-deb -f "$deb" Package Version Architecture Depends)
echo "$info"
depends=$(dpkg-deb -f "$deb" Depends)
for pkg in libgit2-1.5 libcurl4 libmicrohttpd12; do
    # dlopened on first use: dpkg-shlibdeps cannot see them
    grep -Eq "(^|, )$pkg( |,|$)" <<<"$depends" || fail "Depends lacks the dlopened $pkg: $depends"
done
for pkg in libc6 libpcre2-8-0 libyaml-0-2 libjansson4; do
    # linked: found by dpkg-shlibdeps
    grep -Eq "(^|, )$pkg( |,|$)" <<<"$depends" || fail "Depends lacks the linked $pkg: $depends"
done
# every dependency is installed here at a version that satisfies it
IFS=',' read -ra deps <<<"$depends"
for d in "${deps[@]}"; do
    d=$(sed 's/^ *//; s/ *$//' <<<"$d")
    name=${d%% *}
    have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null) || fail "$name is not installed"
    if [[ $d == *"(>="* ]]; then
        want=$(sed 's/.*(>= *\([^)]*\)).*/\1/' <<<"$d")
        dpkg --compare-versions "$have" ge "$want" || fail "$name $have does not satisfy $d"
    fi
done

# ---- the files, extracted into a fresh root ----
dpkg-deb -x "$deb" "$root"
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/leakhound usr/share/man/man1/leakhound.1 \
    usr/share/bash-completion/completions/leakhound \
    usr/share/leakhound/hooks/pre-commit usr/share/leakhound/hooks/pre-push; do
    test -e "$root/$f" || fail "$f is not in the package"
done
test -x "$root/usr/bin/leakhound" || fail "the binary is not executable"
test -x "$root/usr/share/leakhound/hooks/pre-push" || fail "the pre-push hook is not executable"
grep -q '^.TH' "$root/usr/share/man/man1/leakhound.1" || fail "the man page is not a man page"
grep -q 'complete -F _leakhound leakhound' "$root/usr/share/bash-completion/completions/leakhound" ||
    fail "the completion does not register"
if grep -q ' \./usr/local' <<<"$contents"; then fail "files under /usr/local"; fi
# a release binary: no sanitizer runtime
if ldd "$root/usr/bin/leakhound" | grep -q 'libasan\|libubsan'; then fail "sanitizers in the package"; fi

# ---- the installed binary works from anywhere, with its embedded rules only ----
bin=$root/usr/bin/leakhound
export LEAKHOUND_CACHE_DIR=$work/pkg-t/cache
mkdir -p "$work/pkg-t/files" "$work/pkg-t/repo"
"$bin" version | grep -q '^leakhound ' || fail "leakhound version"
# a checksum-valid GitHub token (a rule example that scans as confirmed)
tok=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
printf 'GITHUB_TOKEN=%s\n' "$tok" >"$work/pkg-t/files/deploy.env"
set +e
out=$(cd / && "$bin" scan --format json "$work/pkg-t/files")
rc=$?
set -e
test "$rc" -eq 1 || fail "scan exited $rc, expected 1"
grep -q '"rule_id": "github-pat-classic"' <<<"$out" || fail "scan did not find the token: $out"
if grep -q "$tok" <<<"$out"; then fail "the secret in clear"; fi
n=$("$bin" rules list | tail -n +2 | wc -l)
test "$n" -gt 500 || fail "only $n embedded rules"
# history: libgit2 is dlopened from the system
(
    cd "$work/pkg-t/repo"
    export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=T \
        GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME=$work/pkg-t
    git init -q -b main
    cp "$work/pkg-t/files/deploy.env" .
    git add -A && git commit -qm secret && git rm -q deploy.env && git commit -qm gone
)
set +e
(cd "$work/pkg-t/repo" && "$bin" history -q)
rc=$?
set -e
test "$rc" -eq 1 || fail "history exited $rc, expected 1"
echo "package ok: $(basename "$deb"), $n rules, Depends: $depends"
