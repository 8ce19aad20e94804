// lab07-reaper — reaping children from a SIGCHLD handler (the book's remove_zombie.c).
//
// When a child ends, the kernel sends its parent SIGCHLD; a handler can
// collect the status at once, so the parent never waits and no zombie stays.
// The book's handler calls waitpid() once; but a SIGCHLD that comes while
// another is pending is merged into it (lab10), so this one loops,
//     while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
// and narrates with signal_say(), the async-signal-safe path.
// Two children, as in remove_zombie.c: both sleep 10 s, then _exit(12) (the
// book: return 12) and _exit(24) (the book: exit(24)); the parent sleeps
// sleep(5) five times. In the book they end when a round ends, and which sleep
// is cut changes from run to run; here they wait at a gate until the rounds
// begin and start half a round apart, so each ends mid-round, every run.
//
// Watch for: the "reap" lines from inside the handler (codes 12 and 24), the
// "wake" line that slept less than asked, and the last tree: no <defunct>.
//
// Usage: lab07-reaper [--child-sleep S] [--rounds N] [--interval S] [--json] [--step]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <thread>

#include "lab.hpp"

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

void note_status(int status) {
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  collected = collected | (code == 12 ? 1 : code == 24 ? 2 : 4);
}

void read_childproc(int sig) {
  const int saved_errno = errno;
  handler_calls = handler_calls + 1;
  lab::signal_say("signal", "SIGCHLD: a child ended — waitpid() until none is left",
                  {{"signo", sig}, {"handler_call", handler_calls}});
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    note_status(status);
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

// A child: waits at the gate (and `offset` more), sleeps, then ends with
// _exit(code) — never returns into main.
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

// After the rounds: the handler should have left no child at all. A zombie
// here is one it failed to reap; a live child (a late one) is killed.
bool no_child_left() {
  lab::signal_block hold({SIGCHLD});  // so the handler does not reap what we look at
  bool clean = true;
  for (const pid_t pid : lab::children_of(::getpid())) {
    clean = false;
    const auto info = lab::read_proc(pid);
    if (info && info->state == 'Z') {
      lab::say_error("child {child} was left a zombie: the handler did not reap it",
                     {{"child", pid}});
    } else {
      lab::say_error("child {child} outlived the rounds: killing it", {{"child", pid}});
      lab::check(::kill(pid, SIGKILL), "kill");
    }
    int status = 0;
    lab::check(::waitpid(pid, &status, 0), "waitpid");
    lab::say_reap(pid, status);
  }
  return clean;
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
    // The first child starts sleeping `offset` after the first round began,
    // so that it ends half a round into round `end_round`; that cuts the round
    // short, and the second child, starting half a round later, ends half a
    // round into the next one.
    const double round_s = static_cast<double>(interval.count());
    const lab::seconds offset{
        std::fmod(round_s * 1.5 - std::fmod(child_sleep.count(), round_s), round_s)};
    const lab::seconds offset_2 = offset + lab::seconds{round_s / 2};
    const long end_round = std::lround(std::floor((offset + child_sleep).count() / round_s)) + 1;
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
    // parent
    lab::say("fork", "Child proc id: {child}", {{"child", first}});
    const pid_t second = lab::fork_as("child 2");
    if (second == 0) run_child(start, offset_2, child_sleep, 24, "_exit(24)");  // child
    // parent
    lab::say("fork", "Child proc id: {child}", {{"child", second}});

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
      lab::say("sleep", "wait... sleep({asked})", {{"round", round}, {"asked", asked}});
      const auto start_time = std::chrono::steady_clock::now();
      const int calls_before = handler_calls;
      const unsigned left = ::sleep(asked);
      const lab::seconds slept = std::chrono::steady_clock::now() - start_time;
      lab::say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
               {{"round", round}, {"asked", asked}, {"slept", slept.count()}, {"left", left}});
      if (handler_calls != calls_before)  // the premise: a child ended during this sleep
        lab::reveal(question, slept.count() < asked ? "cut" : "full", {{"round", round}});
    }
    lab::reveal_unmarked(question, "no child ended during a sleep", "none");

    lab::stage("after the rounds: any child left? any zombie?");
    const bool clean = no_child_left();
    lab::show_tree("after the rounds (a zombie would show as Z)");
    if (!clean || collected != 3) {
      lab::say_error("expected both exit codes, 12 and 24, to be collected by the handler");
      return 1;
    }
    return 0;
  });
}
