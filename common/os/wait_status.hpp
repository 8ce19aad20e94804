// wait status: a raw status from wait(2)/waitpid(2) decoded into words and data.
#pragma once

#include <string>

#include "os/fixed_text.hpp"

namespace lab {

struct wait_status {
  enum class how { exited, killed, stopped, continued };
  how end = how::exited;
  int code = 0;              // exit code (exited) or signal number (killed, stopped)
  bool core_dumped = false;  // only for killed
};

// Decodes with WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG/WCOREDUMP,
// WIFSTOPPED/WSTOPSIG and WIFCONTINUED.
wait_status decode_wait_status(int raw);

// "exited 3", "killed by SIGKILL", "killed by SIGSEGV (core dumped)",
// "stopped by SIGSTOP", "continued".
std::string describe(const wait_status& status);
// The same words in a fixed buffer: no allocation (a line said for every child).
fixed_text<48> describe_text(const wait_status& status) noexcept;

// "exited", "killed", "stopped", "continued": the JSON field value.
const char* how_name(wait_status::how end);

}  // namespace lab
