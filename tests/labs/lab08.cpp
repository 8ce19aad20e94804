// lab08-echo-serv: a fork-per-client echo server that loses no byte, leaves no
// zombie, survives resets and fork failures, and stops cleanly.
#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "shared.hpp"
#include "os/net.hpp"
#include "os/proc.hpp"
#include "os/signals.hpp"

using namespace harness;

namespace {

// ---------------------------------------------------------------------------
// The server under test: lab08 run by the shared harness, its standard error
// into a file (a server that reports many errors never blocks on a pipe), and
// its port read from the listen event (the readiness handshake).
class server : public lab_process {
 public:
  explicit server(const std::vector<std::string>& args, run_options options = {},
                  const std::string& program = "lab08-echo-serv")
      : lab_process(program, args, with_stderr_file(options)), json_(options.json) {}

  std::uint16_t port() {
    if (json_) return static_cast<std::uint16_t>(expect("listen").number("port"));
    const std::string line = expect_line("listening on 127.0.0.1:");
    return static_cast<std::uint16_t>(std::stoi(line.substr(line.find("127.0.0.1:") + 10)));
  }

  // lab_process::wait_exit, and then: with --json, every line the server
  // printed was an event (the harness reads only lines that start with '{').
  int wait_exit(milliseconds timeout = 20s) {
    const int status = lab_process::wait_exit(timeout);
    if (json_) CHECK_MESSAGE(lines().size() == events().size(), transcript());
    return status;
  }

 private:
  static run_options with_stderr_file(run_options options) {
    options.stderr_to_file = true;
    return options;
  }
  bool json_;
};

// A copy of the lab's binary in a fresh directory under /tmp that every user can
// reach: the build may sit in a 0700 home (/root), where a server run as
// another user could not even be started. Removed with the object.
struct reachable_copy {
  std::string dir = "/tmp/forklab-lab08-bin-XXXXXX", path;
  reachable_copy() {
    REQUIRE(::mkdtemp(dir.data()) != nullptr);
    lab::check(::chmod(dir.c_str(), 0755), "chmod");
    path = dir + "/lab08-echo-serv";
    lab::unique_fd from(
        lab::check(::open(lab_path("lab08-echo-serv").c_str(), O_RDONLY | O_CLOEXEC), "open"));
    lab::unique_fd to(
        lab::check(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755), "open"));
    lab::write_all(to.get(), lab::read_all(from.get()));
    lab::check(::fchmod(to.get(), 0755), "fchmod");
  }
  ~reachable_copy() {
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  reachable_copy(const reachable_copy&) = delete;
  reachable_copy& operator=(const reachable_copy&) = delete;
};

// ---------------------------------------------------------------------------
// Clients.

// A client whose reads give up after 10 s (EAGAIN, thrown by read_some): a
// server that never answers fails the test instead of hanging it.
lab::unique_fd connect_to(std::uint16_t port) {
  auto client = lab::connect_tcp("127.0.0.1", port);
  const timeval patience{10, 0};
  lab::check(::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience),
             "setsockopt");
  return client;
}

// Sends `data`, half-closes, and returns every byte that comes back until EOF.
std::string echo_once(std::uint16_t port, const std::string& data) {
  auto client = connect_to(port);
  lab::write_all(client.get(), data);
  lab::check(::shutdown(client.get(), SHUT_WR), "shutdown");
  return lab::read_all(client.get());
}

// Sends `data` and reads the same number of bytes back; the connection stays open.
std::string round_trip(int client, const std::string& data) {
  lab::write_all(client, data);
  std::string back;
  char buffer[65536];
  while (back.size() < data.size()) {
    const std::size_t n = lab::read_some(client, {buffer, sizeof buffer});
    if (n == 0) break;
    back.append(buffer, n);
  }
  return back;
}

void raise_open_file_limit() {
  rlimit files{};
  lab::check(::getrlimit(RLIMIT_NOFILE, &files), "getrlimit");
  files.rlim_cur = files.rlim_max;
  lab::check(::setrlimit(RLIMIT_NOFILE, &files), "setrlimit");
}

// The server's children in state Z, and all of them, straight from /proc.
struct child_count {
  std::size_t all = 0, zombies = 0;
};
child_count children_of_server(pid_t server) {
  child_count count;
  for (pid_t pid : lab::children_of(server)) {
    const auto info = lab::read_proc(pid);
    if (!info) continue;
    count.all++;
    if (info->state == 'Z') count.zombies++;
  }
  return count;
}

// The child the server forked for the client whose local address is `peer`.
pid_t child_for(server& srv, int client) {
  const std::string peer = lab::local_address(client);
  return static_cast<pid_t>(
      srv.expect("fork", [&](const event& e) { return e.text("peer") == peer; }).number("child"));
}

