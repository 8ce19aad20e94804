// views: what /proc says of the lab's processes, shown to the learner — the
// process tree (with the children reaped since, greyed), a process's open
// descriptors, a process's state. Laid out for a terminal (UTF-8 widths from
// text.hpp); each view is one event.
#pragma once

#include <sys/types.h>

#include <string_view>
#include <vector>

#include "os/proc.hpp"

namespace lab {

// A "state" event: what /proc says of `pid` now (state letter, ppid, and
// child_role, sockets, caught/blocked/pending/ignored signal names).
// Returns the state letter, or '-' when the process no longer exists.
char say_state(pid_t pid);

// A "tree" event: this process and its descendants from /proc, one row each
// (pid, ppid, role, state letter, what it does or waits in), under it its
// TCP sockets and its caught/blocked/pending signals; zombies each on their
// own row; children this process reaped since the last stage as greyed
// "reaped (exited 3)" rows (kept until the first stage after a tree showed
// them). Lines fit 67 columns: 100 on a terminal, where a continuation line is
// indented by 33. Fields: processes (live), rows (live + reaped), reaped. In
// JSON first one "state" event per live process.
void show_tree(std::string_view caption);

// An "fds" event: the open descriptors of `pid` (this process when 0) from
// /proc, one per line, "5 -> socket:[4242] (tcp connected 127.0.0.1:9190 <-> ...)".
// Fields: process (whose table), count, targets (the lines joined by "; ").
// Returns the descriptors it showed.
std::vector<fd_info> show_fds(std::string_view caption, pid_t pid = 0);

}  // namespace lab
