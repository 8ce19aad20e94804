// call_outcome: one slow call that a handled signal may interrupt (read on a
// pipe, accept, sleep), made once, and what became of it — its result, its
// errno, what it brought — told as events, beside how the signal's action was
// installed. Not async-signal-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace lab {

// One call as the program made it: -1 and errno, or what it returned.
struct call_outcome {
  long result = 0;   // read: bytes; accept: the new fd; sleep: seconds left
  int error = 0;     // errno when result is -1
  std::string data;  // read: the line, without its newline
  std::string peer;  // accept: the client's address
};

// The call as the program makes it, once, no retry: read(fd) on a pipe (up to
// 63 bytes) for "read", accept4(fd, SOCK_CLOEXEC) for "accept" (the accepted
// socket is closed again at once).
call_outcome call_once(const std::string& call, int fd);

// The "wake" event after sleep(asked), called at `start`, returned `left`.
void say_woke(std::chrono::seconds asked, std::chrono::steady_clock::time_point start,
              unsigned left);

// How the signal's action was installed, as the result events report it.
struct installed_action {
  bool with_signal = false;  // glibc's signal(), else sigaction()
  bool restart = false;      // sigaction() asked for SA_RESTART
  int flags = 0;             // sa_flags as sigaction() reads them back
};

// A "result" event for attempt `attempt` of `call`: interrupted (EINTR: "so
// call again"), another error, data or a connection — "restarted" when the call
// returned after the handler had run — or, for "sleep", the seconds left.
// Fields attempt, call, result, error, reason, data, peer, restarted, install
// ("signal", "sigaction" or "sigaction+SA_RESTART"), sa_restart, flags.
void say_call_result(std::string_view call, int attempt, const call_outcome& got, bool restarted,
                     const installed_action& action);

}  // namespace lab
