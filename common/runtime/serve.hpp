// serve: what a fork-per-client server needs beside its lesson — its command
// line, reaps counted and narrated from a SIGCHLD handler, accept(2) errors
// sorted into "try again" and "out of descriptors", a wait that a signal ends,
// and a stop (SIGINT, SIGTERM, SIGHUP) that ends and reaps every child.
// Nothing here knows which lab uses it. One server per process: the counts and
// the stop are this process's.
#pragma once

#include <sys/types.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "runtime/cli.hpp"
#include "os/sys.hpp"

namespace lab {

struct server_options {
  int port = 9190, backlog = 4096, max_children = 0;
  seconds delay{0};
  std::string bind_address = "127.0.0.1";
  bool quiet = false;
};

// Adds --port, --bind, --backlog, --max-children, --delay and --quiet (into `o`).
void add_server_options(command_line& cli, server_options& o);

// With `quiet`, note_reap and say_echoed say nothing, and stop_serving does
// not narrate the stop (errors and the summary are said still).
void serve_quietly(bool quiet);

// A served child's exit code after it reported a read/write error.
constexpr int connection_error = 3;

// Async-signal-safe (for the SIGCHLD handler): counts a reaped child — failed
// unless ended_as_expected(status, connection_error) — remembers the first
// one, and narrates it (signal_say_reap).
void note_reap(pid_t child, int status) noexcept;
long long reaped_count() noexcept;
pid_t first_reaped() noexcept;  // 0 until a child has been reaped

// The child's "echo" (bytes echoed to `peer`) and "close" (field code) events.
void say_echoed(long long bytes, const std::string& peer, int code);

// Installs the stop handler for `signals` (no SA_RESTART) in this process, the
// server: a stop is noted (stop_requested) and the socket given to
// stop_shuts_down is shut down for reading, so that every accept, now or after
// the loop's check, fails at once: no stop is lost between the check and the
// call. A child inherits the handler: there it dies of the signal, as by default.
void stop_on(std::initializer_list<int> signals);
int stop_shuts_down(int listen_socket);  // returns listen_socket
int stop_requested() noexcept;           // the stop's signal, or 0

// While `forked` minus the children reaped is `max_children` or more (and no
// stop came): waits for a signal (wait_while).
void wait_for_room(long long forked, int max_children);

// The stop: says which signal stopped the server ("stopping"), closes
// `listener` (a late stop no longer touches that number), ends and reaps every
// child (end_children with note_reap), and says the summary. Returns the
// server's status: 0 when no child failed, else 1.
int stop_serving(unique_fd& listener, long long connections, long long refused);

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
