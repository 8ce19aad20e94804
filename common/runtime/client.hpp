// client: what an echo client needs beside its lesson — its command line, the
// runs (lock-step, split, or both over the same input with --compare), each on
// a connection of its own with its "result" event, and a read with an idle
// timeout. Nothing here knows which lab uses it. Not async-signal-safe.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <system_error>

#include "runtime/cli.hpp"
#include "runtime/client_io.hpp"
#include "os/sys.hpp"

namespace lab {

using client_clock = std::chrono::steady_clock;
constexpr auto no_deadline = client_clock::time_point::max();
// Milliseconds from now until `when` (0 when past, -1 for no_deadline): for poll().
int milliseconds_until(client_clock::time_point when);
client_clock::duration as_duration(seconds s);

struct client_options {
  std::string host = "127.0.0.1", quit_line = "terminal";
  int port = 9190;
  bool lock_step = false, compare = false, close_instead = false;
  bool q_quits = false;  // a line "q" ends the input
  bool timed = false;    // --compare: no tree while the clock runs (reading /proc takes time)
  seconds hang_timeout{5}, idle_timeout{10};
};

// Adds HOST PORT, --lock-step, --compare, --close-instead-of-shutdown,
// --hang-timeout, --idle-timeout and --quit-line (into `o`), and the epilogue.
void add_client_options(command_line& cli, client_options& o);

struct run_result {
  bool ended = false;  // every echo arrived, then the server's end of file
  long long sent = 0;
};

// One run on a connected socket; the input and the output are the run's own.
using client_run = void (*)(unique_fd& connection, input_lines& input, echo_output& echo,
                            const client_options& o, run_result& r);

// The client's body: refuses options that exclude each other (status 2),
// ignores SIGPIPE, sends the echoed bytes to standard output and the narration
// to standard error (without --json), then for each run asked for connects
// ("connect" event, a stage), calls `lock_step` or `split`, and says "result";
// with --compare, the input is read once and sent twice, and a last "result"
// compares the times. Status 0 when every run ended well, else 1.
int run_echo_client(client_options& o, client_run lock_step, client_run split);

// The server stopped answering (--idle-timeout); said when thrown.
struct no_answer : std::runtime_error {
  no_answer() : std::runtime_error("no answer") {}
};

// Says why the client gives up (the server sent nothing for o.idle_timeout
// while `owed` bytes were owed or its end of file awaited), then throws no_answer.
[[noreturn]] void give_up(const client_options& o, long long owed);

// Reads the echo into `echo` until it holds `until` bytes in all (true) or
// the server's end of file (false); each read waits at most o.idle_timeout
// (then give_up). Reads json_read_size bytes at a time.
bool receive_echo(int connection, echo_output& echo, long long until, const client_options& o);

// An "error" event for a failed call: "read: ECONNRESET (Connection reset by
// peer)", fields call, errno, reason.
void say_connection_error(const std::system_error& error);

}  // namespace lab
