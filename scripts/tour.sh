#!/usr/bin/env bash
# The guided tour: builds forklab, then runs the labs in order.
#
# At a terminal it pauses between labs and inside them (--step: each lab stops
# at its stages, shows its process tree and a ps command to try in another
# terminal). Without a terminal, or with --no-pause, it runs straight through
# with short timings. A lab that runs to its end counts as completed.
#
# Usage: scripts/tour.sh [--list] [--from N] [--only N] [--no-pause] [--reset [--yes]]
#   --list      every lab with its purpose; a check mark for those completed
#   --from N    start at lab N
#   --only N    run lab N alone
#   --no-pause  run straight through, short timings, no questions
#   --reset     forget which labs are completed (asks first; --yes: don't ask)
# Progress is kept in ${XDG_STATE_HOME:-~/.local/state}/forklab/completed.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }

# number|executable|purpose|arguments at a terminal (with --step)|arguments straight through
# (";" separates two runs of the same lab: the wrong way, then the right way)
catalogue=(
  "01|lab01-fork|fork returns twice; parent and child keep separate memory||"
  "02|lab02-zombie|a child that exits un-waited becomes a zombie|--children 2 --hold 20|--children 2 --hold 0.3"
  "03|lab03-wait|wait() collects exit statuses: WIFEXITED, WEXITSTATUS, WTERMSIG|--kill-one --hold 10|--kill-one --hold 0.3"
  "04|lab04-waitpid|waitpid(WNOHANG): the parent works while the child lives||--child-sleep 1 --poll 0.3"
  "05|lab05-signal|signal() and alarm(): a signal cuts sleep() short||--alarm 1 --rounds 2"
  "06|lab06-sigaction|sigaction(): the same, portable, with the old action read back||--alarm 1 --rounds 2"
  "07|lab07-reaper|reaping children from a SIGCHLD handler||--child-sleep 0.5 --rounds 3 --interval 2"
  "08|lab08-echo-serv|a fork-per-client echo server (with lab09 as its client)||"
  "09|lab09-echo-cli|a client that reads in one process and writes in another||"
  "10|lab10-coalesce|signals do not queue: one SIGCHLD for many children|--children 5 --reaper once --hold 10;--children 5 --reaper loop|--children 5 --reaper once;--children 5 --reaper loop"
  "11|lab11-eintr|a slow call interrupted by a signal: EINTR or SA_RESTART|--call read;--call read --restart|--call read;--call read --restart"
  "12|lab12-fd-share|fork shares open files: one offset, and a socket closes at its last close|--leak --timeout 3;|--leak --timeout 0.5;"
  "13|lab13-stdio-dup|stdio buffers duplicated by fork: once on a terminal, twice in a pipe|--all|--all"
  "14|lab14-orphan|an orphan is adopted by init or the nearest subreaper|;--subreaper|;--subreaper"
  "15|lab15-sigpipe|writing to a reset peer: killed by SIGPIPE, or EPIPE|--mode default;--mode ignore|--mode default;--mode ignore;--mode nosignal"
  "16|lab16-signalfd|SIGCHLD without async handlers: signalfd and the self-pipe|--via signalfd;--via selfpipe|--via signalfd --children 5;--via selfpipe --children 5"
)

state_dir=${XDG_STATE_HOME:-$HOME/.local/state}/forklab
state_file=$state_dir/completed

