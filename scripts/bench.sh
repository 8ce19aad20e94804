#!/usr/bin/env bash
# Benchmark of the fork-per-client echo server (lab08-echo-serv), side by side
# with what bounds it, all measured in one run on this machine:
#   fork      fork + _exit + waitpid in a loop, one process per CPU (the cost
#             of the process a fork-per-client server makes per connection)
#   pump      a loopback TCP read/write pump, 64 KiB writes (the cost of moving bytes)
#   floor     echoiter, an iterative echo server with no fork
#   course    courseserv, a fork-per-client server written as the course's best
#             listing (blocking accept, SA_RESTART SIGCHLD handler reaping in a
#             loop, TCP_NODELAY, 64 KiB buffer): lab08's reference
#   lab08     the fork-per-client server under test (--quiet for the load), and
#             narrated (its human lines written to a file) against --quiet
# lab08, course, narrated lab08 and fork run in interleaved rounds, a fresh
# server each run, and every ratio to course (or to --quiet) is the median of
# the per-round ratios of this run. Syscalls per connection are counted with
# strace. The load comes from tests/load/echoload (one thread, epoll, loopback
# only), which verifies every echoed byte. Prints one table: each target, what
# was measured, the ratio to its reference, PASS or MISS.
#
# It is a benchmark, not a test: it exits 0 even when a target is missed (and
# says so), non-zero only when it could not run.
#
# Usage: scripts/bench.sh [--quick] [--seconds S] [--hold N] [--build-dir DIR]
#   --quick        1 s per measurement instead of 3 (about 35 s in all)
#   --seconds S    seconds per measurement
#   --hold N       connections held at once (2000)
#   --build-dir D  build directory (build)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
seconds=3
hold=2000
concurrency=8

usage() { sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0"; }

# The value of option $1, which must follow it ($2 is what follows): a bad command line exits 2.
value_of() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then
    echo "bench: $1 needs a value (see --help)" >&2
    exit 2
  fi
  printf '%s' "$2"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) seconds=1 ;;
    --seconds) seconds=$(value_of "$@") || exit 2; shift ;;
    --hold) hold=$(value_of "$@") || exit 2; shift ;;
    --build-dir) build_dir=$(value_of "$@") || exit 2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$seconds" in '' | *[!0-9.]*) echo "bench: --seconds takes a number" >&2; exit 2 ;; esac
case "$hold" in '' | *[!0-9]*) echo "bench: --hold takes a whole number" >&2; exit 2 ;; esac

# --- what we start, and how it all ends -----------------------------------

work=$(mktemp -d)
server_groups=()  # process groups of the servers started (each its own session)
helpers=()        # output drainers, load generator, watchdog timers
# True while a process of a server's group is left.
servers_alive() {
  local group
  for group in "${server_groups[@]}"; do pgrep -g "$group" >/dev/null && return 0; done
  return 1
}
main_shell=$BASHPID
# A background job killed before it exec'd its program is still a copy of this
# shell, traps included: only the main shell cleans up.
cleanup() {
  local pid
  [ "$BASHPID" = "$main_shell" ] || return 0
  for pid in "${helpers[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${server_groups[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  exec 2>/dev/null  # no "Killed" notices for the jobs just ended
  wait || true
  # A server's children die on their own time after the SIGKILL: wait (5 s at
  # most) until no process of any server group is left.
  for _ in $(seq 100); do
    servers_alive || break
    sleep 0.05
  done
  rm -rf "$work"
}
trap cleanup EXIT
on_signal() {
  [ "$BASHPID" = "$main_shell" ] && echo "bench: $1" >&2
  exit "$2"
}
trap 'on_signal interrupted 130' INT
trap 'on_signal terminated 143' TERM

# --- build ----------------------------------------------------------------

