// gate: a pause for the learner stops the lab's clock. A process that must
// not run ahead (a child that has to be still alive, still asleep, not yet
// exited when the learner's answer is checked) waits at a gate until the lab
// opens it, after the learner has answered. Made before fork; the held
// process calls pass(), the other open(). Built on a pipe: open() writes one
// byte that nobody reads, so the read end stays readable and every pass(),
// before or after open(), returns. If the opener dies first, its write end
// closes and pass() returns too: a gate never holds a process forever.
#pragma once

#include "os/sys.hpp"

namespace lab {

class gate {
 public:
  gate();  // a pipe, O_CLOEXEC (an exec'd program inherits no gate)

  // In the held process: closes this process's copy of the write end, then
  // blocks (poll, EINTR retried) until the gate is open or every opener has
  // gone. Returns at once when already open.
  void pass();

  // Opens the gate for every process that passes it, now or later. Idempotent.
  void open();

  // Both ends, for a process that has nothing to do with this gate (so that
  // it does not keep a passer waiting on a write end nobody will use).
  void close();

 private:
  unique_fd read_end_;
  unique_fd write_end_;
  bool opened_ = false;
};

}  // namespace lab
