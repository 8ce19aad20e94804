// lab03-wait — wait() collects a child's exit status and removes its zombie.
//
// wait(&status) blocks until some child has ended, reaps it (its zombie is
// gone) and returns its pid; `status` packs how it ended. WIFEXITED(status) is
// true when the child exited, and WEXITSTATUS(status) is then the value it
// returned from main or passed to exit(); WIFSIGNALED(status) is true when a
// signal killed it, and WTERMSIG(status) is that signal. Here one child
// returns 3, one calls _exit(7), and with --kill-one a third is killed by
// SIGKILL while it sleeps. One wait() per child; one more fails with ECHILD.
//
// Watch for: the "reap" lines (exited 3, exited 7, killed by SIGKILL) and the
// tree after them: the parent has no child left, not even a zombie.
//
// Usage: lab03-wait [--kill-one] [--hold S] [--json] [--step]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <thread>

#include "lab.hpp"

namespace {

using namespace std::chrono_literals;

struct expected_end {
  bool by_signal = false;
  int number = 0;  // exit status, or the signal that kills
};

// The course's child returns 3 from main; ours returns from its own function,
// and the fork branch passes the value to _exit as the C runtime passes
// main's to exit.
int first_child() {
  lab::say("exit", "child returns {code} from its function", {{"code", 3}});
  return 3;
}

// The lesson: read the raw status with the macros.
bool ended_as_expected(int status, expected_end want) {
  if (want.by_signal) return WIFSIGNALED(status) && WTERMSIG(status) == want.number;
  return WIFEXITED(status) && WEXITSTATUS(status) == want.number;
}

// Asleep in pause() (wchan "sys_pause" or "__do_sys_pause"), so its own line
// has been written: killing it cannot cut that line off.
bool is_sleeping_in_pause(pid_t pid) {
  const auto info = lab::read_proc(pid);
  return info && info->state == 'S' && lab::read_wchan(pid).find("pause") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  bool kill_one = false;
  lab::seconds hold{30};
  lab::command_line cli("lab03-wait",
                        "wait() reaps one child per call; WIFEXITED/WEXITSTATUS and "
                        "WIFSIGNALED/WTERMSIG decode how it ended.");
  cli.flag("--kill-one", kill_one, "add a third child, killed by SIGKILL while it sleeps");
  cli.option("--hold", hold, "how long the parent stays after reaping (no zombie left)", 0, 86400);
  return cli.run(argc, argv, [&] {
    lab::stage("before fork: one process");
    std::map<pid_t, expected_end> expected;

    pid_t pid = lab::fork_as("child 1");
    if (pid == 0) ::_exit(first_child());  // child
    expected[pid] = {false, 3};            // parent
    lab::say("fork", "forked child 1 {child}: it will return 3", {{"child", pid}});

    pid = lab::fork_as("child 2");
    if (pid == 0) {  // child
      lab::say("exit", "child calls _exit({code})", {{"code", 7}});
      ::_exit(7);
    }
    expected[pid] = {false, 7};  // parent
    lab::say("fork", "forked child 2 {child}: it will call _exit(7)", {{"child", pid}});

    if (kill_one) {
      pid = lab::fork_as("child 3");
      if (pid == 0) {  // child
        lab::say("sleep", "child sleeps in pause() until a signal ends it");
        for (;;) ::pause();
      }
      // parent: once /proc shows the child asleep in pause(), kill it
      expected[pid] = {true, SIGKILL};
      lab::say("fork", "forked child 3 {child}: it will be killed", {{"child", pid}});
      if (!lab::poll_until([&] { return is_sleeping_in_pause(pid); }, 10s)) {
        lab::say_error("child 3 {child} was not seen sleeping in pause() within 10 s",
                       {{"child", pid}});
        return 1;
      }
      lab::say_state(pid);
      lab::check(::kill(pid, SIGKILL), "kill");
      lab::say("kill", "parent sends {signal} to child 3 {child}",
               {{"child", pid}, {"signal", "SIGKILL"}});
    }

    lab::stage("the parent calls wait() once per child");
    int failures = 0;
    for (std::size_t n = 0; n < expected.size(); ++n) {
      int status = 0;
      const pid_t child = lab::check(::wait(&status), "wait");  // -1 (ECHILD) throws
      lab::say_reap(child, status);
      const auto want = expected.find(child);
      if (want == expected.end() || !ended_as_expected(status, want->second)) {
        lab::say_error("child {child} did not end as expected", {{"child", child}});
        failures = failures + 1;
      }
    }
    // No child is left: a further wait() fails at once instead of blocking.
    lab::ask("lab03.extra_wait");  // --step: predict it
    int status = 0;
    const pid_t extra = ::wait(&status);
    const int extra_error = errno;
    lab::reveal("lab03.extra_wait",
                extra == -1 ? lab::errno_name(extra_error) : std::to_string(extra));
    if (extra != -1 || extra_error != ECHILD) {
      lab::say_error("one more wait() should have failed with ECHILD");
      return 1;
    }
    lab::say("step", "one more wait() returns -1 with {error}: no child is left to wait for",
             {{"returned", -1}, {"error", lab::errno_name(ECHILD)}});

    lab::stage("every child reaped: no zombie is left");
    lab::show_tree("after wait(): the parent alone, no zombie");
    lab::say("sleep", "the parent holds {seconds} s", {{"seconds", hold.count()}});
    std::this_thread::sleep_for(hold);
    return failures == 0 ? 0 : 1;
  });
}
