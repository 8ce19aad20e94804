// sys: checked system calls, an owning file descriptor, and reads/writes that
// survive short counts and EINTR. Everything here may throw std::system_error,
// except where a comment says "async-signal-safe".
#pragma once

#include <cerrno>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "os/fixed_text.hpp"

namespace lab {

// Throws std::system_error(errno, call) when a system call returned -1;
// otherwise returns its result unchanged: lab::check(::fork(), "fork").
template <typename T>
T check(T result, const char* call) {
  if (result == T(-1)) throw std::system_error(errno, std::generic_category(), call);
  return result;
}

// "EINVAL" for EINVAL; "errno 4242" for numbers the C library does not name.
std::string errno_name(int error);
// The same name in a fixed buffer: no allocation (a line said per connection).
fixed_text<24> errno_name_text(int error) noexcept;

// "sigaction: EINVAL (Invalid argument)" — the call, the errno name, the text.
std::string describe(const std::system_error& error);

// "sigaction": the call's name alone, as check() recorded it (the part of
// describe() before the first colon), for narrating the pieces separately.
std::string failed_call(const std::system_error& error);

// Owns one file descriptor; closes it when destroyed. Move-only.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (errors ignored: the fd is gone either way).
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct pipe_ends {
  unique_fd read_end;
  unique_fd write_end;
};

// pipe2(2) with O_CLOEXEC, so the ends never leak into an exec'd program.
pipe_ends make_pipe();

// One read(2), retried on EINTR. Returns 0 at end of file; throws on error.
std::size_t read_some(int fd, std::span<char> buffer);

// Writes every byte, completing short writes and retrying on EINTR.
void write_all(int fd, std::string_view data);

// Reads until end of file.
std::string read_all(int fd);

// "0x7ffd5e1c2a4c": an address as printed by the labs.
std::string address_text(const void* address);

}  // namespace lab
