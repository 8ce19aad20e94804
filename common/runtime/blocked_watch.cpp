#include "runtime/blocked_watch.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "os/proc.hpp"
#include "voice/narrator.hpp"

namespace lab {

bool blocked_in(pid_t pid, const std::string& call) {
  const auto info = read_proc(pid);
  const std::string wchan = read_wchan(pid);
  if (!info || info->state != 'S') return false;
  if (call == "read") return wchan == "pipe_read" || wchan == "anon_pipe_read";
  if (call == "accept") return wchan == "inet_csk_accept";
  return wchan == "hrtimer_nanosleep" || wchan == "do_nanosleep";
}

std::string watch_until_blocked(pid_t parent, const std::string& call, seconds hold) {
  if (!poll_until([&] { return blocked_in(parent, call); }, std::chrono::seconds(10)))
    throw std::runtime_error("the parent did not block in " + call + " within 10 s");
  say_state(parent);
  const std::string wchan = read_wchan(parent);
  say("step",
      "the parent is blocked in {wchan}; SIGUSR1 in {hold} s (look: ps -o pid,stat,wchan:20,cmd "
      "-p {target})",
      {{"target", parent}, {"wchan", wchan}, {"hold", hold.count()}});
  std::this_thread::sleep_for(hold);
  return wchan;
}

}  // namespace lab
