// lab05-signal: alarm() cuts each sleep() short; alarm(0) cancels (no SIGALRM
// after it); SIGINT, also Ctrl+C typed at a terminal, runs its handler and the
// lab goes on.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "shared.hpp"
#include "os/proc.hpp"

using namespace harness;

TEST_CASE("each sleep(100) ends at the alarm, and sleep() returns the seconds left") {
  const auto run = run_lab("lab05-signal", {"--alarm", "1", "--sleep", "100", "--rounds", "2"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  CHECK(check_each_line_once(run.events) == "");  // into a pipe, each line once

  // signal() replaced the default disposition of both signals.
  const auto actions = run.of("action");
  REQUIRE(actions.size() == 2);
  for (const auto& a : actions) {
    CHECK(a.text("call") == "signal");
    CHECK(a.text("old") == "SIG_DFL");
  }

  const auto sleeps = run.of("sleep");
  const auto wakes = run.of("wake");
  REQUIRE(sleeps.size() == 3);  // two rounds, then the sleep past the cancelled alarm
  REQUIRE(wakes.size() == 3);
  const auto alarms = signals_of(run.events, SIGALRM);
  for (std::size_t round = 0; round < 2; ++round) {
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

TEST_CASE("alarm(0) cancels the pending alarm and returns its seconds left: no SIGALRM after") {
  const auto run = run_lab("lab05-signal", {"--alarm", "2", "--sleep", "100", "--rounds", "1"});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto alarm_calls = run.of("alarm");
  REQUIRE(alarm_calls.size() == 2);
  const event& cancel = alarm_calls[1];
  CHECK(cancel.number("seconds") == 0);
  // The handler's alarm(2) had just been set: 1 or 2 seconds to go, not 0.
  CHECK(cancel.number("left") >= 1);
  CHECK(cancel.number("left") <= 2);
  // Then a sleep of 3 s, past the moment the cancelled alarm was due, runs to its end...
  const auto wakes = run.of("wake");
  REQUIRE(wakes.size() == 2);
  const event& held = wakes[1];
  CHECK(held.number("seq") > cancel.number("seq"));
  CHECK(held.number("asked") == 3);
  CHECK(held.number("left") == 0);
  CHECK(held.real("slept") > 2.9);
  // ...with no SIGALRM after alarm(0): its handler ran exactly once, before.
  const auto alarms = signals_of(run.events, SIGALRM);
  REQUIRE(alarms.size() == 1);
  CHECK(alarms[0].number("seq") < cancel.number("seq"));
  const auto cancelled = run.of("cancelled");
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0].number("during_hold") == 0);
  CHECK(cancelled[0].number("alarms") == 1);
  CHECK(cancelled[0].text("text").find("still 1 alarm in all") != std::string::npos);
}

TEST_CASE("SIGINT during sleep runs the handler, which stays installed; the lab exits 0") {
  lab_process lab("lab05-signal", {"--alarm", "2", "--sleep", "100", "--rounds", "3"});
  lab.expect("sleep");
  REQUIRE(in_sleep(lab.pid()));
  // The kernel's view: both signals are caught by a handler.
  const auto masks = lab::read_signal_masks(lab.pid());
  REQUIRE(masks);
  CHECK((masks->caught & (1ULL << (SIGINT - 1))) != 0);
  CHECK((masks->caught & (1ULL << (SIGALRM - 1))) != 0);

  for (int count = 1; count <= 2; ++count) {
    CAPTURE(count);
    if (count == 2) {
      lab.expect("sleep");  // the next round
      REQUIRE(in_sleep(lab.pid()));
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
  CHECK(lab.events_of("wake").size() == 4);  // three rounds and the sleep after alarm(0)
  CHECK(lab.group_gone());
}

TEST_CASE("SIGTERM during sleep ends the lab, leaving no process") {
  lab_process lab("lab05-signal", {"--alarm", "100", "--sleep", "100"});
  lab.expect("sleep");
  REQUIRE(in_sleep(lab.pid()));
  lab.signal(SIGTERM);
  const int status = lab.wait_exit();
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
  CHECK(lab.group_gone());
}

TEST_CASE("into a pipe, every human-readable line appears exactly once") {
  // (The JSON lines are checked in the first test.)
  const auto human =
      run_lab("lab05-signal", {"--alarm", "1", "--sleep", "100", "--rounds", "1"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  const auto count = [&](const std::string& word) {
    return std::count_if(human.lines.begin(), human.lines.end(),
                         [&](const std::string& l) { return l.find(word) != std::string::npos; });
  };
  CHECK(count(" wake ") == 2);
  CHECK(count("SIGALRM: time out!") == 1);
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab05-signal",
                  {"--step", "--no-quiz", "--alarm", "1", "--sleep", "1", "--rounds", "1"},
                  {.stdin_pipe = true});
  for (int stage = 0; stage < 3; ++stage) {  // no terminal: no round for Ctrl+C
    lab.expect("pause");
    lab.write_stdin("\n");
  }
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("--step at a terminal, answered slowly: the alarm waits; Ctrl+C runs keycontrol") {
  // The learner takes 3 times the alarm's 1 s at every prompt.
  lab_process lab("lab05-signal", {"--step", "--alarm", "1", "--sleep", "100", "--rounds", "1"},
                  {.terminal = true});
  const auto slowly = [&](const std::string& typed) {
    std::this_thread::sleep_for(3s);
    lab.write_stdin(typed);
  };
  lab.expect("pause");  // before signal()
  slowly("\n");
  lab.expect("pause");  // before alarm()
  slowly("\n");
  const event quiz = lab.expect("quiz");
  CHECK(quiz.text("question") == "lab05.sleep_left");
  slowly("2\n");  // "the seconds it did not sleep"
  const event answer = lab.expect("answer");
  CHECK(answer.boolean("premise"));
  CHECK(answer.number("chosen") == 2);
  CHECK(answer.number("right") == 2);
  CHECK(answer.boolean("correct"));
  CHECK(answer.number("actual") >= 90);
  // No SIGALRM while the learner thought: the alarm was set after the answer,
  // so the first sleep lasted the alarm's full second, and one SIGALRM ended it.
  const auto wakes = lab.events_of("wake");
  REQUIRE(wakes.size() == 1);
  CHECK(wakes[0].real("slept") > 0.9);
  CHECK(wakes[0].number("left") == answer.number("actual"));
  const auto alarms = signals_of(lab.events(), SIGALRM);
  CHECK(alarms.size() == 1);
  for (const auto& s : alarms) CHECK(s.number("seq") > quiz.number("seq"));

  lab.expect("cancelled", [](const event& e) { return e.number("during_hold") == 0; });
  lab.expect("pause");  // before the Ctrl+C round
  slowly("\n");
  const event prompt = lab.expect("prompt");
  CHECK(prompt.number("signo") == SIGINT);
  REQUIRE(in_sleep(lab.pid()));  // asleep in sleep(100), no alarm pending
  std::this_thread::sleep_for(1s);
  lab.write_stdin("\x03");  // Ctrl+C, typed at the terminal
  const event interrupt =
      lab.expect("signal", [](const event& e) { return e.number("signo") == SIGINT; });
  CHECK(interrupt.number("count") == 1);
  const event wake = lab.expect("wake");
  CHECK(wake.number("asked") == 100);
  CHECK(wake.real("slept") < 10.0);  // cut short by the handler's run
  CHECK(wake.number("left") > 80);
  lab.expect("pause");  // done
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));  // SIGINT's handler ran: the lab was not ended by it
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab05-signal", {"--alarm", "--sleep", "--rounds"});
  check_refused("lab05-signal",
                {{"--alarm", "0"}, {"--sleep", "0.5"}, {"--rounds", "0"}, {"--no-such-option"}});
}
