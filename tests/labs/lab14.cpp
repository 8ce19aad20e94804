// lab14-orphan: when a parent exits first, its child is re-parented to the
// nearest child subreaper (this test process, or the lab with --subreaper)
// or to init — and that new parent reaps it.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

struct family {
  pid_t lab = 0;
  pid_t parent = 0;
  pid_t child = 0;
};

// Who is who, from the events: the lab's fork event names the parent, the
// child's "ppid" event is spoken by the child itself.
family family_of(const std::vector<event>& events, pid_t lab) {
  family f;
  f.lab = lab;
  for (const auto& e : events) {
    if (e.kind() == "fork" && e.role() == "grandparent")
      f.parent = static_cast<pid_t>(e.number("child"));
    if (e.kind() == "ppid" && e.role() == "child") f.child = e.pid();
  }
  REQUIRE(f.parent > 0);
  REQUIRE(f.child > 0);
  return f;
}

const event& ppid_event(const std::vector<event>& events, const std::string& moment) {
  for (const auto& e : events)
    if (e.kind() == "ppid" && e.text("moment") == moment) return e;
  throw std::runtime_error("no ppid event " + moment);
}

// The lab's /proc observations of the child, split at the moment the lab
// reaped the parent: [0] before it, [1] after it.
std::array<std::vector<event>, 2> states_of(const std::vector<event>& events, const family& f) {
  std::array<std::vector<event>, 2> out;
  std::size_t part = 0;
  for (const auto& e : events) {
    if (e.kind() == "reap" && e.number("child") == f.parent) part = 1;
    if (e.kind() == "state" && e.number("child") == f.child) out[part].push_back(e);
  }
  return out;
}

pid_t ppid_in_proc(pid_t pid) {
  const auto info = lab::read_proc(pid);
  REQUIRE(info);
  return info->ppid;
}

// Steps through the lab with --step, reading /proc at each pause; returns the
// events. `adopter` is the pid the orphan must be re-parented to.
std::vector<event> step_through(bool subreaper, pid_t& lab_pid, family& f) {
  std::vector<std::string> args{"--step", "--no-quiz", "--hold", "0"};
  if (subreaper) args.push_back("--subreaper");
  lab_process lab("lab14-orphan", args, {.stdin_pipe = true});
  lab_pid = lab.pid();
  const auto starts = [](const std::string& prefix) {
    return [prefix](const event& e) { return e.text("text").starts_with(prefix); };
  };
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("step", starts("three generations"));
  lab.expect("pause");
  f = family_of(lab.events(), lab.pid());
  // Before: the child's parent is the parent, as /proc says to us too.
  CHECK(ppid_in_proc(f.child) == f.parent);
  CHECK(lab::read_proc(f.parent));
  lab.write_stdin("\n");
  lab.expect("step", starts("the parent is gone"));
  lab.expect("pause");
  // After: the parent is reaped, and /proc names the orphan's new parent.
  CHECK(!lab::read_proc(f.parent));
  CHECK(ppid_in_proc(f.child) == (subreaper ? lab.pid() : ::getpid()));
  lab.write_stdin("\n");
  lab.expect("pause");
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
  CHECK(!lab::read_proc(f.child));
  return lab.events();
}

}  // namespace

TEST_CASE("--subreaper: the lab adopts its orphaned grandchild and reaps it") {
  pid_t lab_pid = 0;
  family f;
  const auto events = step_through(true, lab_pid, f);

  const event& before = ppid_event(events, "before");
  CHECK(before.number("ppid") == f.parent);
  CHECK(before.text("comm") == "lab14-orphan");
  const event& after = ppid_event(events, "after");
  CHECK(after.pid() == f.child);
  CHECK(after.number("ppid") == lab_pid);
  CHECK(after.text("comm") == "lab14-orphan");

  const auto [before_exit, after_exit] = states_of(events, f);
  REQUIRE(!before_exit.empty());
  for (const auto& e : before_exit) CHECK(e.number("ppid") == f.parent);
  REQUIRE(!after_exit.empty());
  for (const auto& e : after_exit) CHECK(e.number("ppid") == lab_pid);

  // The lab reaped both: the parent it forked, the child it never forked.
  std::vector<pid_t> reaped;
  for (const auto& e : events)
    if (e.kind() == "reap" && e.pid() == lab_pid) {
      CHECK(e.text("status") == "exited 0");
      reaped.push_back(static_cast<pid_t>(e.number("child")));
    }
  CHECK(reaped == std::vector<pid_t>{f.parent, f.child});
}

