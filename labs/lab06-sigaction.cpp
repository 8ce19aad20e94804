// lab06-sigaction — sigaction(): sa_handler, sa_mask, sa_flags, and the old action.
//
// sigaction() installs a handler the same way on every UNIX, because it leaves
// nothing to the library: the caller says which function runs (sa_handler),
// which signals stay blocked while it runs (sa_mask — a sigset_t, emptied
// with sigemptyset(), never by assigning 0) and how (sa_flags, 0 here). Its
// third argument, oldact, receives the action installed before — also one
// that signal() installed. Reading it back shows what signal() really did:
// glibc's signal() (the BSD one, what a program gets with _GNU_SOURCE or
// _DEFAULT_SOURCE, as here) sets SA_RESTART and keeps the handler; the System
// V one, sysv_signal() — what signal() becomes under a strict standard such
// as gcc -std=c11 -D_POSIX_C_SOURCE=200809L — sets SA_RESETHAND|SA_NODEFER: the
// handler runs once, then the default action is back.
// Then the wake-ups of lab05, through handlers sigaction() installed.
//
// Watch for: the "action" lines: oldact holds the very handler signal() and
// sysv_signal() installed, with their flags. Then each sleep(100) cut short.
//
// Usage: lab06-sigaction [--alarm S] [--sleep S] [--rounds N] [--json] [--step]
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "lab.hpp"

namespace {

volatile sig_atomic_t alarm_seconds = 2;  // what the SIGALRM handler sets again
volatile sig_atomic_t alarms = 0;
volatile sig_atomic_t interrupts = 0;

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

std::string handler_text(sighandler_t handler) {
  if (handler == SIG_DFL) return "SIG_DFL";
  if (handler == SIG_IGN) return "SIG_IGN";
  return lab::address_text(reinterpret_cast<const void*>(handler));
}

// The old way: signal() or sysv_signal(); then the action read back.
void install_the_old_way(const char* call, sighandler_t (*install)(int, sighandler_t), int signo,
                         sighandler_t handler, const char* name) {
  if (install(signo, handler) == SIG_ERR)
    throw std::system_error(errno, std::generic_category(), call);
  struct sigaction now {};
  lab::check(::sigaction(signo, nullptr, &now), "sigaction");
  lab::say("action",
           "{call}({signal}, {function}) installed handler {handler}, sa_flags {flags_text}",
           {{"signo", signo},
            {"signal", lab::signal_name(signo)},
            {"call", call},
            {"function", name},
            {"handler", handler_text(now.sa_handler)},
            {"flags", now.sa_flags},
            {"flags_text", lab::describe_flags(now.sa_flags)}});
}

// The course's way: every field assigned, and the old action kept (returned).
struct sigaction install_with_sigaction(int signo, sighandler_t handler) {
  struct sigaction act {};
  act.sa_handler = handler;
  sigemptyset(&act.sa_mask);
  act.sa_flags = 0;
  struct sigaction oldact {};
  lab::check(::sigaction(signo, &act, &oldact), "sigaction");
  const bool restart = oldact.sa_flags & SA_RESTART;
  const bool oneshot = oldact.sa_flags & SA_RESETHAND;
  lab::say(
      "action",
      "sigaction({signal}, &act, &oldact): oldact holds {old}, sa_flags {old_flags_text}: {what}",
      {{"signo", signo},
       {"signal", lab::signal_name(signo)},
       {"call", "sigaction"},
       {"handler", handler_text(handler)},
       {"flags", act.sa_flags},
       {"old", handler_text(oldact.sa_handler)},
       {"old_flags", oldact.sa_flags},
       {"old_flags_text", lab::describe_flags(oldact.sa_flags)},
       {"same_handler", oldact.sa_handler == handler},  // what signal() installed
       {"what", oneshot   ? "a one-shot handler (System V semantics)"
                : restart ? "a lasting handler that restarts calls (BSD semantics)"
                          : "a lasting handler, calls not restarted"}});
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

    lab::stage("install handlers the old way: signal() and sysv_signal()");
    install_the_old_way("signal", ::signal, SIGALRM, timeout, "timeout");
    install_the_old_way("sysv_signal", ::sysv_signal, SIGINT, keycontrol, "keycontrol");
    // The feature-test macros, as <signal.h> saw them: its signal() is the BSD
    // one when __USE_MISC is set (by _DEFAULT_SOURCE, which _GNU_SOURCE implies).
#if defined(_GNU_SOURCE) && defined(__USE_MISC)
    lab::say("macros",
             "built with _GNU_SOURCE (g++ defines it for all C++): signal() is the BSD one "
             "(SA_RESTART, handler kept). Under a strict standard (gcc -std=c11 "
             "-D_POSIX_C_SOURCE=200809L) signal() would be sysv_signal(), and sysv_signal() "
             "itself would not be declared",
             {{"gnu_source", true}, {"signal_semantics", "BSD"}});
#else
#error "this lab shows glibc with _GNU_SOURCE (sysv_signal is a GNU extension)"
#endif

    lab::stage("replace them with sigaction(): oldact holds what was installed before");
    lab::ask("lab06.oldact");  // --step: predict what oldact will hold
    const struct sigaction old_alarm = install_with_sigaction(SIGALRM, timeout);
    lab::reveal("lab06.oldact",
                old_alarm.sa_handler == timeout ? "same" : handler_text(old_alarm.sa_handler));
    install_with_sigaction(SIGINT, keycontrol);

    lab::stage("alarm(): ask for a SIGALRM, then sleep");
    const unsigned pending = ::alarm(static_cast<unsigned>(alarm_seconds));
    lab::say("alarm", "alarm({seconds}): SIGALRM due in {seconds} s (alarm() returned {left})",
             {{"seconds", alarm_after.count()}, {"left", pending}});
    for (int round = 1; round <= rounds; ++round) {
      lab::say("sleep", "wait... sleep({asked})", {{"round", round}, {"asked", asked}});
      const auto start = std::chrono::steady_clock::now();
      const unsigned left = ::sleep(asked);
      const lab::seconds slept = std::chrono::steady_clock::now() - start;
      lab::say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
               {{"round", round}, {"asked", asked}, {"slept", slept.count()}, {"left", left}});
    }
    const unsigned left = ::alarm(0);  // the alarm the handler set last
    lab::say("alarm", "alarm(0) cancels the pending alarm ({left} s to go)",
             {{"seconds", 0}, {"left", left}});
    lab::stage("done");
    return 0;
  });
}
