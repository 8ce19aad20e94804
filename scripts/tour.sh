#!/usr/bin/env bash
# The guided tour: builds forklab, then runs the labs in order.
#
# At a terminal it pauses between labs and inside them (each lab runs with
# --step: it stops at its stages, shows its process tree and a ps command to
# try in another terminal, and asks you to predict what comes next). Without a
# terminal, or with --no-pause, it runs straight through with short timings.
# A lab that runs to its end in the tour counts as completed.
#
# Usage: scripts/tour.sh [--list] [--from N | --only N] [--no-pause] [--no-quiz]
#                        [--lang en|zh|ko] [--reset [--yes]]
#   --list      every lab with its purpose; a check mark for those completed
#   --from N    start at lab N
#   --only N    run lab N alone
#   --no-pause  run straight through, short timings, no questions
#   --no-quiz   pause, but do not ask for predictions
#   --lang L    en, zh or ko (default: from LC_ALL, LC_MESSAGES, LANG)
#   --reset     forget which labs are completed (asks first; --yes: don't ask)
# Progress is kept in $XDG_STATE_HOME/forklab/completed (XDG_STATE_HOME only if
# it is an absolute path), else ~/.local/state/forklab/completed; where it
# cannot be saved, a warning says so once and the tour goes on.
# FORKLAB_BUILD_DIR=DIR runs the labs already built in DIR (no build step).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,22s/^# \{0,1\}//p' "$0"; }

# number|executable|purpose (a message id, see say)|arguments at a terminal
# (with --step)|arguments straight through, short timings
# (";" separates two runs of the same lab: the wrong way, then the right way)
catalogue=(
  "01|lab01-fork|fork returns twice; parent and child keep separate memory||"
  "02|lab02-zombie|a child that exits un-waited becomes a zombie|--children 2 --hold 20|--children 2 --hold 0.2"
  "03|lab03-wait|wait() collects exit statuses: WIFEXITED, WEXITSTATUS, WTERMSIG|--kill-one --hold 10|--kill-one --hold 0.2"
  "04|lab04-waitpid|waitpid(WNOHANG): the parent works while the child lives||--child-sleep 0.6 --poll 0.2"
  "05|lab05-signal|signal() and alarm(): a signal cuts sleep() short||--alarm 1 --rounds 1"
  "06|lab06-sigaction|sigaction(): the same, portable, with the old action read back||--alarm 1 --rounds 1"
  "07|lab07-reaper|reaping children from a SIGCHLD handler||--child-sleep 0.3 --rounds 2 --interval 1"
  "08|lab08-echo-serv|a fork-per-client echo server (with lab09 as its client)||"
  "09|lab09-echo-cli|a client that reads in one process and writes in another||"
  "10|lab10-coalesce|signals do not queue: one SIGCHLD for many children|--children 5 --reaper once --hold 10;--children 5 --reaper loop --hold 0|--children 5 --reaper once --hold 0;--children 5 --reaper loop --hold 0"
  "11|lab11-eintr|a slow call interrupted by a signal: EINTR or SA_RESTART|--call read;--call read --restart|--call read --hold 0.2;--call read --restart --hold 0.2"
  "12|lab12-fd-share|fork shares open files: one offset, and a socket closes at its last close|--separate-open --leak --timeout 3;|--separate-open --leak --timeout 0.3;"
  "13|lab13-stdio-dup|stdio buffers duplicated by fork: once on a terminal, twice in a pipe|--all|--all"
  "14|lab14-orphan|an orphan is adopted by init or the nearest subreaper|;--subreaper|--hold 0.2;--subreaper --hold 0.2"
  "15|lab15-sigpipe|writing to a reset peer: killed by SIGPIPE, or EPIPE|--mode default;--mode ignore;--mode nosignal|--mode default;--mode ignore;--mode nosignal"
  "16|lab16-signalfd|SIGCHLD without async handlers: signalfd and the self-pipe|--via signalfd;--via selfpipe|--via signalfd --children 5;--via selfpipe --children 5"
)

# The languages: English, and each one the tour has words in (labs/<lang>/tour.tsv).
is_language() { [ "$1" = en ] || { [[ "$1" =~ ^[a-z][a-z]$ ]] && [ -f "labs/$1/tour.tsv" ]; }; }

