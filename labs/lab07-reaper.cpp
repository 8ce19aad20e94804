// lab07-reaper — reaping children from a SIGCHLD handler (the book's remove_zombie.c).
//
// When a child ends, the kernel sends its parent SIGCHLD; a handler collects
// the status at once, so the parent never waits and no zombie stays. The
// book's handler calls waitpid() once, but SIGCHLDs merge (lab10), so this one
// loops, narrating with signal_say() (async-signal-safe). As in the book, two
// children sleep 10 s, then _exit(12) and _exit(24), while the parent sleeps
// sleep(5) five times; here they start at a gate when the rounds begin, half a
// round apart, so each ends mid-round and the same sleeps are cut every run.
// Watch for: "reap" lines from the handler (12, 24), a short "wake", no <defunct>.
// Usage: lab07-reaper [--child-sleep S] [--rounds N] [--interval S] [--json] [--step]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "runtime/child_checks.hpp"
#include "lab.hpp"
#include "runtime/sleeps.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab07.sleep_cut",
    "A child will end while the parent is in sleep({interval}). What happens to that sleep?",
    {{{"full", "nothing: the handler runs, and the sleep goes on to its end"},
      {"cut", "it ends early: sleep() returns once the SIGCHLD handler has run"},
      {"killed", "the parent dies: that is SIGCHLD's default action"}}},
    "the kernel wakes the sleeping parent to run its SIGCHLD handler, and sleep() does not go "
    "back to sleep afterwards: it returns early, which is why the parent sleeps in rounds."};
static_assert(lab::well_formed(question));

namespace {

volatile sig_atomic_t handler_calls = 0;
volatile sig_atomic_t collected = 0;  // 1: code 12 seen, 2: code 24, 4: anything else

void read_childproc(int sig) {
  const int saved_errno = errno;
  handler_calls = handler_calls + 1;
  lab::signal_say("signal", "SIGCHLD: a child ended — waitpid() until none is left",
                  {{"signo", sig}, {"handler_call", handler_calls}});
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    collected = collected | (code == 12 ? 1 : code == 24 ? 2 : 4);
    if (WIFEXITED(status))
      lab::signal_say(
          "reap", "removed child {child}; it sent {code} (WEXITSTATUS)",
          {{"child", pid}, {"code", WEXITSTATUS(status)}, {"handler_call", handler_calls}});
    else  // SA_NOCLDSTOP and no WUNTRACED: only ends are reported
      lab::signal_say(
          "reap", "removed child {child}; killed by signal {killed_by}",
          {{"child", pid}, {"killed_by", WTERMSIG(status)}, {"handler_call", handler_calls}});
  }
  if (pid < 0 && errno != ECHILD)  // ECHILD: no child left at all, the normal end
    lab::signal_say("error", "waitpid failed in the SIGCHLD handler: errno {errno}",
                    {{"errno", errno}});
  errno = saved_errno;
}

// A child: waits at the gate (and `offset` more), sleeps, then _exit(code).
[[noreturn]] void run_child(lab::gate& start, lab::seconds offset, lab::seconds sleep_time,
                            int code, const char* how) {
  start.pass();
  std::this_thread::sleep_for(offset);
  lab::say("fork", "Hi! I'm child process: sleeping {sleep} s, then {how}",
           {{"sleep", sleep_time.count()}, {"how", how}});
  std::this_thread::sleep_for(sleep_time);
  lab::say("exit", "{how}: I end now", {{"how", how}, {"code", code}});
  ::_exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  lab::seconds child_sleep{10};
  int rounds = 5;
  std::chrono::seconds interval{5};
  lab::command_line cli("lab07-reaper",
                        "A SIGCHLD handler reaps the children as they end (waitpid(-1, ..., "
                        "WNOHANG) in a loop): the parent never waits, a sleep is cut short, "
                        "and no zombie is left.");
  cli.option("--child-sleep", child_sleep,
             "seconds both children sleep before _exit(12) and _exit(24)", 0, 3600);
  cli.option("--rounds", rounds, "how many times the parent sleeps", 1, 100);
  cli.option("--interval", interval, "seconds each round asks sleep() for", 1, 3600);
  cli.epilogue(
      "Watch for: reap lines from the handler (12 and 24), the wake line that slept less "
      "than asked, and no <defunct> in the last tree.");
  return cli.run(argc, argv, [&] {
    const double round_s = static_cast<double>(interval.count());
    const auto [offset, end_round] = lab::ending_mid_round(child_sleep, round_s);  // the first
    const lab::seconds offset_2 = offset + lab::seconds{round_s / 2};  // half a round later
    if (end_round + 1 > rounds) {
      lab::say_error(
          "the children end in rounds {round} and {next}: --rounds must be at least {next}",
          {{"round", end_round}, {"next", end_round + 1}, {"rounds", rounds}});
      return 2;
    }

    lab::stage("install the SIGCHLD handler with sigaction()");
    struct sigaction act {};
    act.sa_handler = read_childproc;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_NOCLDSTOP;  // ends only, not stops; no SA_RESTART
    lab::check(::sigaction(SIGCHLD, &act, nullptr), "sigaction");

    lab::gate start;  // both children wait here until the rounds begin
    const pid_t first = lab::fork_as("child");
    if (first == 0) run_child(start, offset, child_sleep, 12, "_exit(12)");  // child
    lab::say("fork", "Child proc id: {child}", {{"child", first}});          // parent
    const pid_t second = lab::fork_as("child 2");
    if (second == 0) run_child(start, offset_2, child_sleep, 24, "_exit(24)");  // child
    lab::say("fork", "Child proc id: {child}", {{"child", second}});            // parent

    lab::stage("the parent sleeps in rounds; each SIGCHLD cuts a sleep short");
    lab::ask(question, {{"interval", interval.count()}});  // --step: predict it
    start.open();  // after the answer: the children have waited at the gate till now
    lab::say("gate",
             "the children start sleeping in {offset} s and {offset_2} s: they end in the middle "
             "of rounds {round} and {next}",
             {{"offset", offset.count()},
              {"offset_2", offset_2.count()},
              {"round", end_round},
              {"next", end_round + 1},
              {"sleep", child_sleep.count()}});
    const auto asked = static_cast<unsigned>(interval.count());
    for (int round = 1; round <= rounds; ++round) {
      const auto woke = lab::timed_sleep(round, asked, &handler_calls);  // "sleep", "wake"
      if (woke.moved)  // the premise: a child ended during this sleep
        lab::reveal(question, woke.slept < asked ? "cut" : "full", {{"round", round}});
    }
    lab::reveal_unmarked(question, "no child ended during a sleep", "none");

    lab::stage("after the rounds: any child left? any zombie?");
    const bool clean = lab::no_child_left();  // a zombie or a late child: reported, reaped
    lab::show_tree("after the rounds (a zombie would show as Z)");
    if (clean && collected == 3) return 0;
    lab::say_error("expected both exit codes, 12 and 24, to be collected by the handler");
    return 1;
  });
}
