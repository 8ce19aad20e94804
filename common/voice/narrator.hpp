// narrator: the lab's voice. A lab emits events — kind, text, fields — and the
// narrator renders each as one line for people (role- and pid-tagged, colour on
// a tty) or as one JSON object (--json). Every event is a single write(2) of a
// whole line: lines from parent and child never tear, and nothing sits in a
// buffer for fork to duplicate. Sequence numbers are shared across fork.
#pragma once

#include <sys/types.h>

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "os/proc.hpp"

namespace lab {

// One named value of an event. Text may refer to it as {key}.
struct field {
  enum class type { integer, real, boolean, text };

  template <std::integral T>
    requires(!std::same_as<T, bool>)
  field(std::string_view k, T v) : key(k), kind(type::integer), integer(static_cast<long long>(v)) {}
  field(std::string_view k, bool v) : key(k), kind(type::boolean), integer(v) {}
  field(std::string_view k, double v) : key(k), kind(type::real), real(v) {}
  field(std::string_view k, std::string_view v) : key(k), kind(type::text), text(v) {}
  field(std::string_view k, const char* v) : key(k), kind(type::text), text(v) {}
  field(std::string_view k, const std::string& v) : key(k), kind(type::text), text(v) {}

  std::string_view key;
  type kind;
  long long integer = 0;
  double real = 0;
  std::string text;
};

// An integer field for signal_say (no allocation).
struct int_field {
  const char* key;
  long long value;
};

struct narrator_options {
  std::string program;  // "lab02-zombie": prefixes error lines on stderr
  bool json = false;
  bool color = false;
  bool step = false;  // stage() pauses for Enter
  // "en" or "zh": the language of every text a person reads. Texts are looked
  // up by their English template (catalog.hpp); JSON kinds and field values
  // stay as they are, only "text" changes. A text with no translation stays
  // English, and its JSON event gets "untranslated": true.
  std::string lang = "en";
  // --timeline: every event is also kept in a ring shared across fork
  // (timeline.hpp), to be drawn as lanes when the lab ends.
  bool timeline = false;
};

// Once, at start, before any fork: sets time zero and the shared sequence.
void start_narrator(const narrator_options& options);
const narrator_options& narrator_settings();
// The errno of the first write to standard output that failed (ENOSPC...), in
// any process of the lab since start_narrator; 0 if none. EPIPE is not counted.
int output_error() noexcept;

// The role this process speaks as ("parent" until changed).
void set_role(std::string_view role);
// Remembers another process's role, for trees.
void name_process(pid_t pid, std::string_view role);
// Forgets it again (say_reap does this): a long-running parent's table of
// roles holds only the children it has not reaped.
void forget_process(pid_t pid);

// For a server whose output nobody may read (`lab08-echo-serv | sleep 120`):
// from now on a line waits at most `milliseconds` for room on stdout/stderr
// (0: not at all; -1: as long as it takes, the default) and is otherwise
// dropped and counted — and a signal that interrupts a blocked write drops the
// line rather than retrying it. Set it before fork: children count into the
// same total.
void set_output_patience(int milliseconds);
// Lines dropped so far, by this process and the children forked after the call.
long long dropped_lines();

// Emits one event. Fields named seq, t_ms, pid, role, kind or text are not
// allowed (those are every event's own); refer to other processes as "child".
void say(std::string_view kind, std::string_view text, std::initializer_list<field> fields = {});
// The same for a text already in the reader's language, one that brings its
// own translations (the quiz's questions): not looked up in the catalogue.
void say_localized(std::string_view kind, std::string_view text,
                   std::initializer_list<field> fields = {});

// An error event: on stderr in human mode, on stdout (JSON) plus a plain
// "program: text" line on stderr with --json.
void say_error(std::string_view text, std::initializer_list<field> fields = {});

// Async-signal-safe: fixed buffer, integers formatted by hand, one write(2),
// errno preserved. Text longer than the buffer is cut.
void signal_say(const char* kind, const char* text,
                std::initializer_list<int_field> fields = {}) noexcept;

// A "reap" event: child pid and decoded status (how, code, core_dumped).
void say_reap(pid_t child, int raw_status);

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

// A `kind` event whose text is a drawing (a timeline): in JSON the text is the
// caption, a newline and the drawing; for people the caption line, then the
// drawing as it is, at the left margin — one write(2) either way.
void say_drawing(std::string_view kind, std::string_view caption, std::string_view drawing,
                 std::initializer_list<field> fields = {});

// An "fds" event: the open descriptors of `pid` (this process when 0) from
// /proc, one per line, "5 -> socket:[4242] (tcp connected 127.0.0.1:9190 <-> ...)".
// Fields: process (whose table), count, targets (the lines joined by "; ").
// Returns the descriptors it showed.
std::vector<fd_info> show_fds(std::string_view caption, pid_t pid = 0);

// A narrated stage ("step" event). With --step: shows the tree, prints a ps
// command to try in another terminal, and waits for Enter (from /dev/tty when
// there is one, else standard input; end of input stops the pausing).
void stage(std::string_view text);
// The same, with fields the text may refer to as {key}.
void stage(std::string_view text, std::initializer_list<field> fields);

// fork(2), checked. In the child: speaks as `role`, and asks the kernel to
// SIGKILL it if the lab dies first (PR_SET_PDEATHSIG), so an interrupted lab
// leaves no child behind. In the parent: remembers the child's role.
pid_t fork_as(std::string_view role);

}  // namespace lab
