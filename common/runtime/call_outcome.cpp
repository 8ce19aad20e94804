#include "runtime/call_outcome.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "os/net.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {

call_outcome call_once(const std::string& call, int fd) {
  char buffer[64] = {};
  const long result = call == "read" ? ::read(fd, buffer, sizeof buffer - 1)
                                     : ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (result < 0) return {result, errno, "", ""};
  if (call == "read") return {result, 0, std::string(buffer, std::strcspn(buffer, "\n")), ""};
  const unique_fd connection(static_cast<int>(result));
  return {result, 0, "", peer_address(connection.get())};
}

void say_woke(std::chrono::seconds asked, std::chrono::steady_clock::time_point start,
              unsigned left) {
  const std::chrono::duration<double> slept = std::chrono::steady_clock::now() - start;
  say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
      {{"asked", asked.count()}, {"slept", slept.count()}, {"left", left}});
}

void say_call_result(std::string_view call, int attempt, const call_outcome& got, bool restarted,
                     const installed_action& action) {
  say("result",
      call == "sleep" ? "sleep() returned early, SA_RESTART or not: it is never restarted"
      : got.result < 0
          ? (got.error == EINTR ? "{call} returned -1, errno {error} ({reason}): interrupted, not "
                                  "restarted; so call again"
                                : "{call} returned -1, errno {error} ({reason})")
      : call == "read"
          ? (restarted ? "{call} returned {result} bytes \"{data}\": restarted after the handler, "
                         "the program never noticed"
                       : "{call} returned {result} bytes \"{data}\"")
          : (restarted ? "{call} returned fd {result} from {peer}: restarted after the handler, "
                         "the program never noticed"
                       : "{call} returned fd {result} from {peer}"),
      {{"attempt", attempt},
       {"call", call},
       {"result", got.result},
       {"error", got.error ? errno_name(got.error) : ""},
       {"reason", got.error ? std::strerror(got.error) : ""},
       {"data", got.data},
       {"peer", got.peer},
       {"restarted", restarted},
       {"install", action.with_signal ? "signal"
                   : action.restart   ? "sigaction+SA_RESTART"
                                      : "sigaction"},
       {"sa_restart", (action.flags & SA_RESTART) != 0},
       {"flags", describe_flags(action.flags)}});
}

}  // namespace lab
