#include "runtime/children.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>

#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {

std::vector<pid_t> fork_children_that_exit(int count) {
  std::vector<pid_t> forked;
  for (int i = 1; i <= count; ++i) {
    const pid_t pid = fork_as("child " + std::to_string(i));
    if (pid == 0) {  // child
      say("exit", "exiting with {code}", {{"code", i}});
      ::_exit(i);
    }
    // parent
    say("fork", "forked child {number}: {child}", {{"number", i}, {"child", pid}});
    forked.push_back(pid);
  }
  return forked;
}

void fork_children_into_zombies(int count) {
  fork_children_that_exit(count);
  wait_until_zombies(count);
  show_tree("every child has exited; none is reaped yet");
  say("pending",
      count == 1 ? "{zombies} zombie, and SIGCHLD pending: {pending} (once, however many exits)"
                 : "{zombies} zombies, and SIGCHLD pending: {pending} (once, however many exits)",
      {{"exited", count},
       {"signal", "SIGCHLD"},
       {"pending", is_pending(SIGCHLD)},
       {"zombies", zombie_children()}});
}

int zombie_children() {
  int zombies = 0;
  for (const pid_t child : children_of(::getpid()))
    if (const auto info = read_proc(child); info && info->state == 'Z') ++zombies;
  return zombies;
}

void wait_until_zombies(int count) {
  if (!poll_until([&] { return zombie_children() == count; }, std::chrono::seconds(10)))
    throw std::runtime_error("the children did not all become zombies within 10 s");
}

bool wait_until_ended(pid_t pid, std::chrono::milliseconds timeout) {
  return poll_until(
      [&] {
        const auto info = read_proc(pid);
        return !info || info->state == 'Z';
      },
      timeout);
}

bool all_zombies(const std::vector<pid_t>& children) {
  for (const pid_t pid : children)
    if (const auto info = read_proc(pid); !info || info->state != 'Z') return false;
  return true;
}

int reap_child(pid_t child) {
  int status = 0;
  while (::waitpid(child, &status, 0) == -1)
    if (errno != EINTR) check(-1, "waitpid");
  say_reap(child, status);
  return status;
}

bool reap_every_child() {
  bool all_fine = true;
  for (;;) {
    int status = 0;
    const pid_t child = ::waitpid(-1, &status, 0);
    if (child == -1 && errno == EINTR) continue;
    if (child == -1 && errno == ECHILD) return all_fine;  // every child reaped
    check(child, "waitpid");
    say_reap(child, status);
    all_fine = all_fine && status == 0;
  }
}

}  // namespace lab
