#include "runtime/serve.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>

#include "os/net.hpp"
#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {
namespace {

volatile sig_atomic_t stop_signal = 0;                        // set by the stop handler
volatile sig_atomic_t reaped = 0, failed = 0, first_pid = 0;  // written by SIGCHLD's handler
int listen_fd = -1;
pid_t server_pid = 0;
bool quiet = false;

// SIGINT, SIGTERM, SIGHUP: stop.
void stop_server(int signo) {
  const int saved_errno = errno;
  if (::getpid() != server_pid) {
    ::signal(signo, SIG_DFL);
    ::raise(signo);  // delivered, and fatal, as the handler returns
  } else {
    stop_signal = signo;
    ::shutdown(listen_fd, SHUT_RD);
  }
  errno = saved_errno;
}

}  // namespace

void add_server_options(command_line& cli, server_options& o) {
  cli.option("--port", o.port, "TCP port; 0 picks a free one (the listen event says which)", 0,
             65535);
  cli.option("--bind", o.bind_address, "numeric address to listen on");
  cli.option("--backlog", o.backlog, "connections the kernel queues until accepted (the book: 5)",
             1, 65535);
  cli.option("--max-children", o.max_children, "at most N children at once (0: no limit)", 0,
             1 << 20);
  cli.option("--delay", o.delay, "each child waits S seconds before echoing what it read", 0, 60);
  cli.flag("--quiet", o.quiet, "narrate only listen, errors and the final summary (load runs)");
}

void serve_quietly(bool on) {
  quiet = on;
}

void note_reap(pid_t child, int status) noexcept {
  reaped = reaped + 1;
  if (!ended_as_expected(status, connection_error)) failed = failed + 1;
  if (first_pid == 0) first_pid = child;
  if (!quiet) signal_say_reap(child, status);
}

long long reaped_count() noexcept {
  return reaped;
}

pid_t first_reaped() noexcept {
  return first_pid;
}

void say_echoed(long long bytes, const std::string& peer, int code) {
  if (quiet) return;
  say("echo", bytes == 1 ? "echoed 1 byte to {peer}" : "echoed {bytes} bytes to {peer}",
      {{"bytes", bytes}, {"peer", peer}});
  say("close", "closed the connection to {peer}", {{"peer", peer}, {"code", code}});
}

void stop_on(std::initializer_list<int> signals) {
  server_pid = ::getpid();
  for (int signo : signals) install_handler(signo, stop_server);
}

int stop_shuts_down(int listen_socket) {
  listen_fd = listen_socket;
  return listen_socket;
}

int stop_requested() noexcept {
  return stop_signal;
}

void wait_for_room(long long forked, int max_children) {
  wait_while([&] { return forked - reaped >= max_children && !stop_signal; });
}

int stop_serving(unique_fd& listener, long long connections, long long refused) {
  if (!quiet) {
    say("signal", "{signal}: stop accepting, end the children, reap them all",
        {{"signal", signal_name(stop_signal)}});
    stage("stopping");
  }
  listen_fd = -1;  // a late stop must not shut down whatever gets the number next
  listener.reset();
  end_children(note_reap);  // SIGTERM to each, then waitpid until none is left
  say_summary(connections, refused, reaped, failed);
  return failed == 0 ? 0 : 1;
}

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
            {{"errno", errno_name_text(error).view()},
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
    say_error(
        "accept: {errno} ({reason}): trying again every 100 ms",
        {{"errno", errno_name_text(error).view()}, {"peer", ""}, {"reason", std::strerror(error)}});
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
