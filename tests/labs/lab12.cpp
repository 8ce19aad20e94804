// lab12-fd-share: after fork both processes share one open file description —
// one file offset; a connection that ends only with its last descriptor.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

constexpr long long record_size = 17;  // "parent record 01\n"

event result_of(const std::vector<event>& events, const std::string& part, int index = 0) {
  int seen = 0;
  for (const auto& e : events)
    if (e.kind() == "result" && e.text("part") == part && seen++ == index) return e;
  throw std::runtime_error("no result " + std::to_string(index) + " for part " + part);
}

std::vector<long long> offsets_written_by(const std::vector<event>& events,
                                          const std::string& role) {
  std::vector<long long> offsets;
  for (const auto& e : events)
    if (e.kind() == "write" && e.role() == role) offsets.push_back(e.number("offset"));
  return offsets;
}

// "socket:[12345]" of the one TCP connection in the server child's table.
std::string connection_of(const std::vector<lab::fd_info>& fds) {
  std::string found;
  for (const auto& fd : fds)
    if (fd.socket.rfind("tcp connected", 0) == 0) {
      CHECK(found.empty());
      found = fd.target;
    }
  return found;
}

bool holds(const std::vector<lab::fd_info>& fds, const std::string& target) {
  for (const auto& fd : fds)
    if (fd.target == target) return true;
  return false;
}

// Runs with --step and stops at the key moment of part 2 (the child serves
// the connection, the parent has or has not closed its copy); checks the fd
// tables in /proc there, then lets the lab finish.
std::vector<event> check_key_moment(bool leak) {
  std::vector<std::string> args{"--step", "--no-quiz", "--timeout", leak ? "0.5" : "30"};
  if (leak) args.push_back("--leak");
  lab_process lab("lab12-fd-share", args, {.stdin_pipe = true, .stdin_data = "\n\n"});
  lab.expect("step", [](const event& e) { return e.text("text").find("the connection") == 0; });
  lab.expect("pause");
  const auto children = lab::children_of(lab.pid());
  REQUIRE(children.size() == 1);
  const auto child_fds = lab::open_fds(children[0]);
  const auto parent_fds = lab::open_fds(lab.pid());
  const std::string connection = connection_of(child_fds);
  REQUIRE(connection.rfind("socket:[", 0) == 0);
  CHECK(holds(parent_fds, connection) == leak);  // the kernel's truth
  // The child closed what it does not serve: no listening socket, no client end.
  for (const auto& fd : child_fds) CHECK(fd.socket.find("listening") == std::string::npos);
  // The lab showed the same tables.
  const auto tables = lab.events_of("fds");
  REQUIRE(tables.size() == 2);
  CHECK(tables[0].number("process") == lab.pid());
  CHECK(tables[1].number("process") == children[0]);
  CHECK((tables[0].text("targets").find(connection) != std::string::npos) == leak);
  CHECK(tables[1].text("targets").find(connection) != std::string::npos);

  lab.close_stdin();
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
  return lab.events();
}

}  // namespace

