#!/usr/bin/env bash
# Shows the process tree under each PID the way ps draws it, with the columns
# the notes talk about: STAT (S sleeping, Z zombie, T stopped...) and WCHAN,
# the kernel function each process waits in.
#
# Usage: scripts/ptree.sh PID...
#   several PIDs: their trees together, in one ps forest (each process once)
#   a thread id is refused: give its process's id (the Tgid in /proc/TID/status)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
  "") echo "usage: scripts/ptree.sh PID... (see --help)" >&2; exit 2 ;;
esac
for pid in "$@"; do require_pid "$pid"; done
pids=$(tree_pids "$@")
if [ -z "$pids" ]; then
  echo "ptree.sh: the process$([ $# -gt 1 ] && echo "es") ended: $*" >&2
  exit 1
fi
ps --forest -o pid,ppid,pgid,stat,wchan:20,cmd -p "$pids"
