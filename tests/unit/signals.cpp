// signals: install_handler and its old action, flags as the kernel applies
// them, RAII blocking, names, pending signals, dispositions in words.
#include "os/signals.hpp"

#include <doctest/doctest.h>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

volatile sig_atomic_t first_count = 0;
volatile sig_atomic_t second_count = 0;
void first_handler(int) {
  first_count = first_count + 1;
}
void second_handler(int) {
  second_count = second_count + 1;
}
void info_handler(int, siginfo_t*, void*) {}

// The blocked-signal mask of this thread, as the kernel holds it.
bool is_blocked(int signo) {
  sigset_t mask;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  return sigismember(&mask, signo) == 1;
}

// Puts the action back at the end of a test case, whatever happened.
struct action_restorer {
  int signo;
  struct sigaction saved {};
  explicit action_restorer(int s) : signo(s) { ::sigaction(signo, nullptr, &saved); }
  ~action_restorer() { ::sigaction(signo, &saved, nullptr); }
};

}  // namespace

TEST_CASE("install_handler returns the action that was installed before") {
  action_restorer restore(SIGUSR1);
  ::signal(SIGUSR1, SIG_DFL);
  const struct sigaction before_first = lab::install_handler(SIGUSR1, first_handler);
  CHECK((before_first.sa_handler == SIG_DFL));
  const struct sigaction before_second = lab::install_handler(SIGUSR1, second_handler);
  CHECK((before_second.sa_handler == first_handler));
  // The kernel now holds second_handler: delivery proves it.
  first_count = 0;
  second_count = 0;
  ::raise(SIGUSR1);
  CHECK(first_count == 0);
  CHECK(second_count == 1);

  // restore_action puts back exactly what was returned.
  lab::restore_action(SIGUSR1, before_second);
  struct sigaction now {};
  ::sigaction(SIGUSR1, nullptr, &now);
  CHECK((now.sa_handler == first_handler));
  ::raise(SIGUSR1);
  CHECK(first_count == 1);

  // SIG_IGN as the handler, then read back.
  lab::install_handler(SIGUSR1, SIG_IGN);
  CHECK((lab::install_handler(SIGUSR1, first_handler).sa_handler == SIG_IGN));
}

TEST_CASE("flags and the extra mask are what the kernel stores") {
  action_restorer restore(SIGUSR2);
  lab::install_handler(SIGUSR2, first_handler, SA_RESTART, {SIGINT, SIGTERM});
  const struct sigaction restarting = lab::install_handler(SIGUSR2, first_handler);
  CHECK((restarting.sa_flags & SA_RESTART) != 0);
  CHECK(sigismember(&restarting.sa_mask, SIGINT) == 1);
  CHECK(sigismember(&restarting.sa_mask, SIGTERM) == 1);
  CHECK(sigismember(&restarting.sa_mask, SIGQUIT) == 0);

  // The default: flags 0 (no SA_RESTART), empty mask.
  const struct sigaction plain = lab::install_handler(SIGUSR2, first_handler, SA_NODEFER);
  CHECK((plain.sa_flags & SA_RESTART) == 0);
  CHECK(sigismember(&plain.sa_mask, SIGINT) == 0);
  CHECK((lab::install_handler(SIGUSR2, first_handler).sa_flags & SA_NODEFER) != 0);
}

TEST_CASE("an invalid signal number throws system_error naming sigaction") {
  try {
    lab::install_handler(SIGKILL, first_handler);
    FAIL("SIGKILL accepted a handler");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == EINVAL);
    CHECK(lab::describe(error) == "sigaction: EINVAL (Invalid argument)");
  }
}

