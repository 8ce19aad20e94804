#include "checks.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include "harness.hpp"

namespace harness {

void check_help(const std::string& lab, const std::vector<std::string>& words) {
  const auto run = run_lab(lab, {"--help"}, {.json = false});
  CHECK(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 0);
  std::string text;
  for (const auto& line : run.lines) text += line + "\n";
  for (const auto& word : words) {
    CAPTURE(word);
    CHECK(text.find(word) != std::string::npos);
  }
}

void check_refused(const std::string& lab, const std::vector<std::vector<std::string>>& bad) {
  for (const auto& args : bad) {
    std::string command_line = lab;
    for (const auto& arg : args) command_line += " " + arg;
    CAPTURE(command_line);
    const auto run = run_lab(lab, args);
    CHECK(WIFEXITED(run.status));
    CHECK(WEXITSTATUS(run.status) == 2);
    CHECK_FALSE(run.stderr_text.empty());
    // Refused before doing anything: at most the error itself as an event.
    for (const auto& e : run.events) CHECK(e.kind() == "error");
  }
}

void check_interrupted(lab_process& lab, int signo) {
  if (signo == SIGINT)
    lab.signal_group(signo);  // as Ctrl-C does
  else
    lab.signal(signo);  // as kill PID does: the lab's children die with it (PDEATHSIG)
  const int status = lab.wait_exit();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == signo);
  CHECK(lab.group_gone());
}

}  // namespace harness
