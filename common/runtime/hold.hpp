// hold: the time a lab keeps still after its work, so that the learner can
// look with ps in another terminal. At a terminal (the lab in its foreground)
// Enter ends a hold early; anywhere else a hold is a plain sleep of its full
// length. Header only; not async-signal-safe.
//
// Say so before the hold when enter_ends_hold() is true; when Enter ends it,
// hold() itself narrates a "wake" event (asked, slept, by "enter").
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "runtime/cli.hpp"
#include "voice/narrator.hpp"
#include "os/sys.hpp"

namespace lab {

// The controlling terminal, open for reading, when this process is in its
// foreground group (a background job reading it would be stopped by
// SIGTTIN); an empty unique_fd otherwise.
inline unique_fd keyboard_in_front() {
  unique_fd tty(::open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (tty && ::tcgetpgrp(tty.get()) != ::getpgrp()) tty.reset();
  return tty;
}

// True when Enter can end a hold: say so on screen before hold().
inline bool enter_ends_hold() {
  return static_cast<bool>(keyboard_in_front());
}

struct hold_result {
  seconds held{0};
  bool by_enter = false;  // a line (or end of input) came from the terminal
};

// Sleeps `how_long`; at a terminal, stops as soon as a line is typed.
inline hold_result hold(seconds how_long) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto deadline = start + std::chrono::duration_cast<clock::duration>(how_long);
  unique_fd tty = keyboard_in_front();
  while (tty) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) break;
    pollfd typed{tty.get(), POLLIN, 0};
    const int ready =
        ::poll(&typed, 1, static_cast<int>(std::min<long long>(left.count(), 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || (typed.revents & (POLLHUP | POLLERR | POLLNVAL))) break;  // terminal gone
    if (ready == 0) continue;
    char line[256];
    const ssize_t n = ::read(tty.get(), line, sizeof line);  // canonical mode: one line
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    const seconds held = clock::now() - start;
    say("wake", "Enter: the hold ends after {slept} s of {asked} s",
        {{"asked", how_long.count()}, {"slept", held.count()}, {"by", "enter"}});
    return {held, true};
  }
  std::this_thread::sleep_until(deadline);
  return {clock::now() - start, false};
}

}  // namespace lab
