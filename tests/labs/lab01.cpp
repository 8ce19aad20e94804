// lab01-fork: fork returns twice; the child's memory is a copy.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <thread>

#include "checks.hpp"
#include "harness.hpp"

using namespace harness;

TEST_CASE("fork returns the child's pid in the parent and 0 in the child") {
  const auto run = run_lab("lab01-fork", {});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);

  const auto forks = run.of("fork");
  REQUIRE(forks.size() == 2);
  const event& in_parent = forks[0].role() == "parent" ? forks[0] : forks[1];
  const event& in_child = forks[0].role() == "child" ? forks[0] : forks[1];
  REQUIRE(in_parent.role() == "parent");
  REQUIRE(in_child.role() == "child");
  CHECK(in_child.number("returned") == 0);
  // The parent's return value is the pid the child itself reports.
  CHECK(in_parent.number("returned") == in_child.pid());
  CHECK(in_child.pid() != in_parent.pid());

  // The parent reaped exactly that child, which exited 0.
  const auto reaps = run.of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].number("child") == in_child.pid());
  CHECK(reaps[0].text("how") == "exited");
  CHECK(reaps[0].number("code") == 0);
}

TEST_CASE("after fork the same addresses hold different values in parent and child") {
  const auto run = run_lab("lab01-fork", {});
  const auto values = run.of("values");
  REQUIRE(values.size() == 3);  // before fork, child, parent
  const event& before = values[0];
  CHECK(before.number("global") == 10);
  CHECK(before.number("local") == 20);
  const event* child = nullptr;
  const event* parent = nullptr;
  for (const auto& e : values) {
    if (e.role() == "child") child = &e;
    if (&e != &values[0] && e.role() == "parent") parent = &e;
  }
  REQUIRE(child);
  REQUIRE(parent);
  CHECK(child->number("global") == 12);
  CHECK(child->number("local") == 22);
  CHECK(parent->number("global") == 8);
  CHECK(parent->number("local") == 18);
  // Same virtual addresses, different contents: separate address spaces.
  CHECK(child->text("global_address") == parent->text("global_address"));
  CHECK(child->text("local_address") == parent->text("local_address"));
  CHECK(child->text("global_address") == before.text("global_address"));
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json = run_lab("lab01-fork", {});
  CHECK(check_each_line_once(json.events) == "");
  const auto human = run_lab("lab01-fork", {}, {.json = false});
  CHECK(human.lines.size() == json.events.size());
  CHECK(check_each_line_once(human.lines) == "");
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab01-fork", {"--step", "--no-quiz"}, {.stdin_pipe = true});
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("pause");
  const auto tree = lab.events_of("tree");
  REQUIRE(tree.size() == 2);
  CHECK(tree[1].number("processes") >= 1);
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

// A learner at a terminal who takes their time: the answer is the value the
// child really holds, 12, and the right choice is marked right.
TEST_CASE("--step at a terminal, answering slowly: the child's global is 12, choice 1 is right") {
  lab_process lab("lab01-fork", {"--step"}, {.terminal = true});
  lab.expect("pause");  // before fork
  std::this_thread::sleep_for(500ms);
  lab.write_stdin("\n");
  const event quiz = lab.expect("quiz");
  CHECK(quiz.text("question") == "lab01.global");
  CHECK(lab.events_of("fork").empty());  // asked before the fork
  std::this_thread::sleep_for(500ms);
  lab.write_stdin("1\n");
  const event answer = lab.expect("answer");
  CHECK(answer.role() == "child");
  CHECK(answer.number("actual") == 12);
  CHECK(answer.number("right") == 1);
  CHECK(answer.boolean("correct"));
  CHECK(answer.boolean("marked"));
  // The child's values line says the same, and the parent's copy is untouched by it.
  for (const auto& e : lab.events_of("values"))
    if (e.pid() == answer.pid()) CHECK(e.number("global") == 12);
  // The parent's pause after fork may come before or after the child's answer.
  bool paused = false;
  for (const auto& e : lab.events_of("pause"))
    paused = paused || e.number("seq") > quiz.number("seq");
  if (!paused) lab.expect("pause");
  std::this_thread::sleep_for(500ms);
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
  for (const auto& e : lab.events_of("values"))
    if (e.role() == "parent" && e.number("seq") > quiz.number("seq"))
      CHECK(e.number("global") == 8);
}

TEST_CASE("--help describes the lab; bad options are refused with status 2") {
  check_help("lab01-fork", {"fork", "--json", "--step", "--color"});
  check_refused("lab01-fork", {{"--no-such-option"}, {"--color", "sometimes"}});
}
