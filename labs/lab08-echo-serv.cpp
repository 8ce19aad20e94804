// lab08-echo-serv — the course's fork-per-client echo server (echo_mpserv.c), corrected.
//
// The server blocks in accept; for each connection it forks. The child closes
// the listening socket and echoes until the client's end of file; the server
// closes the connected socket and goes back to accept. A SIGCHLD handler,
// installed with sigaction, reaps every ended child. Fixed against the book:
// the handler reaps in a loop (one SIGCHLD may stand for many exits, lab10)
// and keeps errno; accept interrupted by a signal is retried; a failed fork
// costs one connection; SIGPIPE is ignored (lab15); SIGINT, SIGTERM and SIGHUP
// stop the server, which ends and reaps its children (common/serve).
// Watch for: "accept", "fork", the child's "echo" and "close", then "reap".
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "lab.hpp"
#include "os/net.hpp"
#include "runtime/serve.hpp"

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

// SIGCHLD: reap until waitpid says 0 (the others still run) or -1 (none left).
void read_childproc(int) {
  const int saved_errno = errno;  // the code we interrupted may be about to read errno
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) lab::note_reap(pid, status);
  errno = saved_errno;
}

// The child: echo until the client's end of file. Exit code 0, or
// lab::connection_error after an error (ECONNRESET, EPIPE: the client is gone).
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
  } catch (const std::system_error& error) {
    lab::say_failed(lab::failed_call(error), error.code().value(), peer);
    code = lab::connection_error;
  }
  ::close(sock);
  lab::say_echoed(bytes, peer, code);  // "echo", then "close"
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab08-echo-serv",
                        "The course's fork-per-client echo server (echo_mpserv.c), corrected: "
                        "each connection is served by its own child, every child is reaped, "
                        "SIGINT/SIGTERM/SIGHUP stop it cleanly.");
  lab::server_options o;
  lab::add_server_options(cli, o);  // --port, --bind, --backlog, --max-children, --delay, --quiet
  return cli.run(argc, argv, [&] {
    if (!lab::is_numeric_address(o.bind_address)) {
      lab::say_error("--bind: not a numeric IP address: {address}", {{"address", o.bind_address}});
      return 2;
    }
    lab::set_role("server");
    lab::serve_quietly(o.quiet);  // reap, echo and close unsaid
    lab::set_output_patience(0);  // narration never blocks the server (`| sleep 120`)

    struct sigaction act {};
    act.sa_handler = read_childproc;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_NOCLDSTOP;  // no SA_RESTART: accept returns -1/EINTR, the loop retries
    lab::check(sigaction(SIGCHLD, &act, nullptr), "sigaction");
    lab::stop_on({SIGINT, SIGTERM, SIGHUP});  // the loop ends; the children are ended, reaped
    lab::install_handler(SIGPIPE, SIG_IGN);   // a write to a reset client: EPIPE, not death

    lab::unique_fd listener =
        lab::listen_for_clients(o.bind_address, o.port, o.backlog);  // + "listen"
    const int listen_sock = lab::stop_shuts_down(listener.get());    // accept fails at a stop
    if (!o.quiet) {
      lab::stage("listening: connections wait in the backlog until accepted");
      lab::ask(question);  // --step: predict what becomes of a served child
    }
    lab::accept_failures failures;
    long long connections = 0, refused = 0, forked = 0;
    bool revealed = o.quiet;
    while (!lab::stop_requested()) {
      if (!revealed && lab::first_reaped()) {  // the first reaped child: still in /proc?
        const auto after = lab::read_proc(lab::first_reaped());
        lab::reveal(question, after ? std::string(1, after->state) : "gone");
        revealed = true;
      }
      if (o.max_children > 0) lab::wait_for_room(forked, o.max_children);  // at the limit
      sockaddr_storage addr;
      socklen_t addr_size = sizeof addr;
      const int sock = ::accept(listen_sock, reinterpret_cast<sockaddr*>(&addr), &addr_size);
      if (sock == -1) {
        if (errno != EINTR && !lab::stop_requested()) failures.handle(errno);  // EMFILE: retry
        continue;
      }
      failures.succeeded();
      ++connections;
      const std::string peer = lab::format_address(addr);
      if (!o.quiet) lab::say("accept", "accepted a connection from {peer}", {{"peer", peer}});
      const pid_t pid = ::fork();
      if (pid == -1) {  // EAGAIN: no process to spare; this client gets end of file
        lab::say_failed("fork", errno, peer);
        ::close(sock);
        ++refused;
        continue;
      }
      if (pid == 0) {  // the child
        lab::set_role("child");
        ::close(listen_sock);
        ::_exit(echo(sock, peer, o.delay.count()));
      }
      ++forked;
      ::close(sock);  // the parent: the child holds the connection now
      if (o.quiet) continue;
      lab::say("fork", "forked child {child} for {peer}; the server closed its copy",
               {{"child", pid}, {"peer", peer}, {"live", forked - lab::reaped_count()}});
      if (connections == 1) {
        lab::name_process(pid, "child");
        lab::show_tree("the server and its first child:");
        lab::stage("the child echoes; the server is back in accept");
      }
    }
    if (!revealed && lab::first_reaped()) lab::reveal(question, "gone");
    return lab::stop_serving(listener, connections, refused);  // the children ended, reaped
  });
}
