// lab08-echo-serv — a fork-per-client echo server, as the textbook should have written it.
//
// The server accepts a connection and forks: the child closes the listening
// socket and echoes every byte until the client's end of file; the server
// closes its copy of the connected socket at once and goes back to accept.
// Ended children are reaped by the main loop: the SIGCHLD handler only writes
// a byte into a self-pipe (lab16), and the loop calls waitpid(WNOHANG) until it
// returns 0, so SIGCHLDs that merge (lab10) leave no zombie. A client that
// resets gives its child ECONNRESET or EPIPE, reported, instead of a silent
// death by SIGPIPE (lab15).
//
// Watch for: "accept", "fork", then the child's "echo" and "close", then the
// server's "reap" with the decoded status. SIGINT/SIGTERM: stop accepting, end
// the children, reap them all, exit 0.
//
// Usage: lab08-echo-serv [--port N] [--bind ADDR] [--backlog N] [--max-children N] [--quiet]
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <map>

#include "lab.hpp"
#include "net.hpp"
#include "self_pipe.hpp"

namespace {

constexpr int kConnectionError = 3;  // a child's exit code after a reported read/write error

const lab::self_pipe* wake_pipe = nullptr;
volatile sig_atomic_t stop_signal = 0;

// Async-signal-safe: notes a stop request and wakes the main loop; nothing else.
void on_signal(int signo) {
  if (signo != SIGCHLD) stop_signal = signo;
  wake_pipe->wake();  // saves and restores errno
}

struct server {
  lab::unique_fd listener;
  lab::self_pipe wake;
  bool quiet = false, out_of_files = false;
  std::map<pid_t, std::string> children;  // live child -> its client
  long long connections = 0, refused = 0, reaped = 0, failed = 0;
};

void report(const std::system_error& error, const std::string& peer) {
  const int code = error.code().value();
  lab::say_error(peer.empty() ? "{call}: {errno} ({reason})" : "{peer}: {call}: {errno} ({reason})",
                 {{"errno", lab::errno_name(code)},
                  {"peer", peer},
                  {"call", lab::failed_call(error)},
                  {"reason", std::strerror(code)}});
}

// child: echoes until the client's end of file; returns the exit code.
int echo_connection(lab::unique_fd connection, const std::string& peer, bool quiet) {
  std::array<char, 65536> buffer;
  long long bytes = 0;
  int code = 0;
  try {
    // An echo sends what it has at once: without TCP_NODELAY, Nagle's algorithm
    // holds a short last piece until the client's delayed ACK (~40 ms).
    const int on = 1;
    lab::check(::setsockopt(connection.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on),
               "setsockopt");
    while (const std::size_t n = lab::read_some(connection.get(), buffer)) {  // EINTR retried
      lab::write_all(connection.get(), {buffer.data(), n});  // short writes completed
      bytes += static_cast<long long>(n);
    }
  } catch (const std::system_error& error) {  // ECONNRESET, EPIPE: the client is gone
    report(error, peer);
    code = kConnectionError;
  }
  connection.reset();
  if (!quiet) {
    lab::say("echo", "echoed {bytes} bytes to {peer}", {{"bytes", bytes}, {"peer", peer}});
    lab::say("close", "closed the connection to {peer}", {{"peer", peer}, {"code", code}});
  }
  return code;
}

void note_reap(server& s, pid_t pid, int status) {
  const auto how = lab::decode_wait_status(status);
  const bool told_to_stop =
      how.end == lab::wait_status::how::killed && (how.code == SIGTERM || how.code == SIGINT);
  const bool fine =
      how.end == lab::wait_status::how::exited && (how.code == 0 || how.code == kConnectionError);
  if (!fine && !told_to_stop) s.failed = s.failed + 1;
  s.children.erase(pid);
  s.reaped = s.reaped + 1;
  if (!s.quiet) {
    lab::say_reap(pid, status);
    const auto after = lab::read_proc(pid);  // the first reap answers the quiz: gone from /proc?
    lab::reveal("lab08.served_child", after ? std::string(1, after->state) : "gone");
  }
  lab::forget_process(pid);
}

// One SIGCHLD may stand for many exits: reap until waitpid says 0 (the others
// still run) or ECHILD (no child left). WNOHANG: never block the server.
void reap_ended_children(server& s) {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0)
      note_reap(s, pid, status);
    else if (pid == 0 || errno == ECHILD)
      return;
    else if (errno != EINTR)
      lab::check(pid, "waitpid");
  }
}

