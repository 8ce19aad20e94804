// scripts/zombies.sh and scripts/ptree.sh, checked against a live lab02.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "harness.hpp"
#include "proc.hpp"

using namespace harness;

namespace {

std::string script(const std::string& name) {
  const char* dir = std::getenv("FORKLAB_SCRIPTS_DIR");
  REQUIRE(dir);
  return std::string(dir) + "/" + name;
}

struct ps_row {
  pid_t pid = 0, ppid = 0, pgid = 0;
  std::string stat;
};

// The rows of ps output (header skipped): PID PPID PGID STAT ...
std::vector<ps_row> rows_of(const std::vector<std::string>& lines) {
  std::vector<ps_row> rows;
  for (const auto& line : lines) {
    std::istringstream fields(line);
    ps_row row;
    if (fields >> row.pid >> row.ppid >> row.pgid >> row.stat) rows.push_back(row);
  }
  return rows;
}

// lab02 with two zombie children, held until the test ends.
struct zombie_lab {
  lab_process lab{"lab02-zombie", {"--children", "2", "--hold", "60"}};
  std::vector<pid_t> children;
  zombie_lab() {
    lab.expect("tree");
    for (pid_t pid : lab::children_of(lab.pid())) children.push_back(pid);
    REQUIRE(children.size() == 2);
    for (pid_t pid : children) REQUIRE(lab::read_proc(pid)->state == 'Z');
  }
};

}  // namespace

TEST_CASE("zombies.sh PID lists exactly the lab's zombies, by the STAT column") {
  zombie_lab z;
  const auto run = run_lab(script("zombies.sh"), {std::to_string(z.lab.pid())}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto rows = rows_of(run.lines);
  REQUIRE(rows.size() == 2);  // the lab itself (state S) is not listed
  for (const auto& row : rows) {
    CHECK(row.stat.front() == 'Z');
    CHECK(row.ppid == z.lab.pid());
    CHECK((row.pid == z.children[0] || row.pid == z.children[1]));
  }
}

TEST_CASE("zombies.sh with no PID finds the lab's zombies among the system's") {
  zombie_lab z;
  const auto run = run_lab(script("zombies.sh"), {}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  int found = 0;
  for (const auto& row : rows_of(run.lines)) {
    CHECK(row.stat.front() == 'Z');
    if (row.ppid == z.lab.pid()) ++found;
  }
  CHECK(found == 2);
}

TEST_CASE("zombies.sh reports none once the zombies are reaped") {
  const auto lab = run_lab("lab01-fork", {});  // reaps its child before exiting
  const auto run = run_lab(script("zombies.sh"), {std::to_string(::getpid())}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  CHECK(rows_of(run.lines).empty());
}

TEST_CASE("ptree.sh shows the lab and its zombie children as a forest") {
  zombie_lab z;
  const auto run = run_lab(script("ptree.sh"), {std::to_string(z.lab.pid())}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto rows = rows_of(run.lines);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].pid == z.lab.pid());
  CHECK(rows[0].stat.front() == 'S');
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i].ppid == z.lab.pid());
    CHECK(rows[i].stat.front() == 'Z');
  }
}

TEST_CASE("the scripts refuse bad input with a message") {
  for (const char* name : {"zombies.sh", "ptree.sh"}) {
    CAPTURE(name);
    const auto not_a_pid = run_lab(script(name), {"abc"}, {.json = false});
    CHECK(WEXITSTATUS(not_a_pid.status) == 2);
    CHECK(not_a_pid.stderr_text.find("not a pid") != std::string::npos);
    // pid_max is at most 2^22: this pid cannot exist.
    const auto no_such = run_lab(script(name), {"9999999"}, {.json = false});
    CHECK(WEXITSTATUS(no_such.status) == 1);
    CHECK(no_such.stderr_text.find("no process") != std::string::npos);
  }
  const auto no_argument = run_lab(script("ptree.sh"), {}, {.json = false});
  CHECK(WEXITSTATUS(no_argument.status) == 2);
}

TEST_CASE("every script is clean under shellcheck") {
  const char* dir = std::getenv("FORKLAB_SCRIPTS_DIR");
  REQUIRE(dir);
  if (::access("/usr/bin/shellcheck", X_OK) != 0) {
    MESSAGE("shellcheck is not installed: scripts/bootstrap.sh installs it");
    FAIL("shellcheck missing");
  }
  std::vector<std::string> args{"-x"};
  for (const char* name : {"bootstrap.sh", "bench.sh", "check.sh", "lib.sh", "ptree.sh", "tour.sh",
                           "zombies.sh"}) {
    const std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), R_OK) == 0) args.push_back(path);
  }
  args.push_back(std::string(dir) + "/../.ci/run");
  const auto run = run_lab("/usr/bin/shellcheck", args, {.json = false});
  std::string output;
  for (const auto& line : run.lines) output += line + "\n";
  CHECK_MESSAGE(WEXITSTATUS(run.status) == 0, output);
}