scripts/bootstrap.sh "$build_dir"
targets=(tests/load/echoload tests/load/echoiter tests/load/courseserv)
have_lab08=false
if [ -f labs/lab08-echo-serv.cpp ]; then
  have_lab08=true
  targets+=(labs/lab08-echo-serv)
  # Labs are found by fs.exists() at configure time: a lab newer than the
  # build directory needs a reconfigure.
  grep -q 'lab08-echo-serv:' "$build_dir/build.ninja" || meson setup --reconfigure "$build_dir" >/dev/null
fi
if ! meson compile -C "$build_dir" "${targets[@]}" >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "bench: the build failed" >&2
  exit 1
fi
echoload=$build_dir/tests/load/echoload
echoiter=$build_dir/tests/load/echoiter
courseserv=$build_dir/tests/load/courseserv
lab08=$build_dir/labs/lab08-echo-serv

# --- servers --------------------------------------------------------------

# start_server NAME [--narrated | --traced] PROGRAM ARGS...: starts it in its
# own session and process group and waits for its listen event (the readiness
# handshake: no sleep). Sets server_pid (the server's own pid), server_job (the
# pid this shell waits for: the server, or strace tracing it), server_port and
# server_maps (the lines of its /proc/PID/maps: its memory mappings).
#   (default)   --json, its lines read through a pipe and kept in a log
#   --narrated  its lines for people (--lang en), written straight to a file:
#               the file is read until the listen line is there (20 s at most)
#   --traced    --json, run under `strace -f -c`: every system call of the
#               server and its children counted, in $work/NAME.strace
start_server() {
  local name=$1 how=plain fifo="$work/$1.fifo" line="" deadline
  shift
  case "$1" in --narrated | --traced) how=${1#--}; shift ;; esac
  server_pid="" server_port="" server_drainer=""
  if [ "$how" = narrated ]; then
    setsid "$@" --lang en >"$work/$name.log" 2>"$work/$name.err" </dev/null &
    server_job=$!
    server_groups+=("$server_job")
    deadline=$((SECONDS + 20))
    while [ -z "$server_port" ] && [ "$SECONDS" -lt "$deadline" ]; do
      line=$(grep -m 1 ' listen ' "$work/$name.log" || true)
      server_port=$(sed -n 's/.* listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' <<<"$line")
      server_pid=$(awk '{ print $3 }' <<<"$line")
      [ -n "$server_port" ] || sleep 0.02
    done
  else
    local wrapper=()
    [ "$how" = traced ] && wrapper=(strace -f -qq -c -o "$work/$name.strace" --)
    mkfifo "$fifo"
    setsid "${wrapper[@]}" "$@" --json >"$fifo" 2>"$work/$name.err" </dev/null &
    server_job=$!
    server_groups+=("$server_job")
    exec {server_out}<"$fifo"
    while [ -z "$server_port" ] && IFS= read -r -t 20 -u "$server_out" line; do
      case "$line" in
        *'"kind":"listen"'*)
          server_port=$(sed -n 's/.*"port":\([0-9][0-9]*\).*/\1/p' <<<"$line")
          server_pid=$(sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p' <<<"$line")
          ;;
      esac
    done
  fi
  if [ -z "$server_port" ]; then
    echo "bench: $name did not report listening; its stderr:" >&2
    cat "$work/$name.err" >&2
    exit 1
  fi
  if [ "$how" != traced ] && [ "$server_pid" != "$server_job" ]; then
    echo "bench: $name runs as pid $server_pid, not $server_job (setsid forked?)" >&2
    exit 1
  fi
  server_maps=$(wc -l <"/proc/$server_pid/maps")
  if [ "$how" != narrated ]; then
    # The rest of its output goes to a log, read by a drainer so it never blocks.
    cat <&"$server_out" >"$work/$name.log" &
    server_drainer=$!
    helpers+=("$server_drainer")
    exec {server_out}<&-
  fi
}

