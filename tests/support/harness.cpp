#include "harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "os/proc.hpp"
#include "os/pty.hpp"

namespace harness {
namespace {

class json_reader {
 public:
  explicit json_reader(const std::string& text) : text_(text) {}

  event parse_object() {
    event e;
    skip();
    expect('{');
    skip();
    if (peek() == '}') return ++at_, e;
    for (;;) {
      skip();
      const std::string key = parse_string();
      skip();
      expect(':');
      skip();
      e.fields[key] = parse_value();
      skip();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      expect('}');
      return e;
    }
  }

 private:
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void skip() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("bad JSON (" + why + " at " + std::to_string(at_) + "): " + text_);
  }
  std::string parse_string() {
    expect('"');
    std::string out;
    while (peek() != '"') {
      if (at_ >= text_.size()) fail("unterminated string");
      char c = text_[at_++];
      if (c == '\\') {
        const char escaped = text_[at_++];
        switch (escaped) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'u': c = static_cast<char>(std::stoi(text_.substr(at_, 4), nullptr, 16)); at_ += 4; break;
          default: c = escaped;
        }
      }
      out += c;
    }
    ++at_;
    return out;
  }
  json_value parse_value() {
    json_value v;
    if (peek() == '"') {
      v.kind = json_value::type::text;
      v.text = parse_string();
    } else if (text_.compare(at_, 4, "true") == 0) {
      v.kind = json_value::type::boolean;
      v.boolean = true;
      at_ += 4;
    } else if (text_.compare(at_, 5, "false") == 0) {
      v.kind = json_value::type::boolean;
      at_ += 5;
    } else if (text_.compare(at_, 4, "null") == 0) {
      at_ += 4;
    } else {
      std::size_t used = 0;
      v.kind = json_value::type::number;
      try {
        v.number = std::stod(text_.substr(at_), &used);
      } catch (const std::exception&) {
        fail("expected a value");
      }
      at_ += used;
    }
    return v;
  }

  const std::string& text_;
  std::size_t at_ = 0;
};

