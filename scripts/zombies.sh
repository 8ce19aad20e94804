#!/usr/bin/env bash
# Shows zombie processes: of the whole system, or of the process trees under
# the PIDs given. A row is a zombie when its STAT column starts with Z (ps
# shows <defunct>).
#
# Usage: scripts/zombies.sh [PID...] [--watch]
#   PID...    only those processes and their descendants (a thread id is
#             refused: give its process's id)
#   --watch   redraw every second until Ctrl-C
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0"
}

roots=()
watch=0
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    --watch) watch=1 ;;
    -*) echo "zombies.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) require_pid "$arg"; roots+=("$arg") ;;
  esac
done
root=${roots[*]:-}  # "4242 4250": the roots, for messages

columns=pid,ppid,pgid,stat,wchan:20,etime,cmd

show() {
  local rows
  if [ -n "$root" ]; then
    local pids
    pids=$(tree_pids "${roots[@]}")
    [ -n "$pids" ] || { echo "process $root has ended"; return 1; }
    rows=$(ps -o "$columns" -p "$pids")
  else
    rows=$(ps -e -o "$columns")
  fi
  local zombies
  zombies=$(awk 'NR == 1 || $4 ~ /^Z/' <<<"$rows")
  local count=$(( $(wc -l <<<"$zombies") - 1 ))
  echo "$zombies"
  echo
  if [ "$count" -eq 0 ]; then
    echo "no zombies${root:+ under $root}"
  else
    echo "$count zombie(s)${root:+ under $root}. A zombie has already exited: kill -9 cannot"
    echo "remove it, there is nothing left to kill. It goes when its parent (PPID) reaps it with"
    echo "wait/waitpid, or when the parent exits and init (or a subreaper) adopts and reaps it."
  fi
}

if [ "$watch" -eq 0 ]; then
  show
  exit 0
fi
trap 'exit 0' INT TERM
while show_output=$(show); do
  clear 2>/dev/null || true
  date '+%T'
  echo "$show_output"
  sleep 1
done
echo "${show_output:-}"
