// cues: small messages between a lab and the processes it forked, over pipes:
// a pid, a one-byte cue, and end of file (every write end closed) as "the
// end". Prints nothing; may throw std::system_error.
#pragma once

#include <sys/types.h>

namespace lab {

// Writes `pid` (its bytes) to `fd`.
void send_pid(int fd, pid_t pid);

// Reads a pid written by send_pid; 0 if the writer ended before a whole one.
pid_t receive_pid(int fd);

// Writes one byte to `fd`.
void send_cue(int fd);

// Waits for one byte on `fd`: false at end of file (the other side ended).
bool wait_cue(int fd);

// Reads and drops everything on `fd` until end of file.
void wait_for_eof(int fd);

}  // namespace lab
