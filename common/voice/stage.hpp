// stage: the learner's pace. A stage is a narrated step ("step" event); with
// --step it also shows the process tree, prints a ps command to try in another
// terminal, and waits for Enter. Also how a line is read from the learner (an
// answer to a question).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "voice/event.hpp"

namespace lab {

// A narrated stage ("step" event). With --step: shows the tree, prints a ps
// command to try in another terminal, and waits for Enter (from /dev/tty when
// there is one, else standard input; end of input stops the pausing).
void stage(std::string_view text);
// The same, with fields the text may refer to as {key}.
void stage(std::string_view text, std::initializer_list<field> fields);

// One line typed by the learner: read from /dev/tty when there is one, else
// from standard input, a byte at a time (nothing read past the newline), on
// through EINTR (a handler ran: a child ended). At most `keep` bytes of it are
// kept. `ended`: the input ended (or failed) before a newline.
struct learner_line {
  std::string text;
  bool ended = false;
};
learner_line read_learner_line(std::size_t keep);

}  // namespace lab
