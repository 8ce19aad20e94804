// Small helpers more than one lab's test uses (each test file is also compiled
// with others in one unit: a helper two files need lives here, once).
#pragma once

#include <sys/wait.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "os/proc.hpp"

namespace harness {

// True if a wait status says: exited with `code`.
inline bool exited_with(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

// The lab's "signal" events for signal `signo`, in order.
inline std::vector<event> signals_of(const std::vector<event>& events, int signo) {
  std::vector<event> out;
  for (const auto& e : events)
    if (e.kind() == "signal" && e.number("signo") == signo) out.push_back(e);
  return out;
}

// Answers --step pauses until the lab pauses at a step whose text contains
// `words`, and leaves it paused there.
inline void pause_at(lab_process& lab, const std::string& words) {
  for (;;) {
    const event step = lab.expect("step");
    lab.expect("pause");
    if (step.text("text").find(words) != std::string::npos) return;
    lab.write_stdin("\n");
  }
}

// How many children of `parent` are zombies now.
inline int zombies_of(pid_t parent) {
  int zombies = 0;
  for (const pid_t child : lab::children_of(parent))
    if (const auto info = lab::read_proc(child); info && info->state == 'Z') ++zombies;
  return zombies;
}

// `size` bytes from a generator seeded with `seed` (the same bytes each run).
inline std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string data(size, '\0');
  for (auto& c : data) c = static_cast<char>(generator() & 0xff);
  return data;
}

// The lines of `text`, without their '\n' (nor a '\r' before it: a terminal's).
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

}  // namespace harness
