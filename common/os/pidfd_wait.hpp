// pidfd_wait: waiting for a descriptor to become readable unless a given
// process ends first (a pidfd, polled beside it) — so that a server waiting
// for a client it forked is not left waiting for ever when that client dies
// before it connects. Prints nothing; may throw std::system_error.
#pragma once

#include <sys/types.h>

namespace lab {

// Polls `fd` for POLLIN and `pid` (pidfd_open) for its end: true once `fd` is
// readable, false if `pid` ended first.
bool readable_unless_ended(int fd, pid_t pid);

}  // namespace lab