list=0 from=1 only="" pause=1 reset=0 yes=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --list) list=1 ;;
    --from | --only)
      if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$((10#$2))" -lt 1 ] \
        || [ "$((10#$2))" -gt ${#catalogue[@]} ]; then
        echo "tour.sh: $1 needs a lab number from 1 to ${#catalogue[@]}" >&2
        exit 2
      fi
      if [ "$1" = --from ]; then from=$((10#$2)); else only=$((10#$2)); fi
      shift ;;
    --no-pause) pause=0 ;;
    --reset) reset=1 ;;
    --yes) yes=1 ;;
    *) echo "tour.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -t 0 ] && [ -t 1 ] || pause=0

is_completed() { [ -f "$state_file" ] && grep -qx "$1" "$state_file"; }
mark_completed() {
  mkdir -p "$state_dir"
  is_completed "$1" || echo "$1" >>"$state_file"
}

if [ "$reset" -eq 1 ]; then
  if [ "$yes" -eq 0 ]; then
    [ -t 0 ] || { echo "tour.sh: --reset asks first; without a terminal add --yes" >&2; exit 2; }
    read -r -p "Forget which labs you completed? [y/N] " answer
    [[ "$answer" =~ ^[yY] ]] || { echo "kept"; exit 0; }
  fi
  rm -f "$state_file"
  echo "progress reset"
  exit 0
fi

if [ "$list" -eq 1 ]; then
  for entry in "${catalogue[@]}"; do
    IFS='|' read -r number name purpose _ <<<"$entry"
    mark=" "
    is_completed "$number" && mark="✓"
    printf '%s %s  %-16s %s\n' "$mark" "$number" "$name" "$purpose"
  done
  exit 0
fi

scripts/bootstrap.sh >&2
meson compile -C build >/dev/null || { echo "tour.sh: the build failed" >&2; exit 1; }
bin=build/labs

server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs lab08 on a free port and lab09 against it; the client's input is what
# you type at a terminal, or two lines otherwise.
run_echo_pair() {
  local step=()
  [ "$pause" -eq 1 ] && step=(--step)
  coproc server { exec "$bin/lab08-echo-serv" --port 0 "${step[@]}" 2>&1; }
  # shellcheck disable=SC2154  # server_PID is set by coproc
  server_pid=$server_PID
  local line port=""
  while IFS= read -r -t 10 line <&"${server[0]}"; do
    echo "$line"
    if [[ "$line" =~ listening\ on\ [^\ ]*:([0-9]+) ]]; then port=${BASH_REMATCH[1]}; break; fi
  done
  [ -n "$port" ] || { echo "tour.sh: the server did not start" >&2; return 1; }
  cat <&"${server[0]}" &
  local relay=$!
  local status=0
  if [ "$pause" -eq 1 ]; then
    echo "type lines to send; a line with q (or Ctrl-D) ends the client"
    "$bin/lab09-echo-cli" 127.0.0.1 "$port" || status=$?
  else
    printf 'hello, forklab\nsecond line\n' | "$bin/lab09-echo-cli" 127.0.0.1 "$port" || status=$?
  fi
  kill -TERM "$server_pid"
  wait "$server_pid" || status=$?
  server_pid=""
  wait "$relay" || true
  return "$status"
}

run_entry() {
  local number=$1 name=$2 runs=$3
  if [ "$number" = 08 ] || [ "$number" = 09 ]; then
    run_echo_pair
    return
  fi
  local step=()
  [ "$pause" -eq 1 ] && step=(--step)
  local run args
  IFS=';' read -r -a run_list <<<"$runs"
  [ ${#run_list[@]} -gt 0 ] || run_list=("")
  for run in "${run_list[@]}"; do
    read -r -a args <<<"$run"
    echo "\$ $bin/$name ${args[*]}"
    "$bin/$name" "${args[@]}" "${step[@]}" || return
  done
}

for entry in "${catalogue[@]}"; do
  IFS='|' read -r number name purpose interactive_runs straight_runs <<<"$entry"
  index=$((10#$number))
  if [ -n "$only" ]; then [ "$index" -eq "$only" ] || continue; fi
  [ "$index" -ge "$from" ] || continue
  [ "$number" = 09 ] && continue  # ran together with 08
  echo
  echo "=== lab $number · $name — $purpose"
  echo "    notes: notes/en/$number-${name#lab[0-9][0-9]-}.md"
  if [ "$pause" -eq 1 ]; then
    read -r -p "Enter to start, q to stop the tour: " answer
    [ "$answer" = q ] && exit 0
    runs=$interactive_runs
  else
    runs=$straight_runs
  fi
  if run_entry "$number" "$name" "$runs"; then
    mark_completed "$number"
    [ "$number" = 08 ] && mark_completed 09
  else
    echo "lab $number ended with an error (status $?)" >&2
    exit 1
  fi
done
echo
echo "tour done: scripts/tour.sh --list shows your progress"
