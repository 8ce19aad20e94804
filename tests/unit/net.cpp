// net: listen on port 0 and learn the port, connect, addresses as text for
// IPv4 and IPv6, SO_REUSEADDR as the kernel holds it (and what it buys), and
// failures that say what went wrong.
#include "os/net.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <fstream>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

lab::unique_fd accept_one(int listener) {
  return lab::unique_fd(lab::check(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC), "accept4"));
}

bool ipv6_loopback_available() {
  try {
    lab::listen_tcp("::1", 0, 1);
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

// True while /proc/net/tcp lists a TIME_WAIT (state 06) socket on local `port`.
bool time_wait_on(std::uint16_t port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, ":%04X", port);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (local.ends_with(wanted) && state == "06") return true;
  }
  return false;
}

}  // namespace

TEST_CASE("listen_tcp on port 0: the kernel picks a port, local_port reports it") {
  const auto listener = lab::listen_tcp("127.0.0.1", 0, 8);
  REQUIRE(listener);
  const std::uint16_t port = lab::local_port(listener.get());
  CHECK(port != 0);
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bound), &length) == 0);
  CHECK(ntohs(bound.sin_port) == port);
  CHECK(bound.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  CHECK(lab::local_address(listener.get()) == "127.0.0.1:" + std::to_string(port));
  // It is a listening, close-on-exec stream socket.
  int accepting = 0;
  length = sizeof accepting;
  REQUIRE(::getsockopt(listener.get(), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0);
  CHECK(accepting == 1);
  CHECK((::fcntl(listener.get(), F_GETFD) & FD_CLOEXEC) != 0);
  // Two listeners get two different ports.
  const auto other = lab::listen_tcp("127.0.0.1", 0, 8);
  CHECK(lab::local_port(other.get()) != port);
}

TEST_CASE("SO_REUSEADDR is set on the listening socket") {
  const auto listener = lab::listen_tcp("127.0.0.1", 0, 1);
  int reuse = 0;
  socklen_t length = sizeof reuse;
  REQUIRE(::getsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &reuse, &length) == 0);
  CHECK(reuse == 1);
}

TEST_CASE("SO_REUSEADDR at work: the port binds again while a closed connection is in TIME_WAIT") {
  auto listener = lab::listen_tcp("127.0.0.1", 0, 1);
  const std::uint16_t port = lab::local_port(listener.get());
  {
    auto client = lab::connect_tcp("127.0.0.1", port);
    auto server = accept_one(listener.get());
    server.reset();  // the server closes first: its side ends in TIME_WAIT
    char c;
    CHECK(lab::read_some(client.get(), {&c, 1}) == 0);  // the FIN arrived
  }
  listener.reset();
  REQUIRE(lab::poll_until([&] { return time_wait_on(port); }, 10s));
  // Without SO_REUSEADDR this bind would fail with EADDRINUSE.
  const auto again = lab::listen_tcp("127.0.0.1", port, 1);
  CHECK(lab::local_port(again.get()) == port);
}

TEST_CASE("connect_tcp connects; peer and local addresses are each other's") {
  const auto listener = lab::listen_tcp("127.0.0.1", 0, 8);
  const std::uint16_t port = lab::local_port(listener.get());
  const auto client = lab::connect_tcp("127.0.0.1", port);
  const auto server = accept_one(listener.get());
  CHECK(lab::peer_address(client.get()) == "127.0.0.1:" + std::to_string(port));
  CHECK(lab::local_address(server.get()) == "127.0.0.1:" + std::to_string(port));
  CHECK(lab::peer_address(server.get()) == lab::local_address(client.get()));
  CHECK(lab::local_address(client.get()) ==
        "127.0.0.1:" + std::to_string(lab::local_port(client.get())));
  CHECK((::fcntl(client.get(), F_GETFD) & FD_CLOEXEC) != 0);
  // Bytes go both ways.
  lab::write_all(client.get(), "ping");
  char buffer[8];
  CHECK(std::string(buffer, lab::read_some(server.get(), buffer)) == "ping");
  lab::write_all(server.get(), "pong");
  CHECK(std::string(buffer, lab::read_some(client.get(), buffer)) == "pong");
}

TEST_CASE("connect_tcp resolves a host name") {
  const auto listener = lab::listen_tcp("127.0.0.1", 0, 8);
  const std::uint16_t port = lab::local_port(listener.get());
  // "localhost" may resolve to ::1 first; with nobody on [::1]:port that
  // attempt is refused and the next address (127.0.0.1) is tried.
  const auto client = lab::connect_tcp("localhost", port);
  CHECK(lab::peer_address(client.get()) == "127.0.0.1:" + std::to_string(port));
}

TEST_CASE("IPv6: listen on ::1, connect, addresses written [::1]:port") {
  if (!ipv6_loopback_available()) {
    MESSAGE("no IPv6 loopback on this machine: IPv6 sockets not checked");
    return;
  }
  const auto listener = lab::listen_tcp("::1", 0, 8);
  const std::uint16_t port = lab::local_port(listener.get());
  CHECK(port != 0);
  CHECK(lab::local_address(listener.get()) == "[::1]:" + std::to_string(port));
  const auto client = lab::connect_tcp("::1", port);
  const auto server = accept_one(listener.get());
  CHECK(lab::peer_address(client.get()) == "[::1]:" + std::to_string(port));
  CHECK(lab::peer_address(server.get()) ==
        "[::1]:" + std::to_string(lab::local_port(client.get())));
  int reuse = 0;
  socklen_t length = sizeof reuse;
  REQUIRE(::getsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &reuse, &length) == 0);
  CHECK(reuse == 1);
}

