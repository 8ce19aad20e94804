// dispositions: saying what a signal's action is — the handler as text
// (SIG_DFL, SIG_IGN or its address), what its sa_flags make of it, and the
// "action" events of the labs that install handlers with signal() and
// sigaction(). The calls themselves stay with the caller. Not
// async-signal-safe.
#pragma once

#include <signal.h>

#include <string>

namespace lab {

// "SIG_DFL", "SIG_IGN", or the handler's address ("0x55d0c1a2b3c0").
std::string handler_text(sighandler_t handler);

// After signal(signo, handler) returned `old`: "signal(SIGINT, keycontrol)
// returned SIG_DFL, the handler it replaced" (fields signo, signal, call,
// function, handler, old).
void say_signal_returned(int signo, sighandler_t handler, const char* function, sighandler_t old);

// After a signal() call of the build `build` installed `function`: reads the
// action back with sigaction() and says its sa_flags and what they make of the
// handler (one-shot System V, lasting BSD...).
void say_action_read_back(int signo, const char* build, const char* function);

// What the build's check found: whether <signal.h> declares struct sigaction
// under strict -std=c11, and with -D_POSIX_C_SOURCE=200809L.
void say_sigaction_declared(bool strict_has_sigaction, bool posix_has_sigaction);

// After sigaction(signo, &act, &oldact): what oldact holds, and its flags;
// `also_block`: the signal added to act.sa_mask (0: none).
void say_sigaction_replaced(int signo, int also_block, const struct sigaction& act,
                            const struct sigaction& oldact);

}  // namespace lab
