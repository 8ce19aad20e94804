#!/usr/bin/env bash
# Proves that the tests bite: each mutant in tests/mutants/ (labNN-<claim>.patch,
# a minimal break of one claim of lab NN) is applied to a scratch copy of the
# repository, built, and lab NN's suite (meson test --suite labNN) is run on
# it. The suite must fail: the mutant is "killed". A mutant the suite passes
# "SURVIVED": a claim no test proves. A mutant that no longer applies, or does
# not build, is a defect of the mutant, counted apart, never as killed.
#
# Usage: scripts/mutants.sh [--only PATTERN] [--timeout SECONDS] [--mutants DIR]
#   --only PATTERN   only the mutants whose file name contains PATTERN
#                    (a shell pattern: --only lab07, --only 'lab0[1-3]-*')
#   --timeout S      the most one suite run may take (default 600); a suite
#                    stopped by it has not passed: the mutant counts as killed
#   --mutants DIR    the mutants in DIR instead of tests/mutants
# One line per mutant (killed, SURVIVED, did not apply, did not build), then
# "N killed, N survived" last. Exit status 0 only when every mutant was
# killed; 1 otherwise; 2 for a bad command line.
#
# The real tree is never modified: the copy (tracked files and untracked ones
# git does not ignore) and its build live in a directory from mktemp -d,
# removed at the end, on failure and on Ctrl-C. The scratch build is set up
# once; after each mutant only what it changed is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage() { sed -n '2,23s/^# \{0,1\}//p' "$0"; }

only="" timeout=600 mutants_dir=$root/tests/mutants
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --only | --timeout | --mutants)
      if [ $# -lt 2 ] || [ -z "$2" ]; then
        echo "mutants.sh: $1 needs a value (see --help)" >&2
        exit 2
      fi
      case "$1" in
        --only) only=$2 ;;
        --timeout)
          if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$((10#$2))" -lt 1 ]; then
            echo "mutants.sh: --timeout needs a whole number of seconds, at least 1" >&2
            exit 2
          fi
          timeout=$((10#$2)) ;;
        --mutants) mutants_dir=$(cd "$2" 2>/dev/null && pwd) \
          || { echo "mutants.sh: no directory $2" >&2; exit 2; } ;;
      esac
      shift ;;
    *) echo "mutants.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

mutants=()
for file in "$mutants_dir"/lab[0-9][0-9]-*.patch; do
  [ -f "$file" ] || continue
  name=$(basename "$file" .patch)
  # shellcheck disable=SC2053  # PATTERN is a pattern on purpose
  if [ -n "$only" ] && [[ "$name" != *$only* ]]; then continue; fi
  mutants+=("$file")
done
if [ ${#mutants[@]} -eq 0 ]; then
  if [ -n "$only" ]; then
    echo "mutants.sh: no mutant in $mutants_dir matches $only" >&2
    exit 2
  fi
  echo "no mutants in $mutants_dir"
  echo "0 killed, 0 survived"
  exit 0
fi

# The traps first. The scratch directory's name holds this shell's pid, so
# that cleanup finds it even when a Ctrl-C comes before mktemp's answer does.
scratch_prefix="${TMPDIR:-/tmp}/forklab-mutants.$$."
child=""
cleanup() { rm -rf "$scratch_prefix"??????; }
stop() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit "$1"
}
trap cleanup EXIT
trap 'stop 130' INT
trap 'stop 143' TERM
scratch=$(mktemp -d "${scratch_prefix}XXXXXX")

# Runs a command and waits for it in the background. In the foreground, a
# Ctrl-C that the command handles itself (meson test cancels the running test
# and goes on; ninja stops with status 2) would not reach this shell's trap:
# bash leaves SIGINT to a foreground command that does not die of it. The
# `wait` builtin returns at once on a trapped signal, and stop() ends the
# command.
run() {
  "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=""
  return "$status"
}

# Compilers and meson keep their own temporary files in TMPDIR: inside the
# scratch directory, they go with it (also those of a build cut short).
mkdir "$scratch/tmp"
export TMPDIR=$scratch/tmp

# The copy: what git tracks and what it would track (not ignored); outside a
# git checkout, everything but build directories.
src=$scratch/src
mkdir "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$root" ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' path; do
      if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
    done |
    tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude='./build*' -cf - . | tar -xf - -C "$src"
fi

echo "building a scratch copy in $scratch ..." >&2
# git apply in the copy, never in a repository around it (the copy has no
# .git of its own; git would look for one in the directories above).
export GIT_CEILING_DIRECTORIES=$scratch
# ccache: the same relative paths in every scratch copy, so that a second
# run finds the first one's objects.
export CCACHE_BASEDIR=$src CCACHE_NOHASHDIR=1
log=$scratch/log
if ! run meson setup "$src/build" "$src" >"$log" 2>&1 || ! run ninja -C "$src/build" >>"$log" 2>&1
then
  echo "mutants.sh: the unmutated copy does not build:" >&2
  tail -n 20 "$log" >&2
  exit 1
fi

killed=0 survived=0 not_applied=0 not_built=0
for file in "${mutants[@]}"; do
  name=$(basename "$file" .patch)
  suite=${name%%-*}
  if ! run git -C "$src" apply --whitespace=nowarn "$file" >"$log" 2>&1; then
    printf '%-16s %s\n' "did not apply" "$name"
    not_applied=$((not_applied + 1))
    continue
  fi
  if ! run ninja -C "$src/build" >"$log" 2>&1; then
    printf '%-16s %s\n' "did not build" "$name"
    grep -m 5 -E 'error' "$log" | sed 's/^/                   /' || true
    not_built=$((not_built + 1))
  # --abort-after=1: the suite has failed at its first failed check; the
  # rest of it would only take time.
  elif run timeout "$timeout" meson test -C "$src/build" --no-rebuild --suite "$suite" \
    --test-args=--abort-after=1 >"$log" 2>&1; then
    printf '%-16s %s\n' "SURVIVED" "$name"
    survived=$((survived + 1))
  elif grep -q "No suitable tests defined" "$log"; then  # no suite by that name: not a kill
    printf '%-16s %s (no suite %s)\n' "did not build" "$name" "$suite"
    not_built=$((not_built + 1))
  else
    printf '%-16s %s\n' "killed" "$name"
    killed=$((killed + 1))
  fi
  if ! run git -C "$src" apply -R --whitespace=nowarn "$file" >"$log" 2>&1; then
    echo "mutants.sh: cannot take $name back out of the scratch copy" >&2
    exit 1
  fi
done

if [ $((not_applied + not_built)) -gt 0 ]; then
  echo "$not_applied did not apply, $not_built did not build"
fi
echo "$killed killed, $survived survived"
[ $((survived + not_applied + not_built)) -eq 0 ]
