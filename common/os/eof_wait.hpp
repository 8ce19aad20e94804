// eof_wait: waiting, with a deadline, for the end of file on a descriptor (a
// connection the other side closes). Prints nothing.
#pragma once

#include <chrono>

namespace lab {

// Waits up to `timeout` for end of file on `fd`: false if the time ran out;
// throws std::runtime_error ("data instead of EOF") if data came instead.
bool eof_within(int fd, std::chrono::duration<double> timeout);

}  // namespace lab
