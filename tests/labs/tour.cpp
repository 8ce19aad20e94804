// scripts/tour.sh: without a terminal it runs straight through; --only and
// --from choose the labs; a lab that ran to its end is marked completed in the
// state file under $XDG_STATE_HOME/forklab, which --list shows (✓) and --reset
// forgets (only with --yes when there is no terminal to ask). The tour runs on
// the labs of this build (FORKLAB_BUILD_DIR), with its state in a directory of
// the test's own, and leaves no process behind.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness.hpp"

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
