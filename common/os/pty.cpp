#include "os/pty.hpp"

#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace lab {

pty_ends make_pty() {
  int controller = -1;
  int terminal = -1;
  check(::openpty(&controller, &terminal, nullptr, nullptr, nullptr), "openpty");
  pty_ends ends{unique_fd(controller), unique_fd(terminal)};
  check(::fcntl(controller, F_SETFD, FD_CLOEXEC), "fcntl");
  check(::fcntl(terminal, F_SETFD, FD_CLOEXEC), "fcntl");
  return ends;
}

std::string read_pty_to_end(int controller) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(controller, buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return out;
    if (errno == EINTR) continue;
    // Linux hands over whatever the terminal side wrote before reporting EIO.
    if (errno == EIO) return out;
    throw std::system_error(errno, std::generic_category(), "read");
  }
}

}  // namespace lab
