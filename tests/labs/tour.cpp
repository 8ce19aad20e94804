// scripts/tour.sh: without a terminal it runs straight through; --only and
// --from choose the labs; a lab that ran to its end is marked completed in the
// state file under $XDG_STATE_HOME/forklab, which --list shows (✓) and --reset
// forgets (only with --yes when there is no terminal to ask). The tour runs on
// the labs of this build (FORKLAB_BUILD_DIR), with its state in a directory of
// the test's own, and leaves no process behind.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "harness.hpp"
#include "os/proc.hpp"
#include "os/pty.hpp"
#include "scoped_env.hpp"
#include "shared.hpp"

using namespace harness;

namespace {

std::string tour_script() {
  const char* root = std::getenv("FORKLAB_SOURCE_DIR");
  REQUIRE_MESSAGE(root != nullptr, "FORKLAB_SOURCE_DIR is not set (run with meson test)");
  return std::string(root) + "/scripts/tour.sh";
}

// XDG_STATE_HOME in a fresh directory for one test case, removed after it.
class state_home {
 public:
  state_home() {
    char pattern[] = "/tmp/forklab-tour-XDGXXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    dir_ = pattern;
    ::setenv("XDG_STATE_HOME", dir_.c_str(), 1);
  }
  ~state_home() {
    ::unsetenv("XDG_STATE_HOME");
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  state_home(const state_home&) = delete;
  state_home& operator=(const state_home&) = delete;

  std::string file() const { return dir_ + "/forklab/completed"; }
  bool exists() const { return std::filesystem::exists(file()); }
  // The lab numbers the state file holds ("01", "15"...).
  std::set<std::string> completed() const {
    std::set<std::string> labs;
    std::ifstream in(file());
    for (std::string line; std::getline(in, line);) labs.insert(line);
    return labs;
  }
  void write(const std::string& text) const {
    std::filesystem::create_directories(dir_ + "/forklab");
    std::ofstream(file()) << text;
  }
  void append(const std::string& text) const { std::ofstream(file(), std::ios::app) << text; }

 private:
  std::string dir_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct tour_run {
  int status = -1;
  std::vector<std::string> lines;
  std::string stderr_text;

  // The labs whose "=== lab NN" header the tour printed, in order.
  std::vector<std::string> headers() const {
    std::vector<std::string> labs;
    for (const auto& line : lines)
      if (line.starts_with("=== lab ")) labs.push_back(line.substr(8, 2));
    return labs;
  }
  bool printed(const std::string& words) const {
    for (const auto& line : lines)
      if (line.find(words) != std::string::npos) return true;
    return false;
  }
  std::string output() const {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text + "--- stderr ---\n" + stderr_text;
  }
};

// Runs the tour to its end; checks that its process group is empty then.
tour_run run_tour(const std::vector<std::string>& args, milliseconds timeout = 30s) {
  lab_process tour(tour_script(), args, {.json = false});
  tour_run run;
  run.status = tour.wait_exit(timeout);
  CHECK_MESSAGE(tour.group_gone(), "the tour left processes behind\n" << tour.transcript());
  run.lines = tour.lines();
  run.stderr_text = tour.stderr_text();
  return run;
}

int exit_code(const tour_run& run) {
  return WIFEXITED(run.status) ? WEXITSTATUS(run.status) : -1;
}

// The lines of the progress warning on stderr.
int warnings(const tour_run& run) {
  int n = 0;
  for (std::size_t at = run.stderr_text.find("progress not saved"); at != std::string::npos;
       at = run.stderr_text.find("progress not saved", at + 1))
    ++n;
  return n;
}

// One human-mode line of a lab: "  0.012 server    4242 accept   accepted ..."
struct lab_line {
  std::size_t index = 0;  // its place in the tour's output
  std::string role;
  pid_t pid = 0;
  std::string kind;
  std::string text;
};

// `line` without its colour codes (ESC [ digits and ';' m).
std::string without_colour(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      std::size_t end = i + 2;
      while (end < line.size() &&
             (std::isdigit(static_cast<unsigned char>(line[end])) || line[end] == ';'))
        ++end;
      if (end < line.size() && line[end] == 'm') {
        i = end;
        continue;
      }
    }
    out += line[i];
  }
  return out;
}

// The run of decimal digits at `at` ("" if none), and `at` moved past it.
std::string digits_at(std::string_view text, std::size_t& at) {
  const std::size_t start = at;
  while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
  return std::string(text.substr(start, at - start));
}

// The word (no blank) at `at`, and `at` moved past it and the blanks after it.
std::string word_at(std::string_view text, std::size_t& at) {
  const std::size_t start = at;
  while (at < text.size() && text[at] != ' ') ++at;
  std::string word(text.substr(start, at - start));
  while (at < text.size() && text[at] == ' ') ++at;
  return word;
}

// A human-mode line: blanks, seconds with 3 decimals, the role (a word, or a
// word and a number: "child 2"), the pid, the kind, the text. nullopt otherwise.
std::optional<lab_line> parse_lab_line(const std::string& line) {
  std::size_t at = line.find_first_not_of(' ');
  if (at == std::string::npos || digits_at(line, at).empty() || at >= line.size() ||
      line[at++] != '.' || digits_at(line, at).size() != 3 || at >= line.size() ||
      line[at++] != ' ')
    return std::nullopt;
  lab_line l;
  l.role = word_at(line, at);
  // "child 2   4243": a role of a word and a number (one blank between), then the pid.
  std::size_t after_number = at;
  const std::string number = digits_at(line, after_number);
  std::size_t pid_at = after_number;
  while (pid_at < line.size() && line[pid_at] == ' ') ++pid_at;
  if (!number.empty() && line[at - 2] != ' ' && pid_at > after_number && pid_at < line.size() &&
      std::isdigit(static_cast<unsigned char>(line[pid_at]))) {
    l.role += " " + number;
    at = pid_at;
  }
  const std::string pid = digits_at(line, at);
  if (pid.empty() || at >= line.size() || line[at++] != ' ') return std::nullopt;
  l.pid = static_cast<pid_t>(std::stol(pid));
  l.kind = word_at(line, at);
  if (l.kind.empty()) return std::nullopt;
  l.text = line.substr(at);
  return l;
}

std::vector<lab_line> lab_lines(const std::vector<std::string>& lines) {
  std::vector<lab_line> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto l = parse_lab_line(without_colour(lines[i]));
    if (!l) continue;
    l->index = i;
    out.push_back(*l);
  }
  return out;
}

