#include "os/cues.hpp"

#include "os/sys.hpp"

namespace lab {

void send_pid(int fd, pid_t pid) {
  write_all(fd, {reinterpret_cast<const char*>(&pid), sizeof pid});
}

pid_t receive_pid(int fd) {
  pid_t pid = 0;
  if (read_some(fd, {reinterpret_cast<char*>(&pid), sizeof pid}) != sizeof pid) return 0;
  return pid;
}

void send_cue(int fd) {
  write_all(fd, "!");
}

bool wait_cue(int fd) {
  char byte = 0;
  return read_some(fd, {&byte, 1}) == 1;
}

void wait_for_eof(int fd) {
  char byte = 0;
  while (read_some(fd, {&byte, 1}) == 1) {
  }
}

}  // namespace lab