TEST_CASE("one offset shared across fork: no record overwritten, file size = all records") {
  const auto run = run_lab("lab12-fd-share", {"--records", "4", "--timeout", "30"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const event file = result_of(run.events, "file");
  CHECK_FALSE(file.boolean("separate_open"));
  CHECK(file.number("written") == 8 * record_size);
  CHECK(file.number("size") == 8 * record_size);
  CHECK(file.number("parent_records") == 4);
  CHECK(file.number("child_records") == 4);
  // Turn by turn, each write lands where the other side's last one ended.
  const auto parent = offsets_written_by(run.events, "parent");
  const auto child = offsets_written_by(run.events, "child");
  CHECK(parent == std::vector<long long>{0, 2 * record_size, 4 * record_size, 6 * record_size});
  CHECK(child ==
        std::vector<long long>{record_size, 3 * record_size, 5 * record_size, 7 * record_size});
}

TEST_CASE("--separate-open: own offsets after fork, the child overwrites every parent record") {
  const auto run =
      run_lab("lab12-fd-share", {"--records", "4", "--separate-open", "--timeout", "30"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const event file = result_of(run.events, "file");
  CHECK(file.boolean("separate_open"));
  CHECK(file.number("written") == 8 * record_size);
  CHECK(file.number("size") == 4 * record_size);  // smaller: half the bytes overwritten
  CHECK(file.number("parent_records") == 0);
  CHECK(file.number("child_records") == 4);
  const std::vector<long long> each{0, record_size, 2 * record_size, 3 * record_size};
  CHECK(offsets_written_by(run.events, "parent") == each);
  CHECK(offsets_written_by(run.events, "child") == each);
}

TEST_CASE("the parent closes its copy: the client sees end of file when the child closes") {
  const auto events = check_key_moment(false);
  const event socket = result_of(events, "socket");
  CHECK_FALSE(socket.boolean("leak"));
  CHECK(socket.number("holders") == 1);
  CHECK(socket.boolean("eof"));
  CHECK(socket.real("waited") < 30);
  CHECK_THROWS(result_of(events, "socket", 1));  // one wait, one result
}

TEST_CASE("--leak: the parent's copy keeps the connection open; the wait times out") {
  const auto events = check_key_moment(true);
  const event timed_out = result_of(events, "socket", 0);
  CHECK(timed_out.boolean("leak"));
  CHECK(timed_out.number("holders") == 2);
  CHECK_FALSE(timed_out.boolean("eof"));
  CHECK(timed_out.real("timeout") == doctest::Approx(0.5));
  CHECK(timed_out.real("waited") >= 0.4);  // it waited out the timeout (poll rounds up)
  // The child was gone (reaped) before the wait began: only the parent held the connection.
  bool reaped_before = false;
  for (const auto& e : events) {
    if (e.kind() == "reap") reaped_before = true;
    if (e.kind() == "result" && e.text("part") == "socket") break;
  }
  CHECK(reaped_before);
  // Once the parent closes its copy too, end of file comes.
  const event after_close = result_of(events, "socket", 1);
  CHECK(after_close.boolean("eof"));
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json = run_lab("lab12-fd-share", {"--timeout", "30"});
  CHECK(WEXITSTATUS(json.status) == 0);
  CHECK(check_each_line_once(json.events) == "");
  const auto human = run_lab("lab12-fd-share", {"--timeout", "30"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  // Multi-line events (file contents, fd tables) continue on indented lines.
  std::vector<std::string> whole;
  for (const auto& line : human.lines) {
    if (line.rfind(std::string(31, ' '), 0) == 0 && !whole.empty())
      whole.back() += "\n" + line;
    else
      whole.push_back(line);
  }
  CHECK(whole.size() == json.events.size());
  CHECK(check_each_line_once(whole) == "");
  for (const auto& line : whole) CHECK(line.rfind("{", 0) != 0);
}

TEST_CASE("SIGINT to the group and SIGTERM to the parent during the --leak wait leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab12-fd-share", {"--leak", "--timeout", "60"});
    lab.expect("step",
               [](const event& e) { return e.text("text").find("the child is gone") == 0; });
    check_interrupted(lab, signo);
  }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab12-fd-share", {"--records", "--separate-open", "--leak", "--timeout"});
  check_refused("lab12-fd-share", {{"--records", "0"},
                                  {"--records", "100"},
                                  {"--timeout", "soon"},
                                  {"--timeout", "0"},
                                  {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the child keeps its copy until the answer") {
  // --leak: the client waits 0.2 s in vain. The learner takes 0.6 s at every
  // prompt; meanwhile the serving child must still be alive, holding its copy.
  lab_process lab("lab12-fd-share", {"--leak", "--timeout", "0.2", "--step"}, {.terminal = true});
  const auto child_still_serves = [&] {
    const auto children = lab::children_of(lab.pid());
    REQUIRE(children.size() == 1);
    const auto info = lab::read_proc(children[0]);
    REQUIRE(info);
    CHECK(info->state != 'Z');
  };
  const int status = answer_slowly(
      lab, {{"", 600ms}, {"", 600ms}, {"2", 600ms, child_still_serves}, {"", 600ms}});
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_marked_right(lab, "lab12.eof", 2);  // no: it waits
  const event socket = result_of(lab.events(), "socket");
  CHECK_FALSE(socket.boolean("eof"));
  CHECK(socket.number("holders") == 2);
  CHECK(lab.group_gone());
}
