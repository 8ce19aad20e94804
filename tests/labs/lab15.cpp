// lab15-sigpipe: writing to a peer that has reset — SIGPIPE kills the writer
// unless it is ignored or the call says MSG_NOSIGNAL.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "checks.hpp"
#include "harness.hpp"
#include "shared.hpp"
#include "os/proc.hpp"
#include "slow_step.hpp"

using namespace harness;

namespace {

// The exit status the kernel keeps for a zombie, as waitpid would report it:
// field 52 (exit_code) of /proc/PID/stat. -1 if unreadable.
int zombie_exit_code(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));  // field 3 onwards
  std::string field;
  for (int number = 3; fields >> field; ++number)
    if (number == 52) return std::stoi(field);
  return -1;
}

pid_t writer_pid(const lab_process& lab) {
  const auto forks = lab.events_of("fork");
  REQUIRE(forks.size() == 1);
  return static_cast<pid_t>(forks[0].number("child"));
}

std::vector<event> writes_of(const lab_process& lab) {
  return lab.events_of("write");
}

bool sigpipe_bit(unsigned long long mask) {
  return (mask >> (SIGPIPE - 1)) & 1;
}

}  // namespace

TEST_CASE(
    "default: after the RST, write fails once with ECONNRESET, then SIGPIPE kills the writer") {
  lab_process lab("lab15-sigpipe", {"--step", "--no-quiz"}, {.stdin_pipe = true});
  pause_at(lab, "is a zombie");
  const pid_t writer = writer_pid(lab);
  // Independently of the lab's words: the kernel's record of the dead writer.
  const auto info = lab::read_proc(writer);
  REQUIRE(info);
  CHECK(info->state == 'Z');
  const int raw = zombie_exit_code(writer);
  CHECK(WIFSIGNALED(raw));
  CHECK(WTERMSIG(raw) == SIGPIPE);
  lab.close_stdin();
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(lab.group_gone());

  const auto polls = lab.events_of("poll");
  REQUIRE(polls.size() == 1);
  CHECK(polls[0].text("revents").find("POLLHUP") != std::string::npos);
  CHECK(polls[0].text("revents").find("POLLERR") != std::string::npos);
  const auto writes = writes_of(lab);
  REQUIRE(writes.size() == 2);  // the third write never returned
  CHECK(writes[0].number("result") == 6);
  CHECK(writes[1].number("attempt") == 2);
  CHECK(writes[1].number("result") == -1);
  CHECK(writes[1].text("error") == "ECONNRESET");
  for (const auto& e : lab.events_of("exit")) CHECK(e.role() != "writer");  // died in silence

  const auto reaps = lab.events_of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].number("child") == writer);
  CHECK(reaps[0].text("how") == "killed");
  CHECK(reaps[0].number("code") == SIGPIPE);
  CHECK(reaps[0].text("status") == "killed by SIGPIPE");
  const auto results = lab.events_of("result");
  REQUIRE(results.size() == 1);
  CHECK(results[0].boolean("expected"));
}

TEST_CASE("ignore and nosignal: the same write fails with EPIPE and the writer lives on") {
  for (const std::string mode : {"ignore", "nosignal"}) {
    CAPTURE(mode);
    lab_process lab("lab15-sigpipe", {"--mode", mode, "--step", "--no-quiz"}, {.stdin_pipe = true});
    pause_at(lab, "writes again");
    const pid_t writer = writer_pid(lab);
    const auto masks = lab::read_signal_masks(writer);
    REQUIRE(masks);
    // ignore: SIG_IGN is what saves it; nosignal: SIGPIPE is still at its default.
    CHECK(sigpipe_bit(masks->ignored) == (mode == "ignore"));
    CHECK_FALSE(sigpipe_bit(masks->caught));
    lab.write_stdin("\n");
    pause_at(lab, "is a zombie");
    const int raw = zombie_exit_code(writer);
    CHECK(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 0);
    lab.close_stdin();
    const int status = lab.wait_exit();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(lab.group_gone());

    const auto writes = writes_of(lab);
    REQUIRE(writes.size() == 3);
    for (const auto& e : writes)
      CHECK(e.text("call") == (mode == "nosignal" ? "send(MSG_NOSIGNAL)" : "write()"));
    CHECK(writes[1].text("error") == "ECONNRESET");
    CHECK(writes[2].number("attempt") == 3);
    CHECK(writes[2].number("result") == -1);
    CHECK(writes[2].text("error") == "EPIPE");
    bool writer_reported = false;
    for (const auto& e : lab.events_of("exit"))
      if (e.role() == "writer") writer_reported = true;
    CHECK(writer_reported);
    const auto reaps = lab.events_of("reap");
    REQUIRE(reaps.size() == 1);
    CHECK(reaps[0].number("child") == writer);
    CHECK(reaps[0].text("how") == "exited");
    CHECK(reaps[0].number("code") == 0);
  }
}