// How many tasks run with real user id `uid` (RLIMIT_NPROC counts them).
std::size_t processes_of_user(uid_t uid) {
  std::size_t count = 0;
  DIR* proc = ::opendir("/proc");
  REQUIRE(proc);
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream status(std::string("/proc/") + entry->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("Uid:") && std::stoul(line.substr(4)) != uid) break;  // another user's
      if (line.starts_with("Threads:")) {  // the limit counts threads (Threads comes after Uid)
        count += std::stoul(line.substr(8));
        break;
      }
    }
  }
  ::closedir(proc);
  return count;
}

// How long a process has been runnable, in ns: on a CPU plus waiting for one
// (/proc/PID/schedstat). A busy loop is runnable all the time, however loaded
// the machine is; a process blocked in poll almost never.
long long runnable_ns(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  long long on_cpu = 0, waiting = 0;
  in >> on_cpu >> waiting;
  return on_cpu + waiting;
}

// A reap event's outcome in words: "exited 0", "killed by SIGTERM".
std::string outcome(const event& reap) {
  if (reap.number("exited") == 1) return "exited " + std::to_string(reap.number("code"));
  return "killed by " + lab::signal_name(static_cast<int>(reap.number("signal")));
}

// /proc/net/tcp: sockets in `state` (hex, "06" = TIME_WAIT, "0A" = LISTEN) on
// local port `port`; for LISTEN the rx_queue column is the accept queue.
struct tcp_row {
  std::string state;
  unsigned long rx_queue = 0;
};
std::vector<tcp_row> tcp_rows(std::uint16_t port) {
  std::vector<tcp_row> rows;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues;
      fields >> slot >> local >> remote >> state >> queues;
      if (std::stoul(local.substr(local.find(':') + 1), nullptr, 16) != port) continue;
      rows.push_back({state, std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16)});
    }
  }
  return rows;
}

}  // namespace

// ---------------------------------------------------------------------------

TEST_CASE("100 clients at once: every echo byte for byte, 1 MiB binary and empty ones") {
  server srv({"--port", "0", "--backlog", "256"}, {.stdout_to_file = true});  // 500+ lines: no pipe limit
  const auto port = srv.port();

  struct client {
    lab::unique_fd socket;
    std::string peer, out, in;
    std::size_t sent = 0;
    bool half_closed = false, done = false;
  };
  std::vector<client> clients(100);
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto& c = clients[i];
    const std::size_t size = i % 10 == 0 ? 0 : i % 10 == 1 ? 1 << 20 : 1 + (i * 7919) % 65536;
    c.out = random_bytes(size, static_cast<unsigned>(i));
    c.socket = connect_to(port);  // all connected before any sends
    c.peer = lab::local_address(c.socket.get());
    ::fcntl(c.socket.get(), F_SETFL, O_NONBLOCK);
  }
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<client*> owners;
    for (auto& c : clients) {
      if (c.done) continue;
      if (!c.half_closed && c.sent == c.out.size()) {
        lab::check(::shutdown(c.socket.get(), SHUT_WR), "shutdown");
        c.half_closed = true;
      }
      fds.push_back({c.socket.get(), short(POLLIN | (c.half_closed ? 0 : POLLOUT)), 0});
      owners.push_back(&c);
    }
    if (fds.empty()) break;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    REQUIRE(::poll(fds.data(), fds.size(), 1000) >= 0);
    for (std::size_t i = 0; i < fds.size(); ++i) {
      client& c = *owners[i];
      if (fds[i].revents & POLLOUT) {
        const ssize_t n = ::write(c.socket.get(), c.out.data() + c.sent,
                                  std::min<std::size_t>(c.out.size() - c.sent, 65536));
        if (n > 0) c.sent += static_cast<std::size_t>(n);
      }
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buffer[65536];
        const ssize_t n = ::read(c.socket.get(), buffer, sizeof buffer);
        if (n > 0) c.in.append(buffer, static_cast<std::size_t>(n));
        if (n == 0) c.done = true;
        REQUIRE_MESSAGE((n >= 0 || errno == EAGAIN), "read: ", lab::errno_name(errno));
      }
    }
  }
  long long total = 0;
  for (const auto& c : clients) {
    CAPTURE(c.peer);
    CHECK(c.in.size() == c.out.size());
    CHECK(c.in == c.out);
    total += static_cast<long long>(c.out.size());
  }

  // Each child reports its own total; each is reaped, exited 0.
  const auto reaps = srv.expect_count("reap", clients.size());
  std::map<std::string, long long> echoed;
  for (const auto& e : srv.expect_count("echo", clients.size()))
    echoed[e.text("peer")] = e.number("bytes");
  for (const auto& c : clients) CHECK(echoed[c.peer] == static_cast<long long>(c.out.size()));
  for (const auto& e : reaps) CHECK(outcome(e) == "exited 0");
  CHECK(lab::poll_until([&] { return children_of_server(srv.pid()).all == 0; }, 5s));

  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  const auto summary = srv.events_of("exit");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].number("connections") == 100);
  CHECK(summary[0].number("reaped") == 100);
  CHECK(summary[0].number("failed") == 0);
  CHECK(check_each_line_once(srv.events()) == "");
  CHECK(total > 10 << 20);
  CHECK(srv.group_gone());
}

