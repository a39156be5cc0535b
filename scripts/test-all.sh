#!/usr/bin/env bash
# The whole test suite: type check, lint, formatting, every package's tests, the
# backend smoke tests (SQLite and a real PostgreSQL 15), browser tests in
# Chromium and the fault drills. Run through `./kler test`, which puts Node 22 and
# the dependencies in place first.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
kler_use_node

bash scripts/system-deps.sh || exit 1

export CI=true
export KLER_REQUIRE_MOTO=1
results="$(mktemp -d)"
passed=0
failed=0
failed_steps=()

run_step() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "=== $name"
  if "$@"; then
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    echo "=== $name: FAILED ($((SECONDS - start)) s)"
    failed_steps+=("$name")
  fi
}

count_jest() {
  local file="$1"
  [[ -f "$file" ]] || return 0
  local p f
  read -r p f < <(node -e '
    const r = require(process.argv[1]);
    console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites);
  ' "$file")
  passed=$((passed + p))
  failed=$((failed + f))
}

count_node_tests() {
  local file="$1"
  [[ -f "$file" ]] || return 0
  local p f
  p=$(grep -E '^# pass ' "$file" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail ' "$file" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
}

run_step "type check" kler_yarn tsc
run_step "lint" kler_yarn backstage-cli repo lint
run_step "prettier" kler_yarn prettier --check .
run_step "alert rules" bash -c \
  'promtool check rules docs/prometheus/kler-environments.rules.yml &&
   promtool test rules docs/prometheus/kler-environments.rules.test.yml'
run_step "package tests" kler_yarn backstage-cli repo test \
  --json --outputFile "$results/jest.json"
count_jest "$results/jest.json"

for suite in scripts/smoke/*.test.mjs scripts/e2e/*.test.mjs scripts/drills/*.test.mjs; do
  [[ -e "$suite" ]] || continue
  kind="$(basename "$(dirname "$suite")")"
  name="$kind-$(basename "$suite" .test.mjs)"
  run_step "$kind: $name" bash -c \
    'node --test --test-reporter=tap "$1" | tee "$2"; exit "${PIPESTATUS[0]}"' \
    _ "$suite" "$results/$name.tap"
  count_node_tests "$results/$name.tap"
done

echo
if ((${#failed_steps[@]})); then
  echo "failed steps: ${failed_steps[*]}"
  # A failed step with no counted test failure (tsc, lint) still fails the run.
  ((failed == 0)) && failed=${#failed_steps[@]}
fi
echo "tests: $passed passed, $failed failed"
((${#failed_steps[@]} == 0))