TEST_CASE("into a pipe, every line appears exactly once") {
  for (const std::string mode : {"default", "ignore"}) {
    CAPTURE(mode);
    const auto json = run_lab("lab15-sigpipe", {"--mode", mode});
    CHECK(WEXITSTATUS(json.status) == 0);
    CHECK(check_each_line_once(json.events) == "");
    CHECK(json.of("reap").size() == 1);

    const auto human = run_lab("lab15-sigpipe", {"--mode", mode}, {.json = false});
    CHECK(WEXITSTATUS(human.status) == 0);
    CHECK(check_each_line_once(human.lines) == "");
    int reaps = 0;
    for (const auto& line : human.lines) {
      CHECK(line.rfind("{", 0) != 0);  // not JSON
      if (line.find(" reap ") != std::string::npos) reaps = reaps + 1;
    }
    CHECK(reaps == 1);
  }
}

TEST_CASE("SIGINT to the group and SIGTERM to the lab during the hold leave no process") {
  for (const int signo : {SIGINT, SIGTERM}) {
    CAPTURE(signo);
    lab_process lab("lab15-sigpipe", {"--hold", "60"});
    lab.expect("sleep");
    const auto dead_writer = lab::read_proc(writer_pid(lab));
    REQUIRE(dead_writer);
    CHECK(dead_writer->state == 'Z');
    check_interrupted(lab, signo);
  }
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab15-sigpipe", {"--mode", "nosignal", "--hold"});
  check_refused("lab15-sigpipe",
                {{"--mode", "loud"}, {"--hold", "-1"}, {"--hold", "soon"}, {"--no-such-option"}});
}


TEST_CASE("--step at a terminal, answered slowly: the writer waits for the reset; SIGPIPE kills") {
  // The writer gives up if no RST comes within 10 s of its cue. The learner
  // takes 10.5 s at the peer's pause before the reset: the cue must come after.
  lab_process lab("lab15-sigpipe", {"--mode", "default", "--step"}, {.terminal = true});
  const auto writer_waits = [&] {
    const auto children = lab::children_of(lab.pid());
    REQUIRE(children.size() == 1);
    const auto info = lab::read_proc(children[0]);
    REQUIRE(info);
    CHECK(info->state == 'S');
  };
  const int status = answer_slowly(lab, {{"", 500ms},
                                         {"1", 500ms},  // killed by SIGPIPE
                                         {"", 10500ms, writer_waits},
                                         {"", 500ms},
                                         {"", 500ms},
                                         {"", 500ms}});
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_marked_right(lab, "lab15.writer_end", 1);
  const auto reaps = lab.events_of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].text("how") == "killed");
  CHECK(reaps[0].number("code") == SIGPIPE);
  CHECK(lab.group_gone());
}

TEST_CASE("--step: the writer killed during a pause, the question's premise is gone: not marked") {
  lab_process lab("lab15-sigpipe", {"--mode", "default", "--step"}, {.terminal = true});
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.expect("quiz");
  lab.write_stdin("1\n");  // killed by SIGPIPE: the lesson's answer, but not what will happen
  lab.expect("pause");     // the peer's pause, before the reset
  lab.write_stdin("\n");
  const event writer_pause = lab.expect("pause");  // the writer's, after the RST
  REQUIRE(writer_pause.role() == "writer");
  REQUIRE(::kill(writer_pause.pid(), SIGKILL) == 0);  // before its writes after the reset
  const event answer = lab.expect("answer");
  CHECK_FALSE(answer.boolean("premise"));
  CHECK_FALSE(answer.boolean("marked"));
  CHECK_FALSE(answer.boolean("correct"));
  CHECK(answer.text("what_changed") == "the writer ended before its writes after the reset");
  lab.expect("pause");
  lab.write_stdin("\n");
  const int status = lab.wait_exit();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);  // the run did not show the lesson, and says so
  const auto reaps = lab.events_of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].text("how") == "killed");
  CHECK(reaps[0].number("code") == SIGKILL);
  CHECK(lab.group_gone());
}
