// capture_row: one row of the table of captured runs a lab prints — where the
// program's output went, how its child ended, whether it flushed before fork,
// how many times the watched line came out — with the captured lines
// numbered under it. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace lab {

struct capture_row {
  const char* output;      // "pty" or "pipe"
  std::string child_exit;  // "exit" or "_exit"
  bool flush = false;      // fflush(stdout) before fork
  pid_t child = 0;         // the program that ran
  long long count = 0;     // times the watched line came out
};

// A "capture" event: the row, then `lines` (of `captured`) numbered. Fields
// output_column, exit_column, listing, child, output, child_exit, flush,
// count, lines, captured.
void say_capture_row(const capture_row& row, const std::vector<std::string>& lines,
                     const std::string& captured);

}  // namespace lab
