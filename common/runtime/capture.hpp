// capture: run a program with its standard output on a terminal (a pty: the
// program's isatty() is true) or on a pipe, and read everything it writes
// there. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "os/sys.hpp"

namespace lab {

// Where the program's standard output goes, and where we read it.
struct output_capture {
  bool to_pty = false;
  unique_fd reader;  // the pty's controller side, or the pipe's read end
  unique_fd writer;  // the pty's terminal side, or the pipe's write end
  // Reads until every holder of `writer` has closed it (close ours first).
  std::string read_to_end();
};
output_capture make_output_capture(bool to_pty);

// Empty if this system can give us a pseudo-terminal; else why not, "openpty:
// ENODEV" (a container whose /dev/pts is not a devpts, for one).
std::string terminal_unavailable();

// fork_as(role); the child puts `out` on its standard output (dup2) and
// execv()s args[0] with `args`, or says "execv {path}: {errno}" and ends with
// _exit(127). Returns the child's pid, in the parent.
pid_t spawn_with_output(std::string_view role, std::vector<std::string> args, int out);

// This program's own path (/proc/self/exe), to run it again under its real
// name (ps then shows it, not "exe").
std::string own_executable();

// The captured text as lines, a pty's "\r\n" read as "\n".
std::vector<std::string> lines_of(const std::string& text);

}  // namespace lab
