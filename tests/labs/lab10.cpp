// lab10-coalesce: N children exit while SIGCHLD is blocked; the signal is
// delivered once; a reaper that calls waitpid once per signal leaves N-1 zombies.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

std::set<pid_t> forked_children(const std::vector<event>& events) {
  std::set<pid_t> pids;
  for (const auto& e : events)
    if (e.kind() == "fork" && e.role() == "parent")
      pids.insert(static_cast<pid_t>(e.number("child")));
  return pids;
}

// What the kernel says: the lab's children that are zombies right now.
std::set<pid_t> zombie_children_of(pid_t parent) {
  std::set<pid_t> zombies;
  for (const pid_t child : lab::children_of(parent))
    if (const auto info = lab::read_proc(child); info && info->state == 'Z') zombies.insert(child);
  return zombies;
}

// Human mode: a multi-line event (a tree) continues on indented lines; joins
// them to their first line, so each element is one whole event.
std::vector<std::string> whole_events(const std::vector<std::string>& lines) {
  std::vector<std::string> events;
  for (const auto& line : lines) {
    if (line.rfind(std::string(31, ' '), 0) == 0 && !events.empty())
      events.back() += "\n" + line;
    else
      events.push_back(line);
  }
  return events;
}

struct expected_outcome {
  std::string reaper;
  int children;
  int reaped_by_handler;
};

// Runs the lab with --step, stops it at the hold (right after it reported),
// counts the zombies in /proc, then lets it finish.
void check_coalescing(const expected_outcome& expected) {
  CAPTURE(expected.reaper);
  const std::string children = std::to_string(expected.children);
  lab_process lab("lab10-coalesce",
                  {"--children", children, "--reaper", expected.reaper, "--hold", "0", "--step", "--no-quiz"},
                  {.stdin_pipe = true, .stdin_data = "\n\n"});  // go on at the first two stages
  const event result = lab.expect("result");
  lab.expect("pause");  // the hold: the lab waits for Enter, its zombies stay as they are

  const auto forked = forked_children(lab.events());
  REQUIRE(forked.size() == static_cast<std::size_t>(expected.children));
  // All exited while SIGCHLD was blocked: one pending bit for N exits.
  const auto pending = lab.events_of("pending");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].boolean("pending"));
  CHECK(pending[0].number("exited") == expected.children);

  // Exactly one delivery, and the handler says so itself.
  const auto deliveries = lab.events_of("signal");
  REQUIRE(deliveries.size() == 1);
  CHECK(deliveries[0].number("signo") == SIGCHLD);
  CHECK(deliveries[0].number("reaped_now") == expected.reaped_by_handler);
  CHECK(deliveries[0].pid() == lab.pid());
  CHECK(result.text("reaper") == expected.reaper);
  CHECK(result.number("deliveries") == 1);
  CHECK(result.number("reaped") == expected.reaped_by_handler);

  // The kernel's truth at this moment, independent of the lab's words.
  const auto zombies = zombie_children_of(lab.pid());
  const auto left = static_cast<std::size_t>(expected.children - expected.reaped_by_handler);
  CHECK(zombies.size() == left);
  CHECK(result.number("zombies") == static_cast<long long>(left));
  for (const pid_t zombie : zombies) CHECK(forked.count(zombie) == 1);
  std::set<pid_t> reaped;
  for (const auto& e : lab.events_of("reap")) reaped.insert(static_cast<pid_t>(e.number("child")));
  CHECK(reaped.size() == static_cast<std::size_t>(expected.reaped_by_handler));
  for (const pid_t child : reaped) CHECK(zombies.count(child) == 0);

  lab.close_stdin();  // no more pauses: the lab reaps the rest and ends
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // Every child reaped exactly once, by the handler or at the end, with status 0.
  std::multiset<pid_t> all_reaped;
  for (const auto& e : lab.events_of("reap")) {
    all_reaped.insert(static_cast<pid_t>(e.number("child")));
    CHECK(e.text("how") == "exited");
    CHECK(e.number("code") == 0);
  }
  CHECK(all_reaped == std::multiset<pid_t>(forked.begin(), forked.end()));
  CHECK(lab.events_of("signal").size() == 1);
  CHECK(lab.group_gone());
  for (const pid_t child : forked) CHECK_FALSE(lab::read_proc(child));
}

}  // namespace