const json_value& get(const event& e, const std::string& key, json_value::type kind) {
  const auto found = e.fields.find(key);
  if (found == e.fields.end() || found->second.kind != kind)
    throw std::runtime_error("event has no " + key + " of the expected type: " + e.line);
  return found->second;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

std::string event::text(const std::string& key) const {
  return get(*this, key, json_value::type::text).text;
}
long long event::number(const std::string& key) const {
  return static_cast<long long>(get(*this, key, json_value::type::number).number);
}
double event::real(const std::string& key) const {
  return get(*this, key, json_value::type::number).number;
}
bool event::boolean(const std::string& key) const {
  return get(*this, key, json_value::type::boolean).boolean;
}

event parse_event(const std::string& line) {
  event e = json_reader(line).parse_object();
  e.line = line;
  return e;
}

bool blocked(pid_t pid, milliseconds timeout) {
  return lab::poll_until(
      [&] {
        const auto info = lab::read_proc(pid);
        return info && info->state == 'S';
      },
      timeout);
}

bool in_sleep(pid_t pid, milliseconds timeout) {
  return lab::poll_until(
      [&] {
        const auto info = lab::read_proc(pid);
        return info && info->state == 'S' &&
               lab::read_wchan(pid).find("nanosleep") != std::string::npos;
      },
      timeout);
}

std::string lab_path(const std::string& lab) {
  if (lab.find('/') != std::string::npos) return lab;
  const char* dir = std::getenv("FORKLAB_LABS_DIR");
  if (!dir) throw std::runtime_error("FORKLAB_LABS_DIR is not set (run the tests with meson test)");
  return std::string(dir) + "/" + lab;
}

lab_process::lab_process(const std::string& lab, const std::vector<std::string>& args,
                         run_options options)
    : json_(options.json) {
  std::vector<std::string> argv_text{lab_path(lab)};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  if (options.json) argv_text.push_back("--json");
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto out = lab::make_pipe();
  auto err = lab::make_pipe();
  auto in = lab::make_pipe();
  auto exec_error = lab::make_pipe();
  lab::pty_ends keyboard;
  if (options.terminal) {
    keyboard = lab::make_pty();
    termios modes{};
    lab::check(::tcgetattr(keyboard.terminal.get(), &modes), "tcgetattr");
    modes.c_lflag &= ~static_cast<tcflag_t>(ECHO);  // nobody reads an echo back
    lab::check(::tcsetattr(keyboard.terminal.get(), TCSANOW, &modes), "tcsetattr");
  }
  const pid_t test_pid = ::getpid();
  pid_ = lab::check(::fork(), "fork");
  if (pid_ == 0) {  // child: becomes the lab
    ::setsid();     // own session and group, no controlling terminal
    // If the test itself dies (a timeout kills it), the lab dies with it, and
    // the lab's own children die with the lab: nothing outlives a test run.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != test_pid) ::_exit(127);  // it died before we asked
    // Dispositions set to "ignore" and blocked signals survive exec: a test run
    // started in the background (SIGINT ignored) must not change what a lab does.
    for (int signo = 1; signo < NSIG; ++signo)
      if (signo != SIGKILL && signo != SIGSTOP) ::signal(signo, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(out.write_end.get(), STDOUT_FILENO);
    ::dup2(err.write_end.get(), STDERR_FILENO);
    if (options.terminal) {
      ::ioctl(keyboard.terminal.get(), TIOCSCTTY, 0);  // our session's terminal, we in front
      ::dup2(keyboard.terminal.get(), STDIN_FILENO);
    } else if (options.stdin_fd >= 0) {
      ::dup2(options.stdin_fd, STDIN_FILENO);
    } else if (options.stdin_pipe) {
      ::dup2(in.read_end.get(), STDIN_FILENO);
    } else {
      const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      ::dup2(null, STDIN_FILENO);
    }
    ::execv(argv[0], argv.data());
    const int error = errno;
    [[maybe_unused]] auto n = ::write(exec_error.write_end.get(), &error, sizeof error);
    ::_exit(127);
  }
  exec_error.write_end.reset();
  int error = 0;
  if (::read(exec_error.read_end.get(), &error, sizeof error) == sizeof error) {
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    throw std::runtime_error("cannot run " + argv_text[0] + ": " + lab::errno_name(error));
  }
  stdout_ = std::move(out.read_end);
  stderr_fd_ = std::move(err.read_end);
  set_nonblocking(stdout_.get());
  set_nonblocking(stderr_fd_.get());
  if (options.terminal) {
    stdin_ = std::move(keyboard.controller);
    if (!options.stdin_data.empty()) write_stdin(options.stdin_data);
  } else if (options.stdin_pipe) {
    stdin_ = std::move(in.write_end);
    if (!options.stdin_data.empty()) write_stdin(options.stdin_data);
  }
}

lab_process::~lab_process() {
  if (!reaped_) {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
  }
  group_gone(5s);
}

void lab_process::take_line(std::string line) {
  if (json_ && !line.empty() && line.front() == '{') {
    try {
      events_.push_back(parse_event(line));
    } catch (const std::exception& e) {
      throw lab_failure(std::string(e.what()) + "\n" + transcript());
    }
  }
  lines_.push_back(std::move(line));
}

// Reads what is available (waiting until `deadline` for something); false at
// end of stdout.
bool lab_process::read_more(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd fds[2] = {{stdout_.get(), POLLIN, 0}, {stderr_fd_.get(), POLLIN, 0}};
    const int ready = ::poll(fds, stderr_fd_ ? 2 : 1, static_cast<int>(std::max(left.count(), 0L)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return true;  // timed out: caller decides
    char buffer[65536];
    if (stderr_fd_ && fds[1].revents) {
      const ssize_t n = ::read(stderr_fd_.get(), buffer, sizeof buffer);
      if (n > 0) stderr_.append(buffer, static_cast<std::size_t>(n));
      else if (n == 0) stderr_fd_.reset();
    }
    if (fds[0].revents) {
      const ssize_t n = ::read(stdout_.get(), buffer, sizeof buffer);
      if (n == 0) {
        if (!partial_.empty()) take_line(std::exchange(partial_, {}));
        return false;
      }
      if (n > 0) {
        partial_.append(buffer, static_cast<std::size_t>(n));
        for (auto end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n')) {
          take_line(partial_.substr(0, end));
          partial_.erase(0, end + 1);
        }
        return true;
      }
    }
  }
}

event lab_process::expect(const std::string& kind, const event_test& test, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    while (next_unread_ < events_.size()) {
      const event& e = events_[next_unread_++];
      if (e.kind() == kind && (!test || test(e))) return e;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw lab_failure("timed out waiting for a \"" + kind + "\" event\n" + transcript());
    if (!stdout_ || !read_more(deadline)) {
      stdout_.reset();
      if (next_unread_ >= events_.size())
        throw lab_failure("the lab's output ended before a \"" + kind + "\" event\n" + transcript());
    }
  }
}

std::vector<event> lab_process::events_of(const std::string& kind) const {
  std::vector<event> out;
  for (const auto& e : events_)
    if (e.kind() == kind) out.push_back(e);
  return out;
}

void lab_process::write_stdin(const std::string& data) { lab::write_all(stdin_.get(), data); }
void lab_process::close_stdin() { stdin_.reset(); }
void lab_process::signal(int signo) { lab::check(::kill(pid_, signo), "kill"); }
void lab_process::signal_group(int signo) { lab::check(::kill(-pid_, signo), "kill"); }

int lab_process::wait_exit(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (stdout_) {
    if (std::chrono::steady_clock::now() >= deadline)
      throw lab_failure("timed out waiting for the lab to end\n" + transcript());
    if (!read_more(deadline)) stdout_.reset();
  }
  // Output ended; the lab exits right after (or has already).
  const bool ended = lab::poll_until(
      [&] {
        if (reaped_) return true;
        const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
        if (r == pid_) reaped_ = true;
        return reaped_;
      },
      std::chrono::duration_cast<milliseconds>(std::max(deadline - std::chrono::steady_clock::now(),
                                                        std::chrono::steady_clock::duration(100ms))));
  if (!ended) throw lab_failure("the lab closed its output but did not exit\n" + transcript());
  while (stderr_fd_) {
    char buffer[4096];
    const ssize_t n = ::read(stderr_fd_.get(), buffer, sizeof buffer);
    if (n > 0) stderr_.append(buffer, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EAGAIN) break;  // a leftover process still holds it
    else stderr_fd_.reset();
  }
  return status_;
}

void lab_process::reap_group_orphans() {
  for (pid_t pid : lab::processes_in_group(pid_)) {
    const auto info = lab::read_proc(pid);
    if (info && info->state == 'Z' && info->ppid == ::getpid()) ::waitpid(pid, nullptr, WNOHANG);
  }
}

bool lab_process::group_gone(milliseconds timeout) {
  return lab::poll_until(
      [&] {
        reap_group_orphans();
        return lab::processes_in_group(pid_).empty();
      },
      timeout);
}

std::string lab_process::transcript() const {
  std::string text = "--- lab stdout ---\n";
  for (const auto& line : lines_) text += line + "\n";
  if (!partial_.empty()) text += partial_ + " (no newline)\n";
  text += "--- lab stderr ---\n" + stderr_;
  return text;
}

std::vector<event> finished_run::of(const std::string& kind) const {
  std::vector<event> out;
  for (const auto& e : events)
    if (e.kind() == kind) out.push_back(e);
  return out;
}

finished_run run_lab(const std::string& lab, const std::vector<std::string>& args,
                     run_options options, milliseconds timeout) {
  lab_process process(lab, args, options);
  finished_run run;
  run.status = process.wait_exit(timeout);
  if (!process.group_gone())
    throw lab_failure("the lab left processes behind\n" + process.transcript());
  run.events = process.events();
  run.lines = process.lines();
  run.stderr_text = process.stderr_text();
  return run;
}

std::string check_each_line_once(const std::vector<event>& events) {
  std::set<long long> seen;
  for (const auto& e : events)
    if (!seen.insert(e.number("seq")).second) return "seq " + std::to_string(e.number("seq")) + " twice: " + e.line;
  if (!seen.empty() && (*seen.begin() != 1 || *seen.rbegin() != static_cast<long long>(seen.size())))
    return "seq numbers are not 1.." + std::to_string(seen.size()) + ": a line is missing";
  return "";
}

std::string check_each_line_once(const std::vector<std::string>& lines) {
  // A multi-line event (a tree) continues on lines indented past the
  // time/role/pid/kind columns: the event, not each of its lines, is unique.
  std::vector<std::string> whole;
  for (const auto& line : lines) {
    if (line.starts_with("        ") && !whole.empty()) whole.back() += "\n" + line;
    else whole.push_back(line);
  }
  std::set<std::string> seen;
  for (const auto& line : whole)
    if (!seen.insert(line).second) return "line printed twice: " + line;
  return "";
}

}  // namespace harness
