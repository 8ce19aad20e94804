// lab11-eintr: a handled signal interrupts read/accept (EINTR) unless SA_RESTART;
// sleep is cut short either way; glibc's signal() restarts.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

finished_run run_eintr(std::vector<std::string> args) {
  args.insert(args.end(), {"--hold", "0"});
  return run_lab("lab11-eintr", args);
}

long long seq(const event& e) {
  return e.number("seq");
}

event only(const std::vector<event>& events, const std::string& kind) {
  if (events.size() != 1)
    throw std::runtime_error("expected one \"" + kind + "\" event, got " +
                             std::to_string(events.size()));
  return events[0];
}

// The common truth of every run: the child saw the parent blocked in `call`
// (state S, the kernel function in wchan) before it sent the signal, the
// handler ran once, in the parent, after the signal was sent.
void check_signal_sent_while_blocked(const finished_run& run, const std::string& call) {
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto states = run.of("state");
  REQUIRE(states.size() == 1);
  const event& observed = states[0];
  CHECK(observed.role() == "child");
  CHECK(observed.text("state") == "S");
  const std::string wchan = observed.text("wchan");
  if (call == "read") CHECK((wchan == "pipe_read" || wchan == "anon_pipe_read"));
  if (call == "accept") CHECK(wchan == "inet_csk_accept");
  if (call == "sleep") CHECK((wchan == "hrtimer_nanosleep" || wchan == "do_nanosleep"));
  const event kill = only(run.of("kill"), "kill");
  const event handler = only(run.of("signal"), "signal");
  CHECK(kill.number("target") == observed.number("child"));
  CHECK(handler.pid() == observed.number("child"));  // the handler ran in the blocked parent
  CHECK(handler.number("signo") == SIGUSR1);
  CHECK(seq(observed) < seq(kill));
  CHECK(seq(kill) < seq(handler));
  const event reap = only(run.of("reap"), "reap");
  CHECK(reap.text("how") == "exited");
  CHECK(reap.number("code") == 0);
}

// read/accept without SA_RESTART: -1/EINTR first, then a second call succeeds.
void check_interrupted(const finished_run& run, const std::string& call) {
  check_signal_sent_while_blocked(run, call);
  const auto results = run.of("result");
  REQUIRE(results.size() == 2);
  CHECK(results[0].text("call") == call);
  CHECK(results[0].number("attempt") == 1);
  CHECK(results[0].number("result") == -1);
  CHECK(results[0].text("error") == "EINTR");
  CHECK_FALSE(results[0].boolean("restarted"));
  CHECK_FALSE(results[0].boolean("sa_restart"));
  CHECK(seq(only(run.of("signal"), "signal")) < seq(results[0]));
  CHECK(results[1].number("attempt") == 2);
  CHECK(results[1].text("error") == "");
  if (call == "read")
    CHECK(results[1].number("result") == 6);  // "hello\n"
  else
    CHECK(results[1].number("result") >= 3);  // a new descriptor
}

// read/accept restarted: one call, which returns what came after the handler.
void check_restarted(const finished_run& run, const std::string& call) {
  check_signal_sent_while_blocked(run, call);
  const event result = only(run.of("result"), "result");
  CHECK(result.text("call") == call);
  CHECK(result.number("attempt") == 1);
  CHECK(result.text("error") == "");
  CHECK(result.boolean("restarted"));
  CHECK(result.boolean("sa_restart"));
  if (call == "read")
    CHECK(result.number("result") == 6);
  else
    CHECK(result.number("result") >= 3);
  // What the call returned was only sent once the handler had run.
  const std::string completion = call == "read" ? "write" : "connect";
  CHECK(seq(only(run.of("signal"), "signal")) < seq(only(run.of(completion), completion)));
}

}  // namespace

TEST_CASE("read without SA_RESTART (the course's sa_flags = 0) fails with EINTR") {
  check_interrupted(run_eintr({"--call", "read"}), "read");
}

TEST_CASE("read with SA_RESTART is restarted and returns the data written after the handler") {
  check_restarted(run_eintr({"--call", "read", "--restart"}), "read");
}

TEST_CASE("accept without SA_RESTART fails with EINTR") {
  check_interrupted(run_eintr({"--call", "accept"}), "accept");
}

TEST_CASE("accept with SA_RESTART is restarted and returns the connection") {
  check_restarted(run_eintr({"--call", "accept", "--restart"}), "accept");
}

