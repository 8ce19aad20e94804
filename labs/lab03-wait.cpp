// lab03-wait — wait() blocks, then collects a child's exit status.
//
// wait(&status) blocks until some child has ended, reaps it and returns its
// pid; `status` packs how it ended: WEXITSTATUS is read only when WIFEXITED is
// true, WTERMSIG only when WIFSIGNALED is. As in the book's wait.c, child 1
// returns 3 and child 2 exits with 7 (here _exit(7)); child 2 ends only once
// /proc shows its parent blocked in wait() (state S, wchan do_wait). With
// --kill-one a third child is killed by SIGKILL.
// Watch for: child 2's "state" line, the "decode" lines, the tree: no zombie.
// Usage: lab03-wait [--kill-one] [--hold S] [--json] [--step]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "runtime/child_checks.hpp"
#include "lab.hpp"
#include "runtime/sleeps.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab03.extra_wait",
    "Every child has been reaped. What will one more wait() do?",
    {{{"block", "block until some child ends"},
      {"0", "return 0: there is nothing to report"},
      {"ECHILD", "return -1 at once, errno ECHILD"}}},
    "wait() blocks only while the caller has children not yet reaped; with none left it fails at "
    "once ({actual}), which is how a reaping loop knows it is done."};
static_assert(lab::well_formed(question));

namespace {

using namespace std::chrono_literals;

// The book's child returns 3 from main; ours from a function whose value the
// fork branch passes to _exit, as the C runtime passes main's to exit.
int first_child() {
  lab::say("exit", "child returns {code} from its function", {{"code", 3}});
  return 3;
}

// Child 2 ends only once /proc shows its parent blocked in wait() with no
// other child left: wait() sleeps while a child still runs.
int second_child(lab::gate& wait_called) {
  wait_called.pass();  // not before the parent goes into wait()
  const pid_t parent = ::getppid();
  const bool seen = lab::poll_until(
      [&] { return lab::children_of(parent).size() == 1 && lab::is_in(parent, 'S', "do_wait"); },
      10s);
  if (!seen) {
    lab::say_error("parent {child} was not seen blocked in wait() within 10 s",
                   {{"child", parent}});
    return 1;
  }
  lab::name_process(parent, "parent");
  lab::say_state(parent);
  lab::say("step",
           "the parent {child} is blocked in wait() (wchan do_wait) while child 2 still runs",
           {{"child", parent}});
  lab::say("exit", "child calls _exit({code})", {{"code", 7}});
  return 7;
}

// The lesson: read the raw status with the macros, each value only after its test.
void decode(pid_t child, int status) {
  if (WIFEXITED(status)) {
    lab::say("decode",
             "WIFEXITED(status) is true: child {child} exited; WEXITSTATUS(status) = {code}",
             {{"child", child}, {"raw", status}, {"exited", true}, {"code", WEXITSTATUS(status)}});
  } else if (WIFSIGNALED(status)) {
    lab::say("decode",
             "WIFEXITED(status) is false, WIFSIGNALED(status) is true: child {child} was "
             "killed; WTERMSIG(status) = {code} ({signal})",
             {{"child", child},
              {"raw", status},
              {"exited", false},
              {"code", WTERMSIG(status)},
              {"signal", lab::signal_name(WTERMSIG(status))}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool kill_one = false;
  lab::seconds hold{30};
  lab::command_line cli("lab03-wait",
                        "wait() blocks while a child runs and reaps one child per call; "
                        "WIFEXITED/WEXITSTATUS and WIFSIGNALED/WTERMSIG decode how it ended.");
  cli.flag("--kill-one", kill_one, "add a third child, killed by SIGKILL while it sleeps");
  cli.option("--hold", hold,
             "how long the parent stays after reaping (no zombie left); at a terminal, Enter "
             "ends it",
             0, 86400);
  return cli.run(argc, argv, [&] {
    lab::stage("before fork: one process");
    lab::expected_ends expected;  // checked after each wait()

    const pid_t child_1 = lab::fork_as("child 1");
    if (child_1 == 0) ::_exit(first_child());  // child
    expected.exits(child_1, 3);                // parent
    lab::say("fork", "forked child 1 {child}: it will return 3", {{"child", child_1}});

    lab::gate wait_called;  // opened when the parent goes into wait()
    pid_t pid = lab::fork_as("child 2");
    if (pid == 0) ::_exit(second_child(wait_called));  // child
    expected.exits(pid, 7);                            // parent
    lab::say("fork", "forked child 2 {child}: it will call _exit(7) once the parent waits",
             {{"child", pid}});

    pid_t child_3 = 0;
    if (kill_one) {
      child_3 = pid = lab::fork_as("child 3");
      if (pid == 0) {  // child
        wait_called.close();
        lab::say("sleep", "child sleeps in pause() until a signal ends it");
        for (;;) ::pause();
      }
      // parent: once /proc shows the child asleep in pause() (its line written), kill it
      expected.killed(pid, SIGKILL);
      lab::say("fork", "forked child 3 {child}: it will be killed", {{"child", pid}});
      if (!lab::poll_until([&] { return lab::is_in(pid, 'S', "pause"); }, 10s)) {
        lab::say_error("child 3 {child} was not seen sleeping in pause() within 10 s",
                       {{"child", pid}});
        return 1;
      }
      lab::say_state(pid);
      lab::check(::kill(pid, SIGKILL), "kill");
      lab::say("kill", "parent sends {signal} to child 3 {child}",
               {{"child", pid}, {"signal", "SIGKILL"}});
    }
    // Child 1 (and child 3) end first: wait() finds them at once, then blocks for child 2.
    if (!lab::seen_zombies({child_1, child_3}, 10s)) {
      lab::say_error("child 1 {child} was not seen as a zombie within 10 s", {{"child", child_1}});
      return 1;
    }

    lab::stage("the parent calls wait() once per child; child 2 is still running");
    wait_called.open();
    for (std::size_t n = 0; n < expected.size(); ++n) {
      int status = 0;
      const pid_t child = lab::check(::wait(&status), "wait");  // -1 (ECHILD) throws
      lab::say_reap(child, status);
      decode(child, status);
      expected.check(child, status);  // "did not end as expected": a failure
    }
    // No child is left: a further wait() fails at once instead of blocking.
    lab::ask(question);  // --step: predict it
    const pid_t extra = ::wait(nullptr);
    const int extra_error = errno;
    const std::string answer = extra == -1 ? lab::errno_name(extra_error) : std::to_string(extra);
    if (lab::children_of(::getpid()).empty())  // the question's premise: no child left
      lab::reveal(question, answer);
    else
      lab::reveal_unmarked(question, "the parent had a child again", answer);
    if (!lab::wait_found_no_child(extra, extra_error)) return 1;  // else says it
    lab::say("step", "one more wait() returns -1 with {error}: no child is left to wait for",
             {{"returned", -1}, {"error", lab::errno_name(ECHILD)}});

    lab::stage("every child reaped: no zombie is left");
    lab::show_tree("after wait(): the parent alone, no zombie");
    lab::parent_holds(hold);  // "the parent holds 30 s"; at a terminal, Enter ends it
    return expected.failures() == 0 ? 0 : 1;
  });
}
