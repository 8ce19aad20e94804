// loopback: the lab as its own server and its own client on 127.0.0.1 — a
// listening socket on a port the kernel picks, and a connection to it, each
// narrated. Not async-signal-safe.
#pragma once

#include <cstdint>
#include <string>

#include "os/sys.hpp"

namespace lab {

struct loopback_listener {
  unique_fd socket;
  std::uint16_t port = 0;  // what port 0 became
};

// listen_tcp("127.0.0.1", 0, backlog), then a "listen" event "listening on
// {address}" (fields address, port).
loopback_listener listen_on_loopback(int backlog);

// connect_tcp("127.0.0.1", port), then a "connect" event "connected {local} ->
// {peer}" (fields local, peer).
unique_fd connect_on_loopback(std::uint16_t port);

// The lab as server and client of one connection: listens on 127.0.0.1 (a
// "listen" event "listening on 127.0.0.1:{port}"), connects to itself, and
// accepts ("accepted {peer} as fd {fd}"). `target` names the server's end as
// /proc shows it: "socket:[4242]".
struct loopback_connection {
  unique_fd listener;
  unique_fd client;
  unique_fd connection;  // the server's end
  std::string target;
};
loopback_connection connect_to_itself();

}  // namespace lab
