#include "os/pidfd_wait.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "os/sys.hpp"

namespace lab {

bool readable_unless_ended(int fd, pid_t pid) {
  const unique_fd process(static_cast<int>(check(::syscall(SYS_pidfd_open, pid, 0), "pidfd_open")));
  pollfd waiting[] = {{fd, POLLIN, 0}, {process.get(), POLLIN, 0}};
  while (check(::poll(waiting, 2, -1), "poll") == 0 || !(waiting[0].revents & POLLIN))
    if (waiting[1].revents & POLLIN) return false;
  return true;
}

}  // namespace lab
