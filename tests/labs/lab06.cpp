// lab06-sigaction: sigaction() hands back, in oldact, the action signal() and
// sysv_signal() installed; then alarm() cuts each sleep() short and SIGINT runs
// its handler, as in lab05.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "checks.hpp"
#include "harness.hpp"
#include "proc.hpp"

using namespace harness;

namespace {

std::vector<event> signals_of(const std::vector<event>& events, int signo) {
  std::vector<event> out;
  for (const auto& e : events)
    if (e.kind() == "signal" && e.number("signo") == signo) out.push_back(e);
  return out;
}

}  // namespace

TEST_CASE("oldact holds the handler and flags that signal() and sysv_signal() installed") {
  const auto run = run_lab("lab06-sigaction", {"--alarm", "1", "--sleep", "100", "--rounds", "1"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto find = [&](const std::string& call, int signo) {
    for (const auto& e : run.of("action"))
      if (e.text("call") == call && e.number("signo") == signo) return e;
    throw lab_failure("no action event for " + call + " of signal " + std::to_string(signo));
  };

  // signal(): glibc's BSD semantics — SA_RESTART, no SA_RESETHAND.
  const event bsd = find("signal", SIGALRM);
  CHECK((bsd.number("flags") & SA_RESTART) != 0);
  CHECK((bsd.number("flags") & SA_RESETHAND) == 0);
  CHECK(bsd.text("flags_text").find("SA_RESTART") != std::string::npos);
  const event replaced_bsd = find("sigaction", SIGALRM);
  CHECK(replaced_bsd.number("seq") > bsd.number("seq"));
  CHECK(replaced_bsd.text("old") == bsd.text("handler"));  // the same function pointer
  CHECK(replaced_bsd.number("old_flags") == bsd.number("flags"));
  CHECK(replaced_bsd.boolean("same_handler"));
  CHECK(replaced_bsd.number("flags") == 0);

  // sysv_signal(): one-shot, not deferred, not restarted.
  const event sysv = find("sysv_signal", SIGINT);
  CHECK((sysv.number("flags") & SA_RESETHAND) != 0);
  CHECK((sysv.number("flags") & SA_NODEFER) != 0);
  CHECK((sysv.number("flags") & SA_RESTART) == 0);
  CHECK(sysv.text("flags_text").find("SA_RESETHAND") != std::string::npos);
  CHECK(sysv.text("flags_text").find("SA_NODEFER") != std::string::npos);
  const event replaced_sysv = find("sigaction", SIGINT);
  CHECK(replaced_sysv.text("old") == sysv.text("handler"));
  CHECK(replaced_sysv.number("old_flags") == sysv.number("flags"));
  CHECK(replaced_sysv.boolean("same_handler"));
  CHECK(replaced_sysv.number("flags") == 0);

  // Two different handlers, both real addresses.
  CHECK(bsd.text("handler") != sysv.text("handler"));
  CHECK(bsd.text("handler").rfind("0x", 0) == 0);

  const auto macros = run.of("macros");
  REQUIRE(macros.size() == 1);
  CHECK(macros[0].boolean("gnu_source"));
  CHECK(macros[0].text("signal_semantics") == "BSD");
}

TEST_CASE("each sleep(100) ends at the alarm, and sleep() returns the seconds left") {
  const auto run = run_lab("lab06-sigaction", {"--alarm", "1", "--sleep", "100", "--rounds", "2"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  CHECK(check_each_line_once(run.events) == "");  // into a pipe, each line once

  const auto sleeps = run.of("sleep");
  const auto wakes = run.of("wake");
  REQUIRE(sleeps.size() == 2);
  REQUIRE(wakes.size() == 2);
  const auto alarms = signals_of(run.events, SIGALRM);
  for (std::size_t round = 0; round < wakes.size(); ++round) {
    const event& wake = wakes[round];
    CAPTURE(wake.line);
    CHECK(wake.number("asked") == 100);
    CHECK(wake.real("slept") < 10.0);  // far less than the 100 s asked
    CHECK(wake.real("slept") > 0.5);   // but it did sleep until the alarm
    CHECK(wake.number("left") > 0);
    CHECK(wake.number("left") >= 90);
    CHECK(wake.number("left") < 100);
    // The SIGALRM handler ran while this sleep was in progress.
    const auto during = std::count_if(alarms.begin(), alarms.end(), [&](const event& s) {
      return s.number("seq") > sleeps[round].number("seq") && s.number("seq") < wake.number("seq");
    });
    CHECK(during == 1);
  }
  // The handler stayed installed: it ran once per alarm, counting up.
  REQUIRE(alarms.size() >= 2);
  CHECK(alarms[0].number("count") == 1);
  CHECK(alarms[1].number("count") == 2);
}

// sysv_signal() had made the SIGINT handler one-shot; sigaction() with
// sa_flags 0 replaced it by a lasting one: a second SIGINT is handled too.
TEST_CASE("SIGINT during sleep runs the handler, which stays installed; the lab exits 0") {
  lab_process lab("lab06-sigaction", {"--alarm", "2", "--sleep", "100", "--rounds", "3"});
  lab.expect("sleep");
  REQUIRE(blocked(lab.pid()));
  // The kernel's view: both signals are caught by a handler.
  const auto masks = lab::read_signal_masks(lab.pid());
  REQUIRE(masks);
  CHECK((masks->caught & (1ULL << (SIGINT - 1))) != 0);
  CHECK((masks->caught & (1ULL << (SIGALRM - 1))) != 0);

  for (int count = 1; count <= 2; ++count) {
    CAPTURE(count);
    if (count == 2) {
      lab.expect("sleep");  // the next round
      REQUIRE(blocked(lab.pid()));
    }
    lab.signal(SIGINT);
    const event interrupt =
        lab.expect("signal", [](const event& e) { return e.number("signo") == SIGINT; });
    CHECK(interrupt.number("count") == count);
    CHECK(interrupt.text("text").find("CTRL+C pressed") != std::string::npos);
    // The lab is still there: a wake follows the handler's line.
    const event wake = lab.expect("wake");
    CHECK(wake.number("seq") > interrupt.number("seq"));
    CHECK(wake.real("slept") < 10.0);
  }

  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.events_of("wake").size() == 3);
  CHECK(lab.group_gone());
}

TEST_CASE("SIGTERM during sleep ends the lab, leaving no process") {
  lab_process lab("lab06-sigaction", {"--alarm", "100", "--sleep", "100"});
  lab.expect("sleep");
  REQUIRE(blocked(lab.pid()));
  lab.signal(SIGTERM);
  const int status = lab.wait_exit();
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(lab.group_gone());
}

TEST_CASE("into a pipe, every human-readable line appears exactly once") {
  // (The JSON lines are checked in the first test.)
  const auto human = run_lab("lab06-sigaction", {"--alarm", "1", "--sleep", "100", "--rounds", "1"},
                             {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  const auto count = [&](const std::string& word) {
    return std::count_if(human.lines.begin(), human.lines.end(),
                         [&](const std::string& l) { return l.find(word) != std::string::npos; });
  };
  CHECK(count(" wake ") == 1);
  CHECK(count("SIGALRM: time out!") == 1);
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab06-sigaction",
                  {"--step", "--no-quiz", "--alarm", "1", "--sleep", "1", "--rounds", "1"},
                  {.stdin_pipe = true});
  for (int stage = 0; stage < 4; ++stage) {
    lab.expect("pause");
    lab.write_stdin("\n");
  }
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab06-sigaction", {"--alarm", "--sleep", "--rounds"});
  check_refused("lab06-sigaction",
                {{"--alarm", "0"}, {"--sleep", "0.5"}, {"--rounds", "0"}, {"--no-such-option"}});
}