namespace {

// Blocks in read(2) on a pipe while a helper child sends SIGUSR1 and then
// writes "data". Returns what read(2) itself returned: the byte count, or -1
// with the errno in `error`.
ssize_t read_interrupted_by_signal(int& error) {
  auto ends = lab::make_pipe();
  const pid_t self = ::getpid();
  unit::child_process helper([&] {
    ends.read_end.reset();
    // Only once the parent sleeps inside the pipe read is the signal sure to
    // interrupt that read and not land before it.
    const bool blocked = lab::poll_until(
        [&] {
          const std::string wchan = lab::read_wchan(self);
          return wchan == "pipe_read" || wchan == "anon_pipe_read";
        },
        10s);
    ::kill(self, SIGUSR1);
    // Then wait until the handler has run (SigPnd clear, and asleep again or
    // returned) before writing, so that the data cannot beat the signal.
    lab::poll_until(
        [&] {
          const auto masks = lab::read_signal_masks(self);
          return masks && (masks->pending & (1ULL << (SIGUSR1 - 1))) == 0;
        },
        10s);
    lab::write_all(ends.write_end.get(), "data");
    return blocked ? 0 : 1;
  });
  ends.write_end.reset();
  char buffer[16];
  const ssize_t n = ::read(ends.read_end.get(), buffer, sizeof buffer);
  error = n < 0 ? errno : 0;
  const auto status = helper.wait_end();
  REQUIRE(status);
  CHECK_MESSAGE(WIFEXITED(*status), "helper: " << *status);
  CHECK_MESSAGE(WEXITSTATUS(*status) == 0, "the test never blocked in pipe_read");
  return n;
}

}  // namespace

TEST_CASE("flags honoured: without SA_RESTART read(2) fails with EINTR, with it the read goes on") {
  action_restorer restore(SIGUSR1);
  first_count = 0;
  lab::install_handler(SIGUSR1, first_handler, 0);
  int error = 0;
  CHECK(read_interrupted_by_signal(error) == -1);
  CHECK(error == EINTR);
  CHECK(first_count == 1);

  lab::install_handler(SIGUSR1, first_handler, SA_RESTART);
  CHECK(read_interrupted_by_signal(error) == 4);
  CHECK(error == 0);
  CHECK(first_count == 2);
}

TEST_CASE("signal_block holds a signal pending, and it is delivered when the scope ends") {
  action_restorer restore(SIGUSR1);
  lab::install_handler(SIGUSR1, first_handler);
  first_count = 0;
  REQUIRE_FALSE(is_blocked(SIGUSR1));
  {
    lab::signal_block block({SIGUSR1});
    CHECK(is_blocked(SIGUSR1));
    CHECK_FALSE(is_blocked(SIGUSR2));
    REQUIRE(::kill(::getpid(), SIGUSR1) == 0);
    CHECK(first_count == 0);
    CHECK(lab::is_pending(SIGUSR1));
    // /proc agrees: the signal is pending for the process and blocked.
    const auto masks = lab::read_signal_masks(::getpid());
    REQUIRE(masks);
    CHECK((masks->pending & (1ULL << (SIGUSR1 - 1))) != 0);
    CHECK((masks->blocked & (1ULL << (SIGUSR1 - 1))) != 0);
    // A second one coalesces with the first: standard signals do not queue.
    REQUIRE(::kill(::getpid(), SIGUSR1) == 0);
  }
  CHECK(first_count == 1);
  CHECK_FALSE(lab::is_pending(SIGUSR1));
  CHECK_FALSE(is_blocked(SIGUSR1));
}

TEST_CASE("signal_block restores the previous mask, not an empty one") {
  lab::signal_block outer({SIGUSR2});
  {
    lab::signal_block inner({SIGUSR1, SIGUSR2});
    CHECK(is_blocked(SIGUSR1));
    CHECK(is_blocked(SIGUSR2));
  }
  CHECK_FALSE(is_blocked(SIGUSR1));
  CHECK(is_blocked(SIGUSR2));  // still blocked by the outer scope
}

