// answer: the end of a quiz question (voice/quiz.hpp) as every lab writes it —
// the run's answer, marked only when the question's premise still held when
// the run answered it, else shown unmarked with what had changed.
#pragma once

#include <string>
#include <string_view>

#include "voice/quiz.hpp"

namespace lab {

// Whether a question's premise still held when the run answered it, and if
// not, what had changed (a catalogue message: "the child had ended before the
// answer").
struct premise {
  bool held;
  std::string_view what_changed;
};

// reveal(id, actual) when the premise held, else reveal_unmarked(id,
// what_changed, actual).
inline void reveal(std::string_view id, std::string_view actual, const premise& checked) {
  if (checked.held)
    reveal(id, actual);
  else
    reveal_unmarked(id, checked.what_changed, actual);
}

// The same for a number (shown unmarked as its decimal text).
inline void reveal(std::string_view id, long long actual, const premise& checked) {
  if (checked.held)
    reveal(id, actual);
  else
    reveal_unmarked(id, checked.what_changed, std::to_string(actual));
}

}  // namespace lab
