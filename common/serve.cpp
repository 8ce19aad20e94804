#include "serve.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>

#include "voice/narrator.hpp"
#include "os/net.hpp"
#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"

namespace lab {

void signal_say_reap(pid_t child, int status) noexcept {
  if (WIFEXITED(status)) {
    signal_say("reap", "reaped child {child}: exited {code}",
               {{"child", child}, {"exited", 1}, {"code", WEXITSTATUS(status)}, {"signal", 0}});
    return;
  }
  const int signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  struct named {
    int signo;
    const char* text;
  };
  static constexpr named names[] = {{SIGTERM, "reaped child {child}: killed by SIGTERM"},
                                    {SIGKILL, "reaped child {child}: killed by SIGKILL"},
                                    {SIGINT, "reaped child {child}: killed by SIGINT"},
                                    {SIGHUP, "reaped child {child}: killed by SIGHUP"},
                                    {SIGPIPE, "reaped child {child}: killed by SIGPIPE"},
                                    {SIGSEGV, "reaped child {child}: killed by SIGSEGV"}};
  const char* text = "reaped child {child}: killed by signal {signal}";
  for (const named& n : names)
    if (n.signo == signo) text = n.text;
  signal_say("reap", text, {{"child", child}, {"exited", 0}, {"code", signo}, {"signal", signo}});
}

bool ended_as_expected(int status, int error_code) noexcept {
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == error_code;
  if (!WIFSIGNALED(status)) return false;
  const int signo = WTERMSIG(status);
  return signo == SIGTERM || signo == SIGINT || signo == SIGHUP;
}

void say_failed(std::string_view call, int error, std::string_view peer) {
  say_error(peer.empty() ? "{call}: {errno} ({reason})" : "{peer}: {call}: {errno} ({reason})",
            {{"errno", errno_name(error)},
             {"peer", peer},
             {"call", call},
             {"reason", std::strerror(error)}});
}

void accept_failures::handle(int error) {
  if (accept_error_is_transient(error)) return;
  if (error != EMFILE && error != ENFILE && error != ENOBUFS && error != ENOMEM)
    throw std::system_error(error, std::generic_category(), "accept");
  // Said once per shortage, from errno alone: UBSan, checking a std::system_error
  // object, would itself need a free descriptor.
  if (!short_)
    say_error("accept: {errno} ({reason}): trying again every 100 ms",
              {{"errno", errno_name(error)}, {"peer", ""}, {"reason", std::strerror(error)}});
  short_ = true;
  const timespec pause{0, 100'000'000};
  ::nanosleep(&pause, nullptr);  // cut short by a signal: the loop looks at why
}

void pause_for(double seconds) {
  if (seconds <= 0) return;
  const double whole = std::floor(seconds);
  timespec left{static_cast<time_t>(whole), static_cast<long>((seconds - whole) * 1e9)};
  while (::nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

void wait_while(const std::function<bool()>& busy) {
  sigset_t all, previous;
  sigfillset(&all);
  check(::sigprocmask(SIG_BLOCK, &all, &previous), "sigprocmask");
  while (busy()) ::sigsuspend(&previous);  // returns after a handler ran
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
}

void end_children(void (*reaped)(pid_t, int)) {
  signal_block hold({SIGCHLD});  // the waitpid below reaps; the handler must not
  for (pid_t child : children_of(::getpid())) {
    ::kill(child, SIGTERM);  // ESRCH: it has just gone; a zombie is reaped below
    ::kill(child, SIGCONT);
  }
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid > 0)
      reaped(pid, status);
    else if (errno == ECHILD)
      return;
    else if (errno != EINTR)
      check(pid, "waitpid");
  }
}

unique_fd listen_for_clients(const std::string& address, int port, int backlog) {
  const open_file_limit files = raise_open_file_limit();
  unique_fd listener = listen_tcp(address, static_cast<std::uint16_t>(port), backlog);
  const int on = 1;
  check(::setsockopt(listener.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on), "setsockopt");
  say("listen",
      files.now == files.before
          ? "listening on {address} (backlog {backlog}, open-file limit {open_files})"
          : "listening on {address} (backlog {backlog}, open-file limit raised from "
            "{open_files_before} to {open_files})",
      {{"address", local_address(listener.get())},
       {"port", local_port(listener.get())},
       {"backlog", backlog},
       {"open_files", files.now},
       {"open_files_before", files.before}});
  return listener;
}

void say_summary(long long connections, long long refused, long long reaped, long long failed) {
  const char* text =
      connections == 1
          ? (reaped == 1 ? "served 1 connection, refused {refused}, reaped 1 child, {failed} failed"
                         : "served 1 connection, refused {refused}, reaped {reaped} children, "
                           "{failed} failed")
          : (reaped == 1 ? "served {connections} connections, refused {refused}, reaped 1 child, "
                           "{failed} failed"
                         : "served {connections} connections, refused {refused}, reaped {reaped} "
                           "children, {failed} failed");
  const long long dropped = dropped_lines();
  if (dropped > 0)
    say("dropped", "{dropped} lines of narration dropped: nobody read the output in time",
        {{"dropped", dropped}});
  say("exit", text,
      {{"connections", connections},
       {"refused", refused},
       {"reaped", reaped},
       {"failed", failed},
       {"dropped", dropped},
       {"status", failed == 0 ? 0 : 1}});
}

}  // namespace lab
