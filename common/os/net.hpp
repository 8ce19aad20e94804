// net: TCP for the echo labs — listen (port 0 picks a free port), connect,
// and addresses as text.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>

#include "os/sys.hpp"

namespace lab {

// True for a numeric IPv4 ("127.0.0.1") or IPv6 ("::1") address, the form
// listen_tcp accepts: lets a lab reject a bad --bind as a bad command line.
bool is_numeric_address(const std::string& address);

// socket + SO_REUSEADDR (an immediate restart binds despite TIME_WAIT) +
// bind + listen. `address` is a numeric IPv4 or IPv6 address.
unique_fd listen_tcp(const std::string& address, std::uint16_t port, int backlog);

// True for the errors of accept(2) that concern one connection, not the
// listening socket, so that the server simply tries again: EAGAIN, EINTR,
// ECONNABORTED (the client reset before it was accepted) and the network
// errors Linux passes up from the new connection (accept(2), NOTES: EPROTO,
// ENETDOWN, EHOSTUNREACH...). EMFILE, ENFILE, ENOBUFS are not among them.
bool accept_error_is_transient(int error);

// Raises this process's soft RLIMIT_NOFILE to its hard limit (a server holds
// one descriptor per client). Returns the soft limit before and after; when
// the hard limit is unlimited, the soft one is left as it was.
struct open_file_limit {
  long long before = 0;
  long long now = 0;
};
open_file_limit raise_open_file_limit();

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
