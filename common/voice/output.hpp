// output: how a finished line leaves the process — one write(2) when it can
// (retried on EINTR and short writes), patient or not with a full pipe, and the
// first output error of the lab, reported once for all its processes.
#pragma once

#include <string_view>

namespace lab {

// Once, at start, before any fork (start_narrator calls it): the lab's first
// output error is then shared by every process of the lab.
void start_output();
// The errno of the first write to standard output that failed (ENOSPC...), in
// any process of the lab since start_narrator; 0 if none. EPIPE is not counted.
int output_error() noexcept;

// For a server whose output nobody may read (`lab08-echo-serv | sleep 120`):
// from now on a line waits at most `milliseconds` for room on stdout/stderr
// (0: not at all; -1: as long as it takes, the default) and is otherwise
// dropped and counted — and a signal that interrupts a blocked write drops the
// line rather than retrying it. Set it before fork: children count into the
// same total. A stdout or stderr that is a regular file (`> log`) has room for
// any line: its lines are written without asking (no poll before each).
void set_output_patience(int milliseconds);
// Lines dropped so far, by this process and the children forked after the call.
long long dropped_lines();

// Writes the whole line, retrying on EINTR and short writes (within the
// output patience on stdout and stderr). A failed write to standard output is
// reported once on stderr. Async-signal-safe.
void write_fully(int fd, std::string_view line) noexcept;

// True when standard output is a pipe or socket whose reader has gone
// (poll reports an error on it), as after `| head -1`.
bool output_reader_gone();
// True when SIGPIPE has its default action (end the process) and is not blocked.
bool sigpipe_would_kill();

}  // namespace lab
