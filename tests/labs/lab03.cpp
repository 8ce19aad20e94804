// lab03-wait: wait() reaps each child and its status decodes how the child ended.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "checks.hpp"
#include "harness.hpp"
#include "proc.hpp"

using namespace harness;

namespace {

// role ("child 1"...) -> pid, from the children's own events.
std::map<std::string, pid_t> children_by_role(const std::vector<event>& events) {
  std::map<std::string, pid_t> out;
  for (const auto& e : events)
    if (e.role() != "parent") out[e.role()] = e.pid();
  return out;
}

// pid -> its reap event.
std::map<pid_t, event> reaps_by_child(const std::vector<event>& reaps) {
  std::map<pid_t, event> out;
  for (const auto& e : reaps) out[static_cast<pid_t>(e.number("child"))] = e;
  return out;
}

}  // namespace

TEST_CASE("wait() decodes a child that returned 3 and one that called _exit(7)") {
  const auto run = run_lab("lab03-wait", {"--hold", "0.1"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);

  const auto children = children_by_role(run.events);
  REQUIRE(children.size() == 2);
  REQUIRE(children.count("child 1") == 1);
  REQUIRE(children.count("child 2") == 1);
  const auto reaps = reaps_by_child(run.of("reap"));
  REQUIRE(reaps.size() == 2);  // each child reaped exactly once
  REQUIRE(reaps.count(children.at("child 1")) == 1);
  REQUIRE(reaps.count(children.at("child 2")) == 1);
  const event& first = reaps.at(children.at("child 1"));
  CHECK(first.text("how") == "exited");
  CHECK(first.number("code") == 3);
  const event& second = reaps.at(children.at("child 2"));
  CHECK(second.text("how") == "exited");
  CHECK(second.number("code") == 7);

  // With no child left, one more wait() failed with ECHILD.
  bool echild = false;
  for (const auto& e : run.of("step"))
    if (e.has("error") && e.text("error") == "ECHILD" && e.number("returned") == -1) echild = true;
  CHECK(echild);
}

TEST_CASE("--kill-one: a child killed by SIGKILL is decoded as killed by that signal") {
  const auto run = run_lab("lab03-wait", {"--kill-one", "--hold", "0.1"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);

  const auto children = children_by_role(run.events);
  REQUIRE(children.size() == 3);
  REQUIRE(children.count("child 3") == 1);
  const pid_t killed = children.at("child 3");
  const auto reaps = reaps_by_child(run.of("reap"));
  REQUIRE(reaps.size() == 3);
  REQUIRE(reaps.count(killed) == 1);
  CHECK(reaps.at(killed).text("how") == "killed");
  CHECK(reaps.at(killed).number("code") == SIGKILL);
  CHECK(reaps.at(killed).text("status") == "killed by SIGKILL");
  CHECK(reaps.at(children.at("child 1")).number("code") == 3);
  CHECK(reaps.at(children.at("child 2")).number("code") == 7);

  // The parent killed it once /proc showed it asleep.
  const auto kills = run.of("kill");
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].number("child") == killed);
  CHECK(kills[0].text("signal") == "SIGKILL");
  bool seen_sleeping = false;
  for (const auto& e : run.of("state"))
    if (e.number("child") == killed && e.text("state") == "S" &&
        e.number("seq") < kills[0].number("seq"))
      seen_sleeping = true;
  CHECK(seen_sleeping);
}

TEST_CASE("during the hold the parent has no child left, not even a zombie") {
  lab_process lab("lab03-wait", {"--kill-one", "--hold", "60"});
  lab.expect("sleep", [](const event& e) { return e.role() == "parent"; });
  const auto parent = lab::read_proc(lab.pid());
  REQUIRE(parent);
  CHECK(parent->state != 'Z');  // the lab is alive, holding
  CHECK(lab::children_of(lab.pid()).empty());
  for (const auto& e : lab.events_of("fork")) {
    const auto child = static_cast<pid_t>(e.number("child"));
    CAPTURE(child);
    CHECK_FALSE(lab::read_proc(child));  // reaped: no /proc entry at all
  }
  CHECK(lab.events_of("fork").size() == 3);
  CHECK(lab.events_of("reap").size() == 3);
  lab.signal(SIGTERM);
  const int status = lab.wait_exit();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(lab.group_gone());
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json = run_lab("lab03-wait", {"--kill-one", "--hold", "0.1"});
  CHECK(WEXITSTATUS(json.status) == 0);
  CHECK(check_each_line_once(json.events) == "");
  CHECK(json.of("reap").size() == 3);

  const auto human = run_lab("lab03-wait", {"--kill-one", "--hold", "0.1"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  int reaps = 0;
  for (const auto& line : human.lines) {
    CHECK(line.rfind("{", 0) != 0);  // not JSON
    if (line.find(" reap ") != std::string::npos) reaps = reaps + 1;
  }
  CHECK(reaps == 3);
}

TEST_CASE("SIGINT to the group and SIGTERM to the parent during the hold leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab03-wait", {"--kill-one", "--hold", "60"});
    lab.expect("sleep", [](const event& e) { return e.role() == "parent"; });
    check_interrupted(lab, signo);
  }
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab03-wait", {"--step", "--no-quiz", "--hold", "0.1"}, {.stdin_pipe = true});
  lab.expect("pause");  // before fork
  lab.write_stdin("\n");
  lab.expect("pause");  // before wait()
  lab.write_stdin("\n");
  lab.expect("pause");  // every child reaped
  CHECK(lab.events_of("reap").size() == 2);
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab03-wait", {"--kill-one", "--hold"});
  check_refused("lab03-wait", {{"--hold", "-1"}, {"--hold", "soon"}, {"--no-such-option"}});
}

