#include "os/sys.hpp"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace lab {

std::string errno_name(int error) {
  return std::string(errno_name_text(error).view());
}

fixed_text<24> errno_name_text(int error) noexcept {
  fixed_text<24> name;
  if (const char* known = ::strerrorname_np(error)) {
    name.append(known);
  } else {
    name.append("errno ");
    name.append(error);
  }
  return name;
}

std::string describe(const std::system_error& error) {
  const int code = error.code().value();
  std::string what = error.what();
  // std::system_error::what() is "call: text"; keep the call, add the name.
  std::string call = what.substr(0, what.find(':'));
  return call + ": " + errno_name(code) + " (" + ::strerror(code) + ")";
}

std::string failed_call(const std::system_error& error) {
  const std::string what = error.what();
  return what.substr(0, what.find(':'));
}

void unique_fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

pipe_ends make_pipe() {
  int fds[2];
  check(::pipe2(fds, O_CLOEXEC), "pipe2");
  return {unique_fd(fds[0]), unique_fd(fds[1])};
}

std::size_t read_some(int fd, std::span<char> buffer) {
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "read");
  }
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  while (const std::size_t n = read_some(fd, buffer)) out.append(buffer, n);
  return out;
}

std::string address_text(const void* address) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%jx",
                static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(address)));
  return text;
}

}  // namespace lab
