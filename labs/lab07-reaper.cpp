// lab07-reaper — reaping children from a SIGCHLD handler.
//
// When a child ends, the kernel sends its parent SIGCHLD. A handler for it
// can collect the child's exit status at once: the parent goes on with its
// own work, never waits, and no zombie stays. The course's handler calls
// waitpid() once per signal; but a signal that arrives while the same one is
// already pending is merged into it (lab10 shows it), so one SIGCHLD may stand
// for two ended children. This handler therefore loops,
//     while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
// until no ended child is left, and narrates each with signal_say() — the
// async-signal-safe path; WIFEXITED/WEXITSTATUS are plain bit tests.
// Two children: one sleeps --child-sleep seconds and returns 12, the other a
// little longer (1.3 times) and calls exit(24). The parent meanwhile sleeps
// in rounds; each SIGCHLD cuts the sleep in progress short.
//
// Watch for: the "reap" lines from inside the handler (codes 12 and 24), the
// "wake" lines that slept less than asked, and the last tree: no <defunct>.
//
// Usage: lab07-reaper [--child-sleep S] [--rounds N] [--interval S] [--json] [--step]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "lab.hpp"

namespace {

volatile sig_atomic_t handler_calls = 0;
volatile sig_atomic_t got_12 = 0;
volatile sig_atomic_t got_24 = 0;
volatile sig_atomic_t got_other = 0;

void note_status(int status) {
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 12)
    got_12 = 1;
  else if (code == 24)
    got_24 = 1;
  else
    got_other = 1;
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

// A child: sleeps, then ends with `code` — never returns into main.
[[noreturn]] void run_child(lab::seconds sleep_time, int code, const char* how) {
  lab::say("fork", "Hi! I'm child process: sleeping {sleep} s, then {how}",
           {{"sleep", sleep_time.count()}, {"how", how}});
  std::this_thread::sleep_for(sleep_time);
  lab::say("exit", "{how}: I end now", {{"how", how}, {"code", code}});
  ::_exit(code);
}

// If the rounds ended before a child did: no process may stay behind.
void end_leftover_children() {
  lab::signal_block hold({SIGCHLD});  // so the handler does not reap what we wait for
  for (const pid_t pid : lab::children_of(::getpid())) {
    const auto info = lab::read_proc(pid);
    if (info && info->state != 'Z') {
      lab::say_error("child {child} outlived the rounds: killing it", {{"child", pid}});
      lab::check(::kill(pid, SIGKILL), "kill");
    }
    int status = 0;
    lab::check(::waitpid(pid, &status, 0), "waitpid");
    lab::say_reap(pid, status);
    note_status(status);
  }
}

}  // namespace

int main(int argc, char** argv) {
  lab::seconds child_sleep{10};
  int rounds = 5;
  std::chrono::seconds interval{5};
  lab::command_line cli("lab07-reaper",
                        "A SIGCHLD handler reaps the children as they end (waitpid(-1, ..., "
                        "WNOHANG) in a loop): the parent never waits, its sleeps are cut short, "
                        "and no zombie is left.");
  cli.option("--child-sleep", child_sleep,
             "seconds the first child sleeps before returning 12 (the second: 1.3 times that)", 0,
             3600);
  cli.option("--rounds", rounds, "how many times the parent sleeps", 1, 100);
  cli.option("--interval", interval, "seconds each round asks sleep() for", 1, 3600);
  cli.epilogue(
      "Watch for: reap lines from the handler (12 and 24), wake lines that slept less "
      "than asked, and no <defunct> in the last tree.");
  return cli.run(argc, argv, [&] {
    lab::stage("install the SIGCHLD handler with sigaction()");
    struct sigaction act {};
    act.sa_handler = read_childproc;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_NOCLDSTOP;  // ends only, not stops; no SA_RESTART
    lab::check(::sigaction(SIGCHLD, &act, nullptr), "sigaction");

    const pid_t first = lab::fork_as("child");
    if (first == 0) run_child(child_sleep, 12, "return 12");  // child
    // parent
    lab::say("fork", "Child proc id: {child}", {{"child", first}});
    const pid_t second = lab::fork_as("child 2");
    if (second == 0) run_child(child_sleep * 1.3, 24, "exit(24)");  // child
    // parent
    lab::say("fork", "Child proc id: {child}", {{"child", second}});

    lab::stage("the parent sleeps in rounds; each SIGCHLD cuts a sleep short");
    lab::ask("lab07.sleep_cut", {{"interval", interval.count()}});  // --step: predict it
    const auto asked = static_cast<unsigned>(interval.count());
    for (int round = 1; round <= rounds; ++round) {
      lab::say("sleep", "wait... sleep({asked})", {{"round", round}, {"asked", asked}});
      const auto start = std::chrono::steady_clock::now();
      const int calls_before = handler_calls;
      const unsigned left = ::sleep(asked);
      const lab::seconds slept = std::chrono::steady_clock::now() - start;
      lab::say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
               {{"round", round}, {"asked", asked}, {"slept", slept.count()}, {"left", left}});
      if (handler_calls != calls_before)  // a child ended during this sleep
        lab::reveal("lab07.sleep_cut", slept.count() < asked ? "cut" : "full");
    }

    lab::stage("after the rounds: any child left? any zombie?");
    end_leftover_children();
    lab::show_tree("after the rounds (a zombie would show as Z)");
    if (!got_12 || !got_24 || got_other) {
      lab::say_error("expected both exit codes, 12 and 24, to be collected");
      return 1;
    }
    return 0;
  });
}
