#include "os/gate.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace lab {

gate::gate() {
  pipe_ends ends = make_pipe();
  read_end_ = std::move(ends.read_end);
  write_end_ = std::move(ends.write_end);
}

void gate::pass() {
  if (!read_end_) return;
  write_end_.reset();  // else our own copy would keep the pipe from ever hanging up
  pollfd waiting{read_end_.get(), POLLIN, 0};
  // Readable: opened. POLLHUP: every opener is gone. Either way, go on.
  while (::poll(&waiting, 1, -1) < 0)
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
}

void gate::open() {
  if (opened_ || !write_end_) return;
  const char byte = 1;
  write_all(write_end_.get(), std::string_view(&byte, 1));
  opened_ = true;
}

void gate::close() {
  read_end_.reset();
  write_end_.reset();
}

}  // namespace lab
