// self_pipe: the self-pipe trick. A signal handler may call almost nothing, so
// it only writes one byte into a pipe; the main loop polls the pipe's read end
// beside its other descriptors and does the real work (waitpid, narration)
// outside the handler, where everything is allowed.
#pragma once

#include <cstddef>

#include "os/sys.hpp"

namespace lab {

class self_pipe {
 public:
  // pipe2 with O_NONBLOCK (a handler must never block on a full pipe) and
  // O_CLOEXEC.
  self_pipe();

  // The end to poll for POLLIN.
  int read_fd() const { return read_end_.get(); }

  // Async-signal-safe, errno preserved: writes one byte. If the pipe is full
  // the byte is dropped — a wake-up is already pending, so none is lost.
  void wake() const noexcept;

  // Reads every pending byte (call before doing the work the wake-ups asked
  // for, so that a signal arriving during the work wakes the loop again).
  // Returns how many wake-ups were pending.
  std::size_t drain();

  // Closes both ends: for a forked child, which must restore the signals'
  // default actions first (a handler writing into a closed or reused
  // descriptor would be a bug).
  void close();

 private:
  unique_fd read_end_;
  unique_fd write_end_;
};

}  // namespace lab
