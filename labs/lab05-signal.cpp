// lab05-signal — signal(), alarm(), and a signal that cuts sleep() short.
//
// The book's signal.c: signal() registers timeout for SIGALRM and keycontrol
// for SIGINT (glibc's signal() keeps them installed), alarm(2) asks for a
// SIGALRM in 2 s, then sleep(100) three times. To run a handler the kernel
// wakes the process, and sleep() returns the seconds it did not sleep; timeout
// sets the alarm again, so each sleep(100) ends about 2 s after the one before.
// Then what the book does not show: alarm(0) cancels the alarm (a later sleep
// runs to its end); with --step at a terminal, the lab asks for a Ctrl+C.
//
// Watch for: each "wake" line (asked 100 s, slept about 2 s, returned 97 or 98).
// Usage: lab05-signal [--alarm S] [--sleep S] [--rounds N] [--json] [--step]
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "runtime/dispositions.hpp"
#include "lab.hpp"
#include "runtime/sleeps.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab05.sleep_left",
    "alarm({alarm}) is set, then sleep({sleep}) begins. What will sleep() return once SIGALRM's "
    "handler has run?",
    {{{"0", "0: it goes back to sleep and finishes"},
      {"1+", "the seconds it did not sleep"},
      {"-1", "-1, with errno EINTR"}}},
    "to run the handler the kernel wakes the process, and sleep() is never restarted: it returns "
    "the seconds still left ({actual} here)."};
static_assert(lab::well_formed(question));

namespace {

volatile sig_atomic_t alarm_seconds = 2;  // what the SIGALRM handler sets again
volatile sig_atomic_t alarms = 0, interrupts = 0;

void timeout(int sig) {
  const int saved_errno = errno;
  if (sig == SIGALRM) {
    alarms = alarms + 1;
    lab::signal_say("signal", "SIGALRM: time out! (alarm {count}) — alarm({alarm}) again",
                    {{"signo", sig}, {"count", alarms}, {"alarm", alarm_seconds}});
  }
  ::alarm(static_cast<unsigned>(alarm_seconds));
  errno = saved_errno;
}

void keycontrol(int sig) {
  const int saved_errno = errno;
  if (sig == SIGINT) {
    interrupts = interrupts + 1;
    lab::signal_say("signal", "SIGINT: CTRL+C pressed", {{"signo", sig}, {"count", interrupts}});
  }
  errno = saved_errno;
}

// signal() returns the handler it replaced, or SIG_ERR.
void register_handler(int signo, sighandler_t handler, const char* name) {
  const sighandler_t old = ::signal(signo, handler);
  if (old == SIG_ERR) throw std::system_error(errno, std::generic_category(), "signal");
  lab::say_signal_returned(signo, handler, name, old);  // "action": the handler it replaced
}

// Whether the lab has a terminal, where a Ctrl+C can come from.
bool at_a_terminal() {
  const lab::unique_fd tty(::open("/dev/tty", O_RDONLY | O_CLOEXEC));
  return static_cast<bool>(tty);
}

}  // namespace

int main(int argc, char** argv) {
  std::chrono::seconds alarm_after{2}, sleep_time{100};
  int rounds = 3;
  lab::command_line cli("lab05-signal",
                        "signal() registers handlers for SIGALRM and SIGINT; alarm() sends "
                        "SIGALRM later; each signal cuts the running sleep() short, and sleep() "
                        "returns the seconds it did not sleep.");
  cli.option("--alarm", alarm_after, "seconds until SIGALRM (its handler sets it again)", 1, 3600);
  cli.option("--sleep", sleep_time, "seconds each round asks sleep() for", 1, 3600);
  cli.option("--rounds", rounds, "how many times to sleep", 1, 100);
  cli.epilogue(
      "Watch for: the wake lines (slept far less than asked), then after alarm(0) a sleep "
      "that runs to its end; press Ctrl+C during a sleep. Stop early with kill (SIGTERM) or "
      "Ctrl+\\.");
  return cli.run(argc, argv, [&] {
    alarm_seconds = static_cast<sig_atomic_t>(alarm_after.count());
    const auto asked = static_cast<unsigned>(sleep_time.count());

    lab::stage("register the handlers with signal()");
    register_handler(SIGALRM, timeout, "timeout");
    register_handler(SIGINT, keycontrol, "keycontrol");

    lab::stage("alarm(): ask for a SIGALRM, then sleep");
    lab::ask(question, {{"alarm", alarm_after.count()}, {"sleep", sleep_time.count()}});
    const unsigned pending = ::alarm(static_cast<unsigned>(alarm_seconds));
    lab::say("alarm", "alarm({seconds}): SIGALRM due in {seconds} s (alarm() returned {left})",
             {{"seconds", alarm_after.count()}, {"left", pending}});

    for (int round = 1; round <= rounds; ++round) {
      const int alarms_before = alarms, interrupts_before = interrupts;
      const unsigned left = lab::timed_sleep(round, asked).left;  // "sleep", "wake"
      if (round > 1) continue;
      if (alarms != alarms_before && interrupts == interrupts_before)  // the premise held
        lab::reveal(question, left);
      else
        lab::reveal_unmarked(question, "this sleep was not ended by SIGALRM alone",
                             std::to_string(left));
    }
    // The handler has set the next alarm already: cancel it.
    const unsigned cancelled_left = ::alarm(0);
    lab::say("alarm",
             "alarm(0) cancels the pending alarm; alarm() returned {left} (seconds it had to go)",
             {{"seconds", 0}, {"left", cancelled_left}});

    lab::say("hold", "the alarm is cancelled: sleep past the moment it was due");
    const int alarms_before = alarms;
    const auto held = lab::timed_sleep(rounds + 1, static_cast<unsigned>(alarm_seconds + 1));
    const int late = alarms - alarms_before;
    lab::say(
        "cancelled",
        late != 0     ? "SIGALRM came after alarm(0): the alarm was not cancelled"
        : alarms == 1 ? "no SIGALRM since alarm(0): still 1 alarm in all"
                      : "no SIGALRM since alarm(0): still {alarms} alarms in all",
        {{"alarms", alarms}, {"during_hold", late}, {"slept", held.slept}, {"left", held.left}});

    if (lab::narrator_settings().step && at_a_terminal()) {  // the learner's own Ctrl+C
      lab::stage("SIGINT: press Ctrl+C");
      const int interrupts_before = interrupts;
      lab::say("prompt",
               "press Ctrl+C now: the kernel sends SIGINT, keycontrol() runs instead of the "
               "default action (ending the lab), and this sleep({asked}) ends early",
               {{"asked", asked}, {"signo", SIGINT}});
      lab::timed_sleep(rounds + 2, asked);
      if (interrupts == interrupts_before)
        lab::say("prompt", "no Ctrl+C came: the sleep ran to its end", {{"signo", SIGINT}});
    }
    lab::stage("done");
    return 0;
  });
}
