#include "runtime/dispositions.hpp"

#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {
namespace {

const char* semantics(int flags) {
  return flags & SA_RESETHAND ? "a one-shot handler (System V semantics)"
         : flags & SA_RESTART ? "a lasting handler that restarts calls (BSD semantics)"
                              : "a lasting handler, calls not restarted";
}

}  // namespace

std::string handler_text(sighandler_t handler) {
  if (handler == SIG_DFL) return "SIG_DFL";
  if (handler == SIG_IGN) return "SIG_IGN";
  return address_text(reinterpret_cast<const void*>(handler));
}

void say_signal_returned(int signo, sighandler_t handler, const char* function, sighandler_t old) {
  say("action", "signal({signal}, {function}) returned {old}, the handler it replaced",
      {{"signo", signo},
       {"signal", signal_name(signo)},
       {"call", "signal"},
       {"function", function},
       {"handler", handler_text(handler)},
       {"old", handler_text(old)}});
}

void say_action_read_back(int signo, const char* build, const char* function) {
  struct sigaction now {};
  check(::sigaction(signo, nullptr, &now), "sigaction");
  say("action", "signal({signal}, {function}) built {build}: sa_flags {flags_text}: {what}",
      {{"signo", signo},
       {"signal", signal_name(signo)},
       {"call", "signal"},
       {"build", build},
       {"function", function},
       {"handler", handler_text(now.sa_handler)},
       {"flags", now.sa_flags},
       {"flags_text", describe_flags(now.sa_flags)},
       {"what", semantics(now.sa_flags)}});
}

void say_sigaction_declared(bool strict_has_sigaction, bool posix_has_sigaction) {
  say("macros",
      !strict_has_sigaction && posix_has_sigaction
          ? "the build's check: under strict -std=c11 <signal.h> does not define struct "
            "sigaction; with -D_POSIX_C_SOURCE=200809L it does"
          : "the build's check: struct sigaction under strict -std=c11: "
            "{strict_has_sigaction}; with -D_POSIX_C_SOURCE=200809L: {posix_has_sigaction}",
      {{"strict_has_sigaction", strict_has_sigaction},
       {"posix_has_sigaction", posix_has_sigaction}});
}

void say_sigaction_replaced(int signo, int also_block, const struct sigaction& act,
                            const struct sigaction& oldact) {
  say("action",
      also_block ? "sigaction({signal}, &act, &oldact), {blocked} in sa_mask: oldact holds {old}, "
                   "sa_flags {old_flags_text}: {what}"
                 : "sigaction({signal}, &act, &oldact): oldact holds {old}, sa_flags "
                   "{old_flags_text}: {what}",
      {{"signo", signo},
       {"blocked", also_block ? signal_name(also_block) : ""},
       {"signal", signal_name(signo)},
       {"call", "sigaction"},
       {"handler", handler_text(act.sa_handler)},
       {"flags", act.sa_flags},
       {"old", handler_text(oldact.sa_handler)},
       {"old_flags", oldact.sa_flags},
       {"old_flags_text", describe_flags(oldact.sa_flags)},
       {"same_handler", oldact.sa_handler == act.sa_handler},  // what signal() installed
       {"mask", also_block},
       {"what", semantics(oldact.sa_flags)}});
}

}  // namespace lab
