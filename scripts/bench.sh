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
#   lab08     the fork-per-client server under test (--quiet for the load)
# lab08 and course are run in interleaved rounds, a fresh server each run, and
# every lab08/course ratio is the median of the per-round ratios of this run.
# The load comes from tests/load/echoload (one thread, epoll, loopback only),
# which verifies every echoed byte. Prints one table: each target, what was
# measured, the ratio to its reference, PASS or MISS.
#
# It is a benchmark, not a test: it exits 0 even when a target is missed (and
# says so), non-zero only when it could not run.
#
# Usage: scripts/bench.sh [--quick] [--seconds S] [--hold N] [--build-dir DIR]
#   --quick        1 s per measurement instead of 3 (about 30 s in all)
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

# start_server NAME PROGRAM ARGS...: starts it in its own session and process
# group with --json, and waits for its listen event (the readiness handshake:
# no sleep). Sets server_pid and server_port.
start_server() {
  local name=$1 fifo="$work/$1.fifo" line="" job
  shift
  mkfifo "$fifo"
  setsid "$@" --json >"$fifo" 2>"$work/$name.err" </dev/null &
  job=$!
  server_groups+=("$job")
  exec {server_out}<"$fifo"
  server_pid="" server_port=""
  while [ -z "$server_port" ]; do
    if ! IFS= read -r -t 20 -u "$server_out" line; then
      echo "bench: $name did not report listening; its stderr:" >&2
      cat "$work/$name.err" >&2
      exit 1
    fi
    case "$line" in
      *'"kind":"listen"'*)
        server_port=$(sed -n 's/.*"port":\([0-9][0-9]*\).*/\1/p' <<<"$line")
        server_pid=$(sed -n 's/.*"pid":\([0-9][0-9]*\).*/\1/p' <<<"$line")
        ;;
    esac
  done
  if [ "$server_pid" != "$job" ]; then
    echo "bench: $name runs as pid $server_pid, not $job (setsid forked?)" >&2
    exit 1
  fi
  # The rest of its output goes to a log, read by a drainer so it never blocks.
  cat <&"$server_out" >"$work/$name.log" &
  server_drainer=$!
  helpers+=("$server_drainer")
  exec {server_out}<&-
}

