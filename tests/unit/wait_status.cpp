// wait status: statuses of real children decoded — exited, killed, core
// dumped, stopped, continued — and the words the labs print for them.
#include "os/wait_status.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <fstream>

#include "os/signals.hpp"
#include "support.hpp"

using lab::wait_status;
using unit::child_process;

TEST_CASE("a child that exits N decodes as exited N") {
  for (const int code : {0, 3, 7, 24, 255}) {
    child_process child([code] { return code; });
    const int raw = child.wait();
    const wait_status status = lab::decode_wait_status(raw);
    CHECK(status.end == wait_status::how::exited);
    CHECK(status.code == code);
    CHECK_FALSE(status.core_dumped);
    CHECK(lab::describe(status) == "exited " + std::to_string(code));
    CHECK(std::string(lab::how_name(status.end)) == "exited");
  }
  // exit(256) keeps only the low 8 bits: the parent sees 0.
  child_process wrapped([] { return 256; });
  CHECK(lab::decode_wait_status(wrapped.wait()).code == 0);
}

TEST_CASE("a child killed by a signal decodes as killed by that signal") {
  for (const int signo : {SIGKILL, SIGTERM, SIGINT, SIGUSR1}) {
    auto ready = lab::make_pipe();
    child_process child([&] {
      ready.read_end.reset();
      ready.write_end.reset();  // end of file tells the parent we are here
      for (;;) ::pause();
      return 0;
    });
    ready.write_end.reset();
    CHECK(lab::read_all(ready.read_end.get()).empty());
    REQUIRE(::kill(child.pid(), signo) == 0);
    const wait_status status = lab::decode_wait_status(child.wait());
    CHECK(status.end == wait_status::how::killed);
    CHECK(status.code == signo);
    CHECK_FALSE(status.core_dumped);
    CHECK(lab::describe(status) == "killed by " + lab::signal_name(signo));
    CHECK(std::string(lab::how_name(status.end)) == "killed");
  }
  child_process terminated([] {
    ::raise(SIGTERM);
    return 0;
  });
  CHECK(lab::describe(lab::decode_wait_status(terminated.wait())) == "killed by SIGTERM");
}

namespace {

// What the kernel does with a core dump: "core" (a file in the process's
// working directory) or "|/usr/lib/systemd/systemd-coredump ..." (a pipe).
std::string core_pattern() {
  std::ifstream in("/proc/sys/kernel/core_pattern");
  std::string pattern;
  std::getline(in, pattern);
  return pattern;
}

}  // namespace

TEST_CASE("abort() with RLIMIT_CORE raised decodes as killed by SIGABRT (core dumped)") {
  char directory[] = "/tmp/forklab-core-XXXXXX";
  REQUIRE(::mkdtemp(directory) != nullptr);
  const std::string pattern = core_pattern();
  // The child raises its core limit to the hard limit, moves into the empty
  // directory (a plain core_pattern writes there) and says on the pipe whether
  // a dump is allowed at all, then aborts.
  auto report = lab::make_pipe();
  child_process child([&]() -> int {
    report.read_end.reset();
    rlimit limit{};
    ::getrlimit(RLIMIT_CORE, &limit);
    limit.rlim_cur = limit.rlim_max;  // as much as the hard limit allows
    const bool allowed = ::setrlimit(RLIMIT_CORE, &limit) == 0 && limit.rlim_cur > 0 &&
                         ::chdir(directory) == 0 && ::prctl(PR_GET_DUMPABLE) == 1;
    lab::write_all(report.write_end.get(), allowed ? "y" : "n");
    report.write_end.reset();
    ::abort();
  });
  report.write_end.reset();
  const std::string allowed = lab::read_all(report.read_end.get());
  const wait_status status = lab::decode_wait_status(child.wait());
  CHECK(status.end == wait_status::how::killed);
  CHECK(status.code == SIGABRT);

  // Where the kernel writes a file named by a plain pattern into our
  // directory, the core exists and WCOREDUMP must say so. A piped pattern
  // hands the dump to a program that may drop it; then only the signal is
  // certain.
  std::string core_file;
  if (pattern == "core" || pattern == "core.%p") {
    const bool uses_pid = [] {
      std::ifstream in("/proc/sys/kernel/core_uses_pid");
      int value = 0;
      in >> value;
      return value != 0;
    }();
    core_file = std::string(directory) + "/core" +
                (uses_pid || pattern == "core.%p" ? "." + std::to_string(child.pid()) : "");
  }
  struct stat info {};
  const bool dumped = !core_file.empty() && ::stat(core_file.c_str(), &info) == 0;
  if (allowed == "y" && !core_file.empty()) {
    CHECK_MESSAGE(dumped, "no core file at " << core_file);
    CHECK(status.core_dumped);
    CHECK(lab::describe(status) == "killed by SIGABRT (core dumped)");
  } else {
    MESSAGE("core dumps not observable here (core_pattern '" << pattern << "', allowed '" << allowed
                                                             << "'): checking the signal only");
    CHECK(lab::describe(status).starts_with("killed by SIGABRT"));
    CHECK(status.core_dumped == (lab::describe(status) == "killed by SIGABRT (core dumped)"));
  }
  if (dumped) ::unlink(core_file.c_str());
  CHECK(::rmdir(directory) == 0);
}

