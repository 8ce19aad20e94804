#include "voice/quiz.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "voice/i18n.hpp"
#include "voice/stage.hpp"
#include "voice/text.hpp"

namespace lab {
namespace {

using values = std::vector<std::pair<std::string, std::string>>;

// A question this process has asked (a forked child inherits the list, and
// with it the learner's answer).
struct asked_question {
  std::string id;
  std::vector<std::string> choices;  // as shown, placeholders filled in
  values fields;                     // ask()'s, for the why
  int chosen = 0;                    // 0: no answer
  bool revealed = false;
};

bool quiz_enabled = true;
bool input_ended = false;
std::vector<asked_question> asked;

std::string value_text(const field& f) {
  switch (f.kind) {
    case field::type::integer:
      return std::to_string(f.integer);
    case field::type::boolean:
      return f.integer ? "true" : "false";
    case field::type::real: {
      char text[32];
      std::snprintf(text, sizeof text, "%g", f.real);
      return text;
    }
    case field::type::text:
      return std::string(f.text);
  }
  return "";
}

values values_of(std::initializer_list<field> fields) {
  values out;
  for (const field& f : fields) out.emplace_back(std::string(f.key), value_text(f));
  return out;
}

// `text` with each {key} that `given` names replaced by its value (the last
// value given for it).
std::string fill(std::string_view text, const values& given) {
  std::string out;
  fill_placeholders(out, text, [&](std::string& to, std::string_view key) {
    const auto found = std::find_if(given.rbegin(), given.rend(),
                                    [&](const auto& value) { return value.first == key; });
    if (found == given.rend()) return false;
    to += found->second;
    return true;
  });
  return out;
}

// The words around every question; message ids, translated as any other.
constexpr std::string_view ask_words = "predict: {question}";
constexpr std::string_view hint_words =
    "type {first}-{last} and Enter (Enter alone skips the question)";
constexpr std::string_view right_words = "right: {right_choice}\nWhy: {why}";
constexpr std::string_view wrong_words =
    "you chose {chosen_choice}; the run says {right_choice}\nWhy: {why}";
constexpr std::string_view unanswered_words = "the run says {right_choice}\nWhy: {why}";
constexpr std::string_view unmatched_words = "the run gave {actual}, none of the choices\nWhy: {why}";
constexpr std::string_view unmarked_words =
    "not marked: the question's premise no longer held ({what_changed}); the run gave {actual}";

// A question's text, or the words around it, in the reader's language.
std::string_view in_language(std::string_view english) {
  return translate(english, narrator_settings().lang).value_or(english);
}

asked_question* find_asked(std::string_view id) {
  for (asked_question& a : asked)
    if (a.id == id) return &a;
  return nullptr;
}

// "2) twice", or "" for choice 0.
std::string numbered(const asked_question& a, int choice) {
  if (choice < 1 || choice > static_cast<int>(a.choices.size())) return "";
  return std::to_string(choice) + ") " + a.choices[static_cast<std::size_t>(choice - 1)];
}

void show_answer(const quiz_question& question, std::string_view actual_text, const field& actual,
                 std::initializer_list<field> fields) {
  const std::string_view id = question.id;
  asked_question* a = find_asked(id);
  if (!a || a->revealed) return;
  a->revealed = true;
  const int right = right_quiz_choice(question, actual_text);
  values given = a->fields;
  for (auto& v : values_of(fields)) given.push_back(std::move(v));
  given.emplace_back("actual", std::string(actual_text));
  const std::string why = fill(in_language(question.why), given);
  const values parts = {{"chosen_choice", numbered(*a, a->chosen)},
                        {"right_choice", numbered(*a, right)},
                        {"actual", std::string(actual_text)},
                        {"why", why}};
  const std::string_view shape = right == 0           ? unmatched_words
                                 : a->chosen == 0     ? unanswered_words
                                 : a->chosen == right ? right_words
                                                      : wrong_words;
  say_localized("answer", fill(in_language(shape), parts),
                {{"question", id},
                 {"chosen", a->chosen},
                 {"right", right},
                 {"correct", a->chosen != 0 && a->chosen == right},
                 {"premise", true},
                 {"marked", right != 0 && a->chosen != 0},
                 actual,
                 {"chosen_text", numbered(*a, a->chosen)},
                 {"right_text", numbered(*a, right)},
                 {"why", why}});
}

}  // namespace

int parse_quiz_answer(std::string_view line, int choices) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
    line.remove_suffix(1);
  if (line.empty() || line.size() > 2) return 0;
  int choice = 0;
  for (const char c : line) {
    if (c < '0' || c > '9') return 0;
    choice = choice * 10 + (c - '0');
  }
  return choice >= 1 && choice <= choices ? choice : 0;
}

void enable_quiz(bool enabled) {
  quiz_enabled = enabled;
}

void ask(const quiz_question& question, std::initializer_list<field> fields) {
  const std::string_view id = question.id;
  if (!narrator_settings().step || !quiz_enabled || input_ended || find_asked(id)) return;
  asked_question a;
  a.id = id;
  a.fields = values_of(fields);
  const int count = quiz_choice_count(question);
  for (int i = 0; i < count; ++i) {
    const quiz_choice& choice = question.choices[static_cast<std::size_t>(i)];
    a.choices.push_back(fill(in_language(choice.text), a.fields));
  }
  const std::string prompt = fill(in_language(question.text), a.fields);
  std::string text = fill(in_language(ask_words), {{"question", prompt}});
  std::string listed;
  for (int i = 1; i <= count; ++i) {
    text += "\n  " + numbered(a, i);
    listed += (listed.empty() ? "" : " | ") + numbered(a, i);
  }
  text += "\n" + fill(in_language(hint_words), {{"first", "1"}, {"last", std::to_string(count)}});
  say_localized(
      "quiz", text,
      {{"question", id}, {"prompt", prompt}, {"choices", count}, {"choice_list", listed}});
  // One line, as stage() reads Enter: the terminal when there is one, else stdin.
  const learner_line answer = read_learner_line(64);
  input_ended = answer.ended;
  a.chosen = parse_quiz_answer(answer.text, count);
  asked.push_back(std::move(a));
}

void reveal_unmarked(const quiz_question& question, std::string_view what_changed,
                     std::string_view actual) {
  const std::string_view id = question.id;
  asked_question* a = find_asked(id);
  if (!a || a->revealed) return;
  a->revealed = true;
  const std::string_view changed = in_language(what_changed);
  say_localized("answer",
                fill(in_language(unmarked_words),
                     {{"what_changed", std::string(changed)}, {"actual", std::string(actual)}}),
                {{"question", id},
                 {"chosen", a->chosen},
                 {"right", 0},
                 {"correct", false},
                 {"premise", false},
                 {"marked", false},
                 {"actual", actual},
                 {"chosen_text", numbered(*a, a->chosen)},
                 {"what_changed", what_changed}});
}

void reveal(const quiz_question& question, long long actual, std::initializer_list<field> fields) {
  show_answer(question, std::to_string(actual), field("actual", actual), fields);
}

void reveal(const quiz_question& question, std::string_view actual,
            std::initializer_list<field> fields) {
  show_answer(question, actual, field("actual", actual), fields);
}

void reveal(const quiz_question& question, std::string_view actual, const premise& checked) {
  if (checked.held)
    reveal(question, actual);
  else
    reveal_unmarked(question, checked.what_changed, actual);
}

void reveal(const quiz_question& question, long long actual, const premise& checked) {
  if (checked.held)
    reveal(question, actual);
  else
    reveal_unmarked(question, checked.what_changed, std::to_string(actual));
}

}  // namespace lab
