// lab16-signalfd: SIGCHLD through a signalfd or a self-pipe in a poll loop —
// one delivery for N exits, N reaps from the loop, no EINTR, no zombie left.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "checks.hpp"
#include "harness.hpp"
#include "shared.hpp"
#include "os/proc.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

bool has_signal(unsigned long long mask, int signo) {
  return (mask >> (signo - 1)) & 1;
}

// The "flags:" line of /proc/PID/fdinfo/FD (octal open flags), -1 if absent.
long fd_flags(pid_t pid, int fd) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd));
  std::string key;
  std::string value;
  while (in >> key >> value)
    if (key == "flags:") return std::stol(value, nullptr, 8);
  return -1;
}

std::string fd_target(pid_t pid, int fd) {
  char target[256];
  const std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(path.c_str(), target, sizeof target);
  return n < 0 ? "" : std::string(target, static_cast<std::size_t>(n));
}

}  // namespace

TEST_CASE("10 exits, one SIGCHLD, 10 reaps from the poll loop, no EINTR, no zombie") {
  for (const std::string via : {"signalfd", "selfpipe"}) {
    CAPTURE(via);
    const bool signalfd = via == "signalfd";
    lab_process lab("lab16-signalfd", {"--via", via, "--children", "10", "--step", "--no-quiz"},
                    {.stdin_pipe = true});
    pause_at(lab, "all the children are zombies");
    // What the kernel says while SIGCHLD is held back: 10 zombies, one pending signal.
    CHECK(lab::children_of(lab.pid()).size() == 10);
    CHECK(zombies_of(lab.pid()) == 10);
    const auto masks = lab::read_signal_masks(lab.pid());
    REQUIRE(masks);
    CHECK(has_signal(masks->pending, SIGCHLD));
    CHECK(has_signal(masks->blocked, SIGCHLD));
    CHECK(has_signal(masks->caught, SIGCHLD) == !signalfd);  // signalfd: no handler at all
    // The descriptor the loop polls: a signalfd, or a pipe; non-blocking, close-on-exec.
    const auto setup = lab.events_of("wakeup");
    REQUIRE(setup.size() == 1);
    const int wake_fd = static_cast<int>(setup[0].number("fd"));
    CHECK(fd_target(lab.pid(), wake_fd).find(signalfd ? "signalfd" : "pipe:") != std::string::npos);
    const long flags = fd_flags(lab.pid(), wake_fd);
    CHECK((flags & O_NONBLOCK) != 0);
    CHECK((flags & O_CLOEXEC) != 0);
    lab.write_stdin("\n");

    pause_at(lab, "reaped every child");
    CHECK(lab::children_of(lab.pid()).empty());  // no zombie, nothing at all
    CHECK(lab::read_proc(lab.pid()));            // and the lab still alive to be asked
    lab.close_stdin();
    const int status = lab.wait_exit();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(lab.group_gone());

    // One delivery: one signalfd record, or one byte through the pipe.
    int signals = 0;
    int wakeups = 0;
    for (const auto& e : lab.events_of("wakeup"))
      if (e.has("count")) {
        signals += static_cast<int>(e.number("count"));
        wakeups = wakeups + 1;
      }
    CHECK(signals == 1);
    CHECK(wakeups == 1);
    const auto handler = lab.events_of("signal");
    if (signalfd) {
      CHECK(handler.empty());
    } else {
      REQUIRE(handler.size() == 1);
      CHECK(handler[0].number("deliveries") == 1);
    }

    // Every child forked was reaped once, by the loop, with its own exit code.
    std::set<long long> forked;
    for (const auto& e : lab.events_of("fork")) forked.insert(e.number("child"));
    CHECK(forked.size() == 10);
    std::set<long long> reaped;
    std::set<long long> codes;
    for (const auto& e : lab.events_of("reap")) {
      CHECK(e.role() == "parent");
      CHECK(e.text("how") == "exited");
      reaped.insert(e.number("child"));
      codes.insert(e.number("code"));
    }
    CHECK(lab.events_of("reap").size() == 10);
    CHECK(reaped == forked);
    CHECK(codes.size() == 10);
    CHECK(*codes.begin() == 1);
    CHECK(*codes.rbegin() == 10);

    // The same loop accepted the connection.
    const auto connects = lab.events_of("connect");
    const auto accepts = lab.events_of("accept");
    REQUIRE(connects.size() == 1);
    REQUIRE(accepts.size() == 1);
    CHECK(accepts[0].text("peer") == connects[0].text("local"));

    const auto results = lab.events_of("result");
    REQUIRE(results.size() == 1);
    CHECK(results[0].number("reaped") == 10);
    CHECK(results[0].number("signals") == 1);
    CHECK(results[0].number("left") == 0);
    CHECK(results[0].number("eintr") == 0);
  }
}

TEST_CASE("into a pipe, every line appears exactly once") {
  for (const std::string via : {"signalfd", "selfpipe"}) {
    CAPTURE(via);
    const auto json = run_lab("lab16-signalfd", {"--via", via, "--children", "10"});
    CHECK(WEXITSTATUS(json.status) == 0);
    CHECK(check_each_line_once(json.events) == "");
    CHECK(json.of("reap").size() == 10);

    const auto human =
        run_lab("lab16-signalfd", {"--via", via, "--children", "10"}, {.json = false});
    CHECK(WEXITSTATUS(human.status) == 0);
    CHECK(check_each_line_once(human.lines) == "");
    int reaps = 0;
    for (const auto& line : human.lines) {
      CHECK(line.rfind("{", 0) != 0);  // not JSON
      if (line.find(" reap ") != std::string::npos) reaps = reaps + 1;
    }
    CHECK(reaps == 10);
  }
}

TEST_CASE("SIGINT to the group and SIGTERM to the lab during the hold leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab16-signalfd", {"--children", "3", "--hold", "60"});
    lab.expect("sleep");
    CHECK(zombies_of(lab.pid()) == 3);
    check_interrupted(lab, signo);
  }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab16-signalfd", {"--via", "selfpipe", "--children", "--hold"});
  check_refused("lab16-signalfd", {{"--via", "handler"},
                                  {"--children", "0"},
                                  {"--children", "101"},
                                  {"--hold", "-1"},
                                  {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the zombies and the pending bit wait") {
  lab_process lab("lab16-signalfd", {"--children", "3", "--hold", "0.1", "--step"},
                  {.terminal = true});
  const auto still_three_zombies = [&] {
    int zombies = 0;
    for (const pid_t child : lab::children_of(lab.pid()))
      if (const auto info = lab::read_proc(child); info && info->state == 'Z') ++zombies;
    CHECK(zombies == 3);
    CHECK(lab.events_of("reap").empty());
  };
  const int status = answer_slowly(lab, {{"", 500ms},
                                         {"", 500ms},
                                         {"", 500ms},
                                         {"2", 500ms, still_three_zombies},  // one
                                         {"", 500ms},
                                         {"", 500ms}});
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_marked_right(lab, "lab16.deliveries", 2);
  CHECK(lab.events_of("reap").size() == 3);
  CHECK(lab.group_gone());
}

TEST_CASE("one child, one record: the summary lines say so in the singular") {
  const auto run = run_lab("lab16-signalfd", {"--children", "1"}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  bool one_record = false;
  for (const auto& line : run.lines) {
    CHECK(line.find("1 zombies") == std::string::npos);
    CHECK(line.find("1 records") == std::string::npos);
    CHECK(line.find("(s)") == std::string::npos);
    one_record = one_record || line.find("read 1 record from the signalfd") != std::string::npos;
  }
  CHECK(one_record);
}
