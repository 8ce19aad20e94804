// quiz: the question table is whole in both languages (same choices, same
// placeholders), every value a choice names makes that choice the right one,
// every lab asks its own question and reveals it, and ask/reveal speak only in
// --step mode, reading the learner's answer from standard input.
#include "voice/quiz.hpp"

#include <dirent.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "voice/narrator.hpp"
#include "support.hpp"

using unit::capture;
using unit::child_process;
using unit::json_object;
using unit::parse_json_line;

namespace {

std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> keys;
  for (auto open = text.find('{'); open != std::string_view::npos;
       open = text.find('{', open + 1)) {
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    keys.emplace(text.substr(open, close - open + 1));
  }
  return keys;
}

bool has_chinese(std::string_view text) {
  for (const char c : text) {
    const auto lead = static_cast<unsigned char>(c);
    if ((lead >= 0xE4 && lead <= 0xE9) || lead == 0xE3 || lead == 0xEF) return true;
  }
  return false;
}

// "lab" and a number 01..16, a dot, then lowercase letters and '_'.
bool well_formed_id(std::string_view id) {
  if (id.size() < 7 || !id.starts_with("lab") || id[5] != '.') return false;
  const int number = (id[3] - '0') * 10 + (id[4] - '0');
  if (!std::isdigit(static_cast<unsigned char>(id[3])) ||
      !std::isdigit(static_cast<unsigned char>(id[4])) || number < 1 || number > 16)
    return false;
  return std::all_of(id.begin() + 6, id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// The ids of the lab::ask("...") or lab::reveal("...") calls in `source`.
std::vector<std::string> ids_in_calls(const std::string& source, const std::string& function) {
  std::vector<std::string> ids;
  const std::string call = "lab::" + function + "(";
  for (auto at = source.find(call); at != std::string::npos; at = source.find(call, at + 1)) {
    auto open = at + call.size();
    while (open < source.size() && std::isspace(static_cast<unsigned char>(source[open]))) ++open;
    if (open >= source.size() || source[open] != '"') {
      ids.push_back("(not a literal)");
      continue;
    }
    const auto close = source.find('"', open + 1);
    ids.push_back(source.substr(open + 1, close - open - 1));
  }
  return ids;
}

// A value of the run that `when` names: "2+" -> "2", "Z" -> "Z".
std::string sample_of(std::string_view when) {
  return std::string(when.ends_with('+') ? when.substr(0, when.size() - 1) : when);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lab_sources() {
  const char* root = std::getenv("FORKLAB_SOURCE_DIR");
  REQUIRE_MESSAGE(root != nullptr, "FORKLAB_SOURCE_DIR is not set (run with meson test)");
  const std::string dir = std::string(root) + "/labs";
  std::vector<std::string> files;
  DIR* stream = ::opendir(dir.c_str());
  REQUIRE(stream != nullptr);
  while (const dirent* entry = ::readdir(stream)) {
    const std::string name = entry->d_name;
    if (name.starts_with("lab") && name.ends_with(".cpp")) files.push_back(dir + "/" + name);
  }
  ::closedir(stream);
  std::sort(files.begin(), files.end());
  return files;
}

// The JSON lines of `text` of one kind.
std::vector<json_object> events_of(const std::string& text, const std::string& kind) {
  std::vector<json_object> events;
  for (const auto& line : unit::lines_of(text).lines) {
    const json_object event = parse_json_line(line);
    if (event.text("kind") == kind) events.push_back(event);
  }
  return events;
}

// In a child without a controlling terminal (so the quiz reads standard
// input): stdin gets `input`, the narrator starts as given, `body` runs.
// Returns what the child printed.
std::string run_quiz(const std::string& input, bool step, bool quiz, const std::string& lang,
                     const std::function<void()>& body) {
  capture out(STDOUT_FILENO);
  child_process child([&] {
    ::setsid();
    auto in = lab::make_pipe();
    lab::write_all(in.write_end.get(), input);
    in.write_end.reset();
    ::dup2(in.read_end.get(), STDIN_FILENO);
    lab::start_narrator({.program = "unit-quiz", .json = true, .step = step, .lang = lang});
    lab::enable_quiz(quiz);
    body();
    return 0;
  });
  const int status = child.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return out.text();
}

}  // namespace

TEST_CASE("every lab has one question, with a well-formed id") {
  std::set<std::string> ids;
  for (const auto& question : lab::quiz_questions()) {
    CAPTURE(question.id);
    CHECK(well_formed_id(question.id));
    CHECK(ids.insert(std::string(question.id.substr(0, 5))).second);  // one per lab
    CHECK(lab::find_quiz_question(question.id) == &question);
  }
  CHECK(ids.size() == 16);
  CHECK(lab::find_quiz_question("lab99.nothing") == nullptr);
}

TEST_CASE("each question is whole in English and in Chinese") {
  for (const auto& question : lab::quiz_questions()) {
    CAPTURE(question.id);
    CHECK(!question.en.empty());
    CHECK(has_chinese(question.zh));
    CHECK(!question.why_en.empty());
    CHECK(has_chinese(question.why_zh));
    CHECK(placeholders(question.zh) == placeholders(question.en));
    CHECK(placeholders(question.why_zh) == placeholders(question.why_en));
    int english = 0, chinese = 0;
    bool gap = false;
    for (const auto& choice : question.choices) {
      if (choice.en.empty() && choice.zh.empty()) {
        gap = true;
        continue;
      }
      CHECK_MESSAGE(!gap, "a choice after an empty one");
      CHECK(!choice.when.empty());
      CHECK(placeholders(choice.zh) == placeholders(choice.en));
      english += !choice.en.empty();
      chinese += !choice.zh.empty();
    }
    CHECK(english == chinese);  // as many choices in both languages
    CHECK(english == lab::quiz_choice_count(question));
    CHECK(english >= 2);
  }
}

TEST_CASE("the value each choice names makes that choice the right one, within range") {
  for (const auto& question : lab::quiz_questions()) {
    CAPTURE(question.id);
    const int count = lab::quiz_choice_count(question);
    for (int i = 0; i < count; ++i) {
      const auto when = question.choices[static_cast<std::size_t>(i)].when;
      CAPTURE(when);
      const int right = lab::right_quiz_choice(question, sample_of(when));
      CHECK(right >= 1);
      CHECK(right <= count);
      CHECK(right == i + 1);  // no earlier choice takes its value
    }
    CHECK(lab::right_quiz_choice(question, "no such value") == 0);
  }
}

TEST_CASE("counts: a number, or a number and more") {
  const auto* zombies = lab::find_quiz_question("lab10.zombies");
  REQUIRE(zombies != nullptr);
  CHECK(lab::right_quiz_choice(*zombies, "0") == 1);
  CHECK(lab::right_quiz_choice(*zombies, "1") == 2);
  CHECK(lab::right_quiz_choice(*zombies, "2") == 3);
  CHECK(lab::right_quiz_choice(*zombies, "63") == 3);
  CHECK(lab::right_quiz_choice(*zombies, "-1") == 0);
  CHECK(lab::right_quiz_choice(*zombies, "") == 0);
  CHECK(lab::right_quiz_choice(*zombies, "3x") == 0);
}

TEST_CASE("an answer line is a choice number, or no answer") {
  CHECK(lab::parse_quiz_answer("2", 3) == 2);
  CHECK(lab::parse_quiz_answer(" 3 ", 3) == 3);
  CHECK(lab::parse_quiz_answer("1\r", 3) == 1);
  CHECK(lab::parse_quiz_answer("", 3) == 0);
  CHECK(lab::parse_quiz_answer("0", 3) == 0);
  CHECK(lab::parse_quiz_answer("4", 3) == 0);
  CHECK(lab::parse_quiz_answer("two", 3) == 0);
  CHECK(lab::parse_quiz_answer("12", 3) == 0);
  CHECK(lab::parse_quiz_answer("-1", 3) == 0);
}

TEST_CASE("the words around the questions exist in both languages, with the same placeholders") {
  const auto& en = lab::quiz_words_in("en");
  const auto& zh = lab::quiz_words_in("zh");
  const std::pair<std::string_view, std::string_view> pairs[] = {{en.ask, zh.ask},
                                                                 {en.hint, zh.hint},
                                                                 {en.right, zh.right},
                                                                 {en.wrong, zh.wrong},
                                                                 {en.unanswered, zh.unanswered},
                                                                 {en.unmatched, zh.unmatched},
                                                                 {en.unmarked, zh.unmarked}};
  for (const auto& [english, chinese] : pairs) {
    CAPTURE(english);
    CHECK(!english.empty());
    CHECK(has_chinese(chinese));
    CHECK(placeholders(chinese) == placeholders(english));
  }
}

TEST_CASE("every lab asks its own question and reveals it") {
  const auto files = lab_sources();
  CHECK(files.size() == 16);
  for (const auto& file : files) {
    CAPTURE(file);
    const std::string source = read_file(file);
    const std::string number = file.substr(file.rfind("/lab") + 4, 2);
    const auto asked = ids_in_calls(source, "ask");
    const auto revealed = ids_in_calls(source, "reveal");
    CHECK(asked.size() == 1);
    CHECK(!revealed.empty());
    for (const auto& ids : {asked, revealed})
      for (const std::string& id : ids) {
        CAPTURE(id);
        CHECK(id.starts_with("lab" + number + "."));
        CHECK(lab::find_quiz_question(id) != nullptr);
        if (!asked.empty()) CHECK(id == asked.front());
      }
  }
}

TEST_CASE("with --step: the question, the learner's answer, the run's answer") {
  const std::string out = run_quiz("1\n", true, true, "en", [] {
    lab::ask("lab10.zombies", {{"children", 4}, {"reaper", "once"}});
    lab::reveal("lab10.zombies", 3);
    lab::reveal("lab10.zombies", 0);  // revealed once only
  });
  const auto quizzes = events_of(out, "quiz");
  REQUIRE(quizzes.size() == 1);
  CHECK(quizzes[0].text("question") == "lab10.zombies");
  CHECK(quizzes[0].integer("choices") == 3);
  CHECK(quizzes[0].text("prompt").find("4 children") != std::string::npos);
  CHECK(quizzes[0].text("text").find("3) more than one") != std::string::npos);
  const auto answers = events_of(out, "answer");
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].integer("chosen") == 1);
  CHECK(answers[0].integer("right") == 3);
  CHECK(answers[0].integer("actual") == 3);
  CHECK_FALSE(answers[0].boolean("correct"));
  CHECK(answers[0].text("why").find("4 exits") != std::string::npos);
  CHECK(answers[0].text("why").find("(3 here)") != std::string::npos);
}

