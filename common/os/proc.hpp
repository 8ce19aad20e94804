// proc: the lab's own eyes. Reads /proc to report what the kernel says about a
// process — state letter, parent, group, what it is blocked in, its children,
// its descriptors — and renders a process tree. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lab {

struct proc_info {
  pid_t pid = 0;
  char state = '?';  // R S D Z T t X I, from /proc/PID/stat
  pid_t ppid = 0;
  pid_t pgid = 0;
  pid_t session = 0;
  std::string comm;  // at most 15 characters
};

// /proc/PID/stat, or nullopt when the process no longer exists (fully reaped).
std::optional<proc_info> read_proc(pid_t pid);

// The kernel function the process sleeps in (/proc/PID/wchan), "" when
// running or unknown: "do_wait", "hrtimer_nanosleep", "inet_csk_accept"...
std::string read_wchan(pid_t pid);

// The same in words for a learner: "waiting in wait/waitpid", "sleeping", ...
std::string describe_wchan(const std::string& wchan);

// "zombie: exited, waiting to be reaped" for 'Z', "sleeping (interruptible)" for 'S'...
const char* state_meaning(char state);

// Every process whose parent is `pid`, in pid order (scans /proc).
std::vector<pid_t> children_of(pid_t pid);

// Every process in process group `pgid`, in pid order.
std::vector<pid_t> processes_in_group(pid_t pgid);

// Signal masks from /proc/PID/status (bit n-1 stands for signal n).
struct signal_masks {
  unsigned long long pending = 0;  // SigPnd | ShdPnd
  unsigned long long blocked = 0;  // SigBlk
  unsigned long long ignored = 0;  // SigIgn
  unsigned long long caught = 0;   // SigCgt
};
std::optional<signal_masks> read_signal_masks(pid_t pid);
// The signal numbers whose bits are set in such a mask, in number order.
std::vector<int> signals_in(unsigned long long mask);

// One open descriptor: "3 -> pipe:[1234]"; a socket is described from a copy of
// it (pidfd_getfd, closed at once; /proc/net/tcp and tcp6 only when no copy can
// be had) as "tcp listening 127.0.0.1:9190" or
// "tcp connected 127.0.0.1:9190 <-> 127.0.0.1:51234".
struct fd_info {
  int fd = -1;
  std::string target;  // readlink of /proc/PID/fd/N
  std::string socket;  // "" unless a TCP socket
};
std::vector<fd_info> open_fds(pid_t pid);

// The process and all its descendants, parents before children, with depth.
struct tree_row {
  proc_info info;
  int depth = 0;
  std::string wchan;
};
std::vector<tree_row> process_tree(pid_t root);

// Polls `done` every millisecond or so until it is true or `timeout` passes;
// returns the last result. For observing /proc, where no event can be awaited.
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

}  // namespace lab