# stop_server NAME: SIGTERM to the server (to its whole group, but for a traced
# server: strace ends when it does), waits for it (10 s at most, then SIGKILL)
# and for its output, and sets server_status to its exit status.
stop_server() {
  local name=$1 watchdog finished="" status=0
  if [ "$server_job" = "$server_pid" ]; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
  else
    kill -TERM "$server_pid" 2>/dev/null || true
  fi
  sleep 10 &
  watchdog=$!
  helpers+=("$watchdog")
  wait -n -p finished "$server_job" "$watchdog" || status=$?
  if [ "$finished" = "$server_job" ]; then
    server_status=$status
  else
    echo "bench: $name did not stop within 10 s of SIGTERM: killed" >&2
    kill -KILL -- "-$server_job" 2>/dev/null || true
    server_status=killed
    wait "$server_job" 2>/dev/null || true
  fi
  # SIGKILL: a job not yet at its exec is a copy of this shell, and would run
  # our traps on SIGTERM.
  kill -KILL "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  [ -z "$server_drainer" ] || wait "$server_drainer" || true  # its log is complete
  # Error events: JSON ones in the log; in people's lines, stderr's "error" lines.
  error_events=$(cat "$work/$name.log" "$work/$name.err" |
    grep -c '"kind":"error"\|^ *[0-9.]* [a-z]* *[0-9]* error ' || true)
}

# syscalls NAME: the system calls strace counted for the traced server NAME
# and all its children (the "total" line of `strace -c`).
syscalls() {
  awk '$NF == "total" { print $4 }' "$work/$1.strace" 2>/dev/null | grep . || echo -
}

# --- measurements ---------------------------------------------------------

declare -A result  # "name key" -> value

# load NAME ARGS...: runs echoload, stores its key=value output as result["NAME key"].
load() {
  local name=$1 line status=0 pair pairs
  shift
  "$echoload" "$@" >"$work/load.out" 2>"$work/load.err" &
  helpers+=("$!")
  wait "$!" || status=$?
  line=$(cat "$work/load.out")
  printf '  %-12s %s\n' "$name" "$line"
  if [ "$status" -ge 2 ] || [ -z "$line" ]; then
    echo "bench: echoload failed ($name):" >&2
    cat "$work/load.err" >&2
  fi
  read -ra pairs <<<"$line"
  for pair in "${pairs[@]}"; do
    case "$pair" in *=*) result["$name ${pair%%=*}"]=${pair#*=} ;; esac
  done
}

get() { echo "${result["$1 $2"]:--}"; }
# calc EXPRESSION [DECIMALS]: its value (every figure in it measured).
calc() { awk "BEGIN { v = $1; printf \"%.${2:-2}f\", v }" 2>/dev/null || echo -; }

cpus=$(nproc)
load_average=$(cut -d ' ' -f 1 /proc/loadavg)
echo "forklab bench: $(uname -srm), $cpus CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "  load average $load_average; $seconds s per measurement; the raw lines:"
if awk -v l="$load_average" -v c="$cpus" 'BEGIN { exit !(l > c / 2) }'; then
  echo "  warning: the machine is busy (load $load_average on $cpus CPUs): figures will be noisy"
fi

half=$(awk -v s="$seconds" 'BEGIN { printf "%g", s / 2 }')

# The floor and the pump, once.
load pump-before --mode pump --size 65536 --seconds "$half"
start_server floor "$echoiter" --port 0
load floor-rate --mode rate --port "$server_port" -c "$concurrency" --size 64 --seconds "$seconds" \
  --server-pid "$server_pid"
load floor-64 --mode stream --port "$server_port" -c 1 --size 64 --seconds "$half"
load floor-64k --mode stream --port "$server_port" -c 1 --size 65536 --seconds "$half"
stop_server floor
floor_status=$server_status
floor_errors=$error_events

