// What the unit tests share: a child process the test owns (killed and reaped
// whatever happens), capture of a descriptor's output, and the strict reader
// of the narrator's JSON lines. Header-only: each test file includes it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "json_line.hpp"
#include "os/proc.hpp"
#include "os/sys.hpp"

namespace unit {

using namespace std::chrono_literals;

// Reaps `pid` once it has ended, waiting at most `timeout`. Also works for an
// orphan that is still on its way to us (this process is a subreaper): until
// it is re-parented, waitpid says ECHILD and we keep polling. Returns the raw
// status, or nullopt on timeout.
inline std::optional<int> reap(pid_t pid, std::chrono::milliseconds timeout = 10s) {
  int status = 0;
  const bool reaped =
      lab::poll_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!reaped) return std::nullopt;
  return status;
}

// In a forked child: doctest's crash handlers (SIGABRT, SIGTERM, SIGINT...)
// back to the default action, so a signal ends the child the way the kernel
// would end a plain program. Ignored signals (SIGPIPE) stay ignored.
inline void default_signal_actions() {
  for (int signo = 1; signo < NSIG; ++signo) {
    struct sigaction current {};
    if (::sigaction(signo, nullptr, &current) != 0) continue;
    if (current.sa_handler == SIG_IGN || current.sa_handler == SIG_DFL) continue;
    ::signal(signo, SIG_DFL);
  }
}

// For a process killed together with its parent: reaps it if it comes back to
// us as an orphan; returns true once it is gone either way (its parent may
// have reaped it first).
inline bool reap_orphan(pid_t pid, std::chrono::milliseconds timeout = 10s) {
  return lab::poll_until(
      [&] { return ::waitpid(pid, nullptr, WNOHANG) == pid || !lab::read_proc(pid).has_value(); },
      timeout);
}

// A forked child owned by the test. The child runs `body` and ends with
// _exit(body's result) — 100 if body threw — never returning into doctest.
// If the test has not reaped it, the destructor kills and reaps it.
class child_process {
 public:
  explicit child_process(const std::function<int()>& body) {
    std::fflush(nullptr);
    std::cout.flush();
    pid_ = lab::check(::fork(), "fork");
    if (pid_ == 0) {  // child
      default_signal_actions();
      int status = 100;
      try {
        status = body();
      } catch (...) {
      }
      ::_exit(status);
    }
  }
  ~child_process() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  // waitpid(pid, &status, options), checked; marks the child reaped when the
  // status says it ended (not for stopped/continued reports).
  int wait(int options = 0) {
    int status = 0;
    for (;;) {
      const pid_t n = ::waitpid(pid_, &status, options);
      if (n == pid_) break;
      if (n < 0 && errno == EINTR) continue;
      throw std::runtime_error("waitpid(" + std::to_string(pid_) + ") returned " +
                               std::to_string(n));
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) reaped_ = true;
    return status;
  }

  // Reaps the child once it has ended, waiting at most `timeout`; nullopt if it
  // is still running then (the destructor will kill it).
  std::optional<int> wait_end(std::chrono::milliseconds timeout = 10s) {
    auto status = reap(pid_, timeout);
    if (status) reaped_ = true;
    return status;
  }

  // True once /proc shows the child in `state` (within `timeout`).
  bool reaches_state(char state, std::chrono::milliseconds timeout = 10s) const {
    return lab::poll_until(
        [&] {
          const auto info = lab::read_proc(pid_);
          return info && info->state == state;
        },
        timeout);
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Sends descriptor `target` (1 or 2) into an anonymous file until text() or
// destruction. Children forked meanwhile write into the same file (appending),
// so their lines are captured too.
class capture {
 public:
  explicit capture(int target) : target_(target) {
    std::fflush(nullptr);
    std::cout.flush();
    std::cerr.flush();
    file_ = lab::unique_fd(lab::check(::memfd_create("capture", MFD_CLOEXEC), "memfd_create"));
    // O_APPEND: writers in several processes share one file offset, and a
    // memfd does not serialise updates of it (no FMODE_ATOMIC_POS) — without
    // O_APPEND two lines written at once can land at the same offset.
    lab::check(::fcntl(file_.get(), F_SETFL, O_APPEND), "fcntl");
    saved_ = lab::unique_fd(lab::check(::fcntl(target, F_DUPFD_CLOEXEC, 10), "fcntl"));
    lab::check(::dup2(file_.get(), target), "dup2");
  }
  ~capture() { restore(); }
  capture(const capture&) = delete;
  capture& operator=(const capture&) = delete;

  // Puts the descriptor back (once) and returns everything written to it.
  std::string text() {
    restore();
    std::string out;
    char buffer[4096];
    off_t offset = 0;
    for (;;) {
      const ssize_t n = ::pread(file_.get(), buffer, sizeof buffer, offset);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
      offset += n;
    }
    return out;
  }

 private:
  void restore() {
    if (saved_) {
      ::dup2(saved_.get(), target_);
      saved_.reset();
    }
  }

  int target_;
  lab::unique_fd file_;
  lab::unique_fd saved_;
};

// Splits text into lines (without their '\n'); a last line lacking its '\n'
// is kept, marked by `complete` = false.
struct split_lines {
  std::vector<std::string> lines;
  bool complete = true;
};
inline split_lines lines_of(std::string_view text) {
  split_lines out;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) {
      out.lines.emplace_back(text);
      out.complete = false;
      break;
    }
    out.lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return out;
}

// The narrator's JSON lines, read by the tests' one JSON reader
// (tests/support/json_line.hpp): parse_json_line throws std::runtime_error,
// naming the problem and the line, on anything but a flat, strictly valid
// JSON object in well-formed UTF-8.
using harness::json_object;
using harness::json_value;
using harness::parse_json_line;

// True when `bytes` is well-formed UTF-8, decoded code point by code point
// (a different method from the narrator's table of byte ranges): no stray
// continuation byte, no sequence cut short, no overlong form, no surrogate,
// nothing past U+10FFFF.
inline bool valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    const std::size_t length = lead < 0x80           ? 1
                               : (lead >> 5) == 0x6  ? 2
                               : (lead >> 4) == 0xe  ? 3
                               : (lead >> 3) == 0x1e ? 4
                                                     : 0;
    if (length == 0 || i + length > bytes.size()) return false;
    unsigned long code = length == 1 ? lead : lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = code << 6 | (next & 0x3f);
    }
    const unsigned long smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < smallest[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

}  // namespace unit
