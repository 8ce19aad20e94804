// sleeps: the labs' narrated sleeps — one sleep(3) that a signal may cut
// short, narrated and timed ("wait... sleep(100)" before, "woke after 2.0 s of
// 100: sleep() returned 98 (seconds left)" after); when something must start
// to end in the middle of a round of such sleeps; and the parent's hold after
// its work, said first. Not async-signal-safe.
#pragma once

#include <signal.h>

#include "runtime/cli.hpp"

namespace lab {

struct sleep_result {
  double slept = 0;    // seconds, measured on the monotonic clock
  unsigned left = 0;   // sleep()'s return value: the seconds it did not sleep
  bool moved = false;  // the watched counter changed from just before sleep()
};

// Says "sleep" (fields round, asked), calls sleep(asked), says "wake" (fields
// round, asked, slept, left). `watched`, when given (a handler's counter), is
// read just before sleep() and again after "wake": `moved` says whether it changed.
sleep_result timed_sleep(int round, unsigned asked, const volatile sig_atomic_t* watched = nullptr);

// For rounds of `round_s` seconds from 0: the offset at which something that
// lasts `duration` must start so that it ends half a round into a round, and
// that round (1 for the first).
struct mid_round {
  seconds offset;
  long round = 0;
};
mid_round ending_mid_round(seconds duration, double round_s);

// Says "the parent holds {seconds} s" ("(Enter ends the hold)" when it does:
// hold.hpp), then hold()s.
void parent_holds(seconds how_long);

}  // namespace lab