TEST_CASE("pending_signals lists every pending signal in number order") {
  action_restorer restore1(SIGUSR1);
  action_restorer restore2(SIGUSR2);
  action_restorer restore_rt(SIGRTMIN + 1);
  lab::install_handler(SIGUSR1, first_handler);
  lab::install_handler(SIGUSR2, second_handler);
  lab::install_handler(SIGRTMIN + 1, second_handler);
  first_count = 0;
  second_count = 0;
  {
    lab::signal_block block({SIGUSR1, SIGUSR2, SIGRTMIN + 1});
    CHECK(lab::pending_signals().empty());
    ::kill(::getpid(), SIGRTMIN + 1);
    ::kill(::getpid(), SIGUSR2);
    ::kill(::getpid(), SIGUSR1);
    CHECK(lab::pending_signals() == std::vector<int>{SIGUSR1, SIGUSR2, SIGRTMIN + 1});
    CHECK(lab::is_pending(SIGUSR2));
    CHECK_FALSE(lab::is_pending(SIGTERM));
  }
  CHECK(lab::pending_signals().empty());
  CHECK(first_count == 1);
  CHECK(second_count == 2);
}

TEST_CASE("signal names: standard, realtime and unknown") {
  CHECK(lab::signal_name(SIGINT) == "SIGINT");
  CHECK(lab::signal_name(SIGKILL) == "SIGKILL");
  CHECK(lab::signal_name(SIGCHLD) == "SIGCHLD");
  CHECK(lab::signal_name(SIGSEGV) == "SIGSEGV");
  CHECK(lab::signal_name(SIGPIPE) == "SIGPIPE");
  CHECK(lab::signal_name(SIGALRM) == "SIGALRM");
  CHECK(lab::signal_name(SIGSTOP) == "SIGSTOP");
  CHECK(lab::signal_name(SIGCONT) == "SIGCONT");
  CHECK(lab::signal_name(SIGRTMIN) == "SIGRTMIN");
  CHECK(lab::signal_name(SIGRTMIN + 3) == "SIGRTMIN+3");
  CHECK(lab::signal_name(SIGRTMAX) == "SIGRTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN));
  CHECK(lab::signal_name(99) == "signal 99");
  CHECK(lab::signal_name(0) == "signal 0");
  CHECK(lab::signal_name(-1) == "signal -1");
  // Every standard signal has a SIG name (none falls through to "signal N").
  for (int signo = 1; signo < 32; ++signo) {
    CAPTURE(signo);
    CHECK(lab::signal_name(signo).starts_with("SIG"));
  }
}

TEST_CASE("describe_action: default, ignored, handler address") {
  action_restorer restore(SIGUSR1);
  ::signal(SIGUSR1, SIG_DFL);
  CHECK(lab::describe_action(lab::install_handler(SIGUSR1, SIG_IGN)) == "default");
  CHECK(lab::describe_action(lab::install_handler(SIGUSR1, first_handler)) == "ignored");
  const std::string expected =
      "handler " + lab::address_text(reinterpret_cast<const void*>(first_handler));
  CHECK(lab::describe_action(lab::install_handler(SIGUSR1, SIG_DFL)) == expected);

  // An SA_SIGINFO handler is a handler too, described by its address.
  struct sigaction info_action {};
  info_action.sa_sigaction = info_handler;
  sigemptyset(&info_action.sa_mask);
  info_action.sa_flags = SA_SIGINFO;
  REQUIRE(::sigaction(SIGUSR1, &info_action, nullptr) == 0);
  const struct sigaction read_back = lab::install_handler(SIGUSR1, SIG_DFL);
  CHECK(lab::describe_action(read_back) ==
        "handler " + lab::address_text(reinterpret_cast<const void*>(info_handler)));
}

TEST_CASE("describe_flags names the bits the kernel hands back") {
  action_restorer restore(SIGUSR1);
  lab::install_handler(SIGUSR1, first_handler, SA_RESTART | SA_NODEFER);
  const struct sigaction read_back = lab::install_handler(SIGUSR1, first_handler);
  const std::string words = lab::describe_flags(read_back.sa_flags);
  CHECK(words.starts_with("SA_RESTART|SA_NODEFER"));
  // glibc adds SA_RESTORER on Linux; whatever else is set must be named, not
  // left as a number.
  CHECK(words.find("0x") == std::string::npos);
  CHECK(lab::describe_flags(0) == "0");
  CHECK(lab::describe_flags(SA_SIGINFO | SA_RESETHAND) == "SA_SIGINFO|SA_RESETHAND");
  CHECK(lab::describe_flags(SA_NOCLDSTOP | 0x100) == "SA_NOCLDSTOP|0x100");
}
