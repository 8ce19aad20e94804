// client_io: the bytes an echo client moves — its input cut into lines as the
// course's fgets() cuts them, and what the server echoes, written raw to
// standard output or narrated as "echo" events. Nothing here knows which lab
// uses it. Not async-signal-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lab {

// The input as fgets() hands it out: a line with its '\n' (or 4096 bytes of a
// longer one, or what one read gave of a line not yet ended). A line that is
// exactly "q" (or "Q", as in the course) ends the input, unsent, when
// `q_quits`. Reads `fd` (read_some: EINTR retried; errors throw).
class input_lines {
 public:
  input_lines(int fd, bool q_quits) : fd_(fd), q_quits_(q_quits) {}

  // The next line, or nullopt at the end (see reason()).
  std::optional<std::string> next();
  // Why next() said no more: "end of input" or "q".
  const std::string& reason() const { return reason_; }

 private:
  int fd_;
  bool q_quits_;
  bool line_start_ = true, end_ = false;
  std::string buffer_, reason_ = "end of input";
};

// What the server sends back goes raw to `data_out`; with `json` into "echo"
// events: data (text: an unfinished UTF-8 character waits for the next event)
// and data_hex (the exact bytes). At most json_read_size bytes an event, so
// that even fully escaped (6 characters a byte, plus 2 of hex) the line stays
// under PIPE_BUF (4096) and its one write(2) to a pipe is atomic.
class echo_output {
 public:
  static constexpr std::size_t json_read_size = 384;
  echo_output(int data_out, bool json) : data_out_(data_out), json_(json) {}

  // Where to read() the next bytes: 16 KiB, or json_read_size with --json.
  std::span<char> buffer();
  // Takes bytes received; with `last`, nothing is held back (even a cut character).
  void take(std::string_view data, bool last = false);
  // What is held, even a cut character.
  void finish() { take({}, true); }
  // After read() returned 0: finish(), then the "close" event (field bytes).
  void finish_at_end_of_file();

  long long received = 0, lines = 0;

 private:
  int data_out_;
  bool json_;
  std::string held_;
  char buffer_[16384];
};

}  // namespace lab
