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

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A file in /tmp, unlinked at once: only its two descriptors lead to it, and
// nothing is left behind whatever happens to the test.
lab::pipe_ends make_temp_file(const char* what) {
  std::string path = "/tmp/forklab-test-" + std::string(what) + "-XXXXXX";
  lab::pipe_ends file;
  file.write_end = lab::unique_fd(lab::check(::mkostemp(path.data(), O_CLOEXEC), "mkostemp"));
  file.read_end = lab::unique_fd(lab::check(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open"));
  ::unlink(path.c_str());
  return file;
}

}  // namespace

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
    : json_(options.json),
      stdout_is_file_(options.stdout_to_file),
      stderr_is_file_(options.stderr_to_file) {
  std::vector<std::string> argv_text{lab_path(lab)};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  if (options.json) argv_text.push_back("--json");
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto out = options.stdout_to_file ? make_temp_file("stdout") : lab::make_pipe();
  auto err = options.stderr_to_file ? make_temp_file("stderr") : lab::make_pipe();
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
    // Nothing of ours (or of whoever ran the tests) leaks into the lab.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (options.before_exec) options.before_exec();
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

void lab_process::take_output(const char* data, std::size_t size) {
  partial_.append(data, size);
  for (auto end = partial_.find('\n'); end != std::string::npos; end = partial_.find('\n')) {
    take_line(partial_.substr(0, end));
    partial_.erase(0, end + 1);
  }
}

// What stderr holds by now, without waiting.
void lab_process::read_stderr() {
  char buffer[65536];
  while (stderr_fd_) {
    const ssize_t n = ::read(stderr_fd_.get(), buffer, sizeof buffer);
    if (n > 0)
      stderr_.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 && !stderr_is_file_)
      stderr_fd_.reset();  // a file may still grow
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
}

// Reads what is available, waiting until `deadline` for something.
lab_process::got lab_process::read_more(std::chrono::steady_clock::time_point deadline) {
  char buffer[65536];
  for (;;) {
    if (stderr_is_file_) read_stderr();
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (stdout_is_file_) {
      const ssize_t n = ::read(stdout_.get(), buffer, sizeof buffer);
      if (n > 0) return take_output(buffer, static_cast<std::size_t>(n)), got::data;
      // At the end of the file so far: the output ends once the lab has
      // ended and what it wrote last has been read.
      if (reaped_) break;
      if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
        reaped_ = true;
        continue;
      }
      if (left.count() <= 0) return got::nothing;
      ::poll(nullptr, 0, 1);
      continue;
    }
    pollfd fds[2] = {{stdout_.get(), POLLIN, 0}, {stderr_fd_.get(), POLLIN, 0}};
    const nfds_t count = stderr_fd_ && !stderr_is_file_ ? 2 : 1;
    const int ready = ::poll(fds, count, static_cast<int>(std::max(left.count(), 0L)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return got::nothing;  // timed out: the caller decides
    if (count == 2 && fds[1].revents) read_stderr();
    if (fds[0].revents) {
      const ssize_t n = ::read(stdout_.get(), buffer, sizeof buffer);
      if (n == 0) break;
      if (n > 0) return take_output(buffer, static_cast<std::size_t>(n)), got::data;
    }
  }
  if (!partial_.empty()) take_line(std::exchange(partial_, {}));
  return got::end;
}

void lab_process::read_until(const std::function<bool()>& done, milliseconds timeout,
                             const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return;
    if (!stdout_) throw lab_failure("the lab's output ended before " + what + "\n" + transcript());
    if (std::chrono::steady_clock::now() >= deadline)
      throw lab_failure("timed out waiting for " + what + "\n" + transcript());
    if (read_more(deadline) == got::end) stdout_.reset();
  }
}

event lab_process::expect(const std::string& kind, const event_test& test, milliseconds timeout) {
  std::optional<event> found;
  read_until(
      [&] {
        while (next_unread_ < events_.size()) {
          const event& e = events_[next_unread_++];
          if (e.kind() == kind && (!test || test(e))) return found = e, true;
        }
        return false;
      },
      timeout, "a \"" + kind + "\" event");
  return *found;
}

std::vector<event> lab_process::expect_count(const std::string& kind, std::size_t count,
                                             milliseconds timeout) {
  read_until([&] { return events_of(kind).size() >= count; }, timeout,
             std::to_string(count) + " \"" + kind + "\" events");
  return events_of(kind);
}

std::string lab_process::expect_line(const std::string& text, milliseconds timeout) {
  std::string found;
  read_until(
      [&] {
        for (const auto& line : lines_)
          if (line.find(text) != std::string::npos) return found = line, true;
        return false;
      },
      timeout, "a line with \"" + text + "\"");
  return found;
}

void lab_process::read_available() {
  while (stdout_) {
    const got what = read_more(std::chrono::steady_clock::now());
    if (what == got::end) stdout_.reset();
    if (what != got::data) break;
  }
}

std::size_t lab_process::unread_output() const {
  int bytes = 0;
  if (stdout_) ::ioctl(stdout_.get(), FIONREAD, &bytes);
  return static_cast<std::size_t>(bytes);
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
    if (read_more(deadline) == got::end) stdout_.reset();
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
