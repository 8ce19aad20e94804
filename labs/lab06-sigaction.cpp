// lab06-sigaction — sigaction(): sa_handler, sa_mask, sa_flags, and the old action.
//
// sigaction() leaves nothing to the library: the caller says which function
// runs (sa_handler), which signals wait while it runs (sa_mask, emptied with
// sigemptyset()) and how (sa_flags); oldact receives the action installed
// before. What signal() installs depends on feature-test macros: one signal()
// call (lab06-signal-call.c) built as strict C11 and with _GNU_SOURCE, each
// build's flags read back. Then the book's sigaction.c: alarm(2), sleep(100)
// cut short; SIGALRM's sa_mask holds SIGINT, which its handler sends itself
// in the last round: /proc shows it pending until the handler returns.
// Watch for: the "action" lines (flags, what oldact holds), the "mask" line.
// Usage: lab06-sigaction [--alarm S] [--sleep S] [--rounds N] [--json] [--step]
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "runtime/dispositions.hpp"
#include "lab.hpp"
#include "runtime/sleeps.hpp"

// The same signal() call, two builds (labs/meson.build); 0 or -1 (errno).
extern "C" int lab06_signal_strict(int signo, void (*handler)(int));
extern "C" int lab06_signal_gnu(int signo, void (*handler)(int));
// 1: /proc's SigPnd lists signo, 2: ShdPnd does, 3: both, 0: neither, -1: unreadable.
extern "C" int lab06_pending_in_proc(int signo);  // async-signal-safe (labs/lab06-pending.c)

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab06.oldact",
    "signal() installed the SIGALRM handler. What will sigaction() hand back in oldact?",
    {{{"SIG_DFL", "SIG_DFL: sigaction() does not see what signal() did"},
      {"same", "the very handler signal() installed, with its flags"},
      {"SIG_IGN", "SIG_IGN"}}},
    "signal() and sigaction() both set the one action the kernel keeps for each signal, so oldact "
    "reads back exactly what signal() installed, SA_RESTART included."};
static_assert(lab::well_formed(question));

namespace {

volatile sig_atomic_t alarm_seconds = 2;  // what the SIGALRM handler sets again
volatile sig_atomic_t alarms = 0, interrupts = 0;
volatile sig_atomic_t show_mask = 0;  // set for the last round

void timeout(int sig) {
  const int saved_errno = errno;
  if (sig == SIGALRM) {
    alarms = alarms + 1;
    lab::signal_say("signal", "SIGALRM: time out! (alarm {count}) — alarm({alarm}) again",
                    {{"signo", sig}, {"count", alarms}, {"alarm", alarm_seconds}});
  }
  if (sig == SIGALRM && show_mask) {
    show_mask = 0;
    const int interrupts_before = interrupts;
    ::kill(::getpid(), SIGINT);  // as a Ctrl+C now would: SIGINT is in this handler's sa_mask
    const int pending_in = lab06_pending_in_proc(SIGINT);
    lab::signal_say("mask",
                    pending_in > 0 && interrupts == interrupts_before
                        ? "SIGALRM handler: SIGINT sent, and held back by sa_mask: /proc lists it "
                          "as pending, keycontrol has not run. The handler returns now"
                        : "SIGALRM handler: SIGINT sent, and not held back: /proc does not list "
                          "it as pending, or keycontrol has run already",
                    {{"signo", SIGINT},
                     {"pending_in", pending_in},  // 1: SigPnd, 2: ShdPnd
                     {"ran_before_return", interrupts - interrupts_before}});
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

// signal() from one of the two builds; then the action read back.
void install_with_signal(const char* build, int (*install)(int, void (*)(int)), int signo,
                         sighandler_t handler, const char* name) {
  lab::check(install(signo, handler), "signal");  // 0, or -1 with errno
  lab::say_action_read_back(signo, build, name);  // sigaction(signo, nullptr, &now): its flags
}

// The course's way: every field assigned, and the old action kept (returned).
struct sigaction install_with_sigaction(int signo, sighandler_t handler, int also_block = 0) {
  struct sigaction act {};
  act.sa_handler = handler;
  sigemptyset(&act.sa_mask);
  if (also_block != 0) sigaddset(&act.sa_mask, also_block);  // held while the handler runs
  act.sa_flags = 0;
  struct sigaction oldact {};
  lab::check(::sigaction(signo, &act, &oldact), "sigaction");
  lab::say_sigaction_replaced(signo, also_block, act, oldact);  // "action": what oldact holds
  return oldact;
}

}  // namespace

int main(int argc, char** argv) {
  std::chrono::seconds alarm_after{2}, sleep_time{100};
  int rounds = 3;
  lab::command_line cli("lab06-sigaction",
                        "sigaction() installs the handlers (sa_handler, an empty sa_mask, "
                        "sa_flags 0) and hands back, in oldact, what signal() had installed; "
                        "then alarm() cuts each sleep() short, as in lab05.");
  cli.option("--alarm", alarm_after, "seconds until SIGALRM (its handler sets it again)", 1, 3600);
  cli.option("--sleep", sleep_time, "seconds each round asks sleep() for", 1, 3600);
  cli.option("--rounds", rounds, "how many times to sleep", 1, 100);
  cli.epilogue(
      "Watch for: the action lines (what oldact holds), then the wake lines. Press "
      "Ctrl+C during a sleep; stop early with kill (SIGTERM) or Ctrl+\\.");
  return cli.run(argc, argv, [&] {
    alarm_seconds = static_cast<sig_atomic_t>(alarm_after.count());
    const auto asked = static_cast<unsigned>(sleep_time.count());

    lab::stage("signal(), one call built twice: strict C11 and _GNU_SOURCE");
    install_with_signal("-std=c11", lab06_signal_strict, SIGINT, keycontrol, "keycontrol");
    install_with_signal("-std=c11 -D_GNU_SOURCE", lab06_signal_gnu, SIGALRM, timeout, "timeout");
    lab::say_sigaction_declared(LAB06_STRICT_HAS_SIGACTION, LAB06_POSIX_HAS_SIGACTION);

    lab::stage("replace them with sigaction(): oldact holds what was installed before");
    lab::ask(question);  // --step: predict what oldact will hold
    const struct sigaction old_alarm = install_with_sigaction(SIGALRM, timeout, SIGINT);
    lab::reveal(question,
                old_alarm.sa_handler == timeout ? "same" : lab::handler_text(old_alarm.sa_handler));
    install_with_sigaction(SIGINT, keycontrol);

    lab::stage("alarm(): ask for a SIGALRM, then sleep");
    const unsigned pending = ::alarm(static_cast<unsigned>(alarm_seconds));
    lab::say("alarm", "alarm({seconds}): SIGALRM due in {seconds} s (alarm() returned {left})",
             {{"seconds", alarm_after.count()}, {"left", pending}});
    for (int round = 1; round <= rounds; ++round) {
      if (round == rounds) show_mask = 1;
      lab::timed_sleep(round, asked);  // "sleep", then "wake": slept, sleep()'s value
    }
    const unsigned left = ::alarm(0);  // the alarm the handler set last
    lab::say("alarm",
             "alarm(0) cancels the pending alarm; alarm() returned {left} (seconds it had to go)",
             {{"seconds", 0}, {"left", left}});
    lab::stage("done");
    return 0;
  });
}
