// speaker: the voice's only process-wide state — the settings of the run, the
// role this process speaks as and the roles of the processes it forked, the
// sequence number shared across fork, and the clock every event is timed by.
// Also fork_as, which forks a child that speaks as a role of its own.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace lab {

struct narrator_options {
  std::string program;  // "lab02-zombie": prefixes error lines on stderr
  bool json = false;
  bool color = false;
  bool step = false;  // stage() pauses for Enter
  // "en", "zh", "ko": the language of every text a person reads. Texts are
  // looked up by their English template (i18n.hpp); JSON kinds and field values
  // stay as they are, only "text" changes. A text with no translation stays
  // English, and its JSON event gets "untranslated": true.
  std::string lang = "en";
  // --timeline: every event is also kept in a ring shared across fork
  // (timeline.hpp), to be drawn as lanes when the lab ends.
  bool timeline = false;
};

// Once, at start, before any fork (start_narrator calls it): keeps the
// settings, sets time zero and maps the sequence shared across fork.
void start_speaker(const narrator_options& options);
const narrator_options& narrator_settings();

// ---- Language ----------------------------------------------------------------

// The template a person reads for the English template `text`: itself in
// English, its translation otherwise — or, when no book has it,
// itself again with `untranslated` set. Async-signal-safe.
std::string_view localized(std::string_view text, bool& untranslated) noexcept;
// True when the reader's language is not English. Async-signal-safe.
bool translating() noexcept;
// A display word from common/ (a state's meaning, a wait channel's
// description, a wait status) in the reader's language.
std::string displayed(std::string_view words);

// ---- Roles -------------------------------------------------------------------

// The role this process speaks as ("parent" until changed).
void set_role(std::string_view role);
// The same, for every event's "role". Async-signal-safe.
std::string_view current_role() noexcept;
// Remembers another process's role, for trees.
void name_process(pid_t pid, std::string_view role);
// Forgets it again (say_reap does this): a long-running parent's table of
// roles holds only the children it has not reaped.
void forget_process(pid_t pid);
// The role of `pid`: this process's own, one it named, or "" if unknown. The
// text is the table's: good until that role is changed or forgotten.
std::string_view role_of(pid_t pid);

// ---- Sequence and clock (async-signal-safe) ----------------------------------

// The next event's number: 1, 2... counted together by every process of the
// lab forked after start_speaker.
long next_sequence() noexcept;
// Milliseconds since start_speaker (CLOCK_MONOTONIC).
long long elapsed_ms() noexcept;

// ---- Forking as a role -------------------------------------------------------

// What fork_as asks the kernel to do to the child when its parent dies first.
enum class if_parent_dies {
  // SIGKILL the child (PR_SET_PDEATHSIG): an interrupted lab leaves no child
  // behind. The default: a lab's children never outlive it by accident.
  kill_child,
  // Nothing: the child lives on as an orphan, re-parented to the nearest
  // subreaper or init. For a lab whose lesson is that orphan; the lab must
  // then end the child itself (a pipe at end of file, a signal).
  child_lives_on,
};

// fork(2), checked. In the child: speaks as `role`, and with kill_child asks
// the kernel to SIGKILL it if its parent dies first (and ends with _exit(1)
// at once if the parent died before it could ask). In the parent: remembers
// the child's role. Returns as fork does: 0 in the child, its pid in the parent.
pid_t fork_as(std::string_view role, if_parent_dies policy = if_parent_dies::kill_child);

}  // namespace lab
