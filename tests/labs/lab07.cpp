// lab07-reaper: a SIGCHLD handler reaps both children (12 and 24) as they end,
// cutting the parent's sleeps short (each mid-round, the same every run), also
// when their two SIGCHLDs are merged into one, and leaves no zombie.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"

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

// The rounds' sleeps, in order, with whether a SIGCHLD handler call came
// between each sleep and its wake.
struct round_seen {
  double slept = 0;
  int sigchld = 0;
};
std::vector<round_seen> rounds_of(const std::vector<event>& events) {
  std::vector<round_seen> rounds;
  long long sleep_seq = -1;
  for (const auto& e : events) {
    if (e.kind() == "sleep" && e.role() == "parent") {
      sleep_seq = e.number("seq");
      rounds.push_back({});
    } else if (e.kind() == "signal" && e.number("signo") == SIGCHLD && sleep_seq >= 0) {
      ++rounds.back().sigchld;
    } else if (e.kind() == "wake") {
      rounds.back().slept = e.real("slept");
      sleep_seq = -1;
    }
  }
  return rounds;
}

void check_both_reaped_by_handler(const std::vector<event>& events) {
  REQUIRE(!events.empty());
  const pid_t parent = events[0].pid();
  std::set<long long> forked;
  for (const auto& e : events)
    if (e.kind() == "fork" && e.pid() == parent) forked.insert(e.number("child"));
  REQUIRE(forked.size() == 2);
  std::set<long long> codes;
  for (const auto& r : events) {
    if (r.kind() != "reap") continue;
    CAPTURE(r.line);
    CHECK(r.pid() == parent);
    CHECK(r.has("handler_call"));  // only the handler's reap events carry it
    CHECK(forked.count(r.number("child")) == 1);
    codes.insert(r.number("code"));
    // The child said it ended with that code.
    CHECK(std::any_of(events.begin(), events.end(), [&](const event& x) {
      return x.kind() == "exit" && x.pid() == r.number("child") &&
             x.number("code") == r.number("code");
    }));
  }
  CHECK(codes == std::set<long long>{12, 24});
}

}  // namespace

