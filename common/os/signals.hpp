// signals: sigaction installation that returns the previous action, RAII
// blocking, signal names, and queries of what is pending.
#pragma once

#include <signal.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "os/fixed_text.hpp"

namespace lab {

using signal_handler = void (*)(int);

// sigaction(2) with an empty sa_mask plus `also_block`, and `flags` as given
// (0 = no SA_RESTART: a slow call interrupted by this signal fails with EINTR).
// Returns the action that was installed before.
struct sigaction install_handler(int signo, signal_handler handler, int flags = 0,
                                 std::initializer_list<int> also_block = {});

// Puts back an action returned by install_handler.
void restore_action(int signo, const struct sigaction& previous);

// Blocks the given signals for the lifetime of the object, then restores the
// previous mask (signals that arrived meanwhile are delivered at that moment).
class signal_block {
 public:
  explicit signal_block(std::initializer_list<int> signals);
  ~signal_block();
  signal_block(const signal_block&) = delete;
  signal_block& operator=(const signal_block&) = delete;

 private:
  sigset_t previous_;
};

// "SIGINT" for SIGINT; "SIGRTMIN+3"; "signal 99" if unknown.
std::string signal_name(int signo);
// The same name in a fixed buffer: no allocation (a line said for every child).
fixed_text<24> signal_name_text(int signo) noexcept;

// "SIGCHLD" for 17, for the 31 standard signals; nullptr for any other number.
// Async-signal-safe (signal_name is not).
const char* standard_signal_name(int signo) noexcept;

// The signals pending for this thread or process, in number order.
std::vector<int> pending_signals();
bool is_pending(int signo);

// Describes a disposition: "default", "ignored", or "handler 0x55d0c1a2b3c0".
std::string describe_action(const struct sigaction& action);

// Names the bits of sa_flags as read back from sigaction(): "SA_RESTART|SA_RESTORER",
// "0" when none. SA_RESTORER is the bit glibc's sigaction() adds on Linux (to
// point the kernel at its signal-return code); unknown bits are shown in hex.
std::string describe_flags(int flags);

}  // namespace lab
