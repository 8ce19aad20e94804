#include "os/self_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace lab {

self_pipe::self_pipe() {
  int fds[2];
  check(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), "pipe2");
  read_end_ = unique_fd(fds[0]);
  write_end_ = unique_fd(fds[1]);
}

void self_pipe::wake() const noexcept {
  const int saved_errno = errno;
  const char byte = 1;
  ssize_t n;
  do {
    n = ::write(write_end_.get(), &byte, 1);
  } while (n < 0 && errno == EINTR);
  errno = saved_errno;  // EAGAIN (pipe full) is fine: a wake-up is pending
}

std::size_t self_pipe::drain() {
  std::size_t total = 0;
  char buffer[256];
  for (;;) {
    const ssize_t n = ::read(read_end_.get(), buffer, sizeof buffer);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) throw std::system_error(errno, std::generic_category(), "read");
    return total;
  }
}

void self_pipe::close() {
  read_end_.reset();
  write_end_.reset();
}

}  // namespace lab
