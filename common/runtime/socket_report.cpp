#include "runtime/socket_report.hpp"

#include <poll.h>

#include <cstring>
#include <utility>

#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {

void say_write(int attempt, const char* call, ssize_t n, int error) {
  if (n >= 0)
    say("write", "write {attempt}: {call} sent {result} bytes",
        {{"attempt", attempt}, {"call", call}, {"result", n}, {"error", ""}});
  else
    say("write", "write {attempt}: {call} returned -1, {error} ({reason})",
        {{"attempt", attempt},
         {"call", call},
         {"result", n},
         {"error", errno_name(error)},
         {"reason", std::strerror(error)}});
}

bool await_reset(int fd) {
  pollfd ready{fd, POLLIN, 0};
  if (check(::poll(&ready, 1, 10'000), "poll") == 0 || !(ready.revents & POLLHUP)) {
    say_error("no RST within 10 s (poll: {revents})",
              {{"revents", poll_events_text(ready.revents)}});
    return false;
  }
  say("poll", "poll(): {revents}: the peer's RST has arrived",
      {{"revents", poll_events_text(ready.revents)}});
  return true;
}

std::string poll_events_text(short revents) {
  std::string text;
  for (const auto& [bit, name] :
       {std::pair{POLLIN, "POLLIN"}, {POLLERR, "POLLERR"}, {POLLHUP, "POLLHUP"}})
    if (revents & bit) text += (text.empty() ? "" : "|") + std::string(name);
  return text;
}

}  // namespace lab
