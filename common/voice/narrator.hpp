// narrator: the lab's voice, in one include. A lab emits events — kind, text,
// fields — and the narrator renders each as one line for people (role- and
// pid-tagged, colour on a tty) or as one JSON object (--json). Every event is
// a single write(2) of a whole line: lines from parent and child never tear,
// and nothing sits in a buffer for fork to duplicate. Sequence numbers are
// shared across fork.
//
// The parts, each its own file:
//   event.hpp    field, int_field: an event's named values
//   speaker.hpp  settings, role, roles of children, sequence, clock; fork_as
//   say.hpp      say, say_localized, say_error, signal_say, say_reap, say_drawing
//   output.hpp   one write(2) per line, output patience, the first output error
//   views.hpp    show_tree, show_fds, say_state
//   stage.hpp    stage(): the --step pause
// (line.hpp renders a line, text.hpp holds UTF-8 and the placeholder filler,
// reaped.hpp the reaped children, timeline.hpp the --timeline ring.)
#pragma once

#include "voice/event.hpp"
#include "voice/output.hpp"
#include "voice/say.hpp"
#include "voice/speaker.hpp"
#include "voice/stage.hpp"
#include "voice/views.hpp"
