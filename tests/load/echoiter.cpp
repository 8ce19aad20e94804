// echoiter — an iterative echo server: one process, one client at a time, no
// fork. The floor the benchmark sets the fork-per-client server against: what
// accept + echo + close costs when no process is made per client.
//
// Serves each client until it closes (read, write back, TCP_NODELAY, 64 KiB
// buffer), then accepts the next. --corrupt N flips one byte at offset N of
// every connection's echo: a deliberately broken server that echoload must
// catch. SIGTERM or SIGINT stops it: it exits 0 after an "exit" event.
//
// Events (--json): listen {address, port}, exit {clients, bytes}, error.
//
// Usage: echoiter [--port 0] [--bind 127.0.0.1] [--backlog 128] [--corrupt N] [--json]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "lab.hpp"
#include "os/net.hpp"

namespace {

volatile sig_atomic_t stop_requested = 0;

void on_stop(int) {
  stop_requested = 1;
}

// Echoes one connection until end of file. Returns the bytes echoed; an
// interrupted read (SIGTERM) ends it early.
long long serve(int connection, long long corrupt_at) {
  std::vector<char> buffer(65536);
  long long echoed = 0;
  while (stop_requested == 0) {
    const ssize_t n = ::read(connection, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of file, or reset: either way this client is done
    if (corrupt_at >= echoed && corrupt_at < echoed + n) buffer[corrupt_at - echoed] ^= 0x20;
    try {
      lab::write_all(connection, std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    } catch (const std::system_error&) {
      break;  // the client went away: the next one
    }
    echoed += n;
  }
  return echoed;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int backlog = 128;
  int corrupt = -1;
  std::string bind_address = "127.0.0.1";
  lab::command_line cli("echoiter",
                        "An iterative echo server (one client at a time, no fork): the floor for "
                        "the fork-per-client echo server's benchmark.");
  cli.option("--port", port, "port to listen on (0 = any free port, reported in the listen event)",
             0, 65535);
  cli.option("--bind", bind_address, "address to listen on");
  cli.option("--backlog", backlog, "listen(2) backlog", 1, 65535);
  cli.option("--corrupt", corrupt,
             "flip the byte at this offset of every connection's echo (-1 = never)", -1, 1 << 30);
  return cli.run(argc, argv, [&] {
    lab::set_role("server");
    lab::install_handler(SIGTERM, on_stop);  // no SA_RESTART: accept/read return EINTR
    lab::install_handler(SIGINT, on_stop);
    ::signal(SIGPIPE, SIG_IGN);
    auto listener = lab::listen_tcp(bind_address, static_cast<std::uint16_t>(port), backlog);
    lab::say("listen", "listening on {address} port {port}",
             {{"address", bind_address}, {"port", lab::local_port(listener.get())}});
    long long clients = 0, bytes = 0;
    while (stop_requested == 0) {
      const int connection = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        lab::check(connection, "accept4");
      }
      lab::unique_fd client(connection);
      const int on = 1;
      lab::check(::setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on), "setsockopt");
      bytes += serve(connection, corrupt);
      ++clients;
    }
    lab::say("exit", "served {clients} clients, echoed {bytes} bytes",
             {{"clients", clients}, {"bytes", bytes}});
    return 0;
  });
}