TEST_CASE("a right answer, in Chinese; an empty line skips; end of input ends the quiz") {
  const std::string out = run_quiz("3\n\n", true, true, "zh", [] {
    lab::ask("lab10.zombies", {{"children", 4}, {"reaper", "once"}});
    lab::reveal("lab10.zombies", 3);
    lab::ask("lab03.extra_wait");
    lab::reveal("lab03.extra_wait", "ECHILD");
    lab::ask("lab04.wnohang");  // asked; the input ends while it waits for the answer
    lab::reveal("lab04.wnohang", "0");
    lab::ask("lab05.sleep_left", {{"alarm", 2}, {"sleep", 100}});  // not asked any more
    lab::reveal("lab05.sleep_left", 98);
  });
  const auto quizzes = events_of(out, "quiz");
  REQUIRE(quizzes.size() == 3);
  CHECK(has_chinese(quizzes[0].text("text")));
  CHECK_FALSE(quizzes[0].has("untranslated"));
  const auto answers = events_of(out, "answer");
  REQUIRE(answers.size() == 3);
  CHECK(answers[0].boolean("correct"));
  CHECK(answers[0].text("text").starts_with("答对了"));
  CHECK(answers[1].integer("chosen") == 0);  // the empty line
  CHECK(answers[1].integer("right") == 3);
  CHECK(answers[1].text("actual") == "ECHILD");
  CHECK(answers[2].integer("chosen") == 0);  // end of input
}

TEST_CASE("no question without --step, nor with --no-quiz; an unknown id is an error") {
  for (const bool step : {false, true}) {
    const std::string out = run_quiz("1\n", step, !step, "en", [] {
      lab::ask("lab01.global");
      lab::reveal("lab01.global", 12);
    });
    CHECK(out.empty());
  }
  CHECK_THROWS_AS(lab::ask("lab99.nothing"), std::invalid_argument);
  CHECK_THROWS_AS(lab::reveal("lab99.nothing", 1), std::invalid_argument);
}
