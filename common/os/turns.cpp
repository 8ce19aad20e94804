#include "os/turns.hpp"

#include <stdexcept>

namespace lab {

turns::turns() : to_second_(make_pipe()), to_first_(make_pipe()) {}

void turns::be_first() {
  to_first_.write_end.reset();
  to_second_.read_end.reset();
  wait_fd_ = to_first_.read_end.get();
  pass_fd_ = to_second_.write_end.get();
}

void turns::be_second() {
  to_second_.write_end.reset();
  to_first_.read_end.reset();
  wait_fd_ = to_second_.read_end.get();
  pass_fd_ = to_first_.write_end.get();
}

void turns::wait_turn() {
  char token;
  if (read_some(wait_fd_, {&token, 1}) == 0) throw std::runtime_error("the other side ended");
}

void turns::pass_turn() {
  write_all(pass_fd_, "t");
}

}  // namespace lab
