// say: the narrator proper. A lab emits events — kind, text, fields — and each
// becomes one line for people or one JSON object (line.hpp), written in one
// write(2) (output.hpp), in the reader's language (speaker.hpp). Each event is
// also handed to the registry of reaped children (reaped.hpp) and, with
// --timeline, to the timeline (timeline.hpp).
#pragma once

#include <sys/types.h>

#include <initializer_list>
#include <string_view>

#include "voice/event.hpp"
#include "voice/line.hpp"
#include "voice/speaker.hpp"

namespace lab {

// Once, at start, before any fork: sets time zero, the shared sequence and
// output error, and with options.timeline the timeline's ring.
void start_narrator(const narrator_options& options);

// Emits one event. Fields named seq, t_ms, pid, role, kind or text are not
// allowed (those are every event's own); refer to other processes as "child".
void say(std::string_view kind, std::string_view text, std::initializer_list<field> fields = {});
// The same for a text already in the reader's language, one that brings its
// own translations (the quiz's questions): not looked up again.
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

// A `kind` event whose text is a drawing (a timeline): in JSON the text is the
// caption, a newline and the drawing; for people the caption line, then the
// drawing as it is, at the left margin — one write(2) either way.
void say_drawing(std::string_view kind, std::string_view caption, std::string_view drawing,
                 std::initializer_list<field> fields = {});

// For the voice's own views (tree, fds, state): emits `text`, already in the
// reader's language, on `fd`; `untranslated` marks (in JSON) a text that had
// to stay English. With `to_timeline` false the event is kept out of the
// timeline (a tree's own state events: the tree stands for them). Returns the
// event's head (its seq, time, pid, role).
event_head emit_localized(int fd, std::string_view kind, std::string_view text, bool untranslated,
                          std::initializer_list<field> fields, bool to_timeline = true);

}  // namespace lab