TEST_CASE("--reaper once (the course's handler): 10 exits, 1 delivery, exactly 9 zombies left") {
  check_coalescing({"once", 10, 1});
}

TEST_CASE("--reaper loop: 10 exits, 1 delivery, no zombie left") {
  check_coalescing({"loop", 10, 10});
}

TEST_CASE("without --step both reapers end with status 0 and every child reaped") {
  for (const std::string reaper : {"once", "loop"}) {
    CAPTURE(reaper);
    const auto run =
        run_lab("lab10-coalesce", {"--children", "4", "--reaper", reaper, "--hold", "0"});
    CHECK(WIFEXITED(run.status));
    CHECK(WEXITSTATUS(run.status) == 0);
    CHECK(run.of("signal").size() == 1);
    CHECK(run.of("reap").size() == 4);
    const auto results = run.of("result");
    REQUIRE(results.size() == 1);
    CHECK(results[0].number("zombies") == (reaper == "once" ? 3 : 0));
    // The tree shown after the delivery lists the zombies with STAT Z.
    int zombie_states = 0;
    bool after_result = false;
    for (const auto& e : run.events) {
      if (e.kind() == "result") after_result = true;
      if (after_result && e.kind() == "state" && e.text("state") == "Z") ++zombie_states;
      if (after_result && e.kind() == "tree") break;
    }
    CHECK(zombie_states == (reaper == "once" ? 3 : 0));
  }
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json =
      run_lab("lab10-coalesce", {"--children", "5", "--reaper", "once", "--hold", "0"});
  CHECK(WEXITSTATUS(json.status) == 0);
  CHECK(check_each_line_once(json.events) == "");
  const auto human = run_lab(
      "lab10-coalesce", {"--children", "5", "--reaper", "once", "--hold", "0"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  const auto human_events = whole_events(human.lines);
  CHECK(human_events.size() == json.events.size() - json.of("state").size());  // states: JSON only
  CHECK(check_each_line_once(human_events) == "");
  int handler_lines = 0;
  for (const auto& line : human_events) {
    CHECK(line.rfind("{", 0) != 0);
    if (line.find("SIGCHLD handler runs") != std::string::npos) ++handler_lines;
  }
  CHECK(handler_lines == 1);
}

TEST_CASE("SIGINT to the group and SIGTERM to the parent during the hold leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab10-coalesce", {"--children", "3", "--reaper", "once", "--hold", "60"});
    lab.expect("step", [](const event& e) { return e.text("text").find("holding") == 0; });
    CHECK(zombie_children_of(lab.pid()).size() == 2);
    check_interrupted(lab, signo);
  }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab10-coalesce", {"--reaper", "course's handler", "--children", "--hold"});
  check_refused("lab10-coalesce", {{"--children", "0"},
                                  {"--children", "65"},
                                  {"--reaper", "twice"},
                                  {"--hold", "-1"},
                                  {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the zombies wait for the answer, marked right") {
  // 4 children, the course's handler: 3 zombies left. The learner takes 0.5 s
  // at every prompt; meanwhile /proc must still show all 4 zombies un-reaped.
  lab_process lab("lab10-coalesce", {"--children", "4", "--reaper", "once", "--hold", "0.1",
                                     "--step"},
                  {.terminal = true});
  const auto still_four_zombies = [&] {
    CHECK(zombie_children_of(lab.pid()).size() == 4);
    CHECK(lab.events_of("signal").empty());
  };
  const int status = answer_slowly(lab, {{"", 500ms},
                                         {"", 500ms},
                                         {"3", 500ms, still_four_zombies},  // more than one
                                         {"", 500ms},
                                         {"", 500ms}});
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_marked_right(lab, "lab10.zombies", 3);
  REQUIRE(lab.events_of("result").size() == 1);
  CHECK(lab.events_of("result")[0].number("zombies") == 3);
  CHECK(lab.group_gone());
}

TEST_CASE("one child: the summary lines say 1 child, not 1 children") {
  const auto run = run_lab("lab10-coalesce", {"--children", "1", "--hold", "0"}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  int singular = 0;
  for (const auto& line : run.lines) {
    CHECK(line.find("1 children") == std::string::npos);
    if (line.find("1 child exited") != std::string::npos) ++singular;
  }
  CHECK(singular == 1);
}
