// lab04-waitpid — waitpid(pid, &status, WNOHANG): ask, don't block.
//
// wait() blocks until a child ends. waitpid() waits for one child by pid and,
// given WNOHANG, does not block at all: it returns 0 while that child is still
// running, and the child's pid (with its status filled in) once it has ended.
// So the parent can poll: ask, do some work of its own, ask again. Here the
// child sleeps, then exits with 24; the parent asks every --poll seconds.
//
// The book's waitpid.c: the child sleeps 15 s and returns 24; the parent loops
// on waitpid(-1, &status, WNOHANG), sleeping 3 s each time it returns 0. With
// --step the child does not exit before the first waitpid() has answered,
// however long the learner takes: the question's premise holds.
//
// Watch for: the "poll" lines (waitpid returned 0, the child still in /proc,
// the parent working), then the "reap" line: exited 24.
//
// Usage: lab04-waitpid [--child-sleep S] [--poll S] [--json] [--step]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "lab.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab04.wnohang",
    "The child has not exited yet. What will waitpid(child, &status, WNOHANG) return?",
    {{{"pid", "the child's pid, once it has waited for the child to end"},
      {"0", "0, at once: the child has not ended yet"},
      {"-1", "-1, with errno EAGAIN"}}},
    "WNOHANG tells waitpid() never to block: it returns 0 while the child runs and the child's "
    "pid once it has ended, so the parent can do its own work between two calls."};
static_assert(lab::well_formed(question));

namespace {

// What /proc says of the child now: "S" (sleeping), "Z" (exited, not yet
// reaped), "-" (gone).
std::string state_of(pid_t pid) {
  const auto info = lab::read_proc(pid);
  return info ? std::string(1, info->state) : std::string("-");
}

}  // namespace

int main(int argc, char** argv) {
  lab::seconds child_sleep{15};
  lab::seconds poll_interval{3};
  lab::command_line cli("lab04-waitpid",
                        "waitpid(pid, &status, WNOHANG) returns 0 while the child runs, so the "
                        "parent can do its own work between polls.");
  cli.option("--child-sleep", child_sleep, "how long the child sleeps before it exits with 24", 0,
             86400);
  cli.option("--poll", poll_interval, "how long the parent works between two waitpid() calls",
             0.001, 3600);
  return cli.run(argc, argv, [&] {
    lab::stage("before fork: one process");
    lab::gate first_answer;  // the child may not exit before the first waitpid() has answered
    const pid_t child = lab::fork_as("child");
    if (child == 0) {  // child
      lab::say("sleep", "child sleeps {seconds} s, then exits with 24",
               {{"seconds", child_sleep.count()}});
      std::this_thread::sleep_for(child_sleep);
      first_answer.pass();  // at once, unless a learner is still answering (--step)
      lab::say("exit", "child exits with status {code}", {{"code", 24}});
      ::_exit(24);
    }
    // parent
    lab::say("fork", "forked child {child}", {{"child", child}});
    lab::stage("the parent polls with waitpid(WNOHANG) and works in between");
    lab::ask(question);  // --step: predict the first answer

    int polls = 0;
    int status = 0;
    for (;;) {
      // -1 (ECHILD, EINVAL) throws: status is only read once it is filled in.
      const pid_t returned = lab::check(::waitpid(child, &status, WNOHANG), "waitpid");
      if (polls == 0) {  // the first answer; the question's premise: the child has not ended
        const std::string answer = returned == child ? "pid" : std::to_string(returned);
        const std::string seen = state_of(child);
        if (returned == 0 && seen != "Z" && seen != "-")
          lab::reveal(question, answer);
        else
          lab::reveal_unmarked(question, "the child had already ended", answer);
        first_answer.open();
      }
      if (returned == child) break;
      ++polls;
      lab::say("poll",
               "waitpid(WNOHANG) returned {returned}: child {child} has not ended (/proc: "
               "state {child_state}); the parent does its own work for {seconds} s",
               {{"poll", polls},
                {"returned", returned},
                {"child", child},
                {"child_state", state_of(child)},
                {"seconds", poll_interval.count()}});
      std::this_thread::sleep_for(poll_interval);  // the parent's "own work"
    }
    lab::say_reap(child, status);
    lab::stage(polls == 1 ? "child reaped; before that, waitpid() returned 0 once"
                          : "child reaped; before that, waitpid() returned 0 {polls} times",
               {{"polls", polls}});

    if (!WIFEXITED(status) || WEXITSTATUS(status) != 24) {
      lab::say_error("child {child} did not exit with 24", {{"child", child}});
      return 1;
    }
    return 0;
  });
}