// Checks the tour's output for lab 08: the client connected from a port, and
// for that connection the server's accept, fork (of child C), C's close and
// the server's reap of C appear, in that order, with the client's own lines.
void check_server_lines(const std::vector<std::string>& output) {
  const auto lines = lab_lines(output);
  std::string client_port;
  std::size_t connected_at = 0;
  for (const auto& l : lines) {
    // "... from 127.0.0.1:PORT ..."
    const std::size_t from = l.text.find("from ");
    if (l.role != "reader" || l.kind != "connect" || from == std::string::npos) continue;
    std::size_t at = l.text.find(':', from);
    if (at == std::string::npos || ++at > l.text.size()) continue;
    client_port = digits_at(l.text, at);
    connected_at = l.index;
  }
  REQUIRE_MESSAGE(!client_port.empty(), "no connect line from the client");
  const std::string peer = ":" + client_port;
  const lab_line* accept = nullptr;
  const lab_line* fork = nullptr;
  const lab_line* close = nullptr;
  const lab_line* reap = nullptr;
  pid_t server = 0;
  pid_t child = 0;
  for (const auto& l : lines) {
    if (!accept && l.role == "server" && l.kind == "accept" && l.text.find(peer) != std::string::npos) {
      accept = &l;
      server = l.pid;
    } else if (accept && !fork && l.pid == server && l.kind == "fork") {
      std::size_t at = l.text.find_first_of("0123456789");  // "forked child PID for ..."
      REQUIRE(at != std::string::npos);
      fork = &l;
      child = static_cast<pid_t>(std::stol(digits_at(l.text, at)));
    } else if (fork && !close && l.pid == child && l.kind == "close") {
      CHECK(l.text.find(peer) != std::string::npos);
      close = &l;
    } else if (close && !reap && l.pid == server && l.kind == "reap" &&
               l.text.find(std::to_string(child)) != std::string::npos) {
      reap = &l;
    }
  }
  CHECK_MESSAGE(accept, "no accept line of the server for the client's port " << client_port);
  CHECK_MESSAGE(fork, "no fork line of the server after its accept");
  CHECK_MESSAGE(close, "no close line of the server's child after the fork");
  CHECK_MESSAGE(reap, "no reap line of the server for its child after the close");
  // The client's lines are there too, the connect before the client's end.
  bool client_end = false;
  for (const auto& l : lines)
    client_end = client_end || ((l.role == "reader" && l.kind == "close") && l.index > connected_at);
  CHECK(client_end);
}

