// timeline: every event the narrator renders, from every process of the lab
// (signal handlers included), is also kept as a fixed-size record in a ring
// of memory shared across fork. At the end of a --timeline run the ring is
// drawn as lanes: one column per process, one row per event, time at the left
// — the picture in which three exits and one SIGCHLD are plain to see.
// Recording is async-signal-safe; reading and drawing are not.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// One event as the timeline keeps it. Texts are cut to fit, always terminated.
struct timeline_entry {
  long seq = 0;        // the event's sequence number; 0 marks a slot never written
  int sub = 0;         // 0: the event itself; 1, 2...: what it observed (a tree's zombies)
  long long t_ms = 0;  // ms since the lab started
  pid_t pid = 0;       // the process that spoke
  pid_t about = 0;     // the process the event is about (its "child" field), 0 if none
  char mark = ' ';     // + fork, X exit, R reap, ! signal, A alarm, ^ wake, E EINTR, ' ' other
  char role[16] = {};
  char about_role[16] = {};
  char kind[12] = {};
  // "fork 4243", "SIGCHLD handler", "reap 4243"; a step's whole stage text
  // (drawn on a line of its own, where it is cut at a word, never inside one)
  char label[128] = {};
  bool label_cut = false;  // the label did not fit: what it holds ends where it was cut
  char note[12] = {};      // how `about` ended ("0", "SIGKILL"), or its state letter ("Z")
};

// How many bytes of `text` fit in `room` bytes without splitting a UTF-8
// character (a Chinese role or stage text must not end in half a character).
constexpr std::size_t utf8_fit(std::string_view text, std::size_t room) noexcept {
  if (text.size() <= room) return text.size();
  std::size_t n = room;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

// A short text built in a fixed buffer: no allocation, async-signal-safe.
// What does not fit is cut off.
template <std::size_t N>
class fixed_text {
 public:
  void append(std::string_view text) noexcept {
    if (full_) return;
    const std::size_t n = utf8_fit(text, N - 1 - size_);
    full_ = n < text.size();
    for (std::size_t i = 0; i < n; ++i) data_[size_++] = text[i];
    data_[size_] = '\0';
  }
  void append(long long value) noexcept {
    char digits[24];
    int n = 0;
    unsigned long long magnitude = value < 0 ? 0ULL - static_cast<unsigned long long>(value)
                                             : static_cast<unsigned long long>(value);
    do {
      digits[n++] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0) digits[n++] = '-';
    char text[24];
    for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
    append(std::string_view(text, static_cast<std::size_t>(n)));
  }
  std::string_view view() const noexcept { return {data_, size_}; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return full_; }  // something was cut off

 private:
  char data_[N] = {};
  std::size_t size_ = 0;
  bool full_ = false;
};

// Copies `text` into a record's field, cut to fit. Async-signal-safe.
template <std::size_t N>
void set_text(char (&field)[N], std::string_view text) noexcept {
  const std::size_t n = utf8_fit(text, N - 1);
  for (std::size_t i = 0; i < n; ++i) field[i] = text[i];
  field[n] = '\0';
}

// "SIGCHLD" for 17, for the 31 standard signals; nullptr for any other number.
// Async-signal-safe (lab::signal_name is not).
const char* standard_signal_name(int signo) noexcept;

// Maps a ring of `capacity` records shared with every process forked later
// (call it before the first fork; start_narrator does, with --timeline).
// Once the ring is full the oldest records are overwritten. Returns false
// when the memory could not be had: recording then does nothing.
bool start_timeline(std::size_t capacity = 4096);
bool timeline_started() noexcept;

// Stores one record (its seq must not be 0). Async-signal-safe: an atomic
// index picks the slot, the seq is written last.
void timeline_record(const timeline_entry& entry) noexcept;

struct timeline_contents {
  std::vector<timeline_entry> entries;  // in seq order, then sub
  long long dropped = 0;                // the oldest, overwritten in the full ring
};
// What the ring holds now.
timeline_contents read_timeline();

struct timeline_drawing {
  std::string text;      // lines of at most `width` characters, each ending in '\n'
  long long events = 0;  // events drawn (the records with sub 0)
  int processes = 0;     // distinct processes seen
  int lanes = 0;         // processes with a column of their own; the rest share "others"
  int exits = 0;         // exit marks drawn: at most one per process, never folded away
};
// `text` in at most `width` columns. Cut (or `already_cut`, by a fixed-size
// record), it ends at a word boundary and "..." says so; text with no space
// to cut at (one long word, or Chinese, which may be cut between any two
// characters) is cut between characters, never inside one.
std::string fit_words(std::string_view text, std::size_t width, bool already_cut = false);

// Draws the lanes: one column per process (role and pid on top), at most six
// columns (past six processes, five lanes and "others"); one row per event in
// seq order with its time and mark (a step: its text on a line of its own, cut
// with fit_words); "|" where a process lives, "z" while it is a zombie. An exit nobody narrated is drawn from what revealed it: a
// tree that saw the process as a zombie, or its reaping.
timeline_drawing draw_timeline(const timeline_contents& contents, std::size_t width = 100);

// The "timeline" event: draws what the ring holds. Fields: events, processes,
// lanes, exits, dropped. In human mode the drawing starts at the left margin.
void show_timeline();

}  // namespace lab
