// lab01-fork: fork returns twice; the child's memory is a copy.
#include <doctest/doctest.h>
#include <sys/wait.h>

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

TEST_CASE("--help describes the lab; bad options are refused with status 2") {
  check_help("lab01-fork", {"fork", "--json", "--step", "--color"});
  check_refused("lab01-fork", {{"--no-such-option"}, {"--color", "sometimes"}});
}
