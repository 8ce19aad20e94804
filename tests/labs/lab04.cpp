// lab04-waitpid: waitpid(WNOHANG) lets the parent work while its child lives.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"

using namespace harness;

TEST_CASE("the parent polls while the child lives, then decodes its status 24") {
  lab_process lab("lab04-waitpid", {"--child-sleep", "2", "--poll", "0.1"});
  const auto child = static_cast<pid_t>(lab.expect("fork").number("child"));
  const event first_poll = lab.expect("poll");
  // The poll returned 0 and the child is still there, the lab's child, not
  // yet exited: the parent's work loop runs while the child lives.
  CHECK(first_poll.number("returned") == 0);
  CHECK(first_poll.number("child") == child);
  const auto info = lab::read_proc(child);
  REQUIRE(info);
  CHECK(info->ppid == lab.pid());
  CHECK(info->state != 'Z');

  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());

  const auto reaps = lab.events_of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].number("child") == child);
  CHECK(reaps[0].text("how") == "exited");
  CHECK(reaps[0].number("code") == 24);
  CHECK(reaps[0].number("t_ms") >= 2000);  // not before the child's 2 s sleep ended
  const auto exits = lab.events_of("exit");
  REQUIRE(exits.size() == 1);
  CHECK(exits[0].pid() == child);

  // Polls are numbered 1..n, all before the reap; the first came before the
  // child exited.
  const auto polls = lab.events_of("poll");
  REQUIRE(!polls.empty());
  for (std::size_t i = 0; i < polls.size(); ++i) {
    CHECK(polls[i].number("poll") == static_cast<long long>(i + 1));
    CHECK(polls[i].number("returned") == 0);
    CHECK(polls[i].number("seq") < reaps[0].number("seq"));
  }
  CHECK(polls[0].number("seq") < exits[0].number("seq"));
  CHECK_FALSE(lab::read_proc(child));
}

TEST_CASE("into a pipe, every line appears exactly once") {
  const auto json = run_lab("lab04-waitpid", {"--child-sleep", "0.3", "--poll", "0.05"});
  CHECK(WEXITSTATUS(json.status) == 0);
  CHECK(check_each_line_once(json.events) == "");
  CHECK(json.of("reap").size() == 1);
  CHECK(!json.of("poll").empty());

  const auto human =
      run_lab("lab04-waitpid", {"--child-sleep", "0.3", "--poll", "0.05"}, {.json = false});
  CHECK(WEXITSTATUS(human.status) == 0);
  CHECK(check_each_line_once(human.lines) == "");
  int reaps = 0;
  for (const auto& line : human.lines) {
    CHECK(line.rfind("{", 0) != 0);  // not JSON
    if (line.find("exited 24") != std::string::npos) reaps = reaps + 1;
  }
  CHECK(reaps == 1);
}

TEST_CASE("SIGINT to the group and SIGTERM to the parent while polling leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab04-waitpid", {"--child-sleep", "60", "--poll", "0.1"});
    const auto child = static_cast<pid_t>(lab.expect("fork").number("child"));
    lab.expect("poll");
    check_interrupted(lab, signo);
    CHECK_FALSE(lab::read_proc(child));
  }
}

TEST_CASE("--step pauses at each stage and goes on at Enter") {
  lab_process lab("lab04-waitpid",
                  {"--step", "--no-quiz", "--child-sleep", "0.2", "--poll", "0.05"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // before fork
  lab.write_stdin("\n");
  lab.expect("pause");  // before polling
  lab.write_stdin("\n");
  lab.expect("pause");  // child reaped
  CHECK(lab.events_of("reap").size() == 1);
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab04-waitpid", {"--child-sleep", "--poll"});
  check_refused(
      "lab04-waitpid",
      {{"--poll", "0"}, {"--poll", "often"}, {"--child-sleep", "-1"}, {"--child-sleep", "long"}});
}

// A learner at a terminal, slower than the child's whole sleep at every prompt:
// the child is held until the first waitpid() has answered, so that answer is
// still 0, the lesson's answer, and the right choice is marked right.
TEST_CASE("--step at a terminal, answering 3x slower than the child sleeps: waitpid gives 0") {
  for (const std::string choice : {"2", "1"}) {  // right ("0, at once"), then wrong
    CAPTURE(choice);
    lab_process lab("lab04-waitpid", {"--step", "--child-sleep", "0.2", "--poll", "0.05"},
                    {.terminal = true});
    const auto slowly = [&](const std::string& line) {
      std::this_thread::sleep_for(600ms);  // 3x --child-sleep
      lab.write_stdin(line);
    };
    lab.expect("pause");  // before fork
    slowly("\n");
    const auto child = static_cast<pid_t>(lab.expect("fork").number("child"));
    lab.expect("pause");  // before polling
    slowly("\n");
    const event quiz = lab.expect("quiz");
    CHECK(quiz.text("question") == "lab04.wnohang");
    std::this_thread::sleep_for(600ms);
    // The child has slept its 0.2 s long ago, yet it has not exited.
    const auto info = lab::read_proc(child);
    REQUIRE(info);
    CHECK(info->state != 'Z');
    lab.write_stdin(choice + "\n");
    const event answer = lab.expect("answer");
    CHECK(answer.text("actual") == "0");
    CHECK(answer.boolean("premise"));
    CHECK(answer.boolean("marked"));
    CHECK(answer.number("right") == 2);
    CHECK(answer.text("right_text").starts_with("2) 0"));
    CHECK(answer.boolean("correct") == (choice == "2"));
    const event first_poll = lab.expect("poll");
    CHECK(first_poll.number("returned") == 0);
    CHECK(first_poll.number("seq") > answer.number("seq"));
    lab.expect("pause");  // child reaped
    const auto reaps = lab.events_of("reap");
    REQUIRE(reaps.size() == 1);
    CHECK(reaps[0].number("code") == 24);
    CHECK(lab.events_of("exit").at(0).number("seq") > answer.number("seq"));
    lab.write_stdin("\n");
    const int status = lab.wait_exit();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(lab.group_gone());
  }
}

TEST_CASE("the summary counts polls in words: once, or N times") {
  const auto run =
      run_lab("lab04-waitpid", {"--child-sleep", "0.3", "--poll", "1"}, {.json = false});
  CHECK(WEXITSTATUS(run.status) == 0);
  bool once = false;
  for (const auto& line : run.lines)
    if (line.find("waitpid() returned 0 once") != std::string::npos) once = true;
  CHECK(once);
}
