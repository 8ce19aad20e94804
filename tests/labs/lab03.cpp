// lab03-wait: wait() reaps each child and its status decodes how the child ended.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"

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

// pid -> the lab's "decode" event for it (which macro said what).
std::map<pid_t, event> decodes_by_child(const std::vector<event>& decodes) {
  std::map<pid_t, event> out;
  for (const auto& e : decodes) out[static_cast<pid_t>(e.number("child"))] = e;
  return out;
}

// Child 2's view of its parent from /proc, taken while the parent was in wait().
std::optional<event> parent_seen_by_child_2(const std::vector<event>& events, pid_t parent) {
  for (const auto& e : events)
    if (e.kind() == "state" && e.role() == "child 2" && e.number("child") == parent) return e;
  return std::nullopt;
}

}  // namespace

TEST_CASE("wait() blocks while child 2 runs: /proc shows the parent in S, wchan do_wait") {
  const auto run = run_lab("lab03-wait", {"--kill-one", "--hold", "0"});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto children = children_by_role(run.events);
  REQUIRE(children.size() == 3);
  pid_t parent = 0;
  for (const auto& e : run.events)
    if (e.role() == "parent") parent = e.pid();
  const auto seen = parent_seen_by_child_2(run.events, parent);
  REQUIRE(seen);
  CHECK(seen->text("state") == "S");
  CHECK(seen->text("wchan") == "do_wait");
  // Seen after child 1 and child 3 were reaped, before child 2 ended and was reaped.
  const auto reaps = reaps_by_child(run.of("reap"));
  REQUIRE(reaps.size() == 3);
  CHECK(reaps.at(children.at("child 1")).number("seq") < seen->number("seq"));
  CHECK(reaps.at(children.at("child 3")).number("seq") < seen->number("seq"));
  CHECK(seen->number("seq") < reaps.at(children.at("child 2")).number("seq"));
  for (const auto& e : run.of("exit"))
    if (e.role() == "child 2") CHECK(seen->number("seq") < e.number("seq"));
}

TEST_CASE(
    "each status is decoded with the macros named: WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG") {
  const auto run = run_lab("lab03-wait", {"--kill-one", "--hold", "0"});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto children = children_by_role(run.events);
  REQUIRE(children.size() == 3);
  const auto decodes = decodes_by_child(run.of("decode"));
  REQUIRE(decodes.size() == 3);
  const event& one = decodes.at(children.at("child 1"));
  CHECK(one.boolean("exited"));
  CHECK(one.number("code") == 3);
  CHECK(one.number("raw") == 3 << 8);
  CHECK(one.text("text").find("WEXITSTATUS(status) = 3") != std::string::npos);
  const event& two = decodes.at(children.at("child 2"));
  CHECK(two.boolean("exited"));
  CHECK(two.number("code") == 7);
  // A child killed by a signal did not exit: WIFEXITED is false, and WEXITSTATUS
  // of its status would be a meaningless 0.
  const event& three = decodes.at(children.at("child 3"));
  CHECK_FALSE(three.boolean("exited"));
  CHECK(three.number("code") == SIGKILL);
  CHECK(three.text("signal") == "SIGKILL");
  CHECK(three.number("raw") == SIGKILL);
  CHECK(three.text("text").find("WTERMSIG(status) = 9") != std::string::npos);
}

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

// A learner at a terminal, slow at every prompt: child 2 does not run ahead
// while the parent waits for Enter, the answer is ECHILD as the run gives it,
// and Enter ends the hold, during which the parent has no child at all.
TEST_CASE("--step at a terminal, answering slowly: ECHILD, and Enter ends the hold") {
  lab_process lab("lab03-wait", {"--step", "--kill-one", "--hold", "60"}, {.terminal = true});
  const auto slowly = [&](const std::string& line) {
    std::this_thread::sleep_for(500ms);
    lab.write_stdin(line);
  };
  lab.expect("pause");  // before fork
  slowly("\n");
  lab.expect("pause");                       // before wait()
  const auto forks = lab.events_of("fork");  // child 1, child 2, child 3
  REQUIRE(forks.size() == 3);
  std::this_thread::sleep_for(500ms);
  const auto child_2 = lab::read_proc(static_cast<pid_t>(forks[1].number("child")));
  REQUIRE(child_2);
  CHECK(child_2->state == 'S');  // still there, held until the parent waits
  lab.write_stdin("\n");
  CHECK(lab.expect("quiz").text("question") == "lab03.extra_wait");
  CHECK(lab.events_of("reap").size() == 3);
  slowly("3\n");  // -1 at once, ECHILD
  const event answer = lab.expect("answer");
  CHECK(answer.text("actual") == "ECHILD");
  CHECK(answer.number("right") == 3);
  CHECK(answer.boolean("correct"));
  CHECK(answer.boolean("marked"));
  REQUIRE(parent_seen_by_child_2(lab.events(), lab.pid()));
  CHECK(parent_seen_by_child_2(lab.events(), lab.pid())->text("wchan") == "do_wait");
  lab.expect("pause");  // every child reaped
  slowly("\n");
  CHECK(lab.expect("sleep", [](const event& e) { return e.role() == "parent"; })
            .boolean("enter_ends"));
  CHECK(lab::children_of(lab.pid()).empty());
  slowly("\n");
  CHECK(lab.expect("wake").text("by") == "enter");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("without a terminal a newline does not end the hold: it lasts its full time") {
  const auto run =
      run_lab("lab03-wait", {"--hold", "0.5"}, {.stdin_pipe = true, .stdin_data = "\n\n"});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto holds = run.of("sleep");
  REQUIRE(holds.size() == 1);
  CHECK_FALSE(holds[0].boolean("enter_ends"));
  CHECK(run.of("wake").empty());
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab03-wait", {"--kill-one", "--hold"});
  check_refused("lab03-wait", {{"--hold", "-1"}, {"--hold", "soon"}, {"--no-such-option"}});
}
