// gate: a held child does not go on until the gate opens, and never hangs when
// its opener dies.
#include "os/gate.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "os/proc.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// Polls /proc until `pid` is asleep (S) — blocked at the gate — or 5 s pass.
bool asleep_soon(pid_t pid) {
  const auto deadline = clock_type::now() + std::chrono::seconds(5);
  while (clock_type::now() < deadline) {
    const auto info = lab::read_proc(pid);
    if (info && info->state == 'S') return true;
    ::usleep(1000);
  }
  return false;
}

}  // namespace

TEST_CASE("a child at a closed gate waits; it goes on once the gate opens") {
  lab::gate held;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // child
    held.pass();
    ::_exit(7);
  }
  REQUIRE(asleep_soon(child));
  int status = 0;
  CHECK(::waitpid(child, &status, WNOHANG) == 0);  // still held
  held.open();
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 7);
}

TEST_CASE("pass() after open() returns at once, and open() twice is harmless") {
  lab::gate opened;
  opened.open();
  opened.open();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // child
    opened.pass();
    ::_exit(3);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WEXITSTATUS(status) == 3);
}

TEST_CASE("a held process is let go when its opener dies without opening") {
  const pid_t opener = ::fork();
  REQUIRE(opener >= 0);
  if (opener == 0) {  // the opener: makes a gate, a held child, then is killed
    lab::gate held;
    const pid_t child = ::fork();
    if (child == 0) {  // the held child
      held.pass();
      ::_exit(5);
    }
    ::pause();
    ::_exit(0);
  }
  // The held grandchild is reparented to us on the opener's death.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  pid_t held_child = 0;
  const auto deadline = clock_type::now() + std::chrono::seconds(5);
  while (held_child == 0 && clock_type::now() < deadline) {
    for (const pid_t pid : lab::children_of(opener)) held_child = pid;
    if (held_child == 0) ::usleep(1000);
  }
  REQUIRE(held_child > 0);
  REQUIRE(asleep_soon(held_child));
  ::kill(opener, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(opener, &status, 0) == opener);
  // pass() returned: the held child exits (the test's timeout is the deadline).
  REQUIRE(::waitpid(held_child, &status, 0) == held_child);
  CHECK(WEXITSTATUS(status) == 5);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}
