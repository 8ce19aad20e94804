// quiz: a question is checked at compile time (well_formed, beside it on its
// page); every value a choice names makes that choice the right one; every
// lab asks its own question and reveals it; ask/reveal speak only in --step
// mode, reading the learner's answer from standard input, in the reader's
// language (the question's texts are message ids, translated by books).
#include "voice/quiz.hpp"

#include <dirent.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "voice/i18n.hpp"
#include "voice/narrator.hpp"
#include "support.hpp"
#include "../support/writing.hpp"

using harness::has_chinese;
using unit::capture;
using unit::child_process;
using unit::json_object;
using unit::parse_json_line;

namespace {

// Questions of the labs, copied: the engine is tested on its own.
constexpr lab::quiz_question zombies{
    "lab10.zombies",
    "{children} children exit while SIGCHLD is blocked; then SIGCHLD is unblocked and the "
    "handler (--reaper {reaper}) runs. How many zombies will be left?",
    {{{"0", "none"}, {"1", "one"}, {"2+", "more than one"}}},
    "a blocked standard signal is one pending bit, so {children} exits made the handler run "
    "once: reaping one child per run leaves the others as zombies, reaping in a loop leaves "
    "none ({actual} here)."};
constexpr lab::quiz_question extra_wait{
    "lab03.extra_wait",
    "Every child has been reaped. What will one more wait() do?",
    {{{"block", "block until some child ends"},
      {"0", "return 0: there is nothing to report"},
      {"ECHILD", "return -1 at once, errno ECHILD"}}},
    "wait() blocks only while the caller has children not yet reaped; with none left it fails "
    "at once ({actual}), which is how a reaping loop knows it is done."};
constexpr lab::quiz_question wnohang{
    "lab04.wnohang",
    "The child has not exited yet. What will waitpid(child, &status, WNOHANG) return?",
    {{{"pid", "the child's pid, once it has waited for the child to end"},
      {"0", "0, at once: the child has not ended yet"},
      {"-1", "-1, with errno EAGAIN"}}},
    "WNOHANG never blocks."};
constexpr lab::quiz_question sleep_left{
    "lab05.sleep_left",
    "alarm({alarm}) is set, then sleep({sleep}) begins. What will sleep() return?",
    {{{"0", "0: it goes back to sleep and finishes"},
      {"1+", "the seconds it did not sleep"},
      {"-1", "-1, with errno EINTR"}}},
    "sleep() is never restarted ({actual} here)."};

// The Chinese of two of them, as a lab's book gives it.
constexpr lab::translation chinese[] = {
    {zombies.text,
     "{children} 个子进程在 SIGCHLD 被阻塞时退出；随后解除阻塞，信号处理函数（--reaper "
     "{reaper}）运行。最后会剩下几个僵尸进程？"},
    {"none", "一个也没有"},
    {"one", "一个"},
    {"more than one", "不止一个"},
    {zombies.why, "被阻塞的标准信号只是一个未决位（这里是 {actual}）。"},
    {extra_wait.text, "所有子进程都已回收。再调用一次 wait() 会怎样？"},
};
const lab::enrol_book chinese_book("unit-quiz", "zh", chinese);

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

TEST_CASE("well_formed: an id labNN.word, texts, two choices or more, no gap, each reachable") {
  static_assert(lab::well_formed(zombies));
  static_assert(lab::well_formed(extra_wait));
  CHECK(lab::well_formed(wnohang));
  auto broken = zombies;
  broken.id = "lab10";
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.id = "labXY.zombies";
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.id = "lab10.Zombies";
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.why = "";
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.choices[1] = {};  // a gap before the last choice
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.choices[1] = {"", "one"};  // no value makes it right
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.choices[2] = {"1", "more than one"};  // unreachable: "1" picks the choice before it
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.choices[0] = {"0+", "none"};  // takes every value of the others
  CHECK_FALSE(lab::well_formed(broken));
  broken = zombies;
  broken.choices = {{{"0", "none"}}};
  CHECK_FALSE(lab::well_formed(broken));  // one choice is no question
}

TEST_CASE("the value each choice names makes that choice the right one") {
  for (const auto* question : {&zombies, &extra_wait, &wnohang, &sleep_left}) {
    CAPTURE(question->id);
    const int count = lab::quiz_choice_count(*question);
    CHECK(count == 3);
    for (int i = 0; i < count; ++i) {
      const auto when = question->choices[static_cast<std::size_t>(i)].when;
      CAPTURE(when);
      CHECK(lab::right_quiz_choice(*question, sample_of(when)) == i + 1);
    }
    CHECK(lab::right_quiz_choice(*question, "no such value") == 0);
  }
}

TEST_CASE("counts: a number, or a number and more") {
  CHECK(lab::right_quiz_choice(zombies, "0") == 1);
  CHECK(lab::right_quiz_choice(zombies, "1") == 2);
  CHECK(lab::right_quiz_choice(zombies, "2") == 3);
  CHECK(lab::right_quiz_choice(zombies, "63") == 3);
  CHECK(lab::right_quiz_choice(zombies, "-1") == 0);
  CHECK(lab::right_quiz_choice(zombies, "") == 0);
  CHECK(lab::right_quiz_choice(zombies, "3x") == 0);
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

TEST_CASE("every lab writes its question on its page, checked, asks it once and reveals it") {
  const auto files = lab_sources();
  CHECK(files.size() == 16);
  const auto count = [](const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  for (const auto& file : files) {
    CAPTURE(file);
    const std::string source = read_file(file);
    const std::string number = file.substr(file.rfind("/lab") + 4, 2);
    CHECK(count(source, "constexpr lab::quiz_question question{\n    \"lab" + number + ".") == 1);
    CHECK(count(source, "static_assert(lab::well_formed(question));") == 1);
    CHECK(count(source, "lab::ask(question") == 1);
    CHECK(count(source, "lab::reveal(question") + count(source, "lab::reveal_unmarked(question") >=
          1);
  }
}

TEST_CASE("with --step: the question, the learner's answer, the run's answer") {
  const std::string out = run_quiz("1\n", true, true, "en", [] {
    lab::ask(zombies, {{"children", 4}, {"reaper", "once"}});
    lab::reveal(zombies, 3);
    lab::reveal(zombies, 0);  // revealed once only
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
    lab::ask(zombies, {{"children", 4}, {"reaper", "once"}});
    lab::reveal(zombies, 3);
    lab::ask(extra_wait);
    lab::reveal(extra_wait, "ECHILD");
    lab::ask(wnohang);  // asked; the input ends while it waits for the answer
    lab::reveal(wnohang, "0");
    lab::ask(sleep_left, {{"alarm", 2}, {"sleep", 100}});  // not asked any more
    lab::reveal(sleep_left, 98);
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

TEST_CASE("no question without --step, nor with --no-quiz") {
  for (const bool step : {false, true}) {
    const std::string out = run_quiz("1\n", step, !step, "en", [] {
      lab::ask(zombies);
      lab::reveal(zombies, 2);
    });
    CHECK(out.empty());
  }
}
