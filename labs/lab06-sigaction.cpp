// lab06-sigaction — sigaction(): sa_handler, sa_mask, sa_flags, and the old action.
//
// sigaction() leaves nothing to the library: the caller says which function
// runs (sa_handler), which signals wait while it runs (sa_mask, emptied with
// sigemptyset()) and how (sa_flags); oldact receives the action installed
// before, also one signal() installed. What signal() installs depends on
// feature-test macros: lab06-signal-call.c, one signal() call, is built as
// strict C11 and with _GNU_SOURCE, and the flags each build installed are read
// back. (Under strict C11 <signal.h> defines no struct sigaction at all: the
// build's Meson check.) Then the book's sigaction.c: alarm(2), sleep(100) cut
// short. SIGALRM's sa_mask holds SIGINT: in the last round its handler sends
// itself SIGINT, and /proc shows it pending until the handler returns.
//
// Watch for: the "action" lines (the flags of each signal() and what oldact
// holds), the "mask" line from inside the handler, then SIGINT's handler.
//
// Usage: lab06-sigaction [--alarm S] [--sleep S] [--rounds N] [--json] [--step]
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "lab.hpp"

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
volatile sig_atomic_t alarms = 0;
volatile sig_atomic_t interrupts = 0;
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

const char* semantics(int flags) {
  return flags & SA_RESETHAND ? "a one-shot handler (System V semantics)"
         : flags & SA_RESTART ? "a lasting handler that restarts calls (BSD semantics)"
                              : "a lasting handler, calls not restarted";
}

std::string handler_text(sighandler_t handler) {
  if (handler == SIG_DFL) return "SIG_DFL";
  if (handler == SIG_IGN) return "SIG_IGN";
  return lab::address_text(reinterpret_cast<const void*>(handler));
}

// signal() from one of the two builds; then the action read back.
void install_with_signal(const char* build, int (*install)(int, void (*)(int)), int signo,
                         sighandler_t handler, const char* name) {
  if (install(signo, handler) != 0)
    throw std::system_error(errno, std::generic_category(), "signal");
  struct sigaction now {};
  lab::check(::sigaction(signo, nullptr, &now), "sigaction");
  lab::say("action", "signal({signal}, {function}) built {build}: sa_flags {flags_text}: {what}",
           {{"signo", signo},
            {"signal", lab::signal_name(signo)},
            {"call", "signal"},
            {"build", build},
            {"function", name},
            {"handler", handler_text(now.sa_handler)},
            {"flags", now.sa_flags},
            {"flags_text", lab::describe_flags(now.sa_flags)},
            {"what", semantics(now.sa_flags)}});
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
  lab::say("action",
           also_block
               ? "sigaction({signal}, &act, &oldact), {blocked} in sa_mask: oldact holds {old}, "
                 "sa_flags {old_flags_text}: {what}"
               : "sigaction({signal}, &act, &oldact): oldact holds {old}, sa_flags "
                 "{old_flags_text}: {what}",
           {{"signo", signo},
            {"blocked", also_block ? lab::signal_name(also_block) : ""},
            {"signal", lab::signal_name(signo)},
            {"call", "sigaction"},
            {"handler", handler_text(handler)},
            {"flags", act.sa_flags},
            {"old", handler_text(oldact.sa_handler)},
            {"old_flags", oldact.sa_flags},
            {"old_flags_text", lab::describe_flags(oldact.sa_flags)},
            {"same_handler", oldact.sa_handler == handler},  // what signal() installed
            {"mask", also_block},
            {"what", semantics(oldact.sa_flags)}});
  return oldact;
}

}  // namespace

int main(int argc, char** argv) {
  std::chrono::seconds alarm_after{2};
  std::chrono::seconds sleep_time{100};
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
    lab::say("macros",
             !LAB06_STRICT_HAS_SIGACTION && LAB06_POSIX_HAS_SIGACTION
                 ? "the build's check: under strict -std=c11 <signal.h> does not define struct "
                   "sigaction; with -D_POSIX_C_SOURCE=200809L it does"
                 : "the build's check: struct sigaction under strict -std=c11: "
                   "{strict_has_sigaction}; with -D_POSIX_C_SOURCE=200809L: {posix_has_sigaction}",
             {{"strict_has_sigaction", LAB06_STRICT_HAS_SIGACTION != 0},
              {"posix_has_sigaction", LAB06_POSIX_HAS_SIGACTION != 0}});

    lab::stage("replace them with sigaction(): oldact holds what was installed before");
    lab::ask(question);  // --step: predict what oldact will hold
    const struct sigaction old_alarm = install_with_sigaction(SIGALRM, timeout, SIGINT);
    lab::reveal(question,
                old_alarm.sa_handler == timeout ? "same" : handler_text(old_alarm.sa_handler));
    install_with_sigaction(SIGINT, keycontrol);

    lab::stage("alarm(): ask for a SIGALRM, then sleep");
    const unsigned pending = ::alarm(static_cast<unsigned>(alarm_seconds));
    lab::say("alarm", "alarm({seconds}): SIGALRM due in {seconds} s (alarm() returned {left})",
             {{"seconds", alarm_after.count()}, {"left", pending}});
    for (int round = 1; round <= rounds; ++round) {
      if (round == rounds) show_mask = 1;
      lab::say("sleep", "wait... sleep({asked})", {{"round", round}, {"asked", asked}});
      const auto start = std::chrono::steady_clock::now();
      const unsigned left = ::sleep(asked);
      const lab::seconds slept = std::chrono::steady_clock::now() - start;
      lab::say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
               {{"round", round}, {"asked", asked}, {"slept", slept.count()}, {"left", left}});
    }
    const unsigned left = ::alarm(0);  // the alarm the handler set last
    lab::say("alarm",
             "alarm(0) cancels the pending alarm; alarm() returned {left} (seconds it had to go)",
             {{"seconds", 0}, {"left", left}});
    lab::stage("done");
    return 0;
  });
}
