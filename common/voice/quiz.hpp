// quiz: predict, then observe. With --step (and without --no-quiz) a lab asks
// the learner one question just before the moment that answers it — ask() —
// and, once its run has answered it, shows the learner's choice beside the
// right one with one sentence of why — reveal(). The right choice is never
// written into the lab: reveal() is given what the run really did (a count
// read from /proc, a value the child printed, an errno) and the question's
// table says which choice that value makes right. The questions, in English
// and Chinese, are the table in quiz_questions.cpp.
#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <string_view>

#include "voice/narrator.hpp"

namespace lab {

constexpr std::size_t max_quiz_choices = 4;

// One choice of a question. `when` says which values of the run make it the
// right one: a number ("3"), a number or more ("2+"), or a word ("Z",
// "EINTR"). The texts may use the {fields} of ask().
struct quiz_choice {
  std::string_view when;
  std::string_view en;
  std::string_view zh;
};

// One question. Its id is the lab's number and a word: "lab10.zombies". The
// question may use the {fields} of ask(); `why` (one sentence) those of ask()
// and reveal(), and {actual}, the value the run gave. Unused choices are empty.
struct quiz_question {
  std::string_view id;
  std::string_view en;
  std::string_view zh;
  std::array<quiz_choice, max_quiz_choices> choices;
  std::string_view why_en;
  std::string_view why_zh;
};

// Every question (quiz_questions.cpp), one per lab.
std::span<const quiz_question> quiz_questions();
// The question with this id, or nullptr.
const quiz_question* find_quiz_question(std::string_view id);
// How many choices it has (the non-empty ones, which come first).
int quiz_choice_count(const quiz_question& question);
// The choice (1-based) whose `when` the run's value matches first; 0 if none does.
int right_quiz_choice(const quiz_question& question, std::string_view actual);
// A learner's answer line as a choice, 1..choices; 0 for anything else (an
// empty line skips the question).
int parse_quiz_answer(std::string_view line, int choices);

// The words around the questions, in one language ("en" or "zh"): the
// templates quiz.cpp fills in.
struct quiz_words {
  std::string_view ask;         // {question}
  std::string_view hint;        // {first} {last}
  std::string_view right;       // {right_choice} {why}
  std::string_view wrong;       // {chosen_choice} {right_choice} {why}
  std::string_view unanswered;  // {right_choice} {why}
  std::string_view unmatched;   // {actual} {why}
  std::string_view unmarked;    // {what_changed} {actual}
};
const quiz_words& quiz_words_in(std::string_view lang);

// Called once by command_line::run: false with --no-quiz.
void enable_quiz(bool enabled);

// Asks question `id`, when the lab runs with --step and without --no-quiz: a
// "quiz" event (the question, its numbered choices), then the learner's
// answer, one line read as stage() reads Enter — from /dev/tty when there is
// one, else from standard input. Each question is asked at most once a run;
// at end of input no further question is asked. `fields` fill the question's
// {placeholders}. An id the table lacks throws std::invalid_argument.
void ask(std::string_view id, std::initializer_list<field> fields = {});

// Shows the answer to question `id` — if it was asked, and only once: an
// "answer" event with the learner's choice, the choice the run's `actual`
// value makes right, and why. Call it from the process that saw the value (a
// forked child too: it inherits the learner's answer).
void reveal(std::string_view id, long long actual, std::initializer_list<field> fields = {});
void reveal(std::string_view id, std::string_view actual, std::initializer_list<field> fields = {});

// Instead of reveal(), when the question's premise no longer held by the time
// the run answered it (checked by the lab, e.g. from /proc: "the child had
// already exited"): an "answer" event that says so in plain words — what
// changed (a catalogue message, translated) and what the run gave — and does
// not mark the learner's answer (fields: premise false, marked false).
void reveal_unmarked(std::string_view id, std::string_view what_changed, std::string_view actual);

}  // namespace lab