TEST_CASE("without a core limit, SIGABRT kills with no core dumped") {
  child_process child([]() -> int {
    const rlimit none{0, RLIM_INFINITY};
    ::setrlimit(RLIMIT_CORE, &none);
    ::abort();
  });
  const wait_status status = lab::decode_wait_status(child.wait());
  CHECK(status.end == wait_status::how::killed);
  CHECK(status.code == SIGABRT);
  CHECK_FALSE(status.core_dumped);
  CHECK(lab::describe(status) == "killed by SIGABRT");
}

TEST_CASE("SIGSTOP then SIGCONT: waitpid reports stopped, then continued") {
  auto ready = lab::make_pipe();
  child_process child([&] {
    // A group of its own, whose parent (the test) is outside it in the same
    // session: not orphaned, so SIGTSTP stops it (an orphaned group ignores it).
    ::setpgid(0, 0);
    ready.read_end.reset();
    ready.write_end.reset();
    for (;;) ::pause();
    return 0;
  });
  ready.write_end.reset();
  CHECK(lab::read_all(ready.read_end.get()).empty());

  REQUIRE(::kill(child.pid(), SIGSTOP) == 0);
  const wait_status stopped = lab::decode_wait_status(child.wait(WUNTRACED));
  CHECK(stopped.end == wait_status::how::stopped);
  CHECK(stopped.code == SIGSTOP);
  CHECK_FALSE(stopped.core_dumped);
  CHECK(lab::describe(stopped) == "stopped by SIGSTOP");
  CHECK(std::string(lab::how_name(stopped.end)) == "stopped");
  // The kernel agrees: /proc says T while waitpid said stopped.
  CHECK(lab::read_proc(child.pid())->state == 'T');

  REQUIRE(::kill(child.pid(), SIGCONT) == 0);
  const wait_status continued = lab::decode_wait_status(child.wait(WCONTINUED));
  CHECK(continued.end == wait_status::how::continued);
  CHECK(lab::describe(continued) == "continued");
  CHECK(std::string(lab::how_name(continued.end)) == "continued");

  // A stop by another signal names that signal.
  REQUIRE(::kill(child.pid(), SIGTSTP) == 0);
  CHECK(lab::describe(lab::decode_wait_status(child.wait(WUNTRACED))) == "stopped by SIGTSTP");
  REQUIRE(::kill(child.pid(), SIGKILL) == 0);
  CHECK(lab::describe(lab::decode_wait_status(child.wait())) == "killed by SIGKILL");
}

TEST_CASE("statuses built with the kernel's layout decode the same way") {
  // W_EXITCODE / W_STOPCODE from <sys/wait.h>; 0xffff is the continued status.
  CHECK(lab::describe(lab::decode_wait_status(W_EXITCODE(42, 0))) == "exited 42");
  CHECK(lab::describe(lab::decode_wait_status(W_EXITCODE(0, SIGSEGV))) == "killed by SIGSEGV");
  CHECK(lab::describe(lab::decode_wait_status(W_EXITCODE(0, SIGSEGV) | WCOREFLAG)) ==
        "killed by SIGSEGV (core dumped)");
  CHECK(lab::describe(lab::decode_wait_status(W_STOPCODE(SIGTTIN))) == "stopped by SIGTTIN");
  CHECK(lab::describe(lab::decode_wait_status(0xffff)) == "continued");
  CHECK(lab::describe(lab::decode_wait_status(W_EXITCODE(0, SIGRTMIN + 2))) ==
        "killed by SIGRTMIN+2");
}
