#!/usr/bin/env bash
# Shows the process tree under PID the way ps draws it, with the columns the
# notes talk about: STAT (S sleeping, Z zombie, T stopped...) and WCHAN, the
# kernel function each process waits in.
#
# Usage: scripts/ptree.sh PID
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  -h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
  "") echo "usage: scripts/ptree.sh PID" >&2; exit 2 ;;
esac
require_pid "$1"
ps --forest -o pid,ppid,pgid,stat,wchan:20,cmd -p "$(tree_pids "$1")"
