// lanes: the timeline drawn — one column per process, one row per event, time
// at the left: the picture in which three exits and one SIGCHLD are plain to
// see. Reads records (timeline.hpp); draws text; says nothing itself (the lab
// runtime shows the drawing when a --timeline run ends). Not async-signal-safe.
#pragma once

#include <cstddef>
#include <string>

#include "voice/timeline.hpp"

namespace lab {

struct timeline_drawing {
  std::string text;      // lines of at most `width` characters, each ending in '\n'
  long long events = 0;  // events drawn (the records with sub 0)
  int processes = 0;     // distinct processes seen
  int lanes = 0;         // processes with a column of their own; the rest share "others"
  int exits = 0;         // exit marks drawn: at most one per process, never folded away
};

// Draws the lanes: one column per process (role and pid on top), at most six
// columns (past six processes, five lanes and "others"); one row per event in
// seq order with its time and mark (a step: its text on a line of its own, cut
// with fit_words); "|" where a process lives, "z" while it is a zombie. An
// exit nobody narrated is drawn from what revealed it: a tree that saw the
// process as a zombie, or its reaping.
timeline_drawing draw_timeline(const timeline_contents& contents, std::size_t width = 100);

}  // namespace lab
