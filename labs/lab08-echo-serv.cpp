// lab08-echo-serv — the course's fork-per-client echo server (echo_mpserv.c), corrected.
//
// The server blocks in accept; for each connection it forks. The child closes
// the listening socket and echoes until the client's end of file; the server
// closes the connected socket and goes back to accept. A SIGCHLD handler,
// installed with sigaction, reaps every ended child. Fixed against the book:
// the handler reaps in a loop (one SIGCHLD may stand for many exits, lab10)
// and keeps errno; accept interrupted by a signal is retried; a failed fork
// costs one connection; SIGPIPE is ignored (lab15); SIGINT, SIGTERM and SIGHUP
// stop the server, which ends and reaps its children.
//
// Watch for: "accept", "fork", the child's "echo" and "close", then "reap".
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "lab.hpp"
#include "os/net.hpp"
#include "serve.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab08.served_child",
    "A client connects, is echoed and closes; the child that served it exits. What becomes of "
    "that child?",
    {{{"Z", "it stays a zombie until the server exits"},
      {"gone", "the server reaps it at once: it is gone from /proc"},
      {"init", "init adopts it and reaps it"}}},
    "its exit raises SIGCHLD, and the handler calls waitpid(-1, &status, WNOHANG) until it "
    "returns 0 or -1, so no zombie stays."};
static_assert(lab::well_formed(question));

namespace {

constexpr int kConnectionError = 3;  // a child's exit code after a reported read/write error

volatile sig_atomic_t stop_signal = 0;                     // set by SIGINT, SIGTERM, SIGHUP
volatile sig_atomic_t forked = 0, reaped = 0, failed = 0;  // each written by one side only
volatile sig_atomic_t first_reaped = 0;                    // for the quiz
int listen_sock = -1;
pid_t server_pid = 0;
bool quiet = false;

// Async-signal-safe: counts a reaped child and narrates it (signal_say, no stdio).
void note_reap(pid_t pid, int status) {
  reaped = reaped + 1;
  if (!lab::ended_as_expected(status, kConnectionError)) failed = failed + 1;
  if (first_reaped == 0) first_reaped = pid;
  if (!quiet) lab::signal_say_reap(pid, status);
}

// SIGCHLD: reap until waitpid says 0 (the others still run) or -1 (none left).
void read_childproc(int) {
  const int saved_errno = errno;  // the code we interrupted may be about to read errno
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) note_reap(pid, status);
  errno = saved_errno;
}

// SIGINT, SIGTERM, SIGHUP: stop. shutdown() makes every accept, now or after the
// loop's check, fail at once: no stop is lost between the check and the call.
// A child inherits this handler: there it dies of the signal, as by default.
void stop(int signo) {
  const int saved_errno = errno;
  if (::getpid() != server_pid) {
    ::signal(signo, SIG_DFL);
    ::raise(signo);  // delivered, and fatal, as the handler returns
  } else {
    stop_signal = signo;
    ::shutdown(listen_sock, SHUT_RD);
  }
  errno = saved_errno;
}

