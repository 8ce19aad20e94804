// lab13-stdio-dup: a line buffered by stdio before fork is printed by parent
// and child alike — into a pipe, not on a terminal — unless it is flushed
// before fork or the child ends with _exit.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "checks.hpp"
#include "harness.hpp"
#include "shared.hpp"
#include "os/proc.hpp"
#include "os/pty.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

std::string pre_fork_line(pid_t victim) {
  return "pre-fork line, written with stdio by pid " + std::to_string(victim);
}

long long count_of(const std::vector<std::string>& lines, const std::string& wanted) {
  return std::count(lines.begin(), lines.end(), wanted);
}

// The lab's capture rows, by output ("pty", "pipe"), checked against the
// victim's own output as the lab captured it.
const event& row(const std::vector<event>& captures, const std::string& output,
                 const std::string& child_exit, bool flush) {
  for (const auto& e : captures)
    if (e.text("output") == output && e.text("child_exit") == child_exit &&
        e.boolean("flush") == flush)
      return e;
  throw std::runtime_error("no capture row for " + output + " " + child_exit);
}

long long counted_by_lab_and_text(const event& capture) {
  const auto lines = lines_of(capture.text("captured"));
  const auto pid = static_cast<pid_t>(capture.number("child"));
  CHECK(count_of(lines, pre_fork_line(pid)) == capture.number("count"));
  CHECK(static_cast<long long>(lines.size()) == capture.number("lines"));
  return capture.number("count");
}

struct victim_run {
  pid_t pid = 0;
  std::vector<std::string> lines;
  int status = 0;
};

// The test itself runs the victim with stdout to a pipe.
victim_run victim_through_pipe(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--victim"};
  all.insert(all.end(), args.begin(), args.end());
  lab_process victim("lab13-stdio-dup", all, {.json = false});
  victim_run run;
  run.pid = victim.pid();
  run.status = victim.wait_exit();
  run.lines = victim.lines();
  CHECK(victim.group_gone());
  return run;
}

