// net: TCP for the echo labs — listen (port 0 picks a free port), connect,
// and addresses as text.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

#include "sys.hpp"

namespace lab {

// socket + SO_REUSEADDR (an immediate restart binds despite TIME_WAIT) +
// bind + listen. `address` is a numeric IPv4 or IPv6 address.
unique_fd listen_tcp(const std::string& address, std::uint16_t port, int backlog);

// The port a socket is bound to (what port 0 became).
std::uint16_t local_port(int socket_fd);

// Resolves host (name or address) and connects; throws on failure with the
// reason (getaddrinfo's text, or the connect errno).
unique_fd connect_tcp(const std::string& host, std::uint16_t port);

// "127.0.0.1:51234" / "[::1]:51234".
std::string format_address(const sockaddr_storage& address);
std::string peer_address(int socket_fd);
std::string local_address(int socket_fd);

}  // namespace lab