lab08_status=- lab08_errors=- course_status=- narrated_status=-
lab08_maps=- course_maps=-
# status_of WAS NOW: the first non-zero exit status seen, else 0.
status_of() { if [ "$1" = - ] || [ "$1" = 0 ]; then echo "$2"; else echo "$1"; fi; }
# $rounds rounds; in each: a fresh lab08 --quiet (connection rate, then 64 B
# and 64 KiB echo), a fresh course-style server (the same), a fresh narrated
# lab08 (the connection rate), then a fork run. Ratios are per round (lab08 /
# course in the same round), and the verdict takes their median, so that one
# burst of load elsewhere on the machine does not decide it.
rounds=5
round_seconds=$(awk -v s="$seconds" -v r="$rounds" 'BEGIN { printf "%g", s * 3 / r }')
stream_seconds=$(awk -v s="$seconds" -v r="$rounds" 'BEGIN { printf "%g", s / r }')
# serve_round NAME-ROUND ARGS...: one fresh server, its rate and echo runs.
serve_round() {
  local run=$1
  shift
  start_server "$run" "$@" --port 0
  load "$run-rate" --mode rate --port "$server_port" -c "$concurrency" --size 64 \
    --seconds "$round_seconds" --server-pid "$server_pid"
  load "$run-64" --mode stream --port "$server_port" -c 1 --size 64 --seconds "$stream_seconds"
  load "$run-64k" --mode stream --port "$server_port" -c 1 --size 65536 \
    --seconds "$stream_seconds"
  stop_server "$run"
}
load fork-0 --mode fork --seconds "$round_seconds"
if $have_lab08; then
  lab08_errors=0
  for round in $(seq "$rounds"); do
    serve_round "lab08-$round" "$lab08" --quiet
    lab08_status=$(status_of "$lab08_status" "$server_status")
    lab08_errors=$((lab08_errors + error_events))
    lab08_maps=$server_maps
    serve_round "course-$round" "$courseserv"
    course_status=$(status_of "$course_status" "$server_status")
    course_maps=$server_maps
    start_server "narrated-$round" --narrated "$lab08" --port 0
    load "narrated-$round-rate" --mode rate --port "$server_port" -c "$concurrency" --size 64 \
      --seconds "$round_seconds" --server-pid "$server_pid"
    stop_server "narrated-$round"
    narrated_status=$(status_of "$narrated_status" "$server_status")
    lab08_errors=$((lab08_errors + error_events))
    load "fork-$round" --mode fork --seconds "$round_seconds"
  done
  load pump-after --mode pump --size 65536 --seconds "$half"

  # System calls per connection, counted by strace (which slows both servers
  # alike): a traced run with the load, less a traced run with none (start and
  # stop), divided by the connections served.
  if command -v strace >/dev/null; then
    for server in lab08 course; do
      program=$lab08 extra=(--quiet)
      [ "$server" = course ] && program=$courseserv extra=()
      start_server "$server-idle" --traced "$program" "${extra[@]}" --port 0
      stop_server "$server-idle"
      start_server "$server-traced" --traced "$program" "${extra[@]}" --port 0
      load "$server-traced" --mode rate --port "$server_port" -c "$concurrency" --size 64 \
        --seconds "$half"
      stop_server "$server-traced"
      traced=$(syscalls "$server-traced") idle=$(syscalls "$server-idle")
      served=$(get "$server-traced" "done")
      case "$traced $idle $served" in
        *-*) result["$server syscalls"]=- ;;
        *) result["$server syscalls"]=$(calc "($traced - $idle) / $served" 1) ;;
      esac
    done
  else
    echo "  (strace is not installed: no syscall counts; scripts/bootstrap.sh installs it)"
  fi

  # 2000 at once with lab08's default options (--quiet aside): the default
  # backlog must take them all.
  start_server lab08 "$lab08" --port 0 --quiet
  load lab08-hold --mode hold --port "$server_port" -c "$hold" --size 64 --seconds 30 \
    --server-pid "$server_pid"
  stop_server lab08
  lab08_status=$(status_of "$lab08_status" "$server_status")
  lab08_errors=$((lab08_errors + error_events))