// The test itself runs the victim with stdout to a pseudo-terminal.
victim_run victim_through_pty(const std::vector<std::string>& args) {
  auto pty = lab::make_pty();
  std::vector<std::string> argv_text{lab_path("lab13-stdio-dup"), "--victim"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  victim_run run;
  run.pid = lab::check(::fork(), "fork");
  if (run.pid == 0) {  // child: becomes the victim
    ::dup2(pty.terminal.get(), STDOUT_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pty.terminal.reset();
  const std::string text = lab::read_pty_to_end(pty.controller.get());
  lab::check(::waitpid(run.pid, &run.status, 0), "waitpid");
  run.lines = lines_of(text);
  return run;
}

}  // namespace

TEST_CASE("the textbook's way: once on a terminal, twice into a pipe") {
  const auto run = run_lab("lab13-stdio-dup", {});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto captures = run.of("capture");
  REQUIRE(captures.size() == 2);
  CHECK(counted_by_lab_and_text(row(captures, "pty", "exit", false)) == 1);
  CHECK(counted_by_lab_and_text(row(captures, "pipe", "exit", false)) == 2);
  // Each victim was reaped by the lab and exited 0.
  const auto reaps = run.of("reap");
  REQUIRE(reaps.size() == 2);
  for (const auto& r : reaps) CHECK(r.text("status") == "exited 0");
}

TEST_CASE("the right ways: _exit in the child, or fflush before fork, print it once") {
  SUBCASE("_exit") {
    const auto run = run_lab("lab13-stdio-dup", {"--child-exit", "_exit"});
    CHECK(WEXITSTATUS(run.status) == 0);
    const auto captures = run.of("capture");
    REQUIRE(captures.size() == 2);
    CHECK(counted_by_lab_and_text(row(captures, "pty", "_exit", false)) == 1);
    CHECK(counted_by_lab_and_text(row(captures, "pipe", "_exit", false)) == 1);
  }
  SUBCASE("fflush") {
    const auto run = run_lab("lab13-stdio-dup", {"--flush"});
    CHECK(WEXITSTATUS(run.status) == 0);
    const auto captures = run.of("capture");
    REQUIRE(captures.size() == 2);
    CHECK(counted_by_lab_and_text(row(captures, "pty", "exit", true)) == 1);
    CHECK(counted_by_lab_and_text(row(captures, "pipe", "exit", true)) == 1);
  }
}

TEST_CASE("--all: only the pipe with exit() and no fflush duplicates the line") {
  const auto run = run_lab("lab13-stdio-dup", {"--all"});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto captures = run.of("capture");
  REQUIRE(captures.size() == 6);
  for (const auto& e : captures) {
    const bool wrong =
        e.text("output") == "pipe" && e.text("child_exit") == "exit" && !e.boolean("flush");
    CHECK(counted_by_lab_and_text(e) == (wrong ? 2 : 1));
  }
}

TEST_CASE("the victim run by the test through a pipe") {
  SUBCASE("exit(): twice, and the child wrote one of them") {
    const auto run = victim_through_pipe({});
    CHECK(run.status == 0);
    CHECK(count_of(run.lines, pre_fork_line(run.pid)) == 2);
    // The child's own line precedes its copy of the parent's line.
    const auto child_line = std::find_if(run.lines.begin(), run.lines.end(), [](const auto& l) {
      return l.starts_with("child ") && l.ends_with("ends with exit()");
    });
    REQUIRE(child_line != run.lines.end());
    CHECK(std::next(child_line) != run.lines.end());
    CHECK(*std::next(child_line) == pre_fork_line(run.pid));
  }
  SUBCASE("_exit(): once") {
    const auto run = victim_through_pipe({"--child-exit", "_exit"});
    CHECK(run.status == 0);
    CHECK(count_of(run.lines, pre_fork_line(run.pid)) == 1);
  }
  SUBCASE("fflush before fork: once, and first") {
    const auto run = victim_through_pipe({"--flush"});
    CHECK(run.status == 0);
    CHECK(count_of(run.lines, pre_fork_line(run.pid)) == 1);
    REQUIRE(!run.lines.empty());
    CHECK(run.lines.front() == pre_fork_line(run.pid));
  }
}

TEST_CASE("the victim run by the test on a terminal: once, even with exit()") {
  const auto run = victim_through_pty({});
  CHECK(run.status == 0);
  CHECK(count_of(run.lines, pre_fork_line(run.pid)) == 1);
  REQUIRE(!run.lines.empty());
  CHECK(run.lines.front() == pre_fork_line(run.pid));  // line-buffered: out at the '\n'
}

TEST_CASE("into a pipe, every line of the lab appears exactly once") {
  const auto json = run_lab("lab13-stdio-dup", {"--all"});
  CHECK(check_each_line_once(json.events) == "");
  const auto human = run_lab("lab13-stdio-dup", {"--all"}, {.json = false});
  CHECK(!human.lines.empty());
  CHECK(check_each_line_once(human.lines) == "");
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab13-stdio-dup", {"--step", "--no-quiz"}, {.stdin_pipe = true});
  lab.expect("pause");
  CHECK(lab.events_of("capture").empty());
  lab.write_stdin("\n");
  lab.expect("pause");
  CHECK(lab.events_of("capture").size() == 2);
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("SIGINT or SIGTERM while the victim's child holds leaves no process behind") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab13-stdio-dup", {"--hold", "60"});
    const pid_t victim = static_cast<pid_t>(lab.expect("fork").number("child"));
    // The victim has forked its child: three generations are alive.
    REQUIRE(lab::poll_until([&] { return !lab::children_of(victim).empty(); }, 10s));
    const pid_t victim_child = lab::children_of(victim).front();
    lab.signal(signo);
    const int status = lab.wait_exit();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == signo);
    CHECK(lab.group_gone());
    CHECK(!lab::read_proc(victim));
    CHECK(!lab::read_proc(victim_child));
  }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab13-stdio-dup", {"--child-exit", "--flush", "--all", "--hold"});
  check_refused("lab13-stdio-dup", {{"--child-exit", "quit"},
                                   {"--hold", "-1"},
                                   {"--hold", "soon"},
                                   {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the pipe's count is the lesson's") {
  // The victim's child holds 0.1 s before it ends; the learner takes 0.5 s.
  lab_process lab("lab13-stdio-dup", {"--hold", "0.1", "--step"}, {.terminal = true});
  const auto nothing_ran_yet = [&] { CHECK(lab.events_of("capture").empty()); };
  const int status =
      answer_slowly(lab, {{"", 500ms}, {"3", 500ms, nothing_ran_yet}, {"", 500ms}});  // twice
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_marked_right(lab, "lab13.pipe_count", 3);
  CHECK(lab.group_gone());
}

namespace {

// `unshare` arguments that run a command in a new mount namespace, as root or
// (through a user namespace) as an ordinary user; empty if this system lets
// us have none.
std::vector<std::string> own_mount_namespace() {
  std::vector<std::string> args{"--mount", "--propagation", "private"};
  if (::geteuid() != 0) args.insert(args.begin(), "--map-root-user");
  std::string probe = "unshare";
  for (const auto& a : args) probe += " " + a;
  if (std::system((probe + " true >/dev/null 2>&1").c_str()) != 0) return {};
  return args;
}

}  // namespace

TEST_CASE("no pseudo-terminal to be had (ENODEV): the pipe half runs, the lab says why, exit 0") {
  // The real condition of a container without devpts: in a mount namespace of
  // its own, /dev/pts is an empty tmpfs, so opening /dev/ptmx fails (ENODEV).
  auto args = own_mount_namespace();
  if (args.empty()) {
    WARN_MESSAGE(false, "no mount namespace can be made here: the no-pty path is not checked");
    return;
  }
  args.insert(args.end(), {"/bin/sh", "-c", "mount -t tmpfs none /dev/pts && exec \"$0\" \"$@\"",
                           lab_path("lab13-stdio-dup")});
  const auto run = run_lab("/usr/bin/unshare", args);
  CAPTURE(run.stderr_text);
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto skips = run.of("skip");
  REQUIRE(skips.size() == 1);
  CHECK(skips[0].text("part") == "pty");
  CHECK(skips[0].text("reason") == "openpty: ENODEV");
  const auto captures = run.of("capture");
  REQUIRE(captures.size() == 1);  // the pipe half only
  CHECK(captures[0].text("output") == "pipe");
  CHECK(captures[0].number("count") == 2);  // the lesson, still shown
  CHECK(run.of("error").empty());

  // In words too: one clear line says why the terminal half is missing.
  const auto human = run_lab("/usr/bin/unshare", args, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  int said = 0;
  for (const auto& line : human.lines)
    if (line.find("no pseudo-terminal can be had here (openpty: ENODEV)") != std::string::npos)
      ++said;
  CHECK(said == 1);
}
