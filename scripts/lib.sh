# shellcheck shell=bash
# Functions shared by the scripts (sourced, not run).

# Prints the pids of ROOT and all its descendants, comma-separated (for ps -p).
tree_pids() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      for (i = 1; i <= NR; i++) {
        p = pids[i]
        for (q = p; q != "" && q != 0; q = parent[q]) if (q == root) { print p; break }
      }
    }' | paste -sd, -
}

# Exits with a message unless $1 is the pid of a live process.
require_pid() {
  case "$1" in
    *[!0-9]* | "") echo "$(basename "$0"): not a pid: $1 (see --help)" >&2; exit 2 ;;
  esac
  if [ ! -d "/proc/$1" ]; then
    echo "$(basename "$0"): no process $1" >&2
    exit 1
  fi
}