// Accepts one connection and forks its child. False: out of descriptors.
bool accept_and_fork(server& s) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  lab::unique_fd connection(
      ::accept4(s.listener.get(), reinterpret_cast<sockaddr*>(&address), &length, SOCK_CLOEXEC));
  if (!connection) {
    const int error = errno;
    if (lab::accept_error_is_transient(error)) return true;  // EINTR, ECONNABORTED: next poll
    if (error != EMFILE && error != ENFILE && error != ENOBUFS && error != ENOMEM)
      throw std::system_error(error, std::generic_category(), "accept");
    // Said once per shortage, from errno alone: UBSan, checking a std::system_error
    // object, would itself need a free descriptor.
    if (!s.out_of_files)
      lab::say_error("accept: {errno} ({reason}): trying again every 100 ms",
                     {{"errno", lab::errno_name(error)},
                      {"peer", ""},
                      {"reason", std::strerror(error)}});
    s.out_of_files = true;
    return false;
  }
  s.out_of_files = false;
  s.connections = s.connections + 1;
  const std::string peer = lab::format_address(address);
  if (!s.quiet) lab::say("accept", "accepted a connection from {peer}", {{"peer", peer}});
  pid_t pid = 0;
  {
    lab::signal_block hold({SIGCHLD, SIGINT, SIGTERM});  // none of our handlers in the child
    try {
      pid = lab::fork_as("child");
    } catch (const std::system_error& error) {  // EAGAIN: no process to spare
      report(error, peer);
      s.refused = s.refused + 1;
      return true;  // `connection` closes here: the client sees end of file
    }
    if (pid == 0)  // child
      for (int signo : {SIGCHLD, SIGINT, SIGTERM}) lab::install_handler(signo, SIG_DFL);
  }
  if (pid == 0) {  // child
    s.listener.reset();
    s.wake.close();
    ::_exit(echo_connection(std::move(connection), peer, s.quiet));
  }
  // parent
  connection.reset();  // the child holds the connection now
  s.children[pid] = peer;
  if (s.quiet) return true;
  lab::say("fork", "forked child {child} for {peer}; the server closed its copy",
           {{"child", pid}, {"peer", peer}, {"live", static_cast<long long>(s.children.size())}});
  if (s.connections == 1) {
    lab::show_tree("the server and its first child:");
    lab::stage("the child echoes; the server is back in accept");
  }
  return true;
}

