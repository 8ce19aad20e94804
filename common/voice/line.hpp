// line: one event becomes one line — for people ("  1.234 parent   4242 fork
// forked child 4243", role-coloured on a terminal) or one JSON object (--json)
// — and goes out in one write(2), so that lines from parent and child never
// tear and nothing sits in a buffer for fork to duplicate (output.hpp writes it).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "voice/event.hpp"

namespace lab {

// A line in a fixed buffer (signal handlers). It ends with end(), which always
// fits: a line that runs out of room is cut, but still closes its JSON and
// still ends in '\n'. Once a piece does not fit, nothing more is added until
// end(); a long run of text is cut where the room ends, a short piece (an
// escape such as \" or \u0001, a colour code) is never split.
class fixed_line {
 public:
  void append(std::string_view text) noexcept;
  void end(std::string_view text) noexcept;
  std::string_view view() const noexcept { return {data_, size_}; }

 private:
  static constexpr std::size_t end_room = 3;  // the longest ending: "}\n
  char data_[1024];
  std::size_t size_ = 0;
  bool cut_ = false;
};

// A line in a buffer of its own, on the stack (everything else): an ordinary
// line stays there and costs no allocation; a longer one (a drawing, a tree)
// moves on to the heap and still comes out whole, never cut.
class growing_line {
 public:
  growing_line() = default;
  growing_line(const growing_line&) = delete;
  growing_line& operator=(const growing_line&) = delete;

  void append(std::string_view text) {
    if (spilled_ || text.size() > sizeof data_ - size_) return spill(text);
    if (!text.empty()) std::memcpy(data_ + size_, text.data(), text.size());
    size_ += text.size();
  }
  void end(std::string_view text) { append(text); }
  std::string_view view() const noexcept {
    return spilled_ ? std::string_view(long_) : std::string_view(data_, size_);
  }

 private:
  void spill(std::string_view text);  // to the heap: the buffer is full

  char data_[2048];
  std::size_t size_ = 0;
  bool spilled_ = false;
  std::string long_;  // the line once it outgrew data_
};

// Appends `text` with each {key} replaced by its field's value, as a person
// reads it (a text value in the reader's language).
void append_text(growing_line& line, std::string_view text, std::initializer_list<field> fields);
void append_text(fixed_line& line, std::string_view text,
                 std::initializer_list<int_field> fields) noexcept;

// What every event carries besides its text and fields.
struct event_head {
  long seq;
  long long t_ms;
  pid_t pid;
  std::string_view role;
  std::string_view kind;
};

// Renders an event whose `text` is already filled in (append_text) and in the
// reader's language; `untranslated` marks (in JSON) a text that had to stay
// English. JSON: seq, t_ms, pid, role, kind, the fields, then the text last.
// People: time, role, pid, kind, the text (continuation lines indented by 33).
void render(growing_line& line, const event_head& head, std::string_view text, bool untranslated,
            std::initializer_list<field> fields, bool json, bool color);
void render(fixed_line& line, const event_head& head, std::string_view text, bool untranslated,
            std::initializer_list<int_field> fields, bool json, bool color) noexcept;

}  // namespace lab
