// serve: what a fork-per-client server needs beside its lesson — reaps
// narrated from a SIGCHLD handler, accept(2) errors sorted into "try again"
// and "out of descriptors", a wait that a signal ends, and a stop that ends
// and reaps every child. Nothing here knows which lab uses it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "os/sys.hpp"

namespace lab {

// Async-signal-safe (a SIGCHLD handler may call it): a "reap" event through
// signal_say, fields child, exited (1 or 0), code (the exit code, or the
// signal's number) and signal (0 unless killed). Text: "reaped child 4243:
// exited 0" / "reaped child 4243: killed by SIGTERM".
void signal_say_reap(pid_t child, int status) noexcept;

// Async-signal-safe: true when a served child ended as a server expects —
// exited 0 or with `error_code` (a reported connection error), or killed by
// SIGTERM (the server's stop), SIGINT or SIGHUP (a terminal's, to the whole
// foreground process group).
bool ended_as_expected(int status, int error_code) noexcept;

// An "error" event for a call that failed while serving `peer`: fields errno,
// peer, call, reason ("127.0.0.1:5000: fork: EAGAIN (Resource temporarily
// unavailable)").
void say_failed(std::string_view call, int error, std::string_view peer);

// What a server's loop does when accept(2) returned -1 with `error`. Returns
// at once for errors that concern one connection (EINTR, ECONNABORTED...: try
// again). Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): says
// so once per shortage and sleeps 100 ms (no busy loop; a signal ends the
// sleep early). Anything else throws.
class accept_failures {
 public:
  void handle(int error);
  void succeeded() { short_ = false; }

 private:
  bool short_ = false;
};

// Sleeps `seconds` (fractions allowed), resuming after interruptions.
void pause_for(double seconds);

// While `busy()` is true, waits for a signal (sigsuspend: the test and the
// wait cannot miss a signal in between). For a server at its child limit,
// whose SIGCHLD handler changes what busy() sees.
void wait_while(const std::function<bool()>& busy);

// The end of a server: with SIGCHLD blocked, sends SIGTERM (and SIGCONT, so a
// stopped child wakes to die) to every child of this process, then waits for
// them all, calling `reaped` for each, until none is left.
void end_children(void (*reaped)(pid_t, int));

// A server's listening socket: raises the open-file limit to its hard limit
// (one descriptor per client), listens (SO_REUSEADDR: a restart binds at once)
// with TCP_NODELAY (accepted sockets inherit it: an echo leaves at once, not
// after the client's delayed ACK), and says "listen" (fields address, port,
// backlog, open_files, open_files_before).
unique_fd listen_for_clients(const std::string& address, int port, int backlog);

// The final "exit" event of a fork-per-client server: "served 1 connection,
// refused 0, reaped 1 child, 0 failed" (plurals as the numbers need), fields
// connections, refused, reaped, failed, dropped (narration lines dropped
// because nobody read the output, set_output_patience) and status.
void say_summary(long long connections, long long refused, long long reaped, long long failed);

}  // namespace lab
