// quiz: predict, then observe. With --step (and without --no-quiz) a lab asks
// the learner one question just before the moment that answers it — ask() —
// and, once its run has answered it, shows the learner's choice beside the
// right one with one sentence of why — reveal(). The right choice is never
// written into the lab: reveal() is given what the run really did (a count
// read from /proc, a value the child printed, an errno) and the question says
// which choice that value makes right. Each lab writes its question on its
// page, in English; the texts are message ids, translated by its books.
#pragma once

#include <array>
#include <initializer_list>
#include <string_view>

#include "voice/narrator.hpp"

namespace lab {

constexpr std::size_t max_quiz_choices = 4;

// One choice of a question. `when` says which values of the run make it the
// right one: a number ("3"), a number or more ("2+"), or a word ("Z",
// "EINTR"). The text may use the {fields} of ask().
struct quiz_choice {
  std::string_view when;
  std::string_view text;
};

// One question. Its id is the lab's number and a word: "lab10.zombies". The
// question may use the {fields} of ask(); `why` (one sentence) those of ask()
// and reveal(), and {actual}, the value the run gave. Unused choices are empty.
struct quiz_question {
  std::string_view id;
  std::string_view text;
  std::array<quiz_choice, max_quiz_choices> choices;
  std::string_view why;
};

// How many choices it has (the non-empty ones, which come first).
constexpr int quiz_choice_count(const quiz_question& question) {
  int count = 0;
  for (const quiz_choice& choice : question.choices)
    if (!choice.text.empty()) ++count;
  return count;
}

// The choice (1-based) whose `when` the run's value matches first; 0 if none does.
constexpr int right_quiz_choice(const quiz_question& question, std::string_view actual) {
  const auto number = [](std::string_view text, long long& value) {
    if (text.empty()) return false;
    std::size_t i = text.front() == '-' ? 1 : 0;
    if (i == text.size()) return false;
    value = 0;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    if (text.front() == '-') value = -value;
    return true;
  };
  const int count = quiz_choice_count(question);
  for (int i = 0; i < count; ++i) {
    const std::string_view when = question.choices[static_cast<std::size_t>(i)].when;
    long long least = 0, value = 0;
    if (when.ends_with('+') && number(when.substr(0, when.size() - 1), least)) {
      if (number(actual, value) && value >= least) return i + 1;
    } else if (when == actual) {
      return i + 1;
    }
  }
  return 0;
}

// Whether a question is fit to ask, for a static_assert beside it on its
// page: an id "labNN.word" (NN 01..99, the word lowercase letters and _), a
// text and a why, two choices or more with no gap before the last, and every
// choice reachable — the value its `when` names ("2" for "2+") picks it, not
// an earlier one.
constexpr bool well_formed(const quiz_question& question) {
  const std::string_view id = question.id;
  if (id.size() < 7 || !id.starts_with("lab") || id[5] != '.') return false;
  if (id[3] < '0' || id[3] > '9' || id[4] < '0' || id[4] > '9') return false;
  for (const char c : id.substr(6))
    if ((c < 'a' || c > 'z') && c != '_') return false;
  if (question.text.empty() || question.why.empty()) return false;
  const int count = quiz_choice_count(question);
  if (count < 2) return false;
  for (int i = 0; i < static_cast<int>(max_quiz_choices); ++i) {
    const quiz_choice& choice = question.choices[static_cast<std::size_t>(i)];
    if (i >= count) {
      if (!choice.text.empty() || !choice.when.empty()) return false;  // after a gap
      continue;
    }
    const std::string_view when = choice.when;
    if (when.empty()) return false;
    const std::string_view sample = when.ends_with('+') ? when.substr(0, when.size() - 1) : when;
    if (right_quiz_choice(question, sample) != i + 1) return false;
  }
  return true;
}

// A learner's answer line as a choice, 1..choices; 0 for anything else (an
// empty line skips the question).
int parse_quiz_answer(std::string_view line, int choices);

// Called once by the runtime: false with --no-quiz.
void enable_quiz(bool enabled);

// Asks `question`, when the lab runs with --step and without --no-quiz: a
// "quiz" event (the question, its numbered choices), then the learner's
// answer, one line read as stage() reads Enter — from /dev/tty when there is
// one, else from standard input. Each question is asked at most once a run;
// at end of input no further question is asked. `fields` fill the question's
// {placeholders}.
void ask(const quiz_question& question, std::initializer_list<field> fields = {});

// Shows the answer to `question` — if it was asked, and only once: an
// "answer" event with the learner's choice, the choice the run's `actual`
// value makes right, and why. Call it from the process that saw the value (a
// forked child too: it inherits the learner's answer).
void reveal(const quiz_question& question, long long actual,
            std::initializer_list<field> fields = {});
void reveal(const quiz_question& question, std::string_view actual,
            std::initializer_list<field> fields = {});

// Instead of reveal(), when the question's premise no longer held by the time
// the run answered it (checked by the lab, e.g. from /proc: "the child had
// already exited"): an "answer" event that says so in plain words — what
// changed (a message id, translated) and what the run gave — and does not
// mark the learner's answer (fields: premise false, marked false).
void reveal_unmarked(const quiz_question& question, std::string_view what_changed,
                     std::string_view actual);

// Whether a question's premise still held when the run answered it, and if
// not, what had changed (a message id: "the child had ended before the answer").
struct premise {
  bool held;
  std::string_view what_changed;
};

// reveal() when the premise held, else reveal_unmarked() — a number shown
// unmarked as its decimal text.
void reveal(const quiz_question& question, std::string_view actual, const premise& checked);
void reveal(const quiz_question& question, long long actual, const premise& checked);

}  // namespace lab