TEST_CASE("500 connections closed in the same instant leave no zombie once all have ended, 5 rounds") {
  raise_open_file_limit();
  server srv({"--port", "0", "--backlog", "1024", "--quiet"});
  const auto port = srv.port();
  for (int round = 1; round <= 5; ++round) {
    CAPTURE(round);
    std::vector<lab::unique_fd> clients;
    for (int i = 0; i < 500; ++i) clients.push_back(connect_to(port));
    REQUIRE(lab::poll_until([&] { return children_of_server(srv.pid()).all == 500; }, 30s));

    clients.clear();  // 500 closes, back to back: 500 children exit, SIGCHLDs merge
    const auto closed = std::chrono::steady_clock::now();
    // First every child has ended (each is a zombie or already reaped): how
    // long that takes depends on the machine. From then on no SIGCHLD is still
    // to come: a handler that loops has reaped (or is reaping) them all, one
    // that reaps once per signal leaves zombies for good.
    REQUIRE(lab::poll_until(
        [&] {
          const auto now = children_of_server(srv.pid());
          return now.all == now.zombies;
        },
        60s));
    const bool none_left =
        lab::poll_until([&] { return children_of_server(srv.pid()).all == 0; }, 10s);
    const auto took_ms = (std::chrono::steady_clock::now() - closed) / 1ms;
    const auto left = children_of_server(srv.pid());
    CAPTURE(left.all);
    CAPTURE(left.zombies);
    CAPTURE(took_ms);
    CHECK(none_left);
    CHECK(left.zombies == 0);
  }
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  const auto summary = srv.events_of("exit");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].number("connections") == 2500);
  CHECK(summary[0].number("reaped") == 2500);
  // --quiet: only the listen event and the summary.
  CHECK(srv.events().size() == 2);
  CHECK(srv.group_gone());
}

TEST_CASE(
    "fd hygiene: the server holds only its listening socket, each child only its connection") {
  server srv({"--port", "0"});
  const auto port = srv.port();
  std::vector<lab::unique_fd> clients;
  std::vector<pid_t> children;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(connect_to(port));
    REQUIRE(round_trip(clients.back().get(), "ping") == "ping");
    children.push_back(child_for(srv, clients.back().get()));
  }

  // The server: std fds and the listening socket; no connection (it closed its copies).
  std::string listener;
  const bool server_clean = lab::poll_until(
      [&] {
        const auto fds = lab::open_fds(srv.pid());
        listener.clear();
        for (const auto& fd : fds)
          if (fd.fd > 2 && fd.socket.starts_with("tcp listening 127.0.0.1:" + std::to_string(port)))
            listener = fd.target;
        return !listener.empty() && fds.size() == 4;
      },
      5s);
  for (const auto& fd : lab::open_fds(srv.pid())) CAPTURE(fd.target + " " + fd.socket);
  CAPTURE(lab::open_fds(srv.pid()).size());
  CHECK(server_clean);

  // Each child: std fds and its one connected socket; no listener.
  for (std::size_t i = 0; i < children.size(); ++i) {
    CAPTURE(children[i]);
    const std::string peer = lab::local_address(clients[i].get());
    std::vector<lab::fd_info> fds;
    const bool child_clean = lab::poll_until(
        [&] {
          fds = lab::open_fds(children[i]);
          return fds.size() == 4 && fds[3].socket.starts_with("tcp connected") &&
                 fds[3].socket.ends_with(peer);
        },
        5s);
    for (const auto& fd : fds) {
      CAPTURE(fd.target);
      CHECK(fd.target != listener);
    }
    CHECK(child_clean);
    // SIGPIPE is ignored in the child: a write to a reset peer fails with EPIPE.
    const auto masks = lab::read_signal_masks(children[i]);
    REQUIRE(masks);
    CHECK((masks->ignored >> (SIGPIPE - 1) & 1) == 1);
  }
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  CHECK(srv.group_gone());
}

