// child_checks: what became of a lab's children, checked — from /proc (is a
// child in a state, asleep in a given call? is any child left after a
// handler's reaping?) and from their wait statuses (did each end as
// expected?). Each says when a check fails. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <string_view>

namespace lab {

// /proc: `pid` is in `state`, asleep in a kernel function whose name contains
// `call` when one is given ("do_wait"; "pause" for sys_pause, __do_sys_pause).
bool is_in(pid_t pid, char state, std::string_view call = "");

// Polls /proc (poll_until) until every child in `children` (0: none) is a
// zombie, for at most `timeout`. True when they all were.
bool seen_zombies(std::initializer_list<pid_t> children, std::chrono::milliseconds timeout);

// After a wait() with no child left: true when it returned -1 with ECHILD
// (`returned`, `error`: its value and errno); else says "one more wait()
// should have failed with ECHILD".
bool wait_found_no_child(pid_t returned, int error);

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
  // expected" (a child not expected at all, too) and counts a failure.
  bool check(pid_t child, int status);
  int failures() const { return failures_; }

 private:
  struct end {
    bool by_signal = false;
    int number = 0;  // exit status, or the signal that kills
  };
  std::map<pid_t, end> ends_;
  int failures_ = 0;
};

}  // namespace lab
