// timeline: every event the narrator renders, from every process of the lab
// (signal handlers included), is also kept as a fixed-size record in a ring
// of memory shared across fork: its mark, a short label, what it is about.
// The narrator hands each event to timeline_note; at the end of a --timeline
// run the runtime draws the ring as lanes (lanes.hpp). Recording is
// async-signal-safe; reading is not. Knows events, not the narrator.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "voice/event.hpp"

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

// ---- The feed: what the timeline keeps of an event --------------------------

// An event as the narrator hands it on: who said it and when, its kind, its
// text filled in (a step's label), and the role of the process its "child"
// field names ("" if none or unknown).
struct timeline_event {
  long seq;
  long long t_ms;
  pid_t pid;
  std::string_view role;
  std::string_view kind;
  std::string_view text;
  std::string_view about_role = {};
};

// Records the event with its mark, short label and note (nothing when the
// timeline was not started). The int_field form is a signal handler's event
// (its signal label says "handler"), and is async-signal-safe.
void timeline_note(const timeline_event& event, std::initializer_list<field> fields);
void timeline_note(const timeline_event& event, std::initializer_list<int_field> fields) noexcept;

// What a tree event saw: each zombie, with its role, recorded under the tree's
// own record as an exit ("exited (Z)").
void timeline_note_zombies(const timeline_event& tree,
                           const std::vector<std::pair<pid_t, std::string>>& zombies);

}  // namespace lab
