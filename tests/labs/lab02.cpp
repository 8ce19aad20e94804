// lab02-zombie: children that exit un-waited stay zombies until the parent exits.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"

using namespace harness;

namespace {

// The children the parent says it forked, in order.
std::vector<pid_t> children_in_fork_order(const std::vector<event>& events) {
  std::vector<pid_t> pids;
  for (const auto& e : events)
    if (e.kind() == "fork" && e.role() == "parent")
      pids.push_back(static_cast<pid_t>(e.number("child")));
  return pids;
}

// ps shows "<defunct>" because a zombie has no command line any more.
std::string command_line_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("while the parent holds, every child is a zombie whose parent is the lab") {
  lab_process lab("lab02-zombie", {"--children", "3", "--hold", "60"});
  const event hold = lab.expect("sleep");   // the hold has begun
  CHECK_FALSE(hold.boolean("enter_ends"));  // no terminal: nothing but time ends it
  const auto children = children_in_fork_order(lab.events());
  REQUIRE(children.size() == 3);
  for (pid_t child : children) {
    CAPTURE(child);
    const auto info = lab::read_proc(child);  // what the kernel says, not the lab
    REQUIRE(info);
    CHECK(info->state == 'Z');
    CHECK(info->ppid == lab.pid());
    CHECK(command_line_of(child).empty());
    // The lab saw the same and said so.
    bool narrated = false;
    for (const auto& e : lab.events_of("state"))
      if (e.number("child") == child && e.text("state") == "Z" && e.number("ppid") == lab.pid())
        narrated = true;
    CHECK(narrated);
  }

  lab.signal(SIGTERM);
  const int status = lab.wait_exit();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  // The parent is gone: its zombies passed to the nearest subreaper, this test
  // process (or, were it not one, to init, which reaps them at once).
  for (pid_t child : children) {
    CAPTURE(child);
    const auto info = lab::read_proc(child);
    CHECK((!info || info->ppid == ::getpid()));
  }
  CHECK(lab.group_gone());  // reaps what came to us
  for (pid_t child : children) CHECK_FALSE(lab::read_proc(child));
}

TEST_CASE("a short hold ends with status 0 and the zombies are reaped after the parent") {
  const auto run = run_lab("lab02-zombie", {"--children", "2", "--hold", "0.2"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto children = children_in_fork_order(run.events);
  REQUIRE(children.size() == 2);

  // Each child exited at once with 0, without anybody reaping it in the lab.
  int child_exits = 0;
  for (const auto& e : run.of("exit"))
    if (e.role() != "parent") {
      CHECK(e.number("code") == 0);
      child_exits = child_exits + 1;
    }
  CHECK(child_exits == 2);
  CHECK(run.of("reap").empty());
  const auto trees = run.of("tree");
  REQUIRE(trees.size() == 1);
  CHECK(trees[0].number("processes") == 3);
  // run_lab saw the group empty: nothing of the lab exists any more.
  for (pid_t child : children) CHECK_FALSE(lab::read_proc(child));
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json = run_lab("lab02-zombie", {"--children", "3", "--hold", "0.1"});
  CHECK(WEXITSTATUS(json.status) == 0);
  CHECK(check_each_line_once(json.events) == "");
  CHECK(json.of("exit").size() == 4);  // three children, then the parent

  const auto human = run_lab("lab02-zombie", {"--children", "3", "--hold", "0.1"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  int child_exits = 0;
  for (const auto& line : human.lines) {
    CHECK(line.rfind("{", 0) != 0);  // not JSON
    if (line.find("nobody waits for it") != std::string::npos) child_exits = child_exits + 1;
  }
  CHECK(child_exits == 3);
}

TEST_CASE("SIGINT to the group and SIGTERM to the parent during the hold leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab02-zombie", {"--children", "2", "--hold", "60"});
    lab.expect("sleep");
    check_interrupted(lab, signo);
  }
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab02-zombie", {"--step", "--no-quiz", "--children", "2", "--hold", "0.1"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // before fork
  lab.write_stdin("\n");
  lab.expect("pause");  // zombies: the stage's tree shows them
  const auto trees = lab.events_of("tree");
  REQUIRE(trees.size() == 2);
  CHECK(trees[1].number("processes") == 3);
  lab.write_stdin("\n");
  lab.expect("pause");  // before the parent exits
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

namespace {

// Every forked child is a zombie whose parent is the lab, as /proc says.
void check_zombies_of(const lab_process& lab, const std::vector<pid_t>& children) {
  for (pid_t child : children) {
    CAPTURE(child);
    const auto info = lab::read_proc(child);
    REQUIRE(info);
    CHECK(info->state == 'Z');
    CHECK(info->ppid == lab.pid());
  }
}

}  // namespace

TEST_CASE("at a terminal, Enter ends the hold early; until then the zombies stay") {
  lab_process lab("lab02-zombie", {"--children", "3", "--hold", "60"}, {.terminal = true});
  const event hold = lab.expect("sleep");
  CHECK(hold.boolean("enter_ends"));  // and it says so
  const auto children = children_in_fork_order(lab.events());
  REQUIRE(children.size() == 3);
  check_zombies_of(lab, children);
  std::this_thread::sleep_for(500ms);
  check_zombies_of(lab, children);  // still there while the parent holds
  lab.write_stdin("\n");
  const event wake = lab.expect("wake");
  CHECK(wake.text("by") == "enter");
  CHECK(wake.real("slept") < 30);
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.events_of("exit").back().number("t_ms") < 30000);  // long before the 60 s
  CHECK(lab.group_gone());
  for (pid_t child : children) CHECK_FALSE(lab::read_proc(child));
}

// A learner at a terminal who takes their time at every prompt: the zombies
// wait for them, the answer is Z as /proc says, and the right choice is marked.
TEST_CASE("--step at a terminal, answering slowly: Z is the answer, and Enter ends the hold") {
  lab_process lab("lab02-zombie", {"--step", "--children", "2", "--hold", "60"},
                  {.terminal = true});
  const auto slowly = [&](const std::string& line) {
    std::this_thread::sleep_for(500ms);
    lab.write_stdin(line);
  };
  lab.expect("pause");  // before fork
  slowly("\n");
  CHECK(lab.expect("quiz").text("question") == "lab02.state");
  slowly("2\n");        // state Z
  lab.expect("pause");  // the zombies' stage
  const auto children = children_in_fork_order(lab.events());
  REQUIRE(children.size() == 2);
  std::this_thread::sleep_for(500ms);
  check_zombies_of(lab, children);
  lab.write_stdin("\n");
  const event answer = lab.expect("answer");
  CHECK(answer.text("actual") == "Z");
  CHECK(answer.number("right") == 2);
  CHECK(answer.boolean("correct"));
  CHECK(answer.boolean("marked"));
  CHECK(lab.expect("sleep").boolean("enter_ends"));
  check_zombies_of(lab, children);
  slowly("\n");
  CHECK(lab.expect("wake").text("by") == "enter");
  lab.expect("pause");  // before the parent exits
  slowly("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("one child is spoken of in the singular") {
  const auto run = run_lab("lab02-zombie", {"--hold", "0"}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  int singular = 0;
  for (const auto& line : run.lines)
    if (line.find("it is a zombie") != std::string::npos ||
        line.find("the zombie stays") != std::string::npos ||
        line.find("adopts its zombie and reaps it") != std::string::npos)
      ++singular;
  CHECK(singular == 3);
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab02-zombie", {"--children", "--hold"});
  check_refused(
      "lab02-zombie",
      {{"--children", "0"}, {"--children", "many"}, {"--hold", "-1"}, {"--hold", "soon"}});
}
