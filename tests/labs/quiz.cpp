// The quiz (predict, then observe), through lab01 and lab10: with --step the
// lab asks before its key moment, reads the learner's answer from standard
// input, and its "answer" event reports that choice beside the one the real
// run makes right — lab01's from the value the child really holds, lab10's
// from the zombies really left in /proc. --no-quiz, or no --step: no question.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <optional>

#include "harness.hpp"
#include "shared.hpp"
#include "os/proc.hpp"

using namespace harness;

namespace {

// Waits for a "pause" event after event `after`, which may already be among
// those read (the child's answer and the parent's pause race).
void expect_pause_after(lab_process& lab, const event& after) {
  for (const auto& e : lab.events_of("pause"))
    if (e.number("seq") > after.number("seq")) return;
  lab.expect("pause");
}

void check_clean_end(lab_process& lab) {
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
  CHECK(check_each_line_once(lab.events()) == "");
}

}  // namespace

TEST_CASE("lab01: the answer reports the learner's choice and the child's real global") {
  lab_process lab("lab01-fork", {"--step"}, {.stdin_pipe = true});
  lab.expect("pause");  // before fork
  lab.write_stdin("\n");
  const event quiz = lab.expect("quiz");
  CHECK(quiz.text("question") == "lab01.global");
  CHECK(quiz.number("choices") == 3);
  CHECK(lab.events_of("fork").empty());  // asked before the fork
  lab.write_stdin("2\n");                // "10": the wrong answer
  const event answer = lab.expect("answer");
  CHECK(answer.role() == "child");  // the child tells what it holds
  CHECK(answer.text("question") == "lab01.global");
  CHECK(answer.number("chosen") == 2);
  CHECK_FALSE(answer.boolean("correct"));
  // The right choice is the one the child's real value makes right.
  std::optional<event> child_values;
  for (const auto& e : lab.events_of("values"))
    if (e.pid() == answer.pid()) child_values = e;
  REQUIRE(child_values);
  CHECK(answer.number("actual") == child_values->number("global"));
  CHECK(child_values->number("global") == 12);
  CHECK(answer.number("right") == 1);  // "12: the child changed its own copy"
  CHECK(answer.text("right_text").starts_with("1) 12"));
  expect_pause_after(lab, quiz);  // after fork
  lab.write_stdin("\n");
  check_clean_end(lab);
  CHECK(lab.events_of("quiz").size() == 1);
  CHECK(lab.events_of("answer").size() == 1);
}

TEST_CASE("lab10 --reaper once --children 4: 3 zombies, as /proc shows; a right answer") {
  lab_process lab("lab10-coalesce",
                  {"--step", "--children", "4", "--reaper", "once", "--hold", "0"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // SIGCHLD blocked, before the forks
  lab.write_stdin("\n");
  lab.expect("pause");  // all zombies, SIGCHLD still blocked
  lab.write_stdin("\n");
  const event quiz = lab.expect("quiz");
  CHECK(quiz.text("question") == "lab10.zombies");
  CHECK(quiz.text("prompt").find("4 children") != std::string::npos);
  CHECK(lab.events_of("signal").empty());  // asked before the handler ran
  lab.write_stdin("3\n");                  // "more than one"
  const event answer = lab.expect("answer");
  CHECK(answer.number("chosen") == 3);
  CHECK(answer.number("actual") == 3);
  CHECK(answer.number("right") == 3);
  CHECK(answer.boolean("correct"));
  lab.expect("pause");  // the hold: the zombies are still there
  CHECK(zombies_of(lab.pid()) == answer.number("actual"));
  lab.write_stdin("\n");
  lab.expect("pause");  // the parent reaps what is left
  lab.write_stdin("\n");
  check_clean_end(lab);
}

TEST_CASE("lab10 --reaper loop: none left, and an empty line answers nothing") {
  lab_process lab("lab10-coalesce",
                  {"--step", "--children", "3", "--reaper", "loop", "--hold", "0"},
                  {.stdin_pipe = true});
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("quiz");
  lab.write_stdin("\n");
  const event answer = lab.expect("answer");
  CHECK(answer.number("chosen") == 0);
  CHECK(answer.number("right") == 1);  // "none"
  CHECK_FALSE(answer.boolean("correct"));
  lab.expect("pause");
  CHECK(zombies_of(lab.pid()) == answer.number("actual"));
  lab.close_stdin();  // end of input: the lab runs on without pausing
  check_clean_end(lab);
}

TEST_CASE("--no-quiz: pauses but no question; without --step: no question") {
  lab_process lab("lab01-fork", {"--step", "--no-quiz"}, {.stdin_pipe = true});
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("pause");
  lab.write_stdin("\n");
  check_clean_end(lab);
  CHECK(lab.events_of("quiz").empty());
  CHECK(lab.events_of("answer").empty());

  for (const auto& args : std::vector<std::vector<std::string>>{{}, {"--no-quiz"}}) {
    const auto run = run_lab("lab01-fork", args);
    CHECK(WEXITSTATUS(run.status) == 0);
    CHECK(run.of("quiz").empty());
    CHECK(run.of("answer").empty());
  }
  const auto loop =
      run_lab("lab10-coalesce", {"--children", "3", "--reaper", "once", "--hold", "0"});
  CHECK(WEXITSTATUS(loop.status) == 0);
  CHECK(loop.of("quiz").empty());
}
