# shellcheck shell=bash
# Functions shared by the scripts (sourced, not run).

# Prints the pids of each ROOT given and all their descendants, comma-separated
# (for ps -p), each once.
tree_pids() {
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    BEGIN { n = split(roots, list, " "); for (i = 1; i <= n; i++) root[list[i]] = 1 }
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      for (i = 1; i <= NR; i++) {
        p = pids[i]
        for (q = p; q != "" && q != 0; q = parent[q]) if (q in root) { print p; break }
      }
    }' | paste -sd, -
}

# Exits with a message unless $1 is the pid of a live process: not a number
# (status 2), a thread id that is not its process's id (status 2: ps lists
# processes, not threads), no such process (status 1).
require_pid() {
  case "$1" in
    *[!0-9]* | "") echo "$(basename "$0"): not a pid: $1 (see --help)" >&2; exit 2 ;;
  esac
  local tgid
  # A thread's /proc/TID exists too (hidden from listings): its Tgid says whose.
  tgid=$(awk '$1 == "Tgid:" { print $2 }' "/proc/$1/status" 2>/dev/null) || tgid=""
  if [ -z "$tgid" ]; then
    echo "$(basename "$0"): no process $1" >&2
    exit 1
  fi
  if [ "$tgid" != "$1" ]; then
    echo "$(basename "$0"): $1 is a thread of process $tgid, not a process: give $tgid" >&2
    exit 2
  fi
}