TEST_CASE("format_address writes IPv4, IPv6 and IPv4-mapped addresses") {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(9190);
  REQUIRE(::inet_pton(AF_INET, "192.0.2.7", &v4->sin_addr) == 1);
  CHECK(lab::format_address(storage) == "192.0.2.7:9190");

  storage = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(80);
  REQUIRE(::inet_pton(AF_INET6, "2001:db8::1", &v6->sin6_addr) == 1);
  CHECK(lab::format_address(storage) == "[2001:db8::1]:80");
  REQUIRE(::inet_pton(AF_INET6, "::ffff:127.0.0.1", &v6->sin6_addr) == 1);
  CHECK(lab::format_address(storage) == "[::ffff:127.0.0.1]:80");
  v6->sin6_addr = in6addr_loopback;
  v6->sin6_port = htons(65535);
  CHECK(lab::format_address(storage) == "[::1]:65535");
}

TEST_CASE("bad addresses: listen_tcp names the address; bind failures name bind") {
  try {
    lab::listen_tcp("localhost", 0, 1);
    FAIL("a host name was accepted as a numeric address");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) == "not a numeric IP address: localhost");
  }
  CHECK_THROWS_WITH_AS(lab::listen_tcp("300.1.2.3", 0, 1), "not a numeric IP address: 300.1.2.3",
                       std::invalid_argument);
  CHECK_THROWS_AS(lab::listen_tcp("", 0, 1), std::invalid_argument);

  // An address no interface has: bind fails, and says so.
  try {
    lab::listen_tcp("192.0.2.1", 0, 1);  // TEST-NET-1, never local
    FAIL("bound to an address that is not ours");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == EADDRNOTAVAIL);
    CHECK(lab::describe(error) == "bind: EADDRNOTAVAIL (Cannot assign requested address)");
  }
  // A port in use by a listener: EADDRINUSE even with SO_REUSEADDR.
  const auto taken = lab::listen_tcp("127.0.0.1", 0, 1);
  try {
    lab::listen_tcp("127.0.0.1", lab::local_port(taken.get()), 1);
    FAIL("two listeners on one port");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == EADDRINUSE);
    CHECK(lab::describe(error).starts_with("bind: EADDRINUSE"));
  }
}

TEST_CASE("connect_tcp: an unknown host and a closed port throw with the reason") {
  try {
    lab::connect_tcp("bad host!", 80);  // refused by the resolver without a DNS query
    FAIL("resolved a host name with a space in it");
  } catch (const std::runtime_error& error) {
    CHECK(std::string(error.what()).starts_with("cannot resolve bad host!: "));
  }

  // A port bound but not listening: the kernel answers a SYN with RST. Held
  // bound, the port cannot be taken by anyone else meanwhile, nor become the
  // connecting socket's own port (a TCP self-connect).
  const lab::unique_fd bound(
      lab::check(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(bound.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  const std::uint16_t port = lab::local_port(bound.get());
  try {
    lab::connect_tcp("127.0.0.1", port);
    FAIL("connected to a closed port");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == ECONNREFUSED);
    CHECK(lab::describe(error) == "connect: ECONNREFUSED (Connection refused)");
  }
}

TEST_CASE("is_numeric_address accepts exactly what listen_tcp accepts") {
  for (const char* good : {"127.0.0.1", "0.0.0.0", "::1", "::", "2001:db8::1", "::ffff:10.0.0.1"}) {
    CAPTURE(good);
    CHECK(lab::is_numeric_address(good));
  }
  for (const char* bad : {"", "localhost", "300.1.2.3", "1.2.3", "[::1]", "127.0.0.1:80", " ::1"}) {
    CAPTURE(bad);
    CHECK_FALSE(lab::is_numeric_address(bad));
    CHECK_THROWS_AS(lab::listen_tcp(bad, 0, 1), std::invalid_argument);
  }
}

TEST_CASE("accept_error_is_transient: per-connection errors yes, descriptor exhaustion no") {
  for (const int error : {EAGAIN, EINTR, ECONNABORTED, EPROTO, ENETDOWN, EHOSTUNREACH}) {
    CAPTURE(error);
    CHECK(lab::accept_error_is_transient(error));
  }
  for (const int error : {EMFILE, ENFILE, ENOBUFS, ENOMEM, EBADF, EINVAL, ENOTSOCK}) {
    CAPTURE(error);
    CHECK_FALSE(lab::accept_error_is_transient(error));
  }
}

TEST_CASE("raise_open_file_limit lifts the soft limit to the hard one") {
  // In a child, so the test's own limits stay as they are.
  unit::child_process child([] {
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_max == RLIM_INFINITY) return 0;  // nothing to check
    files.rlim_cur = std::min<rlim_t>(64, files.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &files) != 0) return 2;
    const auto limit = lab::raise_open_file_limit();
    rlimit after{};
    ::getrlimit(RLIMIT_NOFILE, &after);
    if (limit.before != static_cast<long long>(files.rlim_cur)) return 3;
    if (limit.now != static_cast<long long>(files.rlim_max)) return 4;
    if (after.rlim_cur != files.rlim_max) return 5;
    return 0;
  });
  CHECK(child.wait() == 0);
}