TEST_CASE("a client that resets: its child reports the error and exits, the server goes on") {
  server srv({"--port", "0"});
  const auto port = srv.port();
  auto client = connect_to(port);
  REQUIRE(round_trip(client.get(), "hello") == "hello");
  const pid_t child = child_for(srv, client.get());

  // Send a lot without reading (the child blocks writing the echo), then reset.
  ::fcntl(client.get(), F_SETFL, O_NONBLOCK);
  const std::string flood = random_bytes(4 << 20, 1);
  std::size_t sent = 0;
  while (sent < flood.size()) {
    const ssize_t n = ::write(client.get(), flood.data() + sent, flood.size() - sent);
    if (n < 0) break;
    sent += static_cast<std::size_t>(n);
  }
  CHECK(sent > 0);
  const linger reset{1, 0};
  lab::check(::setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset), "setsockopt");
  client.reset();  // RST

  const auto error = srv.expect("error", [&](const event& e) { return e.pid() == child; });
  const std::string name = error.text("errno");
  CHECK((name == "ECONNRESET" || name == "EPIPE"));
  const auto reap = srv.expect("reap", [&](const event& e) { return e.number("child") == child; });
  CHECK(outcome(reap) == "exited 3");  // not "killed" by SIGPIPE
  CHECK(reap.number("code") == 3);
  CHECK(lab::read_proc(srv.pid()));

  // The server still serves.
  REQUIRE(echo_once(port, "still here") == "still here");
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));  // a client's reset is no failure of the server
  CHECK(srv.group_gone());
}

TEST_CASE("kill -STOP / -CONT of a child: no bogus reap, nothing lost") {
  server srv({"--port", "0"});
  const auto port = srv.port();
  auto client = connect_to(port);
  REQUIRE(round_trip(client.get(), "one ") == "one ");
  const pid_t child = child_for(srv, client.get());

  lab::check(::kill(child, SIGSTOP), "kill");
  REQUIRE(lab::poll_until([&] { return lab::read_proc(child)->state == 'T'; }, 5s));
  lab::write_all(client.get(), "two ");  // waits in the socket while the child is stopped
  // Another child ends meanwhile: the server reaps it, and only it.
  REQUIRE(echo_once(port, "other") == "other");
  const auto other = srv.expect("reap");
  CHECK(other.number("child") != child);
  CHECK(lab::read_proc(child)->state == 'T');

  lab::check(::kill(child, SIGCONT), "kill");
  REQUIRE(round_trip(client.get(), "three") == "two three");
  lab::check(::shutdown(client.get(), SHUT_WR), "shutdown");
  CHECK(lab::read_all(client.get()).empty());
  const auto reap = srv.expect("reap", [&](const event& e) { return e.number("child") == child; });
  CHECK(outcome(reap) == "exited 0");
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  int reaps_of_child = 0;
  for (const auto& e : srv.events_of("reap")) {
    CHECK(e.number("exited") == 1);  // never "stopped" or "continued"
    if (e.number("child") == child) ++reaps_of_child;
  }
  CHECK(reaps_of_child == 1);
  const auto echo = srv.events_of("echo");
  CHECK(std::any_of(echo.begin(), echo.end(),
                    [&](const event& e) { return e.pid() == child && e.number("bytes") == 13; }));
  CHECK(srv.group_gone());
}

TEST_CASE("the log into a file or a pipe: every line exactly once") {
  for (const bool to_file : {true, false}) {
    for (const bool json : {true, false}) {
      CAPTURE(to_file);
      CAPTURE(json);
      server srv({"--port", "0"}, {.json = json, .stdout_to_file = to_file});
      const auto port = srv.port();
      for (int i = 0; i < 3; ++i)
        REQUIRE(echo_once(port, "line " + std::to_string(i)) == "line " + std::to_string(i));
      if (json)
        srv.expect_count("reap", 3);
      else
        CHECK(lab::poll_until(
            [&] {
              srv.read_available();
              const auto& lines = srv.lines();
              return std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
                       return l.find(" reap ") != std::string::npos;
                     }) == 3;
            },
            10s));
      srv.signal(SIGTERM);
      CHECK(exited_with(srv.wait_exit(), 0));
      const auto& lines = srv.lines();
      CHECK(check_each_line_once(lines) == "");
      if (json) {
        CHECK(check_each_line_once(srv.events()) == "");
        CHECK(srv.events_of("accept").size() == 3);
        CHECK(srv.events_of("echo").size() == 3);
        CHECK(srv.events_of("exit").size() == 1);
      } else {
        // "  0.012 server    4242 reap    reaped child 4243: exited 0"
        std::map<std::string, int> kinds;
        for (const auto& line : lines) {
          std::istringstream words(line);
          std::string time, role, pid, kind;
          if (words >> time >> role >> pid >> kind) kinds[kind]++;
        }
        for (const std::string kind : {"accept", "fork", "echo", "close", "reap"}) {
          CAPTURE(kind);
          CHECK(kinds[kind] == 3);
        }
        CHECK(kinds["listen"] == 1);
        CHECK(kinds["exit"] == 1);
      }
      CHECK(srv.group_gone());
    }
  }
}

