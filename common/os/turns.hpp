// turns: two processes (a parent and its child) that take turns, so that the
// interleaving of what they do is the same on every run. Built on two pipes,
// made before fork; a turn is passed as one byte. Prints nothing.
#pragma once

#include "os/sys.hpp"

namespace lab {

class turns {
 public:
  turns();  // two pipes, O_CLOEXEC

  // After fork, each process says which it is (closing the ends it does not
  // use): the first one has the first turn.
  void be_first();
  void be_second();

  // Blocks until the other process passes the turn; throws std::runtime_error
  // ("the other side ended") if it ended instead.
  void wait_turn();
  void pass_turn();

 private:
  pipe_ends to_second_;  // made first: the second waits on the lower descriptors
  pipe_ends to_first_;
  int wait_fd_ = -1;
  int pass_fd_ = -1;
};

}  // namespace lab