# The language the environment asks for, as the labs decide it: the first of
# LC_ALL, LC_MESSAGES and LANG that is set; its first two letters when they
# name a language (zh_CN.UTF-8: zh, ko_KR.UTF-8: ko), else en.
environment_language() {
  local value
  for value in "${LC_ALL:-}" "${LC_MESSAGES:-}" "${LANG:-}"; do
    if [ -n "$value" ]; then
      if is_language "${value:0:2}"; then echo "${value:0:2}"; else echo en; fi
      return
    fi
  done
  echo en
}

# The XDG base directory spec: a relative XDG_STATE_HOME is invalid, ignored.
# With neither it nor HOME there is nowhere to keep progress (state_file "").
state_base=""
if [[ "${XDG_STATE_HOME:-}" == /* ]]; then
  state_base=$XDG_STATE_HOME
elif [[ "${HOME:-}" == /* ]]; then
  state_base=$HOME/.local/state
fi
state_dir=${state_base:+$state_base/forklab}
state_file=${state_dir:+$state_dir/completed}

list=0 from=1 only="" pause=1 quiz=1 reset=0 yes=0 lang=$(environment_language)
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --list) list=1 ;;
    --from | --only)
      if [ $# -lt 2 ] || ! [[ "$2" =~ ^[0-9]{1,3}$ ]] || [ "$((10#$2))" -lt 1 ] \
        || [ "$((10#$2))" -gt ${#catalogue[@]} ]; then
        echo "tour.sh: $1 needs a lab number from 1 to ${#catalogue[@]}" >&2
        exit 2
      fi
      if [ "$1" = --from ]; then from=$((10#$2)); else only=$((10#$2)); fi
      shift ;;
    --lang)
      if [ $# -lt 2 ] || ! is_language "$2"; then
        echo "tour.sh: --lang needs en, zh or ko" >&2
        exit 2
      fi
      lang=$2
      shift ;;
    --no-pause) pause=0 ;;
    --no-quiz) quiz=0 ;;
    --reset) reset=1 ;;
    --yes) yes=1 ;;
    *) echo "tour.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -t 0 ] && [ -t 1 ] || pause=0

# The tour's own words in the chosen language, as the labs speak theirs: each
# text is its English template, looked up in labs/<lang>/tour.tsv (the
# template, a tab, its translation); a template it lacks stays English.
declare -A tour_words=()
if [ "$lang" != en ]; then
  while IFS=$'\t' read -r id text; do
    [ -z "$id" ] || [[ "$id" == '#'* ]] || tour_words[$id]=$text
  done <"labs/$lang/tour.tsv"
fi
# words TEMPLATE [KEY=VALUE...]: the template in the chosen language, each
# {KEY} replaced by its VALUE. say: the same, as a line.
words() {
  local text=${tour_words[$1]:-$1} pair
  shift
  for pair in "$@"; do text=${text//"{${pair%%=*}}"/"${pair#*=}"}; done
  printf '%s' "$text"
}
say() { printf '%s\n' "$(words "$@")"; }

# A progress file that is a symlink is never read or written through.
is_completed() {
  [ -n "$state_file" ] && [ -f "$state_file" ] && ! [ -L "$state_file" ] \
    && grep -qx "$1" "$state_file" 2>/dev/null
}

progress_warned=0
progress_temp=""
cannot_save() {
  [ "$progress_warned" -eq 0 ] || return 0
  progress_warned=1
  local where=${state_file:-$(words "no HOME or XDG_STATE_HOME")}
  say "tour.sh: progress not saved ({where}: {reason}); the tour goes on" \
    where="$where" reason="$(words "$1")" >&2
}

# Adds lab $1 to the progress file: the old lines and the new one into a
# temporary file in the same directory, renamed over the old file (atomic; a
# rename replaces a symlink, never writes through it). Never stops the tour.
mark_completed() {
  is_completed "$1" && return 0
  [ -n "$state_file" ] || { cannot_save "nowhere to keep it"; return 0; }
  if [ -L "$state_file" ]; then cannot_save "a symbolic link"; return 0; fi
  if [ -e "$state_file" ] && ! [ -f "$state_file" ]; then cannot_save "not a file"; return 0; fi
  mkdir -p "$state_dir" 2>/dev/null || { cannot_save "cannot create the directory"; return 0; }
  progress_temp=$(mktemp "$state_dir/.completed.XXXXXX" 2>/dev/null) \
    || { progress_temp=""; cannot_save "cannot write there"; return 0; }
  if { if [ -f "$state_file" ]; then cat "$state_file"; fi; echo "$1"; } >"$progress_temp" 2>/dev/null \
    && mv -fT "$progress_temp" "$state_file" 2>/dev/null; then
    progress_temp=""
  else
    rm -f "$progress_temp"
    progress_temp=""
    cannot_save "cannot write there"
  fi
}

if [ "$reset" -eq 1 ]; then
  if [ "$yes" -eq 0 ]; then
    if ! [ -t 0 ]; then
      echo "tour.sh: --reset asks first; without a terminal add --yes" >&2
      exit 2
    fi
    read -r -p "$(words "Forget which labs you completed? [y/N] ")" answer
    [[ "$answer" =~ ^[yY] ]] || { say "kept"; exit 0; }
  fi
  if [ -n "$state_file" ] && { [ -L "$state_file" ] || [ -e "$state_file" ]; }; then
    if [ -d "$state_file" ] && ! [ -L "$state_file" ]; then
      echo "tour.sh: $state_file is a directory, not a progress file: left as it is" >&2
      exit 1
    fi
    rm -f "$state_file" || exit 1
  fi
  say "progress reset"
  exit 0
fi

if [ "$list" -eq 1 ]; then
  for entry in "${catalogue[@]}"; do
    IFS='|' read -r number name purpose _ <<<"$entry"
    mark=" "
    is_completed "$number" && mark="✓"
    purpose=$(words "$purpose")
    printf '%s %s  %-16s %s\n' "$mark" "$number" "$name" "$purpose"
  done
  exit 0
fi

if [ -n "${FORKLAB_BUILD_DIR:-}" ]; then
  build_dir=$FORKLAB_BUILD_DIR
  if ! [ -x "$build_dir/labs/lab01-fork" ]; then
    echo "tour.sh: no labs built in $build_dir (FORKLAB_BUILD_DIR)" >&2
    exit 1
  fi
else
  build_dir=build
  scripts/bootstrap.sh "$build_dir" >&2
  meson compile -C "$build_dir" >/dev/null || { echo "tour.sh: the build failed" >&2; exit 1; }
fi
bin=$build_dir/labs

# What every lab is given: the language, and with pauses --step (and --no-quiz).
common_args=(--lang "$lang")
step_args=()
if [ "$pause" -eq 1 ]; then
  step_args=(--step)
  [ "$quiz" -eq 1 ] || step_args+=(--no-quiz)
fi

server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$progress_temp" ]; then rm -f "$progress_temp"; fi
}
trap cleanup EXIT
# Ctrl-C ends the tour — except when the lab running handled it itself: lab05
# and lab06 ask you to press it, and their SIGINT handler runs (the terminal
# sends it to the tour too, which then goes on once the lab has ended well).
lab_status=-1
on_interrupt() {
  [ "$lab_status" -eq 0 ] || exit 130
}
trap on_interrupt INT
trap 'exit 143' TERM

# The TCP port process $1 listens on, from /proc: the socket inodes among its
# descriptors, looked up in its network namespace's tcp and tcp6 tables.
# Prints nothing while it listens on none.
listening_port() {
  local link target inodes=" "
  for link in /proc/"$1"/fd/*; do
    target=$(readlink "$link" 2>/dev/null) || continue
    if [[ "$target" =~ ^socket:\[([0-9]+)\]$ ]]; then inodes+="${BASH_REMATCH[1]} "; fi
  done
  local table _slot address _peer state _queues _timer _retransmits _uid _timeout inode _rest
  for table in /proc/"$1"/net/tcp /proc/"$1"/net/tcp6; do
    [ -r "$table" ] || continue
    while read -r _slot address _peer state _queues _timer _retransmits _uid _timeout inode _rest; do
      if [ "$state" = 0A ] && [[ "$inodes" == *" $inode "* ]]; then  # 0A: LISTEN
        echo $((16#${address##*:}))
        return
      fi
    done <"$table"
  done
}

# True once process $1 has no child left (the server reaped them all), false
# after 5 s.
children_reaped() {
  local tries
  for ((tries = 0; tries < 100; tries++)); do
    [ -z "$(cat /proc/"$1"/task/*/children 2>/dev/null)" ] && return 0
    sleep 0.05
  done
  return 1
}