TEST_CASE(
    "SIGTERM, SIGINT or SIGHUP with clients connected: exit 0, nothing left, a restart binds") {
  for (const int signo : {SIGTERM, SIGINT, SIGHUP}) {  // SIGHUP: the terminal closed
    CAPTURE(signo);
    std::uint16_t port = 0;
    std::vector<lab::unique_fd> clients;
    {
      server srv({"--port", "0"});
      port = srv.port();
      std::vector<pid_t> children;
      for (int i = 0; i < 3; ++i) {
        clients.push_back(connect_to(port));
        REQUIRE(round_trip(clients.back().get(), "hi") == "hi");
        children.push_back(child_for(srv, clients.back().get()));
      }
      srv.signal(signo);
      CHECK(exited_with(srv.wait_exit(), 0));
      CHECK(srv.group_gone());
      for (pid_t child : children) CHECK_FALSE(lab::read_proc(child));
      const auto reaps = srv.events_of("reap");
      CHECK(reaps.size() == 3);
      for (const auto& e : reaps) CHECK(outcome(e) == "killed by SIGTERM");
      CHECK(srv.events_of("signal").at(0).text("signal") == lab::signal_name(signo));
    }
    // The clients see the end, close, and leave the server's side in TIME_WAIT.
    for (auto& client : clients) CHECK(lab::read_all(client.get()).empty());
    clients.clear();
    CHECK(lab::poll_until(
        [&] {
          const auto rows = tcp_rows(port);
          return std::any_of(rows.begin(), rows.end(),
                             [](const tcp_row& r) { return r.state == "06"; });
        },
        5s));
    server again({"--port", std::to_string(port)});
    CHECK(again.port() == port);  // SO_REUSEADDR: bound despite TIME_WAIT
    REQUIRE(echo_once(port, "back") == "back");
    again.signal(SIGTERM);
    CHECK(exited_with(again.wait_exit(), 0));
  }
}

