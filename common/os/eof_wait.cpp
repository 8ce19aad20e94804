#include "os/eof_wait.hpp"

#include <poll.h>

#include <stdexcept>

#include "os/sys.hpp"

namespace lab {

bool eof_within(int fd, std::chrono::duration<double> timeout) {
  pollfd readable{fd, POLLIN, 0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  if (check(::poll(&readable, 1, static_cast<int>(ms.count())), "poll") == 0) return false;
  char byte;
  if (read_some(fd, {&byte, 1}) != 0) throw std::runtime_error("data instead of EOF");
  return true;
}

}  // namespace lab
