// courseserv — a fork-per-client echo server written the way the course's best
// listing is (UNP's tcpserv04.c, the book's echo_mpserv.c with its bugs fixed):
// blocking accept, fork, the child closes the listening socket and echoes with
// a 64 KiB buffer and TCP_NODELAY, the parent closes the connected socket, and
// a SIGCHLD handler installed with SA_RESTART reaps in a waitpid(WNOHANG) loop.
// No narration per connection. The benchmark's reference for lab08-echo-serv.
//
// SIGTERM or SIGINT stops it: it stops accepting, SIGTERMs its children, reaps
// them and exits 0 after an "exit" event.
//
// Events (--json): listen {address, port}, exit {connections, reaped}, error.
//
// Usage: courseserv [--port 0] [--bind 127.0.0.1] [--backlog 4096] [--json]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "lab.hpp"
#include "os/net.hpp"

namespace {

volatile sig_atomic_t stop_requested = 0, reaped = 0;
int listen_sock = -1;

void sig_chld(int) {
  const int saved_errno = errno;
  while (::waitpid(-1, nullptr, WNOHANG) > 0) reaped = reaped + 1;
  errno = saved_errno;
}

void on_stop(int) {
  stop_requested = 1;
  ::shutdown(listen_sock, SHUT_RD);  // the accept now blocked (or the next) fails at once
}

void str_echo(int sock) {
  static char buf[65536];
  for (;;) {
    const ssize_t n = ::read(sock, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(sock, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return;
      done += w;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0, backlog = 4096;
  std::string bind_address = "127.0.0.1";
  lab::command_line cli("courseserv",
                        "A fork-per-client echo server as the course's best listing writes it: "
                        "the benchmark's reference for lab08-echo-serv.");
  cli.option("--port", port, "port to listen on (0 = any free port, reported in the listen event)",
             0, 65535);
  cli.option("--bind", bind_address, "address to listen on");
  cli.option("--backlog", backlog, "listen(2) backlog", 1, 65535);
  return cli.run(argc, argv, [&] {
    lab::set_role("server");
    struct sigaction act {};
    act.sa_handler = sig_chld;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    lab::check(::sigaction(SIGCHLD, &act, nullptr), "sigaction");
    lab::install_handler(SIGTERM, on_stop);  // no SA_RESTART: accept returns
    lab::install_handler(SIGINT, on_stop);
    ::signal(SIGPIPE, SIG_IGN);
    auto listener = lab::listen_tcp(bind_address, static_cast<std::uint16_t>(port), backlog);
    listen_sock = listener.get();
    const int on = 1;
    lab::check(::setsockopt(listen_sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on), "setsockopt");
    lab::say("listen", "listening on {address} port {port}",
             {{"address", bind_address}, {"port", lab::local_port(listen_sock)}});
    long long connections = 0;
    while (stop_requested == 0) {
      const int sock = ::accept(listen_sock, nullptr, nullptr);
      if (sock < 0) {
        if (errno == EINTR || errno == ECONNABORTED || stop_requested) continue;
        lab::check(sock, "accept");
      }
      ++connections;
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(listen_sock);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        str_echo(sock);
        ::_exit(0);
      }
      ::close(sock);  // fork failed (-1) or not: the parent's copy goes
    }
    listener.reset();
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &chld, nullptr);
    for (pid_t child : lab::children_of(::getpid())) ::kill(child, SIGTERM);
    while (::waitpid(-1, nullptr, 0) > 0) reaped = reaped + 1;
    lab::say("exit", "served {connections} connections, reaped {reaped} children",
             {{"connections", connections}, {"reaped", static_cast<long long>(reaped)}});
    return 0;
  });
}
