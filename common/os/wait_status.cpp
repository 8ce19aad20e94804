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
  return std::string(describe_text(status).view());
}

fixed_text<48> describe_text(const wait_status& status) noexcept {
  fixed_text<48> words;
  switch (status.end) {
    case wait_status::how::exited:
      words.append("exited ");
      words.append(status.code);
      break;
    case wait_status::how::killed:
      words.append("killed by ");
      words.append(signal_name_text(status.code).view());
      if (status.core_dumped) words.append(" (core dumped)");
      break;
    case wait_status::how::stopped:
      words.append("stopped by ");
      words.append(signal_name_text(status.code).view());
      break;
    case wait_status::how::continued:
      words.append("continued");
      break;
    default:
      words.append("unknown");
  }
  return words;
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