TEST_CASE("each child's SIGCHLD cuts one sleep short, mid-round; the handler collects 12 and 24") {
  // offset 0: the children end at 0.5 s (round 1) and at 1.0 s (round 2, begun at 0.5 s).
  const auto run =
      run_lab("lab07-reaper", {"--child-sleep", "0.5", "--interval", "1", "--rounds", "3"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  CHECK(check_each_line_once(run.events) == "");  // into a pipe, each line once
  check_both_reaped_by_handler(run.events);
  CHECK(run.of("reap").size() == 2);
  CHECK(run.of("error").empty());

  const auto rounds = rounds_of(run.events);
  REQUIRE(rounds.size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(rounds[i].sigchld == 1);
    CHECK(rounds[i].slept > 0.3);  // half a round: not at the edge of one
    CHECK(rounds[i].slept < 0.8);
  }
  CHECK(rounds[2].sigchld == 0);
  CHECK(rounds[2].slept > 0.9);
  const auto gate = run.of("gate");
  REQUIRE(gate.size() == 1);
  CHECK(gate[0].number("round") == 1);
  CHECK(gate[0].number("next") == 2);

  // The last tree: the lab alone, no zombie.
  const auto trees = run.of("tree");
  REQUIRE(!trees.empty());
  CHECK(trees.back().number("processes") == 1);
  for (const auto& s : run.of("state")) CHECK(s.text("state") != "Z");
}

TEST_CASE("the book's shape (children sleep two rounds): the same sleeps cut every run") {
  // As remove_zombie.c's 10 s against rounds of 5 s: ends in rounds 3 and 4.
  for (int run_number = 0; run_number < 2; ++run_number) {
    const auto run =
        run_lab("lab07-reaper", {"--child-sleep", "2", "--interval", "1", "--rounds", "4"});
    CHECK(WEXITSTATUS(run.status) == 0);
    const auto rounds = rounds_of(run.events);
    REQUIRE(rounds.size() == 4);
    double total = 0;
    for (std::size_t i = 0; i < rounds.size(); ++i) {
      CAPTURE(i);
      const bool cut = i == 2 || i == 3;
      CHECK(rounds[i].sigchld == (cut ? 1 : 0));
      if (cut) CHECK(std::abs(rounds[i].slept - 0.5) < 0.2);
      if (!cut) CHECK(rounds[i].slept > 0.95);
      total += rounds[i].slept;
    }
    CHECK(std::abs(total - 3.0) < 0.3);  // 1 + 1 + 0.5 + 0.5
  }
}

// The book's handler calls waitpid() once per SIGCHLD. Two children that end
// while the parent cannot run its handler (stopped, as by Ctrl+Z) leave one
// pending SIGCHLD between them: only a loop reaps both.
TEST_CASE("two SIGCHLDs merged into one: the handler's loop reaps both, no zombie") {
  // offset 1 s: the children end at 3 s and 4 s.
  lab_process lab("lab07-reaper", {"--child-sleep", "2", "--interval", "2", "--rounds", "3"});
  lab.expect("gate");
  lab.signal(SIGSTOP);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  auto zombies = zombie_children(lab.pid());
  while (zombies.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);  // polling /proc, with a deadline
    zombies = zombie_children(lab.pid());
  }
  REQUIRE(zombies.size() == 2);  // both ended; their SIGCHLDs wait, merged
  lab.signal(SIGCONT);
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
  const auto& events = lab.events();
  check_both_reaped_by_handler(events);
  const auto reaps = lab.events_of("reap");
  REQUIRE(reaps.size() == 2);
  CHECK(reaps[0].number("handler_call") == 1);  // one handler call reaped both
  CHECK(reaps[1].number("handler_call") == 1);
  CHECK(lab.events_of("error").empty());
}

TEST_CASE("--step through a terminal, answered slowly: the children wait at the gate") {
  // The children end 0.5 s and 1 s after the gate opens; the learner takes 3 times that.
  lab_process lab("lab07-reaper",
                  {"--step", "--child-sleep", "0.2", "--interval", "1", "--rounds", "2"},
                  {.terminal = true});
  lab.expect("pause");  // before sigaction
  std::this_thread::sleep_for(1500ms);
  lab.write_stdin("\n");
  lab.expect("pause");  // the children are forked and wait at the gate
  std::this_thread::sleep_for(1500ms);
  // Still alive, asleep at the gate (poll), none ended: the pause stopped the clock.
  const auto children = lab::children_of(lab.pid());
  CHECK(children.size() == 2);
  for (const pid_t child : children) {
    const auto info = lab::read_proc(child);
    REQUIRE(info);
    CHECK(info->state == 'S');
  }
  CHECK(lab.events_of("exit").empty());
  lab.write_stdin("\n");
  const event quiz = lab.expect("quiz");
  CHECK(quiz.text("question") == "lab07.sleep_cut");
  std::this_thread::sleep_for(1500ms);
  CHECK(lab.events_of("exit").empty());
  lab.write_stdin("2\n");  // "it ends early"
  const event answer = lab.expect("answer");
  CHECK(answer.boolean("premise"));
  CHECK(answer.text("actual") == "cut");
  CHECK(answer.number("right") == 2);
  CHECK(answer.number("chosen") == 2);
  CHECK(answer.boolean("correct"));
  lab.expect("pause");  // after the rounds
  CHECK(lab::children_of(lab.pid()).empty());
  std::this_thread::sleep_for(1500ms);
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
  check_both_reaped_by_handler(lab.events());
  const auto rounds = rounds_of(lab.events());
  REQUIRE(rounds.size() == 2);
  for (const auto& r : rounds) {
    CHECK(r.sigchld == 1);
    CHECK(r.slept > 0.3);
    CHECK(r.slept < 0.8);
  }
}

TEST_CASE("short timings that fit work: --child-sleep 0.125 --interval 1 --rounds 2") {
  const auto run =
      run_lab("lab07-reaper", {"--child-sleep", "0.125", "--interval", "1", "--rounds", "2"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  check_both_reaped_by_handler(run.events);
}

TEST_CASE("SIGINT or SIGTERM during the parent's sleep leaves no process behind") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab07-reaper", {"--child-sleep", "30", "--interval", "30", "--rounds", "3"});
    lab.expect("sleep", [](const event& e) { return e.role() == "parent"; });
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
  // The children must end within the rounds: one round each, after the first.
  check_refused("lab07-reaper", {{"--child-sleep", "-1"},
                                 {"--interval", "0.5"},
                                 {"--rounds", "0"},
                                 {"--child-sleep", "0.125", "--rounds", "1"},
                                 {"--child-sleep", "30", "--interval", "1", "--rounds", "2"},
                                 {"--no-such-option"}});
}
