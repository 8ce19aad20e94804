// pty: a pseudo-terminal pair, for running a program whose standard output is
// a terminal (isatty() true, stdio line-buffered) while we read what it writes.
#pragma once

#include <string>

#include "os/sys.hpp"

namespace lab {

// The two sides of a pseudo-terminal. A program given `terminal` as a
// descriptor sees a terminal; what it writes is read from `controller`.
struct pty_ends {
  unique_fd controller;  // the master side
  unique_fd terminal;    // the slave side
};

// openpty(3), both ends close-on-exec (a program that should see the terminal
// gets it by dup2, which clears the flag on the copy). Output post-processing
// stays on: a "\n" written to the terminal is read as "\r\n".
pty_ends make_pty();

// Reads the controller side until every holder of the terminal side has closed
// it (read(2) then fails with EIO: the pty's end of file), retrying on EINTR.
std::string read_pty_to_end(int controller);

}  // namespace lab
