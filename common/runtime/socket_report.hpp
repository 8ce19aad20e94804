// socket_report: what calls on a socket returned, in words — one write(2) or
// send(2) as a "write" event (the bytes it sent, or -1 and the errno:
// ECONNRESET, EPIPE...), and what poll(2) found when the peer reset. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <string>

namespace lab {

// `call` names the call ("write()", "send(MSG_NOSIGNAL)"); `n` is what it
// returned, `error` its errno when n is -1. Fields attempt, call, result,
// error, reason.
void say_write(int attempt, const char* call, ssize_t n, int error);

// Polls `fd` (at most 10 s) for the peer's RST: true, with a "poll" event
// "poll(): POLLERR|POLLHUP: the peer's RST has arrived", once it hangs up
// (POLLHUP); false, with an error event, if it has not within 10 s.
bool await_reset(int fd);

// "POLLERR|POLLHUP": the POLLIN, POLLERR and POLLHUP bits of a revents.
std::string poll_events_text(short revents);

}  // namespace lab