# stop_server NAME: SIGTERM to its group, waits for it (10 s at most, then
# SIGKILL) and for its output, and sets server_status to its exit status.
stop_server() {
  local name=$1 watchdog finished="" status=0
  kill -TERM -- "-$server_pid" 2>/dev/null || true
  sleep 10 &
  watchdog=$!
  helpers+=("$watchdog")
  wait -n -p finished "$server_pid" "$watchdog" || status=$?
  if [ "$finished" = "$server_pid" ]; then
    server_status=$status
  else
    echo "bench: $name did not stop within 10 s of SIGTERM: killed" >&2
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    server_status=killed
    wait "$server_pid" 2>/dev/null || true
  fi
  # SIGKILL: a job not yet at its exec is a copy of this shell, and would run
  # our traps on SIGTERM.
  kill -KILL "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  wait "$server_drainer" || true  # its log is complete
  error_events=$(grep -c '"kind":"error"' "$work/$name.log" || true)
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

cpus=$(nproc)
load_average=$(cut -d ' ' -f 1 /proc/loadavg)
echo "forklab bench: $(uname -srm), $cpus CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"
echo "  load average $load_average; $seconds s per measurement; the raw lines:"
if awk -v l="$load_average" -v c="$cpus" 'BEGIN { exit !(l > c / 2) }'; then
  echo "  warning: the machine is busy (load $load_average on $cpus CPUs): figures will be noisy"
fi

half=$(awk -v s="$seconds" 'BEGIN { printf "%g", s / 2 }')

# Each reference is measured right before and right after what is compared
# with it, and averaged: a machine whose load drifts affects both alike.
load floor-pump --mode pump --size 65536 --seconds "$half"
start_server floor "$echoiter" --port 0
load floor-rate --mode rate --port "$server_port" -c "$concurrency" --size 64 --seconds "$seconds" \
  --server-pid "$server_pid"
load floor-64 --mode stream --port "$server_port" -c 1 --size 64 --seconds "$seconds"
load floor-64k --mode stream --port "$server_port" -c 1 --size 65536 --seconds "$seconds"
stop_server floor
floor_status=$server_status
floor_errors=$error_events

lab08_status=-
lab08_errors=-
course_status=-
# The connection rate: $rounds rounds; in each, a fresh lab08 (default options
# but --quiet), then a fresh course-style server, then a fork run. Ratios are
# per round (lab08 / course in the same round), and the verdict takes their
# median, so that one burst of load elsewhere on the machine does not decide it.
rounds=5
round_seconds=$(awk -v s="$seconds" -v r="$rounds" 'BEGIN { printf "%g", s * 3 / r }')
load fork-0 --mode fork --seconds "$round_seconds"
if $have_lab08; then
  lab08_errors=0
  for round in $(seq "$rounds"); do
    start_server "lab08-$round" "$lab08" --port 0 --quiet
    load "lab08-rate-$round" --mode rate --port "$server_port" -c "$concurrency" --size 64 \
      --seconds "$round_seconds" --server-pid "$server_pid"
    stop_server "lab08-$round"
    [ "$server_status" = 0 ] || lab08_status=$server_status
    [ "$lab08_status" = - ] && lab08_status=0
    lab08_errors=$((lab08_errors + error_events))
    start_server "course-$round" "$courseserv" --port 0
    load "course-rate-$round" --mode rate --port "$server_port" -c "$concurrency" --size 64 \
      --seconds "$round_seconds" --server-pid "$server_pid"
    stop_server "course-$round"
    [ "$server_status" = 0 ] || course_status=$server_status
    [ "$course_status" = - ] && course_status=0
    load "fork-$round" --mode fork --seconds "$round_seconds"
  done
  # The rest with lab08's default options (--quiet aside): 2000 at once must
  # connect with the default backlog.
  start_server lab08 "$lab08" --port 0 --quiet
  load lab08-64 --mode stream --port "$server_port" -c 1 --size 64 --seconds "$seconds"
  load pump-before --mode pump --size 65536 --seconds "$half"
  load lab08-64k --mode stream --port "$server_port" -c 1 --size 65536 --seconds "$seconds"
  load pump-after --mode pump --size 65536 --seconds "$half"
  load lab08-hold --mode hold --port "$server_port" -c "$hold" --size 64 --seconds 30 \
    --server-pid "$server_pid"
  stop_server lab08
  [ "$server_status" = 0 ] || lab08_status=$server_status
  lab08_errors=$((lab08_errors + error_events))
fi
left=$(for group in "${server_groups[@]}"; do pgrep -g "$group" || true; done | wc -l)

# --- the table --------------------------------------------------------------

calc() { awk "BEGIN { v = $1; printf \"%.${2:-2}f\", v }" 2>/dev/null || echo -; }
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
fork_runs=() rate_runs=() course_runs=()
for round in $(seq 0 "$rounds"); do fork_runs+=("fork-$round"); done
for round in $(seq "$rounds"); do rate_runs+=("lab08-rate-$round"); course_runs+=("course-rate-$round"); done
fork_rate=$(mean_of rate "${fork_runs[@]}")
fork_cpu=$(mean_of cpu_us "${fork_runs[@]}")
# median_ratio KEY A B: the median over the rounds of result["A-R KEY"] / result["B-R KEY"].
median_ratio() {
  local key=$1 a=$2 b=$3 round
  for round in $(seq "$rounds"); do
    echo "$(get "$a-$round" "$key") $(get "$b-$round" "$key")"
  done | awk '$1 != "-" && $2 != "-" && $2 > 0 { printf "%.3f\n", $1 / $2 }' | sort -n |
    awk '{ r[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) printf "%.2f", r[(NR + 1) / 2];
      else printf "%.2f", (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}
# per_round KEY NAME: "v1/v2/..." over the rounds, whole numbers.
per_round() {
  local key=$1 name=$2 round out=""
  for round in $(seq "$rounds"); do out+="$(get "$name-$round" "$key" | sed 's/\..*//')/"; done
  echo "${out%/}"
}
# The fork reference's rounds: one far below the others ran starved, and is flagged.
fork_spread=$(for name in "${fork_runs[@]}"; do get "$name" rate; done | awk '$1 != "-" { v[NR] = $1; s += $1; n++ }
  END { if (!n) { print "-"; exit } m = s / n; out = ""; for (i in v) if (v[i] < m / 2) out = out " starved:" int(v[i]);
    printf "%d runs%s", n, out }')
rate_ratio=$(median_ratio rate lab08-rate course-rate)
cpu_ratio=$(median_ratio server_cpu_us lab08-rate course-rate)
median_rate="lab08-rate-1"
pump_mbps=$(mean_of mbps pump-before pump-after)
floor_pump=$(get floor-pump mbps)
rate=$(mean_of rate "${rate_runs[@]}")
course_rate=$(mean_of rate "${course_runs[@]}")
mbps=$(get lab08-64k mbps)
mbps_ratio=$(ratio "$mbps" "$pump_mbps")
p50=$(get lab08-64 p50_us)
p99=$(get lab08-64 p99_us)
held=$(get lab08-hold held)
zombies=$(get lab08-hold zombies)
alive=$(get lab08-hold alive)
dirty=$(get lab08-hold private_dirty_kib_avg)
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
floor_load_errors=$(sum_of errors floor-rate floor-64 floor-64k)
lab08_load_errors=$(sum_of errors "${rate_runs[@]}" lab08-64 lab08-64k lab08-hold)

echo
echo "Results (floor = echoiter, iterative, no fork; course = courseserv, the course-style fork"
echo "server; lab08 and course: $rounds interleaved rounds, a fresh server each; a ratio marked"
echo "(median) is the median of the per-round ratios; other ratios are lab08 / its reference)"
line "metric" "floor" "course" "lab08" "ratio" "target" "result"
line "------" "-----" "------" "-----" "-----" "------" "------"
line "fork+exit+waitpid /s ($cpus procs)" "" "" "$fork_rate" "" "(reference)" ""
line "  its rounds" "" "" "$fork_spread" "" "(starved: unused)" ""
line "  CPU us per fork+exit+waitpid" "" "" "$fork_cpu" "" "" ""
line "loopback pump MB/s (64 KiB)" "$floor_pump" "" "$pump_mbps" "" "(reference)" ""
row "connections/s, C=$concurrency, 64 B" "$(get floor-rate rate)" "$course_rate" "$rate" "$rate_ratio" \
  ">= 0.95 (median)" "$(verdict "$rate_ratio" '>=' 0.95)"
line "  rate in round 1..$rounds" "" "$(per_round rate course-rate)" "$(per_round rate lab08-rate)" "" "" ""
lab08_cpu=$(mean_of server_cpu_us "${rate_runs[@]}")
row "  server CPU us per connection" "$(get floor-rate server_cpu_us)" \
  "$(mean_of server_cpu_us "${course_runs[@]}")" "$lab08_cpu" "$cpu_ratio" "<= 1.05 (median)" \
  "$(verdict "$cpu_ratio" '<=' 1.05)"
line "  CPU us in round 1..$rounds" "" "$(per_round server_cpu_us course-rate)" \
  "$(per_round server_cpu_us lab08-rate)" "" "" ""
line "  connection p50 / p99 us" "$(get floor-rate p50_us)/$(get floor-rate p99_us)" \
  "$(get course-rate-1 p50_us)/$(get course-rate-1 p99_us)" \
  "$(get "$median_rate" p50_us)/$(get "$median_rate" p99_us)" "" "(round 1)" ""
row "64 B round trip p50 us, C=1" "$(get floor-64 p50_us)" "" "$p50" "$(ratio "$p50" "$(get floor-64 p50_us)")" \
  "< 100" "$(verdict "$p50" '<' 100)"
row "64 B round trip p99 us, C=1" "$(get floor-64 p99_us)" "" "$p99" "$(ratio "$p99" "$(get floor-64 p99_us)")" \
  "< 1000" "$(verdict "$p99" '<' 1000)"
row "64 KiB echo MB/s, C=1" "$(get floor-64k mbps)" "" "$mbps" "$mbps_ratio" ">= 0.50 x pump" \
  "$(verdict "$mbps_ratio" '>=' 0.5)"
line "  64 KiB round trip p50 / p99 us" "$(get floor-64k p50_us)/$(get floor-64k p99_us)" "" \
  "$(get lab08-64k p50_us)/$(get lab08-64k p99_us)" "" "" ""
row "$hold at once (default options)" "n/a" "" "$held" "" "= $hold" "$(verdict "$held" '==' "$hold")"
row "  errors (echoload, all modes)" "$floor_load_errors" "" "$lab08_load_errors" "" "= 0" \
  "$(verdict "$lab08_load_errors" '==' 0)"
row "  errors (lab08's error events)" "$floor_errors" "" "$lab08_errors" "" "= 0" "$(verdict "$lab08_errors" '==' 0)"
row "  zombies after close-all" "n/a" "" "$zombies" "" "= 0" "$(verdict "$zombies" '==' 0)"
row "  children left after close-all" "n/a" "" "$alive" "" "= 0" "$(verdict "$alive" '==' 0)"
row "private dirty KiB per held child" "n/a" "" "$dirty" "" "<= 40" "$(verdict "$dirty" '<=' 40)"
row "exit status after SIGTERM" "$floor_status" "$course_status" "$lab08_status" "" "= 0" \
  "$(verdict "$lab08_status" '==' 0)"
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
