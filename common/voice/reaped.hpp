// reaped: the children this process reaped, remembered for the tree view's
// greyed "reaped (exited 3)" rows until the first stage after a tree showed
// them. Reap events come from signal handlers too (a SIGCHLD reaper narrates
// with signal_say), so noting one is async-signal-safe: fixed slots, an
// atomic index, each slot marked ready last. Reading and forgetting happen on
// the main path with every signal blocked, so no handler runs meanwhile.
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "voice/event.hpp"

namespace lab {

// Notes a "reap" event's child: its status from the "status" field
// (say_reap), else from "code" (exited) or "killed_by" (a handler's own reap
// event); `role` is the child's, as its parent named it. A child only stopped
// or continued ("how") is still alive and not noted.
void note_reaped(pid_t child, std::initializer_list<field> fields, std::string_view role);
void note_reaped(pid_t child, std::initializer_list<int_field> fields) noexcept;

// A reaped child as the tree shows it.
struct reaped_row {
  pid_t pid;
  pid_t reaper;
  std::string role;    // "" when the reap came from a handler (the tree looks it up)
  std::string status;  // "exited 3", "killed by SIGKILL"
};

// The children this process noted as reaped (a forked child's copies are its
// parent's, not its own), each once; from now on they count as shown.
std::vector<reaped_row> reaped_to_show();

// At a stage: forgets the reaped children a tree has shown.
void forget_shown_reaped();

}  // namespace lab