# Runs lab08 on a free port and lab09 against it. Both write straight to the
# tour's output, so the server's lines (accept, fork, its child's echo and
# close, the reap) and the client's appear as they happen, in time order. The
# port comes from /proc, not from the server's output. The client's input is
# what you type at a terminal, or two lines otherwise. Only the client pauses:
# two programs reading the one terminal would take each other's keys.
run_echo_pair() {
  "$bin/lab08-echo-serv" --port 0 "${common_args[@]}" </dev/null 2>&1 &
  server_pid=$!
  local port="" tries
  for ((tries = 0; tries < 200; tries++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    port=$(listening_port "$server_pid")
    [ -z "$port" ] || break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    echo "tour.sh: the server did not start" >&2
    return 1
  fi
  local status=0
  echo "\$ $bin/lab09-echo-cli 127.0.0.1 $port"
  if [ "$pause" -eq 1 ]; then
    say "type lines to send; a line with q (or Ctrl-D) ends the client"
    "$bin/lab09-echo-cli" 127.0.0.1 "$port" "${common_args[@]}" "${step_args[@]}" || status=$?
  else
    # lab09 narrates on stderr (its stdout is the echoed bytes): both into
    # the tour's output, in the order written.
    printf 'hello, forklab\nsecond line\n' |
      "$bin/lab09-echo-cli" 127.0.0.1 "$port" "${common_args[@]}" 2>&1 || status=$?
  fi
  # The server's child ends after the client's; let the server reap it (and
  # say so) before it is stopped.
  children_reaped "$server_pid" || true
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" || status=$?
  server_pid=""
  return "$status"
}

run_entry() {
  local number=$1 name=$2 runs=$3
  if [ "$number" = 08 ] || [ "$number" = 09 ]; then
    run_echo_pair
    return
  fi
  local run args run_list
  IFS=';' read -r -a run_list <<<"$runs"
  [ ${#run_list[@]} -gt 0 ] || run_list=("")
  for run in "${run_list[@]}"; do
    read -r -a args <<<"$run"
    echo "\$ $bin/$name ${args[*]}"
    lab_status=0
    "$bin/$name" "${args[@]}" "${common_args[@]}" "${step_args[@]}" || lab_status=$?
    local ended=$lab_status
    lab_status=-1
    [ "$ended" -eq 0 ] || return "$ended"
  done
}

for entry in "${catalogue[@]}"; do
  IFS='|' read -r number name purpose interactive_runs straight_runs <<<"$entry"
  index=$((10#$number))
  if [ -n "$only" ]; then [ "$index" -eq "$only" ] || continue; fi
  [ "$index" -ge "$from" ] || continue
  # lab09 runs together with lab08 (its server): once, whichever comes first
  [ "$number" = 09 ] && [ -z "$only" ] && [ "$from" -le 8 ] && continue
  purpose=$(words "$purpose")
  note=notes/$lang/$number-${name#lab[0-9][0-9]-}.md
  [ -f "$note" ] || note=notes/en/$number-${name#lab[0-9][0-9]-}.md
  echo
  echo "=== lab $number · $name — $purpose"
  echo "    $(words "notes"): $note"
  if [ "$pause" -eq 1 ]; then
    read -r -p "$(words "Enter to start, q to stop the tour: ")" answer
    [ "$answer" = q ] && exit 0
    runs=$interactive_runs
  else
    runs=$straight_runs
  fi
  if run_entry "$number" "$name" "$runs"; then
    mark_completed "$number"
    if [ "$number" = 08 ] || [ "$number" = 09 ]; then
      mark_completed 08
      mark_completed 09
    fi
  else
    status=$?
    say "lab {number} ended with an error (status {status})" number="$number" status="$status" >&2
    exit 1
  fi
done
echo
say "tour done: scripts/tour.sh --list shows your progress"
