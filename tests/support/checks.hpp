// Checks every lab's command line shares, as doctest assertions.
#pragma once

#include <string>
#include <vector>

namespace harness {

class lab_process;

// `lab --help` exits 0 and its text holds each of `words` (option names,
// choices).
void check_help(const std::string& lab, const std::vector<std::string>& words);

// Each argument list is refused before the lab does anything: exit status 2,
// a message on stderr, and no event on stdout but that error.
void check_refused(const std::string& lab, const std::vector<std::vector<std::string>>& bad);

// Interrupts the lab as a learner would — SIGINT to its whole process group
// (Ctrl-C), SIGTERM to the lab alone (kill PID) — and checks that it dies of
// that signal and leaves no process of its group behind.
void check_interrupted(lab_process& lab, int signo);

}  // namespace harness
