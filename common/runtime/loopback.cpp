#include "runtime/loopback.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

#include "os/net.hpp"
#include "voice/narrator.hpp"

namespace lab {

loopback_listener listen_on_loopback(int backlog) {
  loopback_listener listener{listen_tcp("127.0.0.1", 0, backlog), 0};
  listener.port = local_port(listener.socket.get());
  say("listen", "listening on {address}",
      {{"address", local_address(listener.socket.get())}, {"port", listener.port}});
  return listener;
}

unique_fd connect_on_loopback(std::uint16_t port) {
  unique_fd connection = connect_tcp("127.0.0.1", port);
  say("connect", "connected {local} -> {peer}",
      {{"local", local_address(connection.get())}, {"peer", peer_address(connection.get())}});
  return connection;
}

loopback_connection connect_to_itself() {
  loopback_connection ends;
  ends.listener = listen_tcp("127.0.0.1", 0, 1);
  const auto port = local_port(ends.listener.get());
  say("listen", "listening on 127.0.0.1:{port}", {{"address", "127.0.0.1"}, {"port", port}});
  ends.client = connect_tcp("127.0.0.1", port);
  ends.connection =
      unique_fd(check(::accept4(ends.listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept"));
  say("accept", "accepted {peer} as fd {fd}",
      {{"peer", peer_address(ends.connection.get())}, {"fd", ends.connection.get()}});
  struct stat socket_stat {};
  check(::fstat(ends.connection.get(), &socket_stat), "fstat");
  ends.target = "socket:[" + std::to_string(socket_stat.st_ino) + "]";
  return ends;
}

}  // namespace lab
