#include "runtime/sleeps.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>

#include "runtime/cli.hpp"
#include "runtime/hold.hpp"
#include "voice/narrator.hpp"

namespace lab {

sleep_result timed_sleep(int round, unsigned asked, const volatile sig_atomic_t* watched) {
  say("sleep", "wait... sleep({asked})", {{"round", round}, {"asked", asked}});
  const auto start = std::chrono::steady_clock::now();
  const int before = watched ? *watched : 0;
  const unsigned left = ::sleep(asked);
  const seconds slept = std::chrono::steady_clock::now() - start;
  say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
      {{"round", round}, {"asked", asked}, {"slept", slept.count()}, {"left", left}});
  return {slept.count(), left, watched && *watched != before};
}

mid_round ending_mid_round(seconds duration, double round_s) {
  const seconds offset{std::fmod(round_s * 1.5 - std::fmod(duration.count(), round_s), round_s)};
  return {offset, std::lround(std::floor((offset + duration).count() / round_s)) + 1};
}

void parent_holds(seconds how_long) {
  const bool enter = how_long.count() > 0 && enter_ends_hold();  // at a terminal: say so
  say("sleep",
      enter ? "the parent holds {seconds} s (Enter ends the hold)" : "the parent holds {seconds} s",
      {{"seconds", how_long.count()}, {"enter_ends", enter}});
  hold(how_long);  // at a terminal, until Enter
}

}  // namespace lab
