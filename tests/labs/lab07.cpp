// lab07-reaper: a SIGCHLD handler reaps both children (12 and 24) as they end,
// cutting the parent's sleeps short, and leaves no zombie.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <set>

#include "checks.hpp"
#include "harness.hpp"
#include "proc.hpp"

using namespace harness;

namespace {

// The lab's children that /proc shows as zombies.
std::vector<pid_t> zombie_children(pid_t pid) {
  std::vector<pid_t> zombies;
  for (const pid_t child : lab::children_of(pid))
    if (const auto info = lab::read_proc(child); info && info->state == 'Z')
      zombies.push_back(child);
  return zombies;
}

// Waits for an event that may already have gone by (the children's lines and
// the parent's come in any order).
void await(lab_process& lab, const std::string& kind, const event_test& test) {
  const auto& seen = lab.events();
  if (std::none_of(seen.begin(), seen.end(),
                   [&](const event& e) { return e.kind() == kind && test(e); }))
    lab.expect(kind, test);
}

}  // namespace

TEST_CASE("the SIGCHLD handler collects 12 and 24 and cuts the parent's sleep short") {
  const auto run =
      run_lab("lab07-reaper", {"--child-sleep", "0.5", "--interval", "3", "--rounds", "2"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  CHECK(check_each_line_once(run.events) == "");  // into a pipe, each line once
  REQUIRE(!run.events.empty());
  const pid_t parent = run.events[0].pid();

  std::set<long long> forked;
  for (const auto& e : run.of("fork"))
    if (e.pid() == parent) forked.insert(e.number("child"));
  REQUIRE(forked.size() == 2);

  // Both reaped by the parent, inside the handler, with the codes they exited with.
  const auto reaps = run.of("reap");
  REQUIRE(reaps.size() == 2);
  std::set<long long> codes;
  for (const auto& r : reaps) {
    CAPTURE(r.line);
    CHECK(r.pid() == parent);
    CHECK(r.number("handler_call") >= 1);  // only the handler's reap events carry it
    CHECK(forked.count(r.number("child")) == 1);
    codes.insert(r.number("code"));
    // The child said it ended with that code.
    const auto exits = run.of("exit");
    const bool matches = std::any_of(exits.begin(), exits.end(), [&](const event& x) {
      return x.pid() == r.number("child") && x.number("code") == r.number("code");
    });
    CHECK(matches);
  }
  CHECK(codes == std::set<long long>{12, 24});

  // A SIGCHLD arrived during a sleep, and that sleep ended early.
  const auto sleeps = run.of("sleep");
  const auto wakes = run.of("wake");
  REQUIRE(sleeps.size() == 2);
  REQUIRE(wakes.size() == 2);
  int cut_short = 0;
  for (std::size_t round = 0; round < wakes.size(); ++round) {
    const bool sigchld_during =
        std::any_of(run.events.begin(), run.events.end(), [&](const event& e) {
          return e.kind() == "signal" && e.number("signo") == SIGCHLD &&
                 e.number("seq") > sleeps[round].number("seq") &&
                 e.number("seq") < wakes[round].number("seq");
        });
    if (sigchld_during && wakes[round].real("slept") + 0.5 < wakes[round].real("asked"))
      ++cut_short;
  }
  CHECK(cut_short >= 1);
  CHECK(wakes[0].real("slept") < 2.5);  // the first SIGCHLD comes at 0.5 s of 3

  // The last tree: the lab alone, no zombie.
  const auto trees = run.of("tree");
  REQUIRE(!trees.empty());
  CHECK(trees.back().number("processes") == 1);
  for (const auto& s : run.of("state")) CHECK(s.text("state") != "Z");
}

TEST_CASE("after the rounds /proc shows no zombie child (checked while the lab pauses)") {
  lab_process lab("lab07-reaper",
                  {"--step", "--no-quiz", "--child-sleep", "0.2", "--interval", "1", "--rounds", "1"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // before sigaction
  lab.write_stdin("\n");
  lab.expect("pause");  // the children forked; they end while the parent waits here
  await(lab, "reap", [](const event& e) { return e.number("code") == 12; });
  await(lab, "reap", [](const event& e) { return e.number("code") == 24; });
  lab.write_stdin("\n");
  lab.expect("step", [](const event& e) { return e.text("text").starts_with("after the rounds"); });
  lab.expect("pause");
  // The lab is alive (paused), and has no child: none is left as a zombie.
  const auto self = lab::read_proc(lab.pid());
  REQUIRE(self);
  CHECK(self->state != 'Z');
  CHECK(zombie_children(lab.pid()).empty());
  CHECK(lab::children_of(lab.pid()).empty());
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("rounds that end before the children: they are killed, the lab fails, none is left") {
  const auto run =
      run_lab("lab07-reaper", {"--child-sleep", "30", "--interval", "1", "--rounds", "1"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 1);
  CHECK(run.of("error").size() >= 2);
  const auto reaps = run.of("reap");
  REQUIRE(reaps.size() == 2);
  for (const auto& r : reaps) {
    CHECK(r.text("how") == "killed");
    CHECK(r.number("code") == SIGKILL);
  }
}

TEST_CASE("SIGINT or SIGTERM during the parent's sleep leaves no process behind") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab07-reaper", {"--child-sleep", "30", "--interval", "30", "--rounds", "1"});
    await(lab, "fork", [](const event& e) { return e.role() == "child"; });
    await(lab, "fork", [](const event& e) { return e.role() == "child 2"; });
    await(lab, "sleep", [](const event& e) { return e.role() == "parent"; });
    REQUIRE(blocked(lab.pid()));
    CHECK(lab::children_of(lab.pid()).size() == 2);
    lab.signal(signo);
    const int status = lab.wait_exit();
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == signo);
    CHECK(lab.group_gone());
  }
}

TEST_CASE("into a pipe, every human-readable line appears exactly once") {
  const auto human =
      run_lab("lab07-reaper", {"--child-sleep", "0.2", "--interval", "1", "--rounds", "2"},
              {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  const auto count = [&](const std::string& word) {
    return std::count_if(human.lines.begin(), human.lines.end(),
                         [&](const std::string& l) { return l.find(word) != std::string::npos; });
  };
  CHECK(count(" reap ") == 2);
  CHECK(count(" exit ") == 2);
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab07-reaper", {"--child-sleep", "--rounds", "--interval"});
  check_refused("lab07-reaper", {{"--child-sleep", "-1"},
                                {"--interval", "0.5"},
                                {"--rounds", "0"},
                                {"--no-such-option"}});
}
