// What the unit tests share: a child process the test owns (killed and reaped
// whatever happens), capture of a descriptor's output, and a strict parser
// for the narrator's JSON lines. Header-only: each test file includes it.
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
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// A scalar JSON value: the narrator's events are flat objects.
struct json_value {
  enum class type { null, boolean, number, text } kind = type::null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::string raw;  // as written in the line
};

struct json_object {
  std::vector<std::string> keys;  // in order of appearance
  std::map<std::string, json_value> values;

  bool has(const std::string& key) const { return values.count(key) != 0; }
  const json_value& at(const std::string& key) const {
    const auto found = values.find(key);
    if (found == values.end()) throw std::runtime_error("no field " + key);
    return found->second;
  }
  std::string text(const std::string& key) const {
    const auto& v = at(key);
    if (v.kind != json_value::type::text) throw std::runtime_error(key + " is not a string");
    return v.text;
  }
  long long integer(const std::string& key) const {
    const auto& v = at(key);
    if (v.kind != json_value::type::number) throw std::runtime_error(key + " is not a number");
    return static_cast<long long>(v.number);
  }
  bool boolean(const std::string& key) const {
    const auto& v = at(key);
    if (v.kind != json_value::type::boolean) throw std::runtime_error(key + " is not a boolean");
    return v.boolean;
  }
};

// Parses one line as a flat JSON object, strictly (RFC 8259 grammar: no raw
// control characters in strings, only the standard escapes, numbers without
// leading zeros or a bare dot, no duplicate keys, nothing after the '}').
// Throws std::runtime_error naming the problem and the line.
inline json_object parse_json_line(std::string_view line) {
  std::size_t at = 0;
  auto fail = [&](const std::string& why) -> void {
    throw std::runtime_error("malformed JSON (" + why + " at " + std::to_string(at) +
                             "): " + std::string(line));
  };
  auto peek = [&]() -> char { return at < line.size() ? line[at] : '\0'; };
  auto skip_space = [&] {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  };
  auto expect = [&](char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at;
  };
  auto hex_digit = [&](char c) -> unsigned {
    if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
    fail("bad hex digit");
    return 0;
  };
  auto parse_string = [&]() -> std::string {
    expect('"');
    std::string out;
    for (;;) {
      if (at >= line.size()) fail("unterminated string");
      const char c = line[at++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("raw control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at >= line.size()) fail("unterminated escape");
      const char e = line[at++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (at + 4 > line.size()) fail("short \\u escape");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) code = code * 16 + hex_digit(line[at++]);
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
          }
          break;
        }
        default:
          fail("unknown escape");
      }
    }
  };
  auto digits = [&] {
    const std::size_t start = at;
    while (at < line.size() && line[at] >= '0' && line[at] <= '9') ++at;
    if (at == start) fail("expected a digit");
  };
  auto parse_value = [&]() -> json_value {
    json_value value;
    const std::size_t start = at;
    const char c = peek();
    if (c == '"') {
      value.kind = json_value::type::text;
      value.text = parse_string();
    } else if (line.substr(at, 4) == "true" || line.substr(at, 5) == "false") {
      value.kind = json_value::type::boolean;
      value.boolean = c == 't';
      at += value.boolean ? 4 : 5;
    } else if (line.substr(at, 4) == "null") {
      at += 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (peek() == '-') ++at;
      if (peek() == '0') {
        ++at;
      } else {
        digits();
      }
      if (peek() == '.') {
        ++at;
        digits();
      }
      if (peek() == 'e' || peek() == 'E') {
        ++at;
        if (peek() == '+' || peek() == '-') ++at;
        digits();
      }
      value.kind = json_value::type::number;
      value.number = std::strtod(std::string(line.substr(start, at - start)).c_str(), nullptr);
    } else {
      fail("expected a value");
    }
    value.raw = std::string(line.substr(start, at - start));
    return value;
  };

  json_object object;
  skip_space();
  expect('{');
  skip_space();
  if (peek() == '}') {
    ++at;
  } else {
    for (;;) {
      skip_space();
      std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      json_value value = parse_value();
      if (object.values.count(key)) fail("duplicate key " + key);
      object.keys.push_back(key);
      object.values.emplace(std::move(key), std::move(value));
      skip_space();
      if (peek() == ',') {
        ++at;
        continue;
      }
      expect('}');
      break;
    }
  }
  skip_space();
  if (at != line.size()) fail("text after the object");
  return object;
}

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
