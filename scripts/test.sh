#!/usr/bin/env bash
# The project's single test command (`npm test`; CI runs it through .ci/run).
#
#   bash scripts/test.sh                 everything: install, build, type-check, three suites
#   bash scripts/test.sh unit e2e        only the named suites (unit, integration, e2e)
#
# On a fresh machine it first installs what it needs: npm packages (npm ci), the Debian packages
# chromium, ripgrep and libkrb5-dev when missing (as root; otherwise it says what to install), and
# code-server 4.100.3 into .vscode-test/ (scripts/install-code-server.sh). Then it builds,
# type-checks and runs the unit tests (mocha in Node), the in-host tests (mocha inside a real
# VS Code extension host in code-server) and the e2e scenarios (Playwright against the packaged
# .vsix). Every suite runs even when an earlier one fails; the exit code is non-zero if anything
# failed. Logs and screenshots are in artifacts/.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
# shellcheck source=scripts/lib/deps.sh
source "$ROOT/scripts/lib/deps.sh"

ALL_SUITES="unit integration e2e"
SUITES="${*:-$ALL_SUITES}"
for suite in $SUITES; do
  case " $ALL_SUITES " in
    *" $suite "*) ;;
    *) echo "test.sh: unknown suite '$suite' (choose from: $ALL_SUITES)" >&2; exit 2 ;;
  esac
done
wants() { case " $SUITES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

RESULTS="$ROOT/artifacts/results"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

if [ -t 1 ]; then BLUE=$'\033[1;34m' OFF=$'\033[0m'; else BLUE='' OFF=''; fi
banner() { printf '\n%s==> %s%s\n' "$BLUE" "$*" "$OFF"; }
now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo $((t / 1000))
  else
    node -e 'process.stdout.write(String(Date.now()))'
  fi
}
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

run_started=$(now_ms)
problems=()

# ---- 1. what the run needs --------------------------------------------------------------------
banner "dependencies"
ensure_node_modules || exit 1
needs_host=0
if wants integration || wants e2e; then needs_host=1; fi
if [ "$needs_host" = 1 ]; then
  need_build=0
  deps_code_server_installed || need_build=1
  ensure_system_packages 1 "$need_build" || exit 1
  ensure_code_server || exit 1
fi
deps_say "ready ($(seconds_since "$run_started") s)"

# ---- 2. build and type-check -----------------------------------------------------------------
banner "build (node scripts/build.mjs --tests)"
# Bundles of test files that no longer exist would otherwise still run.
rm -rf "$ROOT/out/test"
started=$(now_ms)
if ! node scripts/build.mjs --tests; then
  echo "test.sh: the build failed (see above); no suite can run." >&2
  exit 1
fi
echo "built in $(seconds_since "$started") s"

banner "type-check (tsc --noEmit -p .)"
started=$(now_ms)
if node_modules/.bin/tsc --noEmit -p .; then
  echo "no type errors ($(seconds_since "$started") s)"
  typecheck="ok"
else
  typecheck="FAILED"
  problems+=("type-check")
fi

# ---- 3. suites --------------------------------------------------------------------------------
# Writes artifacts/results/unit.json from mocha's own closing lines ("N passing", "N failing").
run_unit() {
  local log="$ROOT/artifacts/unit.log" started rc passed failed pending
  started=$(now_ms)
  # Not `find | grep -q`: under pipefail, grep quitting at the first line makes find die of SIGPIPE
  # and the pipeline fail at random.
  if [ -z "$(find out/test/unit -name '*.test.js' -print -quit 2>/dev/null)" ]; then
    echo "no unit tests were built into out/test/unit (expected test/unit/**/*.test.ts)" >&2
    printf '{"suite":"unit","passed":0,"failed":1,"pending":0,"durationMs":0,"note":"no test files"}\n' >"$RESULTS/unit.json"
    return 1
  fi
  # A generous per-test timeout: on a loaded 2-core machine a property test can take several
  # seconds, and speed is measured by the benchmarks, never by a test's clock.
  node_modules/.bin/mocha --reporter spec --timeout 30000 'out/test/unit/**/*.test.js' 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  passed=$(grep -Eo '^ +[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1)
  failed=$(grep -Eo '^ +[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1)
  pending=$(grep -Eo '^ +[0-9]+ pending' "$log" | grep -Eo '[0-9]+' | tail -1)
  passed=${passed:-0} failed=${failed:-0} pending=${pending:-0}
  # mocha can exit non-zero without a failing test (a file that does not load): count that too.
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  local duration=$(( $(now_ms) - started ))
  printf '{"suite":"unit","passed":%s,"failed":%s,"pending":%s,"durationMs":%s}\n' \
    "$passed" "$failed" "$pending" "$duration" >"$RESULTS/unit.json"
  printf '\nunit: %s passed, %s failed, %s pending in %s s\n' "$passed" "$failed" "$pending" "$(seconds_since "$started")"
  return "$rc"
}

run_integration() {
  node test/integration/runners/runInCodeServer.mjs
}

run_e2e() {
  local log="$ROOT/artifacts/package.log"
  echo "packaging the extension (npm run package → out/truce.vsix)"
  if ! npm run package >"$log" 2>&1; then
    cat "$log"
    echo "test.sh: packaging failed (log: artifacts/package.log); the e2e scenarios need out/truce.vsix." >&2
    printf '{"suite":"e2e","passed":0,"failed":1,"pending":0,"durationMs":0,"note":"packaging failed"}\n' >"$RESULTS/e2e.json"
    return 1
  fi
  node test/e2e/run.mjs
}

for suite in $ALL_SUITES; do
  wants "$suite" || continue
  case "$suite" in
    unit) banner "unit tests (mocha, plain Node: out/test/unit)" ;;
    integration) banner "in-host integration tests (mocha in a code-server extension host)" ;;
    e2e) banner "e2e scenarios (Playwright + Chromium against the packaged extension)" ;;
  esac
  if ! "run_$suite"; then problems+=("$suite"); fi
done

# ---- 4. summary -------------------------------------------------------------------------------
banner "summary"
echo "build: ok    type-check: $typecheck"
total_passed=0 total_failed=0
printf '%-12s %-8s %7s %7s %8s %9s\n' suite result passed failed pending seconds
for suite in $ALL_SUITES; do
  wants "$suite" || continue
  file="$RESULTS/$suite.json"
  if [ -f "$file" ]; then
    read -r passed failed pending ms note < <(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(r.passed, r.failed, r.pending ?? 0, r.durationMs ?? 0, r.note ?? "");' "$file")
  else
    passed=0 failed=1 pending=0 ms=0 note="the suite wrote no result"
  fi
  result=ok
  [ "$failed" -gt 0 ] && result=FAILED
  printf '%-12s %-8s %7s %7s %8s %9s  %s\n' "$suite" "$result" "$passed" "$failed" "$pending" \
    "$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')" "$note"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
done
echo "whole run: $(seconds_since "$run_started") s"
echo "Total: $total_passed passed, $total_failed failed"

if [ "${#problems[@]}" -gt 0 ]; then
  echo "failed: ${problems[*]} (logs and screenshots: artifacts/)" >&2
  exit 1
fi