// The tour at a terminal: a pseudo-terminal is its stdin, stdout, stderr and
// controlling terminal, so it pauses and runs the labs with --step. The test
// reads what it shows and types as a learner would.
class tour_at_terminal {
 public:
  explicit tour_at_terminal(const std::vector<std::string>& args) {
    auto pty = lab::make_pty();
    std::vector<std::string> argv_text{tour_script()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = lab::check(::fork(), "fork");
    if (pid_ == 0) {  // child: becomes the tour, in a session of its own
      ::setsid();
      ::ioctl(pty.terminal.get(), TIOCSCTTY, 0);
      for (int fd = 0; fd <= 2; ++fd) ::dup2(pty.terminal.get(), fd);
      for (int signo = 1; signo < NSIG; ++signo)
        if (signo != SIGKILL && signo != SIGSTOP) ::signal(signo, SIG_DFL);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    controller_ = std::move(pty.controller);
  }
  ~tour_at_terminal() {
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    // What the tour started, in its session, reparents to this subreaper.
    lab::poll_until(
        [&] {
          while (::waitpid(-1, nullptr, WNOHANG) > 0) {
          }
          return lab::processes_in_group(pid_).empty();
        },
        std::chrono::seconds(5));
  }
  tour_at_terminal(const tour_at_terminal&) = delete;
  tour_at_terminal& operator=(const tour_at_terminal&) = delete;

  // Reads what comes within `timeout`; false once the terminal is closed.
  bool read_for(milliseconds timeout) {
    pollfd p{controller_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return true;
    char buffer[4096];
    const ssize_t n = ::read(controller_.get(), buffer, sizeof buffer);
    if (n <= 0) return false;  // EIO: every holder of the terminal closed it
    text_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  void type(const std::string& keys) { lab::write_all(controller_.get(), keys); }
  const std::string& text() const { return text_; }
  std::size_t count(const std::string& words) const {
    std::size_t n = 0;
    for (auto at = text_.find(words); at != std::string::npos; at = text_.find(words, at + 1)) ++n;
    return n;
  }
  // The tour's wait status; -1 (and the tour's session killed) if it has not
  // ended within `timeout`, so that a stuck tour fails the test, never hangs it.
  int wait_exit(milliseconds timeout = 20s) {
    int status = 0;
    const bool ended = lab::poll_until(
        [&] { return lab::check(::waitpid(pid_, &status, WNOHANG), "waitpid") == pid_; }, timeout);
    if (!ended) return -1;  // the destructor kills and reaps it
    reaped_ = true;
    return status;
  }
  // The process named `comm` in the tour's session (a lab it runs), or -1.
  pid_t find(const std::string& comm) const {
    for (const pid_t pid : lab::processes_in_group(pid_)) {
      const auto info = lab::read_proc(pid);
      if (info && info->comm == comm) return pid;
    }
    return -1;
  }
  std::vector<std::string> lines() const { return lines_of(text_); }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  lab::unique_fd controller_;
  std::string text_;
};

}  // namespace

TEST_CASE(
    "--only 1 runs lab01 alone, straight through without a terminal, and marks it completed") {
  state_home state;
  const auto run = run_tour({"--only", "1"});  // no terminal: no pause, no --no-pause needed
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.headers() == std::vector<std::string>{"01"});
  CHECK(run.printed("fork() returned 0 in the child"));  // lab01 itself ran
  CHECK(state.completed() == std::set<std::string>{"01"});

  const auto again = run_tour({"--no-pause", "--only", "01"});  // a second run: still once
  CHECK(exit_code(again) == 0);
  std::ifstream in(state.file());
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "01\n");
}

TEST_CASE("--list shows a check mark exactly for the completed labs") {
  state_home state;
  const auto none = run_tour({"--list"});
  CHECK(exit_code(none) == 0);
  REQUIRE(none.lines.size() == 16);
  for (const auto& line : none.lines) CHECK(line.starts_with("  "));

  CHECK(exit_code(run_tour({"--no-pause", "--only", "1"})) == 0);
  CHECK(state.completed() == std::set<std::string>{"01"});
  state.append("05\n");  // as an earlier tour would have left it
  const auto run = run_tour({"--list"});
  CHECK(exit_code(run) == 0);
  REQUIRE(run.lines.size() == 16);
  for (std::size_t i = 0; i < run.lines.size(); ++i) {
    const std::string& line = run.lines[i];
    CAPTURE(line);
    const std::string number = (i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
    const bool completed = number == "01" || number == "05";
    CHECK(line.starts_with(std::string(completed ? "✓ " : "  ") + number + "  lab" + number + "-"));
  }
}

TEST_CASE("--from 15 runs lab15 and lab16 only") {
  state_home state;
  const auto run = run_tour({"--from", "15", "--no-pause"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.headers() == std::vector<std::string>{"15", "16"});
  CHECK(run.printed("lab15-sigpipe --mode nosignal"));
  CHECK(run.printed("lab16-signalfd --via selfpipe"));
  CHECK(state.completed() == std::set<std::string>{"15", "16"});
}

TEST_CASE("--reset without a terminal refuses unless --yes; then the state file is gone") {
  state_home state;
  state.write("01\n02\n");
  const auto refused = run_tour({"--reset"});
  CHECK(exit_code(refused) == 2);
  CHECK(refused.stderr_text.find("--yes") != std::string::npos);
  CHECK(state.completed() == std::set<std::string>{"01", "02"});

  const auto reset = run_tour({"--reset", "--yes"});
  CHECK(exit_code(reset) == 0);
  CHECK_FALSE(state.exists());
  CHECK(exit_code(run_tour({"--reset", "--yes"})) == 0);  // nothing to forget: fine too
}

TEST_CASE("bad options exit 2 and run nothing") {
  state_home state;
  for (const auto& args : std::vector<std::vector<std::string>>{{"--only", "99"},
                                                                {"--only", "0"},
                                                                {"--from", "x"},
                                                                {"--only"},
                                                                {"--lang", "fr"},
                                                                {"--no-such-option"}}) {
    CAPTURE(args.front());
    const auto run = run_tour(args);
    CHECK(exit_code(run) == 2);
    CHECK(run.headers().empty());
    CHECK_FALSE(run.stderr_text.empty());
  }
  CHECK_FALSE(state.exists());
  const auto help = run_tour({"--help"});
  CHECK(exit_code(help) == 0);
  CHECK(help.printed("--no-quiz"));
  CHECK(help.printed("--lang"));
}

TEST_CASE("--lang zh and --no-quiz reach the labs") {
  state_home state;
  const auto run = run_tour({"--no-pause", "--only", "1", "--lang", "zh", "--no-quiz"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.printed("fork 之前"));      // lab01 spoke Chinese
  CHECK(run.printed("fork 返回两次"));  // and so did the tour
}

TEST_CASE("in Korean: --lang ko, or ko_KR from the environment; the tour's words and the lab's") {
  state_home state;
  const auto korean = run_tour({"--no-pause", "--only", "1", "--lang", "ko"});
  INFO(korean.output());
  CHECK(exit_code(korean) == 0);
  CHECK(korean.printed("fork는 두 번 반환한다"));  // the tour's title of lab01
  CHECK(korean.printed("노트: notes/en/01-fork.md"));  // no Korean notes: the English ones
  CHECK(korean.printed("투어 끝"));
  CHECK(korean.printed("fork 이전: 프로세스 하나"));  // lab01 itself
  CHECK(state.completed() == std::set<std::string>{"01"});
  const scoped_env lang("LANG", "ko_KR.UTF-8");
  const scoped_env all("LC_ALL", nullptr);
  const scoped_env messages("LC_MESSAGES", nullptr);
  const auto list = run_tour({"--list"});
  CHECK(exit_code(list) == 0);
  REQUIRE(list.lines.size() == 16);
  CHECK(list.lines[0].find("fork는 두 번 반환한다") != std::string::npos);
  CHECK(list.lines[0].find("✓") != std::string::npos);
}

TEST_CASE("the whole tour runs straight through, exits 0 and leaves no process") {
  state_home state;
  const auto run = run_tour({"--no-pause"}, 90s);
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  // lab09 runs with lab08, under lab08's header.
  CHECK(run.headers() == std::vector<std::string>{"01", "02", "03", "04", "05", "06", "07", "08",
                                                  "10", "11", "12", "13", "14", "15", "16"});
  CHECK(run.printed("hello, forklab"));  // echoed through lab08 by lab09
  std::set<std::string> all;
  for (int n = 1; n <= 16; ++n) all.insert((n < 10 ? "0" : "") + std::to_string(n));
  CHECK(state.completed() == all);
}

TEST_CASE("lab 08 without pauses: the server's accept, fork, close and reap lines for the client") {
  state_home state;
  const auto run = run_tour({"--no-pause", "--only", "8"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.stderr_text.find("Bad file descriptor") == std::string::npos);
  CHECK(run.printed("hello, forklab"));
  check_server_lines(run.lines);
  CHECK(state.completed() == std::set<std::string>{"08", "09"});
}

TEST_CASE("lab 08 at a terminal, with pauses: the server's lines appear among the client's") {
  state_home state;
  tour_at_terminal tour({"--only", "8", "--no-quiz"});
  // Slowly, as a person: Enter at each pause, one line to echo once the
  // client has forked its writer, then Ctrl-D.
  std::size_t answered = 0;
  bool sent = false, ended = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && tour.read_for(200ms)) {
    const std::size_t pauses = tour.count("Enter to start") + tour.count("press Enter");
    if (pauses > answered) {
      ++answered;
      tour.type("\n");
    }
    if (!sent && tour.count("forked the writer") > 0) {
      sent = true;
      tour.type("typed at the terminal\n");
    }
    if (sent && !ended && tour.count("typed at the terminal") >= 2) {  // the echo of the keys, then lab09's
      ended = true;
      tour.type("\x04");
    }
  }
  INFO(tour.text());
  const int status = tour.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(ended);
  CHECK(tour.text().find("Bad file descriptor") == std::string::npos);
  check_server_lines(tour.lines());
  CHECK(state.completed() == std::set<std::string>{"08", "09"});
}

TEST_CASE("lab 05 at a terminal: the Ctrl+C it asks for runs its handler, and the tour goes on") {
  state_home state;
  tour_at_terminal tour({"--only", "5", "--no-quiz"});
  std::size_t answered = 0;
  bool pressed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline && tour.read_for(200ms)) {
    const std::size_t pauses = tour.count("Enter to start") + tour.count("press Enter");
    if (pauses > answered) {
      ++answered;
      tour.type("\n");
    }
    if (!pressed && tour.count("press Ctrl+C now") > 0) {
      // As a person reads the prompt: Ctrl+C once lab05 sleeps.
      REQUIRE(in_sleep(tour.find("lab05-signal")));
      pressed = true;
      tour.type("\x03");  // the terminal sends SIGINT to the whole foreground group
    }
  }
  INFO(tour.text());
  const int status = tour.wait_exit();
  CHECK(pressed);
  CHECK(tour.count("SIGINT: CTRL+C pressed") == 1);  // keycontrol() ran
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // the tour was not ended by it
  CHECK(state.completed() == std::set<std::string>{"05"});
}

TEST_CASE("no HOME and no XDG_STATE_HOME: --help works, and the tour runs with a warning") {
  const scoped_env no_home("HOME", nullptr);
  const scoped_env no_state("XDG_STATE_HOME", nullptr);
  const auto help = run_tour({"--help"});
  CHECK(exit_code(help) == 0);
  CHECK(help.stderr_text.empty());
  CHECK(help.printed("--only"));
  const auto run = run_tour({"--only", "1"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.printed("fork() returned 0 in the child"));
  CHECK(warnings(run) == 1);
  const auto list = run_tour({"--list"});
  CHECK(exit_code(list) == 0);
  CHECK(list.lines.size() == 16);
}

TEST_CASE("a state directory that cannot be made, or a progress file that is a directory: "
          "warned once, the tour goes on") {
  state_home state;
  const std::string base = std::getenv("XDG_STATE_HOME");
  {
    // XDG_STATE_HOME is a file: forklab/ cannot be made under it (even by root).
    const std::string file = base + "/a-file";
    std::ofstream(file) << "not a directory\n";
    const scoped_env env("XDG_STATE_HOME", file.c_str());
    const auto run = run_tour({"--no-pause", "--from", "15"});
    INFO(run.output());
    CHECK(exit_code(run) == 0);
    CHECK(run.headers() == std::vector<std::string>{"15", "16"});  // not stopped after the first
    CHECK(warnings(run) == 1);
    CHECK(read_text(file) == "not a directory\n");
  }
  // The progress file is a directory.
  std::filesystem::create_directories(state.file());
  const auto run = run_tour({"--no-pause", "--from", "15"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.headers() == std::vector<std::string>{"15", "16"});
  CHECK(warnings(run) == 1);
  CHECK(std::filesystem::is_directory(state.file()));
  CHECK(std::filesystem::is_empty(state.file()));
  const auto reset = run_tour({"--reset", "--yes"});
  CHECK(exit_code(reset) == 1);  // refuses to remove a directory
  CHECK(std::filesystem::is_directory(state.file()));
}

TEST_CASE("a symlinked progress file is never followed: neither read nor written through") {
  state_home state;
  const std::string base = std::getenv("XDG_STATE_HOME");
  const std::string target = base + "/elsewhere";
  std::ofstream(target) << "01\n";
  std::filesystem::create_directories(base + "/forklab");
  std::filesystem::create_symlink(target, state.file());
  const auto run = run_tour({"--no-pause", "--only", "2"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(run.headers() == std::vector<std::string>{"02"});
  CHECK(warnings(run) == 1);
  CHECK(read_text(target) == "01\n");  // untouched
  CHECK(std::filesystem::is_symlink(state.file()));
  const auto list = run_tour({"--list"});
  for (const auto& line : list.lines) CHECK_FALSE(line.starts_with("✓"));  // not read either
}

TEST_CASE("a relative XDG_STATE_HOME is ignored (XDG: it must be absolute): HOME's is used") {
  state_home state;
  const std::string home = std::string(std::getenv("XDG_STATE_HOME")) + "/home";
  std::filesystem::create_directories(home);
  const scoped_env env_home("HOME", home.c_str());
  const scoped_env env_state("XDG_STATE_HOME", "relative-state");
  const auto run = run_tour({"--no-pause", "--only", "1"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(warnings(run) == 0);
  CHECK(read_text(home + "/.local/state/forklab/completed") == "01\n");
  // Nothing inside the repository, where the tour runs.
  CHECK_FALSE(std::filesystem::exists(std::string(std::getenv("FORKLAB_SOURCE_DIR")) +
                                      "/relative-state"));
}

TEST_CASE("progress is saved atomically: a new file renamed over the old one, nothing left over") {
  state_home state;
  state.write("05\n");
  // A second name for the old file: written in place, it would change too.
  const std::string old_copy = std::string(std::getenv("XDG_STATE_HOME")) + "/old-link";
  std::filesystem::create_hard_link(state.file(), old_copy);
  const auto run = run_tour({"--no-pause", "--only", "1"});
  INFO(run.output());
  CHECK(exit_code(run) == 0);
  CHECK(read_text(state.file()) == "05\n01\n");
  CHECK(read_text(old_copy) == "05\n");  // the old file as it was: replaced, not rewritten
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(state.file()).parent_path()))
    ++entries;
  CHECK(entries == 1);  // no temporary file left
}
