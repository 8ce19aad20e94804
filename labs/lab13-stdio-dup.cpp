// lab13-stdio-dup — fork copies the stdio buffer too.
//
// stdio does not write at once: it appends to a buffer inside the process,
// flushed at a newline when stdout is a terminal, but only when full or at
// exit() when it is a pipe or a file. fork copies that buffer with the rest of
// memory. If a line is still in it, parent and child each own a copy, and each
// exit() flushes its own: the line comes out twice. _exit() in the child ends
// it without flushing; fflush(stdout) before fork leaves nothing to copy.
//
// The lab re-runs itself as a "victim" program that writes one line with
// stdio, forks, and ends the child with exit() or _exit(); it captures the
// victim's stdout once through a terminal (a pty) and once through a pipe, and
// counts the pre-fork line in each. Where no pseudo-terminal can be had
// (openpty fails: ENODEV in a container without devpts), it says why and runs
// the pipe half only.
//
// Watch for: the "capture" rows — the textbook's way prints the line once on
// the terminal and twice into the pipe; --flush or --child-exit _exit once.
//
// Usage: lab13-stdio-dup [--flush] [--child-exit exit|_exit] [--all] [--hold S]
//                        [--json] [--step]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "lab.hpp"
#include "os/pty.hpp"

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

// The captured text as lines, a pty's "\r\n" read as "\n".
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
    if (!lines.back().empty() && lines.back().back() == '\r') lines.back().pop_back();
  }
  return lines;
}

// Empty if this system can give us a pseudo-terminal; else why not, "openpty:
// ENODEV" (a container whose /dev/pts is not a devpts, for one).
std::string terminal_unavailable() {
  try {
    lab::make_pty();
    return "";
  } catch (const std::system_error& error) {
    return lab::failed_call(error) + ": " + lab::errno_name(error.code().value());
  }
}

std::string padded(std::string text, std::size_t width) {
  text.resize(std::max(text.size(), width), ' ');
  return text;
}

// Runs the victim with stdout on a pty or a pipe, narrates what came out and
// returns how many times the pre-fork line did (-1 if the victim failed).
int capture(const std::string& self, const way& chosen, bool to_pty, lab::seconds hold) {
  const char* output = to_pty ? "pty" : "pipe";
  lab::unique_fd reader, writer;
  if (to_pty) {
    auto ends = lab::make_pty();
    reader = std::move(ends.controller);
    writer = std::move(ends.terminal);
  } else {
    auto ends = lab::make_pipe();
    reader = std::move(ends.read_end);
    writer = std::move(ends.write_end);
  }
  std::vector<std::string> args{
      self, "--victim", "--child-exit", chosen.child_exit, "--hold", std::to_string(hold.count())};
  if (chosen.flush) args.push_back("--flush");

  const pid_t victim_pid = lab::fork_as("victim");
  if (victim_pid == 0) {  // child: becomes the victim, its stdout the pty or the pipe
    lab::check(::dup2(writer.get(), STDOUT_FILENO), "dup2");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    lab::say_error("execv {path}: {errno}", {{"path", args[0]}, {"errno", lab::errno_name(errno)}});
    ::_exit(127);
  }
  // parent
  writer.reset();  // the victim's copy must be the last, or the reader never sees the end
  lab::say("fork", "victim {child} runs with stdout to a {output}",
           {{"child", victim_pid}, {"output", output}});
  const std::string captured =
      to_pty ? lab::read_pty_to_end(reader.get()) : lab::read_all(reader.get());
  int status = 0;
  lab::check(::waitpid(victim_pid, &status, 0), "waitpid");
  lab::say_reap(victim_pid, status);

  const auto lines = lines_of(captured);
  const auto count = std::count(lines.begin(), lines.end(), pre_fork_line(victim_pid));
  std::string listing;  // the captured lines, numbered
  for (std::size_t i = 0; i < lines.size(); ++i)
    listing += "\n  " + std::to_string(i + 1) + "| " + lines[i];
  // One table row: output, how the child ends, whether the victim flushed, the count.
  lab::say("capture",
           chosen.flush ? (count == 1 ? "{output_column}child {exit_column}fflush before fork  "
                                        "pre-fork line {count} time:{listing}"
                                      : "{output_column}child {exit_column}fflush before fork  "
                                        "pre-fork line {count} times:{listing}")
                        : (count == 1 ? "{output_column}child {exit_column}no fflush           "
                                        "pre-fork line {count} time:{listing}"
                                      : "{output_column}child {exit_column}no fflush           "
                                        "pre-fork line {count} times:{listing}"),
           {{"output_column", padded(output, 6)},
            {"exit_column", padded(chosen.child_exit + "()", 8)},
            {"listing", listing},
            {"child", victim_pid},
            {"output", output},
            {"child_exit", chosen.child_exit},
            {"flush", chosen.flush},
            {"count", static_cast<long long>(count)},
            {"lines", static_cast<long long>(lines.size())},
            {"captured", captured}});
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
  bool all = false;
  bool as_victim = false;
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

    char self[PATH_MAX];
    const ssize_t n = lab::check(::readlink("/proc/self/exe", self, sizeof self - 1), "readlink");
    self[n] = '\0';  // exec by the real name, so ps shows lab13-stdio-dup, not "exe"

    const std::string no_terminal = terminal_unavailable();
    if (!no_terminal.empty())
      lab::say("skip",
               "no pseudo-terminal can be had here ({reason}): the terminal half is skipped, the "
               "pipe half runs",
               {{"part", "pty"}, {"reason", no_terminal}});
    std::vector<bool> outputs{true, false};  // to a pty, then to a pipe
    if (!no_terminal.empty()) outputs = {false};

    std::vector<way> ways{chosen};
    if (all) ways = {way{false, "exit"}, way{false, "_exit"}, way{true, "exit"}};
    bool failed = false;
    bool duplicated = false;
    for (const way& w : ways) {
      lab::stage(w.flush ? "the victim writes a line with stdio, flushes it, forks; its child "
                           "ends with {child_exit}()"
                         : "the victim writes a line with stdio, does not flush, forks; its child "
                           "ends with {child_exit}()",
                 {{"child_exit", w.child_exit}, {"flush", w.flush}});
      lab::ask(question);  // --step, for the first way only: predict the pipe's count
      for (const bool to_pty : outputs) {
        const int count = capture(self, w, to_pty, hold);
        if (!to_pty && count >= 0) lab::reveal(question, count);
        if (!to_pty && count < 0)  // the premise: the victim ran as described
          lab::reveal_unmarked(question, "the victim program failed", "-1");
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
