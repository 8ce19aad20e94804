#include "os/wait_status.hpp"

#include <sys/wait.h>

#include "os/signals.hpp"

namespace lab {

wait_status decode_wait_status(int raw) {
  if (WIFEXITED(raw)) return {wait_status::how::exited, WEXITSTATUS(raw), false};
  if (WIFSIGNALED(raw)) return {wait_status::how::killed, WTERMSIG(raw), WCOREDUMP(raw) != 0};
  if (WIFSTOPPED(raw)) return {wait_status::how::stopped, WSTOPSIG(raw), false};
  return {wait_status::how::continued, 0, false};
}

std::string describe(const wait_status& status) {
  switch (status.end) {
    case wait_status::how::exited:
      return "exited " + std::to_string(status.code);
    case wait_status::how::killed:
      return "killed by " + signal_name(status.code) + (status.core_dumped ? " (core dumped)" : "");
    case wait_status::how::stopped:
      return "stopped by " + signal_name(status.code);
    case wait_status::how::continued:
      return "continued";
  }
  return "unknown";
}

const char* how_name(wait_status::how end) {
  switch (end) {
    case wait_status::how::exited: return "exited";
    case wait_status::how::killed: return "killed";
    case wait_status::how::stopped: return "stopped";
    case wait_status::how::continued: return "continued";
  }
  return "unknown";
}

}  // namespace lab
