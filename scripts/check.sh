#!/usr/bin/env bash
# Builds forklab and runs the whole test suite. The last line printed is
# "N passed, N failed"; the exit status is non-zero on any failure.
#
# Usage: scripts/check.sh [--sanitize] [MESON_TEST_ARGS...]
#   --sanitize   build and test in build-sanitize/ with AddressSanitizer and
#                UndefinedBehaviorSanitizer, stopping at the first report, and
#                without precompiled headers
#   e.g. scripts/check.sh --suite lab02 --repeat 20
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
setup_options=()
test_options=()
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build_dir=build-sanitize
  # Sanitized programs run several times slower (lab08's thousands of forks
  # most of all): the same tests, with more time each.
  test_options=(--timeout-multiplier 3)
  # Without precompiled headers: this build also proves that every file
  # includes what it uses (labs/pch, tests/pch hide a missing include).
  setup_options=("-Db_sanitize=address,undefined" -Db_lundef=false -Ddebug=true -Db_pch=false
                 "-Dcpp_args=-fno-sanitize-recover=all" "-Dcpp_link_args=-fno-sanitize-recover=all")
fi

summary() {
  echo "$1 passed, $2 failed"
}

scripts/bootstrap.sh "$build_dir" -- "${setup_options[@]}"
if ! meson compile -C "$build_dir"; then
  echo "forklab: the build failed" >&2
  summary 0 1
  exit 1
fi

# Sanitizers: any report fails the process that made it (and so the test).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Most tests spend their time waiting for a lab's timings (alarms, sleeps,
# answers typed slowly), not on a core: run up to 8 at once on any machine.
export MESON_TESTTHREADS=${MESON_TESTTHREADS:-8}

status=0
output=$(mktemp)
trap 'rm -f "$output"' EXIT
meson test -C "$build_dir" --print-errorlogs "${test_options[@]}" "$@" 2>&1 | tee "$output" || status=$?

count() {
  local n
  n=$(sed -n "s/^$1: *\([0-9]*\).*/\1/p" "$output" | tail -n 1)
  echo "${n:-0}"
}
passed=$(( $(count 'Ok') + $(count 'Expected Fail') ))
failed=$(( $(count 'Fail') + $(count 'Unexpected Pass') + $(count 'Timeout') ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # meson test failed before counting (e.g. no such suite)
fi
summary "$passed" "$failed"
[ "$failed" -eq 0 ]
