// lab06-sigaction: the same signal() call built as strict C11 and with
// _GNU_SOURCE installs different flags; sigaction() hands back, in oldact, what
// each installed; a signal in sa_mask waits while the handler runs; alarm()
// cuts each sleep() short and SIGINT runs its handler, as in lab05.
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

TEST_CASE("one signal() call, two builds: System V flags under strict C11, BSD with _GNU_SOURCE") {
  const auto run = run_lab("lab06-sigaction", {"--alarm", "1", "--sleep", "100", "--rounds", "1"});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto find = [&](const std::string& call, int signo) {
    for (const auto& e : run.of("action"))
      if (e.text("call") == call && e.number("signo") == signo) return e;
    throw lab_failure("no action event for " + call + " of signal " + std::to_string(signo));
  };

  // Strict C11: glibc's signal() is __sysv_signal — one-shot, not deferred, not restarted.
  const event strict = find("signal", SIGINT);
  CHECK(strict.text("build") == "-std=c11");
  CHECK((strict.number("flags") & SA_RESETHAND) != 0);
  CHECK((strict.number("flags") & SA_NODEFER) != 0);
  CHECK((strict.number("flags") & SA_RESTART) == 0);
  CHECK(strict.text("flags_text").find("SA_RESETHAND") != std::string::npos);
  // _GNU_SOURCE: the BSD signal() — SA_RESTART, the handler kept.
  const event gnu = find("signal", SIGALRM);
  CHECK(gnu.text("build") == "-std=c11 -D_GNU_SOURCE");
  CHECK((gnu.number("flags") & SA_RESTART) != 0);
  CHECK((gnu.number("flags") & SA_RESETHAND) == 0);
  CHECK((gnu.number("flags") & SA_NODEFER) == 0);
  CHECK(gnu.text("flags_text").find("SA_RESTART") != std::string::npos);

  // sigaction() hands back in oldact exactly what each signal() installed.
  const event replaced_gnu = find("sigaction", SIGALRM);
  CHECK(replaced_gnu.number("seq") > gnu.number("seq"));
  CHECK(replaced_gnu.text("old") == gnu.text("handler"));  // the same function pointer
  CHECK(replaced_gnu.number("old_flags") == gnu.number("flags"));
  CHECK(replaced_gnu.boolean("same_handler"));
  CHECK(replaced_gnu.number("flags") == 0);
  CHECK(replaced_gnu.number("mask") == SIGINT);
  const event replaced_strict = find("sigaction", SIGINT);
  CHECK(replaced_strict.text("old") == strict.text("handler"));
  CHECK(replaced_strict.number("old_flags") == strict.number("flags"));
  CHECK(replaced_strict.boolean("same_handler"));
  CHECK(replaced_strict.number("flags") == 0);
  CHECK(strict.text("handler") != gnu.text("handler"));
  CHECK(gnu.text("handler").rfind("0x", 0) == 0);

  // Why a macro at all: the build's Meson check, compiled with gcc -std=c11.
  const auto macros = run.of("macros");
  REQUIRE(macros.size() == 1);
  CHECK_FALSE(macros[0].boolean("strict_has_sigaction"));
  CHECK(macros[0].boolean("posix_has_sigaction"));
}

TEST_CASE(
    "sa_mask: SIGINT sent inside the SIGALRM handler waits, pending in /proc, until it returns") {
  const auto run = run_lab("lab06-sigaction", {"--alarm", "1", "--sleep", "100", "--rounds", "2"});
  CHECK(WEXITSTATUS(run.status) == 0);
  const auto masks = run.of("mask");
  REQUIRE(masks.size() == 1);
  const event& inside = masks[0];  // the handler's last line before it returns
  CAPTURE(inside.line);
  CHECK((inside.number("pending_in") & 2) != 0);  // ShdPnd: sent to the process with kill()
  CHECK(inside.number("ran_before_return") == 0);
  // In the last round, after that round's SIGALRM...
  const auto sleeps = run.of("sleep");
  REQUIRE(sleeps.size() == 2);
  CHECK(inside.number("seq") > sleeps[1].number("seq"));
  // ...and keycontrol ran once, only after the SIGALRM handler returned.
  const auto interrupts = signals_of(run.events, SIGINT);
  REQUIRE(interrupts.size() == 1);
  CHECK(interrupts[0].number("count") == 1);
  CHECK(interrupts[0].number("seq") > inside.number("seq"));
  CHECK(interrupts[0].number("seq") < run.of("wake").back().number("seq"));
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
  CHECK(lab.events_of("wake").size() == 3);
  CHECK(lab.group_gone());
}

TEST_CASE("SIGTERM during sleep ends the lab, leaving no process") {
  lab_process lab("lab06-sigaction", {"--alarm", "100", "--sleep", "100"});
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

TEST_CASE("--step at a terminal, answered slowly: right answer marked right, alarm set after") {
  lab_process lab("lab06-sigaction", {"--step", "--alarm", "1", "--sleep", "100", "--rounds", "1"},
                  {.terminal = true});
  const auto slowly = [&](const std::string& typed) {
    std::this_thread::sleep_for(3s);  // 3 times the alarm
    lab.write_stdin(typed);
  };
  lab.expect("pause");  // before the two signal() calls
  slowly("\n");
  lab.expect("pause");  // before sigaction()
  slowly("\n");
  const event quiz = lab.expect("quiz");
  CHECK(quiz.text("question") == "lab06.oldact");
  slowly("2\n");  // "the very handler signal() installed"
  const event answer = lab.expect("answer");
  CHECK(answer.boolean("premise"));
  CHECK(answer.text("actual") == "same");
  CHECK(answer.number("right") == 2);
  CHECK(answer.boolean("correct"));
  const event last_pause = lab.expect("pause");  // before alarm()
  slowly("\n");
  const event wake = lab.expect("wake");
  // The alarm was set after the pause: the sleep lasted its full second, and
  // one SIGALRM (not one per second of the pause) ended it.
  CHECK(wake.real("slept") > 0.9);
  const auto alarms = signals_of(lab.events(), SIGALRM);
  CHECK(alarms.size() == 1);
  for (const auto& s : alarms) CHECK(s.number("seq") > last_pause.number("seq"));
  lab.expect("pause");  // done
  lab.write_stdin("\n");
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
