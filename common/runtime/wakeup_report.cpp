#include "runtime/wakeup_report.hpp"

#include "voice/narrator.hpp"

namespace lab {

void say_polled(const std::string& via, int fd) {
  const bool use_signalfd = via == "signalfd";
  say("wakeup", "the loop will poll {what}: fd {fd}",
      {{"via", via},
       {"fd", fd},
       {"what", use_signalfd ? "a signalfd for SIGCHLD" : "the read end of a self-pipe"}});
}

void say_ready(const std::string& via, bool from_listener, bool from_wake) {
  const bool use_signalfd = via == "signalfd";
  // Whole phrases (each a message id, translated as a field's words).
  const char* which = !from_wake      ? (from_listener ? "the listening socket" : "")
                      : !from_listener ? (use_signalfd ? "the signalfd" : "the self-pipe")
                      : use_signalfd   ? "the listening socket and the signalfd"
                                       : "the listening socket and the self-pipe";
  say("poll", "poll(): ready: {which}",
      {{"listener", from_listener}, {"wake", from_wake}, {"which", which}});
}

void say_woken(const std::string& via, int fd, int count, pid_t sender) {
  const bool use_signalfd = via == "signalfd";
  say("wakeup",
      use_signalfd ? (count == 1 ? "read {count} record from the signalfd: SIGCHLD from {sender}"
                                 : "read {count} records from the signalfd: SIGCHLD from {sender}")
      : count == 1 ? "read {count} byte from the self-pipe"
                   : "read {count} bytes from the self-pipe",
      {{"via", via}, {"fd", fd}, {"count", count}, {"sender", sender}});
}

}  // namespace lab