// The main loop: poll the self-pipe and (when a child may be added) the
// listening socket, until SIGINT or SIGTERM.
void serve(server& s, std::size_t max_children) {
  using clock = std::chrono::steady_clock;
  clock::time_point resume_accept;  // out of descriptors: no accept (no busy loop) until then
  while (stop_signal == 0) {
    const auto pause = std::chrono::ceil<std::chrono::milliseconds>(resume_accept - clock::now());
    const bool room = max_children == 0 || s.children.size() < max_children;
    pollfd fds[2] = {{s.wake.read_fd(), POLLIN, 0},
                     {room && pause.count() <= 0 ? s.listener.get() : -1, POLLIN, 0}};
    const int ready = ::poll(fds, 2, pause.count() > 0 ? static_cast<int>(pause.count()) : -1);
    if (ready < 0 && errno != EINTR) lab::check(ready, "poll");
    if (ready <= 0) continue;  // EINTR (the pipe says why) or the pause is over
    if (fds[0].revents & POLLIN) {
      s.wake.drain();  // first: a SIGCHLD during the reaping wakes us again
      reap_ended_children(s);
    }
    if ((fds[1].revents & POLLIN) && !accept_and_fork(s))
      resume_accept = clock::now() + std::chrono::milliseconds(100);
  }
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab08-echo-serv",
                        "A fork-per-client echo server: each connection is served by its own "
                        "child, every child is reaped, SIGINT/SIGTERM stop it cleanly.");
  int port = 9190, backlog = 128, max_children = 0;
  std::string bind_address = "127.0.0.1";
  bool quiet = false;
  cli.option("--port", port, "TCP port; 0 picks a free one (the listen event says which)", 0,
             65535);
  cli.option("--bind", bind_address, "numeric address to listen on");
  cli.option("--backlog", backlog, "connections the kernel queues until accepted", 1, 65535);
  cli.option("--max-children", max_children, "at most N children at once (0: no limit)", 0,
             1 << 20);
  cli.flag("--quiet", quiet, "narrate only listen, errors and the final summary (load runs)");
  return cli.run(argc, argv, [&] {
    if (!lab::is_numeric_address(bind_address)) {
      lab::say_error("--bind: not a numeric IP address: {address}", {{"address", bind_address}});
      return 2;
    }
    lab::set_role("server");
    const lab::open_file_limit files = lab::raise_open_file_limit();
    server s;
    s.quiet = quiet;
    wake_pipe = &s.wake;
    lab::install_handler(SIGPIPE, SIG_IGN);  // writing to a reset client: EPIPE, not death
    for (int signo : {SIGINT, SIGTERM}) lab::install_handler(signo, on_signal);
    lab::install_handler(SIGCHLD, on_signal, SA_NOCLDSTOP);  // no SA_RESTART: poll says EINTR

    s.listener = lab::listen_tcp(bind_address, static_cast<std::uint16_t>(port), backlog);
    // Non-blocking: a client that resets between poll and accept must not block us.
    lab::check(::fcntl(s.listener.get(), F_SETFL, O_NONBLOCK), "fcntl");
    lab::say("listen",
             files.now == files.before
                 ? "listening on {address} (backlog {backlog}, open-file limit {open_files})"
                 : "listening on {address} (backlog {backlog}, open-file limit raised from "
                   "{open_files_before} to {open_files})",
             {{"address", lab::local_address(s.listener.get())},
              {"port", lab::local_port(s.listener.get())},
              {"backlog", backlog},
              {"max_children", max_children},
              {"open_files", files.now},
              {"open_files_before", files.before}});
    if (!quiet) {
      lab::stage("listening: connections wait in the backlog until accepted");
      lab::ask("lab08.served_child");  // --step: predict what becomes of a served child
    }
    serve(s, static_cast<std::size_t>(max_children));

    if (!quiet) {
      lab::say("signal", "{signal}: stop accepting, end the children, reap them all",
               {{"signal", lab::signal_name(stop_signal)}});
      lab::stage("stopping");
    }
    s.listener.reset();
    for (const auto& [pid, peer] : s.children) {
      lab::check(::kill(pid, SIGTERM), "kill");
      lab::check(::kill(pid, SIGCONT), "kill");  // a stopped child must wake up to die
    }
    while (!s.children.empty()) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, 0);
      if (pid > 0)
        note_reap(s, pid, status);
      else if (errno != EINTR)
        lab::check(pid, "waitpid");
    }
    const int status = s.failed == 0 ? 0 : 1;
    lab::say("exit",
             "served {connections} connections, refused {refused}, reaped {reaped} children, "
             "{failed} failed",
             {{"connections", s.connections},
              {"refused", s.refused},
              {"reaped", s.reaped},
              {"failed", s.failed},
              {"status", status}});
    return status;
  });
}
