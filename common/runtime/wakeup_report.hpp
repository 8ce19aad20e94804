// wakeup_report: the narration of a poll loop that learns of a signal from a
// descriptor — a signalfd or the read end of a self-pipe — beside its
// listening socket: which descriptor it polls, what woke it, what it read.
// `via` is "signalfd" or "selfpipe". Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <string>

namespace lab {

// A "wakeup" event: "the loop will poll a signalfd for SIGCHLD: fd 4" (fields
// via, fd, what).
void say_polled(const std::string& via, int fd);

// A "poll" event naming what poll() found readable (fields listener, wake,
// which).
void say_ready(const std::string& via, bool from_listener, bool from_wake);

// A "wakeup" event: `count` records read from the signalfd (the first sent by
// `sender`), or `count` bytes from the self-pipe (fields via, fd, count, sender).
void say_woken(const std::string& via, int fd, int count, pid_t sender);

}  // namespace lab
