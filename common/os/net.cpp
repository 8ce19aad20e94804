#include "os/net.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "os/fixed_text.hpp"

namespace lab {

bool is_numeric_address(const std::string& address) {
  in6_addr storage{};
  return ::inet_pton(AF_INET, address.c_str(), &storage) == 1 ||
         ::inet_pton(AF_INET6, address.c_str(), &storage) == 1;
}

unique_fd listen_tcp(const std::string& address, std::uint16_t port, int backlog) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    throw std::invalid_argument("not a numeric IP address: " + address);
  }
  unique_fd listener(check(::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  const int on = 1;
  check(::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), "setsockopt");
  check(::bind(listener.get(), reinterpret_cast<sockaddr*>(&storage), length), "bind");
  check(::listen(listener.get(), backlog), "listen");
  return listener;
}

bool accept_error_is_transient(int error) {
  for (int transient : {EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT,
                        EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH})
    if (error == transient) return true;
  return false;
}

open_file_limit raise_open_file_limit() {
  rlimit files{};
  check(::getrlimit(RLIMIT_NOFILE, &files), "getrlimit");
  const open_file_limit result{static_cast<long long>(files.rlim_cur),
                               static_cast<long long>(files.rlim_max)};
  if (files.rlim_max == RLIM_INFINITY) return {result.before, result.before};
  files.rlim_cur = files.rlim_max;
  check(::setrlimit(RLIMIT_NOFILE, &files), "setrlimit");
  return result;
}

std::uint16_t local_port(int socket_fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  check(::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&storage), &length), "getsockname");
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
}

unique_fd connect_tcp(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int error = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found))
    throw std::runtime_error("cannot resolve " + host + ": " + ::gai_strerror(error));
  int last_error = 0;
  unique_fd connection;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    unique_fd candidate(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!candidate) {
      last_error = errno;
      continue;
    }
    if (::connect(candidate.get(), a->ai_addr, a->ai_addrlen) == 0) {
      connection = std::move(candidate);
      break;
    }
    last_error = errno;
  }
  ::freeaddrinfo(found);
  if (!connection) throw std::system_error(last_error, std::generic_category(), "connect");
  return connection;
}

std::string format_address(const sockaddr_storage& address) {
  // Built in place, then one string: no allocation at all for "127.0.0.1:44680"
  // (short strings live inside std::string), one for a longer address.
  char host[INET6_ADDRSTRLEN] = "?";
  fixed_text<INET6_ADDRSTRLEN + 8> text;
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    text.append("[");
    text.append(host);
    text.append("]:");
    text.append(ntohs(v6->sin6_port));
    return std::string(text.view());
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
  ::inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
  text.append(host);
  text.append(":");
  text.append(ntohs(v4->sin_port));
  return std::string(text.view());
}

std::string peer_address(int socket_fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  check(::getpeername(socket_fd, reinterpret_cast<sockaddr*>(&storage), &length), "getpeername");
  return format_address(storage);
}

std::string local_address(int socket_fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  check(::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&storage), &length), "getsockname");
  return format_address(storage);
}

}  // namespace lab
