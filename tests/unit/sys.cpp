// sys: checked calls, unique_fd, read_some/write_all.
#include "os/sys.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/proc.hpp"

TEST_CASE("check passes results through and throws with the call's name and errno") {
  CHECK(lab::check(7, "anything") == 7);
  try {
    lab::check(::close(-1), "close");
    FAIL("close(-1) did not throw");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == EBADF);
    CHECK(lab::describe(error) == "close: EBADF (Bad file descriptor)");
  }
}

TEST_CASE("errno names") {
  CHECK(lab::errno_name(EAGAIN) == "EAGAIN");
  CHECK(lab::errno_name(EINTR) == "EINTR");
  CHECK(lab::errno_name(99999) == "errno 99999");
}

TEST_CASE("unique_fd closes its descriptor exactly once") {
  int raw = -1;
  {
    lab::unique_fd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    raw = fd.get();
    REQUIRE(raw >= 0);
    CHECK(::fcntl(raw, F_GETFD) != -1);
    lab::unique_fd moved = std::move(fd);
    CHECK_FALSE(fd);
    CHECK(moved.get() == raw);
  }
  CHECK(::fcntl(raw, F_GETFD) == -1);
  CHECK(errno == EBADF);
}

TEST_CASE("pipes are close-on-exec") {
  auto ends = lab::make_pipe();
  CHECK((::fcntl(ends.read_end.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(ends.write_end.get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("write_all completes short writes: a megabyte through a 64 KiB pipe") {
  auto ends = lab::make_pipe();
  const std::string data(1 << 20, 'x');
  const pid_t writer = ::fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {  // child
    ends.read_end.reset();
    lab::write_all(ends.write_end.get(), data);
    ::_exit(0);
  }
  ends.write_end.reset();
  CHECK(lab::read_all(ends.read_end.get()) == data);
  int status = 0;
  ::waitpid(writer, &status, 0);
  CHECK(status == 0);
}

namespace {
void ignore_signal(int) {}
}  // namespace

TEST_CASE("read_some retries after EINTR instead of failing") {
  struct sigaction action {};
  action.sa_handler = ignore_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: read(2) itself would fail with EINTR
  struct sigaction previous {};
  ::sigaction(SIGUSR1, &action, &previous);

  auto ends = lab::make_pipe();
  const pid_t self = ::getpid();
  const pid_t helper = ::fork();
  REQUIRE(helper >= 0);
  if (helper == 0) {  // child: interrupt the parent once it is blocked, then write
    ends.read_end.reset();
    lab::poll_until([&] { return lab::read_proc(self)->state == 'S'; }, std::chrono::seconds(5));
    ::kill(self, SIGUSR1);
    lab::write_all(ends.write_end.get(), "late");
    ::_exit(0);
  }
  ends.write_end.reset();
  char buffer[16];
  const std::size_t n = lab::read_some(ends.read_end.get(), buffer);
  CHECK(std::string(buffer, n) == "late");
  ::waitpid(helper, nullptr, 0);
  ::sigaction(SIGUSR1, &previous, nullptr);
}