TEST_CASE("glibc's signal() installs with SA_RESTART: read and accept are restarted") {
  for (const std::string call : {"read", "accept"}) {
    CAPTURE(call);
    const auto run = run_eintr({"--call", call, "--with-signal"});
    check_restarted(run, call);
    CHECK(only(run.of("result"), "result").text("install") == "signal");
  }
}

TEST_CASE("sleep is cut short with and without SA_RESTART, and with signal()") {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{}, {"--restart"}, {"--with-signal"}}) {
    CAPTURE(flags.size());
    std::vector<std::string> args{"--call", "sleep", "--sleep", "100"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto run = run_eintr(args);
    check_signal_sent_while_blocked(run, "sleep");
    const event wake = only(run.of("wake"), "wake");
    CHECK(wake.number("asked") == 100);
    CHECK(wake.number("left") > 0);
    CHECK(wake.real("slept") < 50);  // nowhere near the 100 s asked
    const event result = only(run.of("result"), "result");
    CHECK(result.number("result") == wake.number("left"));
    CHECK_FALSE(result.boolean("restarted"));
    CHECK(result.boolean("sa_restart") == !flags.empty());
    CHECK(seq(only(run.of("signal"), "signal")) < seq(wake));
  }
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json = run_eintr({"--call", "read"});
  CHECK(WEXITSTATUS(json.status) == 0);
  CHECK(check_each_line_once(json.events) == "");
  const auto human = run_lab("lab11-eintr", {"--call", "read", "--hold", "0"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  CHECK(human.lines.size() == json.events.size());
  int eintr_lines = 0;
  for (const auto& line : human.lines) {
    CHECK(line.rfind("{", 0) != 0);
    if (line.find("errno EINTR") != std::string::npos) ++eintr_lines;
  }
  CHECK(eintr_lines == 1);
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab11-eintr", {"--step", "--no-quiz", "--hold", "0"}, {.stdin_pipe = true});
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("pause");
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.events_of("result").size() == 2);
  CHECK(lab.group_gone());
}

TEST_CASE("SIGINT to the group and SIGTERM to the parent while it is blocked leave no process") {
  for (const std::string call : {"read", "accept", "sleep"}) {
    for (const int signo : {SIGINT, SIGTERM}) {
      CAPTURE(call);
      CAPTURE(signo);
      lab_process lab("lab11-eintr", {"--call", call, "--hold", "60"});
      const event held = lab.expect("step", [](const event& e) { return e.role() == "child"; });
      const auto parent = lab::read_proc(lab.pid());
      REQUIRE(parent);
      CHECK(parent->state == 'S');  // still blocked, during the hold
      check_interrupted(lab, signo);
      CHECK_FALSE(lab::read_proc(held.pid()));
    }
  }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab11-eintr", {"--call", "--restart", "--with-signal", "--hold", "--sleep"});
  check_refused("lab11-eintr", {{"--call", "write"},
                               {"--hold", "-1"},
                               {"--sleep", "0"},
                               {"--restart", "--with-signal"},
                               {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the signal still finds the call blocked") {
  SUBCASE("read, sa_flags = 0: EINTR") {
    // The child signals 0.2 s after the parent blocks; the learner takes 0.6 s.
    lab_process lab("lab11-eintr", {"--call", "read", "--hold", "0.2", "--step"},
                    {.terminal = true});
    const int status = answer_slowly(lab, {{"", 600ms}, {"", 600ms}, {"1", 600ms}});
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    check_marked_right(lab, "lab11.interrupted", 1);
    const auto results = lab.events_of("result");
    REQUIRE(!results.empty());
    CHECK(results[0].text("error") == "EINTR");
    CHECK(lab.group_gone());
  }
  SUBCASE("sleep(2), signalled after 0.2 s: early, with time left") {
    lab_process lab("lab11-eintr", {"--call", "sleep", "--sleep", "2", "--hold", "0.2", "--step"},
                    {.terminal = true});
    // Each answer takes longer than the whole sleep() the quiz is about.
    const int status = answer_slowly(lab, {{"", 2500ms}, {"", 600ms}, {"3", 2500ms}});
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    check_marked_right(lab, "lab11.interrupted", 3);
    const auto wakes = lab.events_of("wake");
    REQUIRE(wakes.size() == 1);
    CHECK(wakes[0].number("left") > 0);
    CHECK(lab.group_gone());
  }
}

TEST_CASE("--call sleep: a --sleep not longer than --hold is refused (the signal would be late)") {
  check_refused("lab11-eintr", {{"--call", "sleep", "--sleep", "1", "--hold", "1"},
                                {"--call", "sleep", "--sleep", "2", "--hold", "3"}});
}
