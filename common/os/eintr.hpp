// eintr: a call retried for as long as it fails with EINTR, the interruptions
// counted — for a loop that shows how often a signal cut into its calls.
// Header only; prints nothing.
#pragma once

#include <cerrno>

namespace lab {

// Calls `call()` until it returns something other than -1 with errno EINTR;
// adds one to `interrupted` for each EINTR. Returns the last result (errno as
// the call left it).
template <typename Call>
auto retry_on_eintr(int& interrupted, Call call) {
  for (;;) {
    const auto result = call();
    if (result != -1 || errno != EINTR) return result;
    interrupted += 1;
  }
}

}  // namespace lab
