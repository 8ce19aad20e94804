// blocked_watch: a forked child watches its parent until the parent sleeps in
// a slow call (read on a pipe, accept, sleep), shows it, and gives the learner
// time to look before the child signals it. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/cli.hpp"

namespace lab {

// True when `pid` sleeps (state S) in `call`: "read" (on a pipe), "accept" (on
// a TCP socket) or "sleep" (nanosleep) — /proc/PID/stat and /proc/PID/wchan.
bool blocked_in(pid_t pid, const std::string& call);

// Waits (polling /proc, at most 10 s: then throws) until `parent` is blocked in
// `call`; says its "state" and that SIGUSR1 comes in `hold` s, then sleeps
// `hold`. Returns the kernel function it sleeps in (its wchan).
std::string watch_until_blocked(pid_t parent, const std::string& call, seconds hold);

}  // namespace lab
