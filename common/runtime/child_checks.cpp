#include "runtime/child_checks.hpp"

#include <cerrno>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {

bool is_in(pid_t pid, char state, std::string_view call) {
  const auto info = read_proc(pid);
  return info && info->state == state && read_wchan(pid).find(call) != std::string::npos;
}

bool no_child_left() {
  signal_block hold({SIGCHLD});  // so the handler does not reap what we look at
  bool clean = true;
  for (const pid_t pid : children_of(::getpid())) {
    clean = false;
    const auto info = read_proc(pid);
    if (info && info->state == 'Z') {
      say_error("child {child} was left a zombie: the handler did not reap it", {{"child", pid}});
    } else {
      say_error("child {child} outlived the rounds: killing it", {{"child", pid}});
      check(::kill(pid, SIGKILL), "kill");
    }
    int status = 0;
    check(::waitpid(pid, &status, 0), "waitpid");
    say_reap(pid, status);
  }
  return clean;
}

bool seen_zombies(std::initializer_list<pid_t> children, std::chrono::milliseconds timeout) {
  return poll_until(
      [&] {
        return std::all_of(children.begin(), children.end(),
                           [](pid_t child) { return child == 0 || is_in(child, 'Z'); });
      },
      timeout);
}

bool wait_found_no_child(pid_t returned, int error) {
  if (returned == -1 && error == ECHILD) return true;
  say_error("one more wait() should have failed with ECHILD");
  return false;
}

bool expected_ends::check(pid_t child, int status) {
  const auto want = ends_.find(child);
  const bool as_expected =
      want != ends_.end() &&
      (want->second.by_signal ? WIFSIGNALED(status) && WTERMSIG(status) == want->second.number
                              : WIFEXITED(status) && WEXITSTATUS(status) == want->second.number);
  if (as_expected) return true;
  say_error("child {child} did not end as expected", {{"child", child}});
  ++failures_;
  return false;
}

}  // namespace lab