// The child: echo until the client's end of file. Exit code 0, or 3 after an error.
int echo(int sock, const std::string& peer, double delay) {
  char buf[65536];
  long long bytes = 0;
  int code = 0;
  try {
    while (const std::size_t n = lab::read_some(sock, buf)) {  // 0: end of file
      lab::pause_for(delay);                                   // --delay: a slow server
      lab::write_all(sock, {buf, n});                          // short writes completed
      bytes += static_cast<long long>(n);
    }
  } catch (const std::system_error& error) {  // ECONNRESET, EPIPE: the client is gone
    lab::say_failed(lab::failed_call(error), error.code().value(), peer);
    code = kConnectionError;
  }
  ::close(sock);
  if (!quiet) {
    lab::say("echo", bytes == 1 ? "echoed 1 byte to {peer}" : "echoed {bytes} bytes to {peer}",
             {{"bytes", bytes}, {"peer", peer}});
    lab::say("close", "closed the connection to {peer}", {{"peer", peer}, {"code", code}});
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab08-echo-serv",
                        "The course's fork-per-client echo server (echo_mpserv.c), corrected: "
                        "each connection is served by its own child, every child is reaped, "
                        "SIGINT/SIGTERM/SIGHUP stop it cleanly.");
  int port = 9190, backlog = 4096, max_children = 0;
  lab::seconds delay{0};
  std::string bind_address = "127.0.0.1";
  cli.option("--port", port, "TCP port; 0 picks a free one (the listen event says which)", 0,
             65535);
  cli.option("--bind", bind_address, "numeric address to listen on");
  cli.option("--backlog", backlog, "connections the kernel queues until accepted (the book: 5)", 1,
             65535);
  cli.option("--max-children", max_children, "at most N children at once (0: no limit)", 0,
             1 << 20);
  cli.option("--delay", delay, "each child waits S seconds before echoing what it read", 0, 60);
  cli.flag("--quiet", quiet, "narrate only listen, errors and the final summary (load runs)");
  return cli.run(argc, argv, [&] {
    if (!lab::is_numeric_address(bind_address)) {
      lab::say_error("--bind: not a numeric IP address: {address}", {{"address", bind_address}});
      return 2;
    }
    lab::set_role("server");
    server_pid = ::getpid();
    lab::set_output_patience(0);  // narration never blocks the server (`| sleep 120`)

    struct sigaction act {};
    act.sa_handler = read_childproc;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_NOCLDSTOP;  // no SA_RESTART: accept returns -1/EINTR, the loop retries
    lab::check(sigaction(SIGCHLD, &act, nullptr), "sigaction");
    for (int signo : {SIGINT, SIGTERM, SIGHUP}) lab::install_handler(signo, stop);
    lab::install_handler(SIGPIPE, SIG_IGN);  // a write to a reset client: EPIPE, not death

    lab::unique_fd listener = lab::listen_for_clients(bind_address, port, backlog);  // + "listen"
    listen_sock = listener.get();
    if (!quiet) {
      lab::stage("listening: connections wait in the backlog until accepted");
      lab::ask(question);  // --step: predict what becomes of a served child
    }
    lab::accept_failures failures;
    long long connections = 0, refused = 0;
    bool revealed = quiet;
    while (!stop_signal) {
      if (!revealed && first_reaped) {  // the first reaped child: still in /proc?
        const auto after = lab::read_proc(first_reaped);
        lab::reveal(question, after ? std::string(1, after->state) : "gone");
        revealed = true;
      }
      if (max_children > 0)
        lab::wait_while([&] { return forked - reaped >= max_children && !stop_signal; });
      sockaddr_storage addr;
      socklen_t addr_size = sizeof addr;
      const int sock = ::accept(listen_sock, reinterpret_cast<sockaddr*>(&addr), &addr_size);
      if (sock == -1) {
        if (errno != EINTR && !stop_signal) failures.handle(errno);  // EMFILE: wait, retry
        continue;
      }
      failures.succeeded();
      connections = connections + 1;
      const std::string peer = lab::format_address(addr);
      if (!quiet) lab::say("accept", "accepted a connection from {peer}", {{"peer", peer}});
      const pid_t pid = ::fork();
      if (pid == -1) {  // EAGAIN: no process to spare; this client gets end of file
        lab::say_failed("fork", errno, peer);
        ::close(sock);
        refused = refused + 1;
        continue;
      }
      if (pid == 0) {  // the child
        lab::set_role("child");
        ::close(listen_sock);
        ::_exit(echo(sock, peer, delay.count()));
      }
      forked = forked + 1;
      ::close(sock);  // the parent: the child holds the connection now
      if (quiet) continue;
      lab::say("fork", "forked child {child} for {peer}; the server closed its copy",
               {{"child", pid}, {"peer", peer}, {"live", forked - reaped}});
      if (connections == 1) {
        lab::name_process(pid, "child");
        lab::show_tree("the server and its first child:");
        lab::stage("the child echoes; the server is back in accept");
      }
    }
    if (!revealed && first_reaped) lab::reveal(question, "gone");
    if (!quiet) {
      lab::say("signal", "{signal}: stop accepting, end the children, reap them all",
               {{"signal", lab::signal_name(stop_signal)}});
      lab::stage("stopping");
    }
    listen_sock = -1;  // a late stop() must not shut down whatever gets the number next
    listener.reset();
    lab::end_children(note_reap);  // SIGTERM to each, then waitpid until none is left
    lab::say_summary(connections, refused, reaped, failed);
    return failed == 0 ? 0 : 1;
  });
}
