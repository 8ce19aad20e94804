// Checks every lab's command line shares, as doctest assertions.
#pragma once

#include <string>
#include <vector>

namespace harness {

// `lab --help` exits 0 and its text holds each of `words` (option names,
// choices).
void check_help(const std::string& lab, const std::vector<std::string>& words);

// Each argument list is refused before the lab does anything: exit status 2,
// a message on stderr, and no event on stdout but that error.
void check_refused(const std::string& lab, const std::vector<std::vector<std::string>>& bad);

}  // namespace harness