TEST_CASE("without --subreaper the orphan goes past the lab to the nearest subreaper: the test") {
  pid_t lab_pid = 0;
  family f;
  const auto events = step_through(false, lab_pid, f);

  CHECK(ppid_event(events, "before").number("ppid") == f.parent);
  const event& after = ppid_event(events, "after");
  CHECK(after.number("ppid") == ::getpid());
  const auto self = lab::read_proc(::getpid());
  REQUIRE(self);
  CHECK(after.text("comm") == self->comm);

  const auto [before_exit, after_exit] = states_of(events, f);
  REQUIRE(!before_exit.empty());
  for (const auto& e : before_exit) CHECK(e.number("ppid") == f.parent);
  REQUIRE(after_exit.size() >= 2);
  CHECK(after_exit.front().number("ppid") == ::getpid());
  // At the end the lab saw it exit: a zombie for us, its new parent, to reap.
  CHECK(after_exit.back().text("state") == "Z");
  CHECK(after_exit.back().number("ppid") == ::getpid());

  // The lab reaped only the parent.
  const auto reaps = [&] {
    std::vector<event> out;
    for (const auto& e : events)
      if (e.kind() == "reap") out.push_back(e);
    return out;
  }();
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].number("child") == f.parent);
}

TEST_CASE("the lab alone reports the same re-parenting") {
  for (const bool subreaper : {true, false}) {
    CAPTURE(subreaper);
    std::vector<std::string> args{"--hold", "0"};
    if (subreaper) args.push_back("--subreaper");
    lab_process lab("lab14-orphan", args);
    const int status = lab.wait_exit();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(lab.group_gone());
    const auto f = family_of(lab.events(), lab.pid());
    CHECK(ppid_event(lab.events(), "before").number("ppid") == f.parent);
    CHECK(ppid_event(lab.events(), "after").number("ppid") == (subreaper ? lab.pid() : ::getpid()));
    CHECK(lab.events_of("exit").size() == 1);
    CHECK(lab.events_of("exit")[0].pid() == f.parent);
  }
}

TEST_CASE("into a pipe, every line appears exactly once") {
  for (const bool subreaper : {true, false}) {
    CAPTURE(subreaper);
    std::vector<std::string> args{"--hold", "0"};
    if (subreaper) args.push_back("--subreaper");
    const auto json = run_lab("lab14-orphan", args);
    CHECK(check_each_line_once(json.events) == "");
    const auto human = run_lab("lab14-orphan", args, {.json = false});
    CHECK(!human.lines.empty());
    CHECK(check_each_line_once(human.lines) == "");
  }
}

TEST_CASE("SIGINT or SIGTERM during the hold leaves no process behind") {
  for (const int signo : {SIGINT, SIGTERM})
    for (const bool subreaper : {true, false}) {
      CAPTURE(signo);
      CAPTURE(subreaper);
      std::vector<std::string> args{"--hold", "60"};
      if (subreaper) args.push_back("--subreaper");
      lab_process lab("lab14-orphan", args);
      lab.expect("sleep");
      const pid_t child = ppid_event(lab.events(), "before").pid();
      REQUIRE(lab::read_proc(child));
      lab.signal(signo);
      const int status = lab.wait_exit();
      CHECK(WIFSIGNALED(status));
      CHECK(WTERMSIG(status) == signo);
      CHECK(lab.group_gone());
      CHECK(!lab::read_proc(child));
    }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab14-orphan", {"--subreaper", "--hold"});
  check_refused("lab14-orphan", {{"--hold", "-1"},
                                {"--hold", "later"},
                                {"--subreaper=maybe"},
                                {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the parent exits only after the answer") {
  lab_process lab("lab14-orphan", {"--subreaper", "--hold", "0.1", "--step"}, {.terminal = true});
  // While the learner thinks (0.5 s), three generations still stand.
  const auto three_generations = [&] {
    const auto parents = lab::children_of(lab.pid());
    REQUIRE(parents.size() == 1);
    const auto grandchildren = lab::children_of(parents[0]);
    REQUIRE(grandchildren.size() == 1);
    const auto child = lab::read_proc(grandchildren[0]);
    REQUIRE(child);
    CHECK(child->state != 'Z');
    CHECK(child->ppid == parents[0]);
  };
  const int status = answer_slowly(lab, {{"", 500ms},
                                         {"", 500ms},
                                         {"3", 500ms, three_generations},  // the lab
                                         {"", 500ms},
                                         {"", 500ms}});
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_marked_right(lab, "lab14.adopter", 3);
  CHECK(lab.group_gone());
}
