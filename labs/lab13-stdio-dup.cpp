// lab13-stdio-dup — fork copies the stdio buffer too.
//
// stdio's buffer is flushed at a newline on a terminal, but only when full or
// at exit() on a pipe or a file. fork copies it with the rest of memory: a line
// still in it is flushed by each exit(), twice. _exit() in the child drops the
// copy; fflush(stdout) before fork leaves nothing to copy.
// The lab re-runs itself as a "victim" (one stdio line, fork, exit or _exit),
// its stdout once a terminal (a pty) and once a pipe, and counts the line.
// Without a pseudo-terminal (openpty: ENODEV) it runs the pipe half only.
// Watch for: the "capture" rows — the textbook's way: once on the terminal,
// twice into the pipe; --flush or --child-exit _exit: once.
//
// Usage: lab13-stdio-dup [--flush] [--child-exit exit|_exit] [--all] [--hold S]
//                        [--json] [--step]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "runtime/capture.hpp"
#include "runtime/capture_row.hpp"
#include "runtime/children.hpp"
#include "lab.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab13.pipe_count",
    "With stdout a pipe, how many times will the pre-fork line come out?",
    {{{"0", "not at all"},
      {"1", "once"},
      {"2+", "twice"}}},
    "into a pipe stdio flushes only when its buffer is full or at exit(), so a line still "
    "buffered at fork is copied with the child's memory and printed by each exit() that flushes "
    "it ({actual} here)."};
static_assert(lab::well_formed(question));

namespace {

struct way {
  bool flush = false;
  std::string child_exit = "exit";  // or "_exit"
};

std::string pre_fork_line(pid_t victim) {
  return "pre-fork line, written with stdio by pid " + std::to_string(victim);
}

// The demonstration program. THE FLAGGED EXCEPTION to "labs print only through lab::say":
// stdio here is the lab's subject, the "wrong way" on purpose. Only the
// pre-fork line goes through a FILE* buffer; every other line uses write(2).
int victim(const way& chosen, lab::seconds hold) {
  const std::string line = pre_fork_line(::getpid()) + "\n";
  std::fputs(line.c_str(), stdout);       // into stdout's buffer: a pipe's is not flushed at '\n'
  if (chosen.flush) std::fflush(stdout);  // the right way: nothing left to copy

  const pid_t pid = lab::fork_as("child");
  if (pid == 0) {  // child
    lab::write_all(STDOUT_FILENO, "child " + std::to_string(::getpid()) + ": ends with " +
                                      chosen.child_exit + "()\n");
    std::this_thread::sleep_for(hold);
    if (chosen.child_exit == "_exit") ::_exit(0);  // drops its copy of the buffer
    std::exit(0);  // the wrong way, on purpose (the textbook's `return 0`): flushes its copy
  }
  // parent
  int status = 0;
  lab::check(::waitpid(pid, &status, 0), "waitpid");
  lab::write_all(STDOUT_FILENO, "parent " + std::to_string(::getpid()) +
                                    ": child reaped; returning from main flushes my buffer\n");
  return status == 0 ? 0 : 1;
}

// Runs the victim with stdout on a pty or a pipe, narrates what came out and
// returns how many times the pre-fork line did (-1 if the victim failed).
int capture(const std::string& self, const way& chosen, bool to_pty, lab::seconds hold) {
  const char* output = to_pty ? "pty" : "pipe";
  auto out = lab::make_output_capture(to_pty);
  std::vector<std::string> args{
      self, "--victim", "--child-exit", chosen.child_exit, "--hold", std::to_string(hold.count())};
  if (chosen.flush) args.push_back("--flush");
  // fork, dup2 onto stdout, execv this program with --victim
  const pid_t victim_pid = lab::spawn_with_output("victim", args, out.writer.get());
  out.writer.reset();  // the victim's copy must be the last, or the reader never sees the end
  lab::say("fork", "victim {child} runs with stdout to a {output}",
           {{"child", victim_pid}, {"output", output}});
  const std::string captured = out.read_to_end();
  const int status = lab::reap_child(victim_pid);

  const auto lines = lab::lines_of(captured);
  const auto count = std::count(lines.begin(), lines.end(), pre_fork_line(victim_pid));
  lab::say_capture_row({output, chosen.child_exit, chosen.flush, victim_pid, count}, lines,
                       captured);
  return status == 0 ? static_cast<int>(count) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli(
      "lab13-stdio-dup",
      "A line written with stdio before fork sits in stdout's buffer, fork copies it, "
      "and exit() in the child prints it a second time - into a pipe or a "
      "file, not on a terminal.");
  way chosen;
  bool all = false, as_victim = false;
  lab::seconds hold{0};
  cli.flag("--flush", chosen.flush, "the right way: fflush(stdout) before fork");
  cli.choice("--child-exit", chosen.child_exit,
             "how the child ends: exit (the textbook's return from main) or _exit (the right way)",
             {"exit", "_exit"});
  cli.flag("--all", all, "run the textbook's way and both right ways, one after the other");
  cli.option("--hold", hold, "the victim's child waits this long before it ends", 0, 3600);
  cli.flag("--victim", as_victim,
           "(internal) be the demonstration program: one stdio line, fork, end the child");
  cli.epilogue("Watch for: the pre-fork line counted once on the terminal and twice in the pipe.");
  return cli.run(argc, argv, [&] {
    if (as_victim) return victim(chosen, hold);

    const std::string self = lab::own_executable();  // ps shows lab13-stdio-dup, not "exe"
    const std::string no_terminal = lab::terminal_unavailable();
    if (!no_terminal.empty())
      lab::say("skip",
               "no pseudo-terminal can be had here ({reason}): the terminal half is skipped, the "
               "pipe half runs",
               {{"part", "pty"}, {"reason", no_terminal}});
    std::vector<bool> outputs{true, false};  // to a pty, then to a pipe
    if (!no_terminal.empty()) outputs = {false};

    std::vector<way> ways{chosen};
    if (all) ways = {way{false, "exit"}, way{false, "_exit"}, way{true, "exit"}};
    bool failed = false, duplicated = false;
    for (const way& w : ways) {
      lab::stage(w.flush ? "the victim writes a line with stdio, flushes it, forks; its child "
                           "ends with {child_exit}()"
                         : "the victim writes a line with stdio, does not flush, forks; its child "
                           "ends with {child_exit}()",
                 {{"child_exit", w.child_exit}, {"flush", w.flush}});
      lab::ask(question);  // --step, for the first way only: predict the pipe's count
      for (const bool to_pty : outputs) {
        const int count = capture(self, w, to_pty, hold);
        if (!to_pty)  // the premise: the victim ran as described
          lab::reveal(question, count, {count >= 0, "the victim program failed"});
        failed = failed || count < 0;
        duplicated = duplicated || count > 1;
      }
    }
    lab::stage(duplicated ? "duplicated: the child's exit() flushed its copy of a line the parent "
                            "had buffered - a pipe's buffer waits for exit, a terminal's for '\\n'"
                          : "exactly once everywhere: nothing was left in the buffer for fork to "
                            "copy, or the child dropped its copy with _exit()");
    return failed ? 1 : 0;
  });
}