TEST_CASE("fork fails with EAGAIN: that connection is closed, the next one is served") {
  // Root ignores RLIMIT_NPROC, so as root the server runs as nobody. The limit
  // leaves room for the server and one child beside what nobody already runs.
  const bool root = ::geteuid() == 0;
  const uid_t user = root ? 65534 : ::getuid();
  const rlim_t limit = processes_of_user(user) + 2;
  CAPTURE(limit);
  const reachable_copy binary;  // nobody may not reach the build (a 0700 /root)
  const auto as_nobody_with_limit = [root, limit] {
    if (root && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(126);
    const rlimit processes{limit, limit};
    if (::setrlimit(RLIMIT_NPROC, &processes) != 0) ::_exit(126);
  };
  server srv({"--port", "0"}, {.before_exec = as_nobody_with_limit}, binary.path);
  const auto port = srv.port();
  auto first = connect_to(port);
  REQUIRE(round_trip(first.get(), "first") == "first");
  const pid_t first_child = child_for(srv, first.get());

  auto refused = connect_to(port);
  const std::string refused_peer = lab::local_address(refused.get());
  const auto error = srv.expect("error", [&](const event& e) { return e.has("errno"); });
  CHECK(error.text("errno") == "EAGAIN");
  CHECK(error.text("peer") == refused_peer);
  char byte;
  const ssize_t n = ::read(refused.get(), &byte, 1);  // end of file, or a reset
  CHECK((n == 0 || (n < 0 && errno == ECONNRESET)));

  lab::check(::shutdown(first.get(), SHUT_WR), "shutdown");
  CHECK(lab::read_all(first.get()).empty());
  srv.expect("reap", [&](const event& e) { return e.number("child") == first_child; });
  REQUIRE(echo_once(port, "next") == "next");  // a child could be forked again

  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  const auto summary = srv.events_of("exit").at(0);
  CHECK(summary.number("connections") == 3);
  CHECK(summary.number("refused") == 1);
  CHECK(srv.group_gone());
}

namespace {

// The accept queue of the listening socket on `port` (0 while none is listed).
unsigned long accept_queue(std::uint16_t port) {
  for (const auto& row : tcp_rows(port))
    if (row.state == "0A") return row.rx_queue;
  return 0;
}

// `count` connections started at once (non-blocking connect), not waited for.
std::vector<lab::unique_fd> connect_burst(std::uint16_t port, int count) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<lab::unique_fd> clients;
  for (int i = 0; i < count; ++i) {
    lab::unique_fd client(
        lab::check(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket"));
    const int started = ::connect(client.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to);
    REQUIRE((started == 0 || errno == EINPROGRESS));
    clients.push_back(std::move(client));
  }
  return clients;
}

// Stops `srv` (SIGSTOP) and waits until /proc shows it stopped (state T).
bool stop(server& srv) {
  srv.signal(SIGSTOP);
  return lab::poll_until(
      [&] {
        const auto info = lab::read_proc(srv.pid());
        return info && info->state == 'T';
      },
      10s);
}

}  // namespace

TEST_CASE("a burst while the server is stopped: the default backlog queues 300, --backlog 5 six") {
  // The default: at least the kernel's own cap (net.core.somaxconn).
  std::ifstream cap("/proc/sys/net/core/somaxconn");
  long somaxconn = 0;
  REQUIRE(static_cast<bool>(cap >> somaxconn));
  {
    raise_open_file_limit();
    server srv({"--port", "0", "--quiet"});
    const auto port = srv.port();
    CHECK(srv.events_of("listen").at(0).number("backlog") >= somaxconn);
    REQUIRE(stop(srv));  // nobody accepts: every completed connection waits in the queue
    auto clients = connect_burst(port, 300);
    const bool all_queued = lab::poll_until([&] { return accept_queue(port) == 300; }, 10s);
    CAPTURE(accept_queue(port));
    CHECK(all_queued);
    clients.clear();
    srv.signal(SIGCONT);
    srv.signal(SIGTERM);
    CHECK(exited_with(srv.wait_exit(), 0));
    CHECK(srv.group_gone());
  }
  // The book's listen(sock, 5): the queue holds 6 (the backlog plus one) and
  // the kernel drops the SYNs of the rest, which must retry later.
  server srv({"--port", "0", "--quiet", "--backlog", "5"});
  const auto port = srv.port();
  REQUIRE(stop(srv));
  auto clients = connect_burst(port, 20);
  REQUIRE(lab::poll_until([&] { return accept_queue(port) >= 6; }, 10s));
  CHECK(accept_queue(port) == 6);
  clients.clear();
  srv.signal(SIGCONT);
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  CHECK(srv.group_gone());
}

TEST_CASE("--max-children 2: a third connection waits in the backlog until a child ends") {
  server srv({"--port", "0", "--max-children", "2"});
  const auto port = srv.port();
  auto a = connect_to(port);
  auto b = connect_to(port);
  REQUIRE(round_trip(a.get(), "a") == "a");
  REQUIRE(round_trip(b.get(), "b") == "b");
  const pid_t child_a = child_for(srv, a.get());

  auto c = connect_to(port);  // the kernel completes the handshake; nobody accepts it
  lab::write_all(c.get(), "c");
  const bool queued = lab::poll_until(
      [&] {
        for (const auto& row : tcp_rows(port))
          if (row.state == "0A" && row.rx_queue == 1) return true;
        return false;
      },
      5s);
  CHECK(queued);
  CHECK(children_of_server(srv.pid()).all == 2);
  CHECK(srv.events_of("accept").size() == 2);

  lab::check(::shutdown(a.get(), SHUT_WR), "shutdown");
  CHECK(lab::read_all(a.get()).empty());
  srv.expect("reap", [&](const event& e) { return e.number("child") == child_a; });
  char byte = 0;
  CHECK(lab::read_some(c.get(), {&byte, 1}) == 1);  // now served
  CHECK(byte == 'c');
  for (const auto& e : srv.events_of("fork")) CHECK(e.number("live") <= 2);

  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  CHECK(srv.group_gone());
}

TEST_CASE("out of descriptors (EMFILE): reported, no busy loop, served once there is room") {
  server srv({"--port", "0"});
  const auto port = srv.port();
  // No descriptor left for accept to return.
  rlimit files{};
  lab::check(::prlimit(srv.pid(), RLIMIT_NOFILE, nullptr, &files), "prlimit");
  const rlim_t roomy = files.rlim_cur;
  rlim_t lowest_free = 0;  // the descriptor accept would return
  for (const auto& fd : lab::open_fds(srv.pid()))
    if (static_cast<rlim_t>(fd.fd) == lowest_free) ++lowest_free;
  files.rlim_cur = lowest_free;
  lab::check(::prlimit(srv.pid(), RLIMIT_NOFILE, &files, nullptr), "prlimit");

  auto client = connect_to(port);
  lab::write_all(client.get(), "x");
  const auto error = srv.expect("error");
  CHECK(error.text("errno") == "EMFILE");
  // While the connection cannot be taken, the server must not spin: runnable
  // well under half of a second.
  const long long before = runnable_ns(srv.pid());
  const bool spun =
      lab::poll_until([&] { return runnable_ns(srv.pid()) - before > 500'000'000; }, 1s);
  CHECK_FALSE(spun);
  CHECK(srv.events_of("error").size() == 1);  // said once, not once per retry

  files.rlim_cur = roomy;
  lab::check(::prlimit(srv.pid(), RLIMIT_NOFILE, &files, nullptr), "prlimit");
  char byte = 0;
  CHECK(lab::read_some(client.get(), {&byte, 1}) == 1);
  CHECK(byte == 'x');
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  CHECK(srv.group_gone());
}

TEST_CASE("a port in use: bind fails with EADDRINUSE, status 1") {
  server first({"--port", "0"});
  const auto port = first.port();
  const auto run = run_lab("lab08-echo-serv", {"--port", std::to_string(port)});
  CHECK(exited_with(run.status, 1));
  CHECK(run.stderr_text.find("bind: EADDRINUSE") != std::string::npos);
  first.signal(SIGTERM);
  CHECK(exited_with(first.wait_exit(), 0));
}

TEST_CASE("--step pauses at listening, at the first child and at the stop") {
  lab_process lab("lab08-echo-serv", {"--port", "0", "--step", "--no-quiz"}, {.stdin_pipe = true});
  const auto port = static_cast<std::uint16_t>(lab.expect("listen").number("port"));
  lab.expect("pause");
  lab.write_stdin("\n");
  auto client = connect_to(port);
  REQUIRE(round_trip(client.get(), "x") == "x");  // the child echoes while the server pauses
  const auto tree = lab.expect("tree", [](const event& e) { return e.number("processes") >= 2; });
  lab.expect("pause");
  lab.write_stdin("\n");
  lab.signal(SIGTERM);
  lab.expect("pause");
  lab.write_stdin("\n");
  CHECK(exited_with(lab.wait_exit(), 0));
  CHECK(lab.group_gone());
}

TEST_CASE("--help names the options; bad values are refused with status 2") {
  check_help("lab08-echo-serv", {"--port", "--bind", "--backlog", "--max-children", "--quiet"});
  check_refused("lab08-echo-serv", {{"--port", "70000"},
                                    {"--bind", "nowhere"},
                                    {"--backlog", "0"},
                                    {"--max-children", "-1"},
                                    {"--no-such-option"}});
}

TEST_CASE("--delay 0.3: each echo comes back no sooner than 0.3 s after it was sent") {
  server srv({"--port", "0", "--delay", "0.3"});
  const auto port = srv.port();
  auto client = connect_to(port);
  for (const std::string piece : {"one", "two"}) {
    CAPTURE(piece);
    const auto sent = std::chrono::steady_clock::now();
    REQUIRE(round_trip(client.get(), piece) == piece);
    CHECK(std::chrono::steady_clock::now() - sent >= 300ms);
  }
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  CHECK(srv.group_gone());
  check_refused("lab08-echo-serv", {{"--delay", "-1"}, {"--delay", "soon"}, {"--delay", "61"}});
}

TEST_CASE("output nobody reads (lab08 | sleep 120): 300 clients served, SIGTERM obeyed at once") {
  for (const bool drain_at_the_end : {false, true}) {
    CAPTURE(drain_at_the_end);
    server srv({"--port", "0"});  // stdout: a pipe, read only for the listen event
    const auto port = srv.port();
    for (int i = 0; i < 300; ++i) {  // one after another, each given 5 s at most
      const std::string data = "client " + std::to_string(i);
      auto client = connect_to(port);
      const timeval patience{5, 0};
      lab::check(::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience),
                 "setsockopt");
      lab::write_all(client.get(), data);
      lab::check(::shutdown(client.get(), SHUT_WR), "shutdown");
      std::string back;
      REQUIRE_NOTHROW(back = lab::read_all(client.get()));  // EAGAIN after 5 s: not served
      REQUIRE(back == data);
    }
    CHECK(srv.unread_output() > 50000);  // the pipe (64 KiB) is full: lines were dropped
    const auto asked = std::chrono::steady_clock::now();
    srv.signal(SIGTERM);
    if (!drain_at_the_end) {  // nobody reads even now: the server still ends, within 3 s
      CHECK(lab::poll_until([&] { return lab::read_proc(srv.pid())->state == 'Z'; }, 3s));
      CAPTURE((std::chrono::steady_clock::now() - asked) / 1ms);
      CHECK(exited_with(srv.wait_exit(), 0));
    } else {  // a reader comes back: the summary says how many lines were dropped
      CHECK(exited_with(srv.wait_exit(), 0));
      const auto summary = srv.events_of("exit");
      REQUIRE(summary.size() == 1);
      CHECK(summary[0].number("connections") == 300);
      CHECK(summary[0].number("reaped") == 300);
      CHECK(summary[0].number("failed") == 0);
      CHECK(summary[0].number("dropped") > 0);
    }
    CHECK(srv.group_gone());
  }
}

TEST_CASE("the summary speaks in the singular for one: 1 connection, 1 child, 1 byte") {
  server srv({"--port", "0"}, {.json = false});
  const auto port = srv.port();
  REQUIRE(echo_once(port, "x") == "x");
  srv.expect_line(" reap ");
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
  const auto& lines = srv.lines();
  const auto has = [&](const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  CHECK(has("echoed 1 byte to 127.0.0.1:"));
  CHECK(has("served 1 connection, refused 0, reaped 1 child, 0 failed"));
}

TEST_CASE("--step at a terminal, answered slowly: the served child is gone, the answer is right") {
  // The learner's terminal is a pseudo-terminal (the lab reads answers from
  // /dev/tty); its events come on a pipe. Nothing is accepted before the answer:
  // a client that connects meanwhile waits in the backlog, so a slow answer
  // cannot change what the question is about.
  lab_process lab("lab08-echo-serv", {"--port", "0", "--step"}, {.terminal = true});
  const auto answer_slowly = [&](const std::string& line) {
    std::this_thread::sleep_for(1500ms);  // a person thinking: longer than any of the lab's timings
    lab.write_stdin(line);
  };
  const auto port = static_cast<std::uint16_t>(lab.expect("listen").number("port"));
  lab.expect("pause");
  auto client = connect_to(port);  // waits in the backlog while the learner reads
  lab::write_all(client.get(), "slow");
  answer_slowly("\n");
  CHECK(lab.expect("quiz").text("question") == "lab08.served_child");
  answer_slowly("2\n");  // "the server reaps it at once: it is gone from /proc"
  lab.expect("pause");   // at the first child's tree
  char back[4];
  for (std::size_t got = 0; got < sizeof back;)
    got += lab::read_some(client.get(), {back + got, sizeof back - got});
  CHECK(std::string(back, 4) == "slow");
  client.reset();  // the child ends; the handler reaps it while the server pauses
  const auto reap = lab.expect("reap");
  answer_slowly("\n");
  const auto answer = lab.expect("answer");
  CHECK(answer.text("question") == "lab08.served_child");
  CHECK(answer.number("chosen") == 2);
  CHECK(answer.number("right") == 2);
  CHECK(answer.boolean("correct"));
  CHECK_FALSE(lab::read_proc(static_cast<pid_t>(reap.number("child"))));
  lab.signal(SIGTERM);
  lab.expect("pause");  // "stopping"
  lab.write_stdin("\n");
  CHECK(exited_with(lab.wait_exit(10s), 0));
  CHECK(lab.group_gone());
}

TEST_CASE("the tree's socket lookup does not grow with the machine's socket count") {
  // Describing the server's sockets must not read all of /proc/net/tcp: time
  // lab::open_fds on the server (what the tree uses) with few sockets on the
  // machine, then with 8000 more listening sockets held by this test.
  raise_open_file_limit();
  server srv({"--port", "0", "--quiet"});
  srv.port();
  const auto time_lookup = [&] {
    auto best = std::chrono::steady_clock::duration::max();
    for (int i = 0; i < 20; ++i) {  // the best of 20: the machine is shared
      const auto start = std::chrono::steady_clock::now();
      const auto fds = lab::open_fds(srv.pid());
      best = std::min(best, std::chrono::steady_clock::now() - start);
      REQUIRE(std::any_of(fds.begin(), fds.end(), [](const lab::fd_info& fd) {
        return fd.socket.starts_with("tcp listening 127.0.0.1:");
      }));
    }
    return best;
  };
  const auto few = time_lookup();
  std::vector<lab::unique_fd> many;
  for (int i = 0; i < 8000; ++i) many.push_back(lab::listen_tcp("127.0.0.1", 0, 1));
  const auto with_many = time_lookup();
  CAPTURE(few / 1us);
  CAPTURE(with_many / 1us);
  CHECK(with_many < few * 3 / 2 + 1ms);  // 8000 more rows of /proc/net/tcp: several ms more
  srv.signal(SIGTERM);
  CHECK(exited_with(srv.wait_exit(), 0));
}