fi
left=$(for group in "${server_groups[@]}"; do pgrep -g "$group" || true; done | wc -l)

# --- the table --------------------------------------------------------------

# ratio A B: A / B, or - when either is missing.
ratio() {
  case "$1$2" in *-*) echo - ;; *) calc "$1 / $2" 2 ;; esac
}
# verdict VALUE OP LIMIT: PASS or MISS (MISS when nothing was measured).
verdict() {
  case "$1" in -|'') echo MISS; return ;; esac
  if awk "BEGIN { exit !($1 $2 $3) }"; then echo PASS; else echo MISS; fi
}

passed=0 missed=0 misses=""
line() {  # one row, fixed-width columns, no trailing blanks
  local text
  text=$(printf '%-34s %10s %12s %12s %7s  %-17s %s' "$@")
  echo "${text%"${text##*[! ]}"}"
}
row() {  # metric floor course lab08 ratio target verdict
  line "$@"
  case "$7" in
    PASS) passed=$((passed + 1)) ;;
    MISS) missed=$((missed + 1)); misses="$misses; ${1#"${1%%[! ]*}"}" ;;
  esac
}

# mean_of KEY NAME...: the mean of the measured result["NAME KEY"], - if none.
mean_of() {
  local key=$1 values=() name value
  shift
  for name in "$@"; do
    value=$(get "$name" "$key")
    [ "$value" = - ] || values+=("$value")
  done
  [ ${#values[@]} -gt 0 ] || { echo -; return; }
  printf '%s\n' "${values[@]}" | awk '{ s += $1 } END { printf "%.1f", s / NR }'
}
# Per-round results are named after their round: "lab08-@-rate" is lab08-1-rate,
# lab08-2-rate... for rounds 1..$rounds.
# runs PATTERN: the names of its runs.
runs() {
  local round
  for round in $(seq "$rounds"); do echo "${1//@/$round}"; done
}
# median_ratio KEY A B: the median over the rounds of result["A KEY"] / result["B KEY"].
median_ratio() {
  local key=$1 a=$2 b=$3 round
  for round in $(seq "$rounds"); do
    echo "$(get "${a//@/$round}" "$key") $(get "${b//@/$round}" "$key")"
  done | awk '$1 != "-" && $2 != "-" && $2 > 0 { printf "%.3f\n", $1 / $2 }' | sort -n |
    awk '{ r[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) printf "%.2f", r[(NR + 1) / 2];
      else printf "%.2f", (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}
# per_round KEY PATTERN: "v1/v2/..." over the rounds, whole numbers.
per_round() {
  local key=$1 name out=""
  for name in $(runs "$2"); do out+="$(get "$name" "$key" | sed 's/\..*//')/"; done
  echo "${out%/}"
}
# mean_over KEY PATTERN: the mean over the rounds.
mean_over() {
  local names
  read -ra names <<<"$(runs "$2" | tr '\n' ' ')"
  mean_of "$1" "${names[@]}"
}
# sum_of KEY NAME...: the sum of result["NAME KEY"], or - if one is missing.
sum_of() {
  local key=$1 total=0 name value
  shift
  for name in "$@"; do
    value=$(get "$name" "$key")
    [ "$value" = - ] && { echo -; return; }
    total=$((total + value))
  done
  echo "$total"
}

# The fork reference, run before the first round and after each: a run under
# half the median of all its runs ran starved (the machine was busy elsewhere):
# it is flagged with "!" and left out of the mean.
fork_names=(fork-0)
read -ra more <<<"$(runs fork-@ | tr '\n' ' ')"
fork_names+=("${more[@]}")
fork_median=$(for name in "${fork_names[@]}"; do get "$name" rate; done | grep -v '^-$' | sort -n |
  awk '{ v[NR] = $1 } END { if (!NR) print 0; else print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
fork_used=() fork_spread=""
for name in "${fork_names[@]}"; do
  value=$(get "$name" rate)
  if [ "$value" != - ] && awk -v v="$value" -v m="$fork_median" 'BEGIN { exit !(v >= m / 2) }'; then
    fork_used+=("$name")
    fork_spread+="${value%.*}/"
  else
    fork_spread+="${value%.*}!/"
  fi
done
fork_spread=${fork_spread%/}
fork_rate=$(mean_of rate "${fork_used[@]}")
fork_cpu=$(mean_of cpu_us "${fork_used[@]}")

rate=$(mean_over rate lab08-@-rate)
course_rate=$(mean_over rate course-@-rate)
narrated_rate=$(mean_over rate narrated-@-rate)
lab08_cpu=$(mean_over server_cpu_us lab08-@-rate)
course_cpu=$(mean_over server_cpu_us course-@-rate)
narrated_cpu=$(mean_over server_cpu_us narrated-@-rate)
pump_mbps=$(mean_of mbps pump-before pump-after)
held=$(get lab08-hold held)
zombies=$(get lab08-hold zombies)
alive=$(get lab08-hold alive)
dirty=$(get lab08-hold private_dirty_kib_avg)
read -ra lab08_load_runs <<<"$(runs lab08-@-rate; runs lab08-@-64; runs lab08-@-64k;
  runs narrated-@-rate; echo lab08-hold)"
lab08_load_errors=$(sum_of errors "${lab08_load_runs[@]}")
floor_load_errors=$(sum_of errors floor-rate floor-64 floor-64k)
lab08_calls=$(get lab08 syscalls)
course_calls=$(get course syscalls)

# target_row METRIC FLOOR COURSE LAB08 RATIO OP LIMIT [NOTE]: a row whose verdict
# is RATIO OP LIMIT; the target column says so ("<= 1.05 (median)").
target_row() {
  row "$1" "$2" "$3" "$4" "$5" "$6 $7${8:+ $8}" "$(verdict "$5" "$6" "$7")"
}

echo
echo "Results (floor = echoiter, iterative, no fork; course = courseserv, the course-style fork"
echo "server; lab08 = lab08-echo-serv --quiet, narrated = lab08 with its lines written to a file;"
echo "lab08, course and narrated: $rounds interleaved rounds, a fresh server each; a ratio marked"
echo "(median) is the median of the per-round ratios lab08 / course of this run)"
line "metric" "floor" "course" "lab08" "ratio" "target" "result"
line "------" "-----" "------" "-----" "-----" "------" "------"
line "fork+exit+waitpid /s ($cpus procs)" "" "" "$fork_rate" "" "(reference)" ""
line "  in run 0..$rounds (! starved: unused)" "" "" "$fork_spread" "" "" ""
line "  CPU us per fork+exit+waitpid" "" "" "$fork_cpu" "" "" ""
line "loopback pump MB/s (64 KiB)" "" "" "$pump_mbps" "" "(reference)" ""
target_row "connections/s, C=$concurrency, 64 B" "$(get floor-rate rate)" "$course_rate" "$rate" \
  "$(median_ratio rate lab08-@-rate course-@-rate)" '>=' 0.95 "(median)"
line "  in round 1..$rounds" "" "$(per_round rate course-@-rate)" "$(per_round rate lab08-@-rate)" \
  "" "" ""
line "  lab08 / fork+exit+waitpid" "" "" "" "$(ratio "$rate" "$fork_rate")" "" ""
target_row "  server CPU us per connection" "$(get floor-rate server_cpu_us)" "$course_cpu" \
  "$lab08_cpu" "$(median_ratio server_cpu_us lab08-@-rate course-@-rate)" '<=' 1.05 "(median)"
line "  in round 1..$rounds" "" "$(per_round server_cpu_us course-@-rate)" \
  "$(per_round server_cpu_us lab08-@-rate)" "" "" ""
target_row "  syscalls per connection (strace)" "" "$course_calls" "$lab08_calls" \
  "$(ratio "$lab08_calls" "$course_calls")" '<=' 1.05
line "  connection p50 / p99 us (round 1)" "$(get floor-rate p50_us)/$(get floor-rate p99_us)" \
  "$(get course-1-rate p50_us)/$(get course-1-rate p99_us)" \
  "$(get lab08-1-rate p50_us)/$(get lab08-1-rate p99_us)" "" "" ""
target_row "narrated: connections/s" "" "" "$narrated_rate" \
  "$(median_ratio rate narrated-@-rate lab08-@-rate)" '>=' 0.80 "x quiet"
target_row "  server CPU us per connection" "" "" "$narrated_cpu" \
  "$(median_ratio server_cpu_us narrated-@-rate lab08-@-rate)" '<=' 1.25 "x quiet"
target_row "64 B round trip p50 us, C=1" "$(get floor-64 p50_us)" "$(mean_over p50_us course-@-64)" \
  "$(mean_over p50_us lab08-@-64)" "$(median_ratio p50_us lab08-@-64 course-@-64)" '<=' 1.10 \
  "(median)"
target_row "64 B round trip p99 us, C=1" "$(get floor-64 p99_us)" "$(mean_over p99_us course-@-64)" \
  "$(mean_over p99_us lab08-@-64)" "$(median_ratio p99_us lab08-@-64 course-@-64)" '<=' 1.25 \
  "(median)"
target_row "64 KiB echo MB/s, C=1" "$(get floor-64k mbps)" "$(mean_over mbps course-@-64k)" \
  "$(mean_over mbps lab08-@-64k)" "$(median_ratio mbps lab08-@-64k course-@-64k)" '>=' 0.95 \
  "(median)"
line "  in round 1..$rounds" "" "$(per_round mbps course-@-64k)" "$(per_round mbps lab08-@-64k)" \
  "" "" ""
line "memory mappings of the server" "" "$course_maps" "$lab08_maps" \
  "$(ratio "$lab08_maps" "$course_maps")" "" ""
row "$hold at once (default options)" "n/a" "" "$held" "" "= $hold" "$(verdict "$held" '==' "$hold")"
row "  errors (echoload, all modes)" "$floor_load_errors" "" "$lab08_load_errors" "" "= 0" \
  "$(verdict "$lab08_load_errors" '==' 0)"
row "  errors (lab08's error events)" "$floor_errors" "" "$lab08_errors" "" "= 0" \
  "$(verdict "$lab08_errors" '==' 0)"
row "  zombies after close-all" "n/a" "" "$zombies" "" "= 0" "$(verdict "$zombies" '==' 0)"
row "  children left after close-all" "n/a" "" "$alive" "" "= 0" "$(verdict "$alive" '==' 0)"
row "private dirty KiB per held child" "n/a" "" "$dirty" "" "<= 40" "$(verdict "$dirty" '<=' 40)"
row "exit status after SIGTERM" "$floor_status" "$course_status" "$lab08_status" "" "= 0" \
  "$(verdict "$lab08_status" '==' 0)"
row "  narrated" "" "" "$narrated_status" "" "= 0" "$(verdict "$narrated_status" '==' 0)"
row "processes left behind" "" "" "$left" "" "= 0" "$(verdict "$left" '==' 0)"

echo
if ! $have_lab08; then
  echo "bench: labs/lab08-echo-serv.cpp does not exist yet: lab08's column is empty."
fi
if [ "$missed" -eq 0 ]; then
  echo "bench: all $passed targets met."
else
  echo "bench: $missed of $((passed + missed)) targets MISSED:${misses#;}"
  echo "bench: (a benchmark, not a test: exit status 0 all the same)"
fi
