// child_checks: what became of a lab's children, checked — from /proc (is a
// child in a state, asleep in a given call? is any child left after a
// handler's reaping?) and from their wait statuses (did each end as
// expected?). Each says when a check fails. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <string_view>

namespace lab {

// /proc: `pid` is in `state`, asleep in a kernel function whose name contains
// `call` when one is given ("do_wait"; "pause" for sys_pause, __do_sys_pause).
bool is_in(pid_t pid, char state, std::string_view call = "");

// With SIGCHLD blocked (so that the handler does not reap what is looked at):
// a child left a zombie is reported as one the handler failed to reap, a live
// one (a late child) is killed with SIGKILL; each is then reaped here and the
// reap narrated. True when no child was left.
bool no_child_left();

// How each child must end: exit(code) or killed by a signal.
class expected_ends {
 public:
  void exits(pid_t child, int code) { ends_[child] = {false, code}; }
  void killed(pid_t child, int signo) { ends_[child] = {true, signo}; }
  std::size_t size() const { return ends_.size(); }
  // True when `child` ended as expected (WIFEXITED and WEXITSTATUS, or
  // WIFSIGNALED and WTERMSIG); otherwise says "child {child} did not end as
  // expected" (a child not expected at all, too).
  bool check(pid_t child, int status) const;

 private:
  struct end {
    bool by_signal = false;
    int number = 0;  // exit status, or the signal that kills
  };
  std::map<pid_t, end> ends_;
};

}  // namespace lab
