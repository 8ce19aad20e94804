// A learner at a terminal, answering slowly: drives a lab's --step through a
// pseudo-terminal (run_options::terminal), waiting `pace` before each answer,
// so that whatever the lab has not held at a gate runs ahead meanwhile.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace harness {

// One prompt the lab is expected to show, in order: "" for a stage's pause
// (answered with Enter), or a quiz choice ("1".."4") typed after the quiz.
// `before` (optional) runs after the pace, just before the answer is typed:
// the moment to look at /proc while the lab waits.
struct slow_answer {
  std::string choice;  // "" = a pause, answered with Enter
  milliseconds pace;
  std::function<void()> before = {};
};

// Answers every prompt of `script` in turn; then reads the lab to its end and
// returns its wait status. Each prompt must come (within 10 s of the last).
inline int answer_slowly(lab_process& lab, const std::vector<slow_answer>& script) {
  for (const slow_answer& prompt : script) {
    const event shown = lab.expect(prompt.choice.empty() ? "pause" : "quiz");
    CAPTURE(shown.line);
    std::this_thread::sleep_for(prompt.pace);
    if (prompt.before) prompt.before();
    lab.write_stdin(prompt.choice + "\n");
  }
  return lab.wait_exit();
}

// The one "answer" event of the run: the question's premise held, the
// revealed (right) choice is `right`, and the learner's choice `right` was
// marked right.
inline void check_marked_right(const lab_process& lab, const std::string& question, int right) {
  const auto answers = lab.events_of("answer");
  REQUIRE(answers.size() == 1);
  const event& answer = answers[0];
  CAPTURE(answer.line);
  CHECK(answer.text("question") == question);
  CHECK(answer.boolean("premise"));
  CHECK(answer.boolean("marked"));
  CHECK(answer.number("right") == right);
  CHECK(answer.number("chosen") == right);
  CHECK(answer.boolean("correct"));
}

}  // namespace harness
