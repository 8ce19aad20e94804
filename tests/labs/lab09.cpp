// lab09-echo-cli: a client split into a writer (stdin -> socket) and a reader
// (socket -> stdout); shutdown(SHUT_WR) ends it, every echoed byte arrives.
// Against an echo server of the test's own (a thread on loopback, which can
// delay each echo, never answer, or go away): the lock-step client pays the
// delay once per line, the split one about once; --json lines are valid UTF-8
// JSON whatever the bytes, and data_hex carries them exactly; a line "q" ends
// the input only at a terminal; a silent server ends the client at its idle
// timeout; the quiz, answered slowly at a terminal, stays the lesson's.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include "../unit/support.hpp"  // the strict JSON reader
#include "checks.hpp"
#include "harness.hpp"
#include "shared.hpp"
#include "os/net.hpp"
#include "os/proc.hpp"
#include "os/pty.hpp"
#include "os/signals.hpp"

using namespace harness;
using unit::valid_utf8;
using clock_type = std::chrono::steady_clock;

namespace {

// An echo server of the test's own, on a free loopback port: one thread
// accepts, one thread per connection echoes each piece it reads `delay`
// after it arrived (as a link with that latency would: pieces in flight
// overlap), until the client's end of file, then closes. `silent`: it
// accepts, then neither reads nor answers. go_away() closes every
// connection and the listening socket at once.
class test_server {
 public:
  struct arrival {
    clock_type::time_point when;
    std::size_t bytes;
  };

  explicit test_server(std::chrono::milliseconds delay = 0ms, bool silent = false)
      : delay_(delay), silent_(silent) {
    listener_ = lab::listen_tcp("127.0.0.1", 0, 64);
    port = std::to_string(lab::local_port(listener_.get()));
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~test_server() {
    go_away();
    acceptor_.join();
    for (auto& t : connections_) t.join();
  }
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  void go_away() {
    const std::lock_guard lock(mutex_);
    stop_.write_end.reset();  // every thread polls the read end: POLLHUP
  }
  // What reached the server, piece by piece, on each connection so far.
  std::vector<std::vector<arrival>> arrivals() {
    const std::lock_guard lock(mutex_);
    return arrivals_;
  }

  std::string port;

 private:
  void accept_loop() {
    for (;;) {
      pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_.read_end.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 || fds[1].revents) return;
      lab::unique_fd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!connection) continue;
      const std::lock_guard lock(mutex_);
      arrivals_.emplace_back();
      const std::size_t index = arrivals_.size() - 1;
      connections_.emplace_back(
          [this, index, fd = connection.release()] { serve(lab::unique_fd(fd), index); });
    }
  }

  void serve(lab::unique_fd connection, std::size_t index) {
    struct piece {
      clock_type::time_point due;
      std::string bytes;
    };
    std::deque<piece> queue;
    bool reading = !silent_;
    char buffer[65536];
    for (;;) {
      int timeout = -1;
      if (!queue.empty())
        timeout = static_cast<int>(std::max<long long>(
            0, std::chrono::ceil<std::chrono::milliseconds>(queue.front().due - clock_type::now())
                   .count()));
      pollfd fds[2] = {{reading ? connection.get() : -1, POLLIN, 0},
                       {stop_.read_end.get(), POLLIN, 0}};
      if (::poll(fds, 2, timeout) < 0 && errno != EINTR) return;
      if (fds[1].revents) return;  // gone: the connection closes with us
      while (!queue.empty() && queue.front().due <= clock_type::now()) {
        try {
          lab::write_all(connection.get(), queue.front().bytes);
        } catch (const std::system_error&) {
          return;
        }
        queue.pop_front();
      }
      if (fds[0].revents) {
        const ssize_t n = ::read(connection.get(), buffer, sizeof buffer);
        if (n < 0) return;
        if (n == 0) reading = false;
        if (n > 0) {
          const auto now = clock_type::now();
          {
            const std::lock_guard lock(mutex_);
            arrivals_[index].push_back({now, static_cast<std::size_t>(n)});
          }
          queue.push_back({now + delay_, std::string(buffer, static_cast<std::size_t>(n))});
        }
      }
      if (!reading && !silent_ && queue.empty()) return;  // echoed all: close
    }
  }

  std::chrono::milliseconds delay_;
  bool silent_;
  lab::unique_fd listener_;
  lab::pipe_ends stop_ = lab::make_pipe();
  std::mutex mutex_;
  std::vector<std::vector<arrival>> arrivals_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

std::string from_hex(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

// The echoed bytes of the "echo" events with seq in (after, before): data_hex.
std::string echoed_between(const std::vector<event>& events, long long after = 0,
                           long long before = std::numeric_limits<long long>::max()) {
  std::string data;
  for (const auto& e : events)
    if (e.kind() == "echo" && e.number("seq") > after && e.number("seq") < before)
      data += from_hex(e.text("data_hex"));
  return data;
}

struct client_run {
  int status = 0;
  pid_t reader = 0;
  std::vector<event> events;
  std::vector<std::string> lines;
  std::string stderr_text;
  std::vector<event> of(const std::string& kind) const {
    std::vector<event> out;
    for (const auto& e : events)
      if (e.kind() == kind) out.push_back(e);
    return out;
  }
  // The echoed bytes: "echo" events' data_hex (--json), else standard output.
  std::string echoed(bool json, bool ends_with_newline) const {
    if (json) return echoed_between(events);
    std::string data;
    for (std::size_t i = 0; i < lines.size(); ++i) data += (i ? "\n" : "") + lines[i];
    return ends_with_newline && !lines.empty() ? data + "\n" : data;
  }
};

// Runs the client with `input` on a pipe, written by a thread (the client's
// output is read meanwhile, so neither side waits for the other), then closed.
client_run run_client(const std::string& port, const std::string& input,
                      std::vector<std::string> extra = {}, bool json = true) {
  // A client that waits in vain (a broken lab) gives up in 5 s, not the default 10.
  std::vector<std::string> args{"127.0.0.1", port, "--idle-timeout", "5"};
  args.insert(args.end(), extra.begin(), extra.end());
  lab_process client("lab09-echo-cli", args, {.json = json, .stdin_pipe = true});
  std::thread feeder([&] {
    try {
      client.write_stdin(input);
    } catch (const std::exception&) {  // the client ended early: the test says so
    }
    client.close_stdin();
  });
  client_run run;
  try {
    run.status = client.wait_exit(30s);
  } catch (...) {
    client.signal_group(SIGKILL);
    feeder.join();
    throw;
  }
  feeder.join();
  CHECK(client.group_gone());
  run.reader = client.pid();
  run.events = client.events();
  run.lines = client.lines();
  run.stderr_text = client.stderr_text();
  return run;
}

pid_t writer_of(const std::vector<event>& events) {
  for (const auto& e : events)
    if (e.kind() == "fork" && e.role() == "reader") return static_cast<pid_t>(e.number("child"));
  return 0;
}

// Each line of a --json run: a JSON object by the strict reader, in valid UTF-8.
void check_valid_json_lines(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK(valid_utf8(line));
    CHECK_NOTHROW(unit::parse_json_line(line));
  }
}

// A learner at a terminal: the lab's standard input is a pseudo-terminal
// (isatty true), typed into from the controller side.
struct terminal_client {
  lab::pty_ends pty = lab::make_pty();
  lab_process lab;
  terminal_client(const std::vector<std::string>& args)
      : lab("lab09-echo-cli", args, {.stdin_fd = pty.terminal.get()}) {
    pty.terminal.reset();  // the lab holds the terminal side now
  }
  void type(const std::string& keys) { lab::write_all(pty.controller.get(), keys); }
};

}  // namespace

TEST_CASE(
    "piped input ends at its end; every byte comes back in order; the reader reaps the writer") {
  test_server server;
  const std::string input = "a\nb\n" + random_bytes(300000, 1) + "\nlast line\n";
  const auto run = run_client(server.port, input);
  CHECK(exited_with(run.status, 0));
  const std::string echoed = run.echoed(true, true);
  CHECK(echoed.size() == input.size());
  CHECK(echoed == input);

  const pid_t writer = writer_of(run.events);
  REQUIRE(writer > 0);
  const auto shutdown = run.of("shutdown");
  REQUIRE(shutdown.size() == 1);
  CHECK(shutdown[0].pid() == writer);
  CHECK(shutdown[0].role() == "writer");
  CHECK(shutdown[0].text("reason") == "end of input");
  CHECK(shutdown[0].number("bytes") == static_cast<long long>(input.size()));
  CHECK(run.of("close").at(0).number("bytes") == static_cast<long long>(input.size()));
  const auto result = run.of("result").at(0);
  CHECK(result.text("mode") == "split");
  CHECK(result.number("bytes") == static_cast<long long>(input.size()));
  CHECK(result.number("echoed") == static_cast<long long>(input.size()));
  CHECK(result.boolean("ended"));
  // The writer's parent was the reader (the tree), and the reader reaped it.
  bool child_of_reader = false;
  for (const auto& e : run.of("state"))
    if (e.number("child") == writer && e.number("ppid") == run.reader) child_of_reader = true;
  CHECK(child_of_reader);
  const auto reaps = run.of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].pid() == run.reader);
  CHECK(reaps[0].number("child") == writer);
  CHECK(reaps[0].text("status") == "exited 0");
  CHECK_FALSE(lab::read_proc(writer));  // neither zombie nor orphan
  CHECK(run.of("error").empty());
}

TEST_CASE("on a pipe a line q is data: all is sent; --quit-line always makes it end the input") {
  test_server server;
  const std::string input = "quit\nq2\n q\nq\nafter q\nQ\n";
  const auto piped = run_client(server.port, input);
  CHECK(exited_with(piped.status, 0));
  CHECK(piped.echoed(true, true) == input);
  CHECK(piped.of("shutdown").at(0).text("reason") == "end of input");

  // Binary data with "\nq\n" inside, as random data may hold: nothing is cut.
  const std::string binary = random_bytes(100000, 7) + "\nq\n" + random_bytes(100000, 8);
  const auto whole = run_client(server.port, binary);
  CHECK(exited_with(whole.status, 0));
  CHECK(whole.echoed(true, false) == binary);
  CHECK(whole.of("shutdown").at(0).number("bytes") == static_cast<long long>(binary.size()));

  // Asked for: a line q (or Q, as in the course) ends the input, and is not sent.
  const auto cut = run_client(server.port, input, {"--quit-line", "always"});
  CHECK(exited_with(cut.status, 0));
  CHECK(cut.echoed(true, true) == "quit\nq2\n q\n");
  const auto shutdown = cut.of("shutdown").at(0);
  CHECK(shutdown.text("reason") == "q");
  CHECK(shutdown.number("bytes") == 11);
  const auto last = run_client(server.port, "x\nQ", {"--quit-line", "always"});
  CHECK(last.echoed(true, true) == "x\n");
  CHECK(last.of("shutdown").at(0).text("reason") == "q");
  for (const auto& mode : {"--lock-step", "--compare"}) {
    CAPTURE(mode);
    const auto run = run_client(server.port, binary, {mode});
    CHECK(exited_with(run.status, 0));
    for (const auto& r : run.of("result"))
      if (r.text("mode") != "compare")
        CHECK(r.number("echoed") == static_cast<long long>(binary.size()));
  }
}

TEST_CASE(
    "--json: valid UTF-8 JSON for text cut inside characters and for any bytes; "
    "data_hex gives back the exact bytes") {
  test_server server;
  std::string chinese;  // python3 -c "print('中文'*400)"
  for (int i = 0; i < 400; ++i) chinese += "\xe4\xb8\xad\xe6\x96\x87";
  chinese += "\n";
  // Reads of 384 bytes (a multiple of 3) end between these 3-byte characters;
  // one byte more in front, and they end inside them.
  for (const std::string& text : {chinese, "a" + chinese}) {
    for (const auto& mode : std::vector<std::vector<std::string>>{{}, {"--lock-step"}}) {
      CAPTURE(text.size());
      CAPTURE(mode.size());
      const auto run = run_client(server.port, text, mode);
      CHECK(exited_with(run.status, 0));
      check_valid_json_lines(run.lines);
      CHECK(run.echoed(true, true) == text);
      CHECK(run.of("echo").size() > 1);
      std::string data;  // each event's data is whole characters
      for (const auto& line : run.lines) {
        const auto e = unit::parse_json_line(line);
        if (e.text("kind") == "echo") data += e.text("data");
      }
      CHECK(data == text);
    }
  }

  const std::string binary = random_bytes(50000, 4);
  const auto run = run_client(server.port, binary);
  CHECK(exited_with(run.status, 0));
  check_valid_json_lines(run.lines);
  CHECK(run.echoed(true, false) == binary);
  for (const auto& e : run.of("echo"))
    CHECK(e.number("bytes") * 2 == static_cast<long long>(e.text("data_hex").size()));
}

TEST_CASE("a 1 MiB line comes through intact: raw bytes on stdout, narration on stderr") {
  test_server server;
  std::string line = random_bytes(1 << 20, 2);
  std::replace(line.begin(), line.end(), '\n', 'n');
  const auto run = run_client(server.port, line + "\n", {}, false);
  CHECK(exited_with(run.status, 0));
  REQUIRE(run.lines.size() == 1);
  CHECK(run.lines[0].size() == line.size());
  CHECK(run.lines[0] == line);
  // The narration went to stderr, each line once.
  std::vector<std::string> narration;
  for (std::size_t start = 0, end; start < run.stderr_text.size(); start = end + 1) {
    end = run.stderr_text.find('\n', start);
    if (end == std::string::npos) end = run.stderr_text.size();
    narration.push_back(run.stderr_text.substr(start, end - start));
  }
  CHECK(check_each_line_once(narration) == "");
  for (const char* kind : {" connect ", " fork ", " close ", " reap ", " result "}) {
    CAPTURE(kind);
    CHECK(run.stderr_text.find(kind) != std::string::npos);
  }
  CHECK(run.stderr_text.find("shutdown(SHUT_WR) after " + std::to_string(line.size() + 1)) !=
        std::string::npos);
}

TEST_CASE("--json into a pipe: every line exactly once, none torn by the other process") {
  test_server server;
  // Control and ill-formed bytes are escaped 6 characters each, plus 2 of hex:
  // the longest "echo" lines. Each stays under PIPE_BUF, so the writer's
  // concurrent lines cannot tear it.
  const std::string input = std::string(20000, '\x01') + "\n" + std::string(20000, '\xff') + "\n" +
                            random_bytes(20000, 3) + "\n";
  for (int round = 0; round < 5; ++round) {
    const auto run = run_client(server.port, input);
    CHECK(exited_with(run.status, 0));
    CHECK(check_each_line_once(run.events) == "");
    CHECK(run.events.size() == run.lines.size());
    CHECK(run.echoed(true, true) == input);
    for (const auto& line : run.lines) CHECK(line.size() < 4096);
  }
}

TEST_CASE(
    "split against lock-step, the server delaying each echo by 50 ms: 20 lines take "
    "the lock-step client 20 delays, the split client about one") {
  constexpr int lines = 20;
  constexpr auto delay = 50ms;
  test_server server(delay);
  std::string input;
  for (int i = 1; i <= lines; ++i) input += "line " + std::to_string(i) + "\n";
  const auto run = run_client(server.port, input, {"--compare"});
  CHECK(exited_with(run.status, 0));
  const auto results = run.of("result");
  REQUIRE(results.size() == 3);
  const auto& lock_step = results[0];
  const auto& split = results[1];
  CHECK(lock_step.text("mode") == "lock-step");
  CHECK(split.text("mode") == "split");
  CHECK(results[2].text("mode") == "compare");
  const double n_delays = lines * std::chrono::duration<double>(delay).count();
  CAPTURE(lock_step.real("elapsed"));
  CAPTURE(split.real("elapsed"));
  CHECK(lock_step.real("elapsed") >= n_delays);
  CHECK(split.real("elapsed") < n_delays / 2);
  CHECK(results[2].real("lock_step") == doctest::Approx(lock_step.real("elapsed")));
  CHECK(results[2].real("split") == doctest::Approx(split.real("elapsed")));
  // Every byte came back, in each run.
  for (const auto& r : {lock_step, split}) {
    CHECK(r.number("lines") == lines);
    CHECK(r.number("bytes") == static_cast<long long>(input.size()));
    CHECK(r.boolean("ended"));
  }
  CHECK(echoed_between(run.events, 0, lock_step.number("seq")) == input);
  CHECK(echoed_between(run.events, lock_step.number("seq"), split.number("seq")) == input);
  // What the server saw: the lock-step client sent one line per round trip, a
  // delay apart; the split client sent them all without waiting.
  const auto arrivals = server.arrivals();
  REQUIRE(arrivals.size() == 2);
  CHECK(arrivals[0].size() == lines);
  for (std::size_t i = 1; i < arrivals[0].size(); ++i)
    CHECK(arrivals[0][i].when - arrivals[0][i - 1].when >= delay);
  REQUIRE(!arrivals[1].empty());
  CHECK(arrivals[1].back().when - arrivals[1].front().when < delay * lines / 2);

  // --lock-step alone: one process, no fork, the same lines.
  const auto alone = run_client(server.port, input, {"--lock-step"});
  CHECK(exited_with(alone.status, 0));
  CHECK(alone.of("fork").empty());
  CHECK(alone.echoed(true, true) == input);
  CHECK(alone.of("result").at(0).real("elapsed") >= n_delays);
}

TEST_CASE(
    "a server that accepts but never answers: --idle-timeout ends the client, status 1, "
    "nothing left") {
  test_server server(0ms, true);
  for (const auto& mode : std::vector<std::vector<std::string>>{{}, {"--lock-step"}}) {
    for (const bool input_ended : {false, true}) {
      CAPTURE(mode.size());
      CAPTURE(input_ended);
      std::vector<std::string> args{"127.0.0.1", server.port, "--idle-timeout", "0.3"};
      args.insert(args.end(), mode.begin(), mode.end());
      lab_process client("lab09-echo-cli", args, {.stdin_pipe = true});
      const auto start = clock_type::now();
      client.write_stdin("hello\n");
      if (input_ended) client.close_stdin();
      const auto error = client.expect("error");
      CHECK(clock_type::now() - start >= 300ms);
      CHECK(error.text("text").find("no answer") != std::string::npos);
      CHECK(error.real("timeout") == doctest::Approx(0.3));
      CHECK(error.number("owed") == 6);
      if (mode.empty()) {  // the writer, blocked or finished, is reaped
        const auto reap = client.expect("reap");
        CHECK(reap.number("child") == writer_of(client.events()));
      }
      CHECK(exited_with(client.wait_exit(), 1));
      CHECK_FALSE(client.events_of("result").at(0).boolean("ended"));
      CHECK(client.group_gone());
    }
  }
}

TEST_CASE(
    "--close-instead-of-shutdown: no end of file comes back, the reader hangs until its timeout") {
  test_server server;
  lab_process client(
      "lab09-echo-cli",
      {"127.0.0.1", server.port, "--close-instead-of-shutdown", "--hang-timeout", "1"},
      {.stdin_pipe = true});
  client.write_stdin("a\nb\n");
  client.close_stdin();
  const auto closed = client.expect("close", [](const event& e) { return e.role() == "writer"; });
  CHECK(closed.number("bytes") == 4);
  // The writer has closed its descriptor, yet the connection lives on: the
  // reader holds the same socket, so the server never sees end of file.
  const bool reader_holds_it = lab::poll_until(
      [&] {
        for (const auto& fd : lab::open_fds(client.pid()))
          if (fd.socket.starts_with("tcp connected")) return true;
        return false;
      },
      1s);
  CHECK(reader_holds_it);
  const auto hang = client.expect("error");
  CHECK(hang.role() == "reader");
  CHECK(hang.real("timeout") == doctest::Approx(1.0));
  CHECK(hang.text("text").find("hang") != std::string::npos);
  const auto rescue = client.expect("shutdown");
  CHECK(rescue.role() == "reader");
  const auto end = client.expect("close", [](const event& e) { return e.role() == "reader"; });
  CHECK(end.number("bytes") == 4);
  CHECK(exited_with(client.wait_exit(), 1));  // the wrong way is a failure
  // Every byte had arrived before the hang: what was missing was only the end of file.
  CHECK(echoed_between(client.events(), 0, hang.number("seq")) == "a\nb\n");
  CHECK(hang.number("t_ms") - closed.number("t_ms") >= 1000);
  CHECK(client.group_gone());
}

TEST_CASE("the server goes away: the client says so, ends both processes, exits 1") {
  test_server server;
  lab_process client("lab09-echo-cli", {"127.0.0.1", server.port}, {.stdin_pipe = true});
  client.write_stdin("hello\n");
  CHECK(client.expect("echo").text("data") == "hello\n");
  const pid_t writer = writer_of(client.events());
  REQUIRE(writer > 0);
  server.go_away();  // our connection closes
  const auto error = client.expect("error");
  CHECK(error.text("text").find("went away") != std::string::npos);
  const auto reap = client.expect("reap");
  CHECK(reap.number("child") == writer);
  CHECK(reap.text("status") == "killed by SIGTERM");  // it was blocked reading stdin
  CHECK(exited_with(client.wait_exit(), 1));
  CHECK(client.group_gone());
  CHECK_FALSE(lab::read_proc(writer));
}

TEST_CASE("the server goes away while the writer still sends: both processes end, status 1") {
  test_server server;
  lab_process client("lab09-echo-cli", {"127.0.0.1", server.port}, {.stdin_pipe = true});
  client.write_stdin("first\n");
  client.expect("echo");
  const pid_t writer = writer_of(client.events());
  REQUIRE(writer > 0);
  std::thread feeder([&] {
    try {
      for (int i = 0; i < 200; ++i) client.write_stdin(std::string(65536, 'x'));
    } catch (const std::exception&) {  // the client ended: its stdin is closed
    }
    client.close_stdin();
  });
  server.go_away();  // with bytes unread: the connection is reset
  int status = 0;
  try {
    status = client.wait_exit(30s);
  } catch (...) {
    client.signal_group(SIGKILL);
    feeder.join();
    throw;
  }
  feeder.join();
  CHECK(exited_with(status, 1));
  CHECK(!client.events_of("error").empty());
  const auto reaps = client.events_of("reap");
  REQUIRE(reaps.size() == 1);
  CHECK(reaps[0].pid() == client.pid());
  CHECK(reaps[0].number("child") == writer);
  CHECK(client.group_gone());
  CHECK_FALSE(lab::read_proc(writer));
}

TEST_CASE(
    "reader and writer share one socket; each holds only its own end of the pipe between them") {
  test_server server;
  lab_process client("lab09-echo-cli", {"127.0.0.1", server.port}, {.stdin_pipe = true});
  client.write_stdin("x\n");
  client.expect("echo");
  const pid_t writer = writer_of(client.events());
  REQUIRE(writer > 0);
  // Beyond 0, 1, 2 (and what whoever ran the tests passed down to us all):
  // the socket and one end of the same pipe, nothing else, in each process.
  const auto own_fds = lab::open_fds(::getpid());
  const auto beyond_std = [&](pid_t pid) {
    std::vector<std::string> targets;
    for (const auto& fd : lab::open_fds(pid)) {
      const bool passed_down = std::any_of(own_fds.begin(), own_fds.end(), [&](const auto& own) {
        return own.fd == fd.fd && own.target == fd.target;
      });
      if (fd.fd > 2 && !passed_down) targets.push_back(fd.socket.empty() ? fd.target : fd.socket);
    }
    std::sort(targets.begin(), targets.end());
    return targets;
  };
  const auto reader_fds = beyond_std(client.pid());
  const auto writer_fds = beyond_std(writer);
  CAPTURE(reader_fds.size());
  CAPTURE(writer_fds.size());
  REQUIRE(reader_fds.size() == 2);
  CHECK(reader_fds == writer_fds);
  CHECK(reader_fds[0].starts_with("pipe:"));
  CHECK(reader_fds[1].starts_with("tcp connected 127.0.0.1:"));
  client.close_stdin();
  CHECK(exited_with(client.wait_exit(), 0));
  CHECK(client.group_gone());
}

TEST_CASE("SIGINT to both or SIGTERM to the reader alone: the writer reaped, nothing left") {
  test_server server;
  for (const bool whole_group : {true, false}) {
    CAPTURE(whole_group);
    lab_process client("lab09-echo-cli", {"127.0.0.1", server.port}, {.stdin_pipe = true});
    client.write_stdin("x\n");
    client.expect("echo");
    const pid_t writer = writer_of(client.events());
    REQUIRE(writer > 0);
    const int signo = whole_group ? SIGINT : SIGTERM;
    if (whole_group)
      client.signal_group(SIGINT);  // Ctrl-C at a terminal
    else
      client.signal(SIGTERM);
    // The reader ends the writer if need be and reaps it: no orphan, no zombie
    // left to init. Then it dies of the signal it got, as a shell expects.
    const auto reap = client.expect("reap");
    CHECK(reap.pid() == client.pid());
    CHECK(reap.number("child") == writer);
    CHECK(reap.text("status") == "killed by " + lab::signal_name(signo));
    CHECK(client.events_of("signal").at(0).text("signal") == lab::signal_name(signo));
    const int status = client.wait_exit();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == signo);
    CHECK(client.group_gone());
    CHECK_FALSE(lab::read_proc(writer));
  }
}

TEST_CASE("--step pauses before the fork and goes on at Enter") {
  test_server server;
  lab_process client("lab09-echo-cli", {"127.0.0.1", server.port, "--step", "--no-quiz"},
                     {.stdin_pipe = true});
  client.expect("pause");
  client.write_stdin("\nhello\n");  // Enter for the pause, then the input
  client.close_stdin();
  CHECK(client.expect("tree").number("processes") == 2);
  CHECK(client.expect("echo").text("data") == "hello\n");
  CHECK(exited_with(client.wait_exit(), 0));
  CHECK(client.group_gone());
}

TEST_CASE(
    "at a terminal, answered slowly: a line q ends the input, and the revealed answer "
    "is the lesson's, marked right") {
  // The learner takes 3 times the lab's timeouts at every prompt: nothing the
  // answer depends on runs meanwhile (the writer is forked after the answer,
  // and the hang and idle clocks start after it).
  constexpr auto slow = 600ms;
  for (const bool close_instead : {false, true}) {
    CAPTURE(close_instead);
    test_server server;
    std::vector<std::string> args{"127.0.0.1", server.port,      "--step", "--hang-timeout",
                                  "0.2",       "--idle-timeout", "0.2"};
    if (close_instead) args.push_back("--close-instead-of-shutdown");
    terminal_client learner(args);
    learner.lab.expect("pause");  // connected, before the fork
    std::this_thread::sleep_for(slow);
    learner.type("\n");
    const auto quiz = learner.lab.expect("quiz");
    CHECK(quiz.text("question") == "lab09.eof");
    CHECK(learner.lab.events_of("fork").empty());
    std::this_thread::sleep_for(slow);
    learner.type(close_instead ? "2\n" : "1\n");  // no end of file / yes
    const pid_t writer = static_cast<pid_t>(learner.lab.expect("fork").number("child"));
    learner.type("hello\n");
    CHECK(learner.lab.expect("echo").text("data") == "hello\n");
    std::this_thread::sleep_for(slow);
    learner.type("q\n");  // at a terminal a line q ends the input
    const auto answer = learner.lab.expect("answer");
    CHECK(answer.text("question") == "lab09.eof");
    CHECK(answer.text("actual") == (close_instead ? "no" : "yes"));
    CHECK(answer.boolean("premise"));
    CHECK(answer.boolean("marked"));
    CHECK(answer.boolean("correct"));
    CHECK(answer.number("right") == (close_instead ? 2 : 1));
    learner.lab.expect("pause");  // the writer has finished
    std::this_thread::sleep_for(slow);
    learner.type("\n");
    CHECK(exited_with(learner.lab.wait_exit(), close_instead ? 1 : 0));
    // The writer's own line, said after its call (it may come after the answer).
    const auto ended = learner.lab.events_of(close_instead ? "close" : "shutdown").at(0);
    CHECK(ended.pid() == writer);
    CHECK(ended.text("reason") == "q");
    CHECK(ended.number("bytes") == 6);                                          // "q" was not sent
    CHECK(learner.lab.events_of("error").size() == (close_instead ? 1u : 0u));  // only the hang
    CHECK(learner.lab.group_gone());
  }
}

TEST_CASE("the quiz's premise gone (the server closed during the answer): not marked") {
  test_server server;
  terminal_client learner(
      {"127.0.0.1", server.port, "--step", "--close-instead-of-shutdown", "--hang-timeout", "0.2"});
  learner.lab.expect("pause");
  learner.type("\n");
  learner.lab.expect("quiz");
  server.go_away();  // while the learner thinks
  learner.type("2\n");
  const auto answer = learner.lab.expect("answer");
  CHECK_FALSE(answer.boolean("premise"));
  CHECK_FALSE(answer.boolean("marked"));
  CHECK(answer.text("what_changed").find("closed") != std::string::npos);
  const auto reap = learner.lab.expect("reap");
  CHECK(reap.text("status") == "killed by SIGTERM");  // the writer still read the terminal
  CHECK(exited_with(learner.lab.wait_exit(), 1));
  CHECK(learner.lab.group_gone());
}

TEST_CASE("no server: connect is refused, status 1; bad values: status 2; --help: 0") {
  std::string closed_port;
  {
    test_server server;  // a port that was just ours, now closed
    closed_port = server.port;
  }
  const auto refused = run_lab("lab09-echo-cli", {"127.0.0.1", closed_port});
  CHECK(exited_with(refused.status, 1));
  CHECK(refused.stderr_text.find("ECONNREFUSED") != std::string::npos);
  check_refused("lab09-echo-cli", {{"127.0.0.1", "70000"},
                                   {"127.0.0.1", "http"},
                                   {"--hang-timeout", "0"},
                                   {"--idle-timeout", "-1"},
                                   {"--quit-line", "sometimes"},
                                   {"--lock-step", "--compare"},
                                   {"--lock-step", "--close-instead-of-shutdown"},
                                   {"--compare", "--close-instead-of-shutdown"},
                                   {"--no-such-option"}});
  check_help("lab09-echo-cli",
             {"HOST", "PORT", "--close-instead-of-shutdown", "--hang-timeout", "--lock-step",
              "--compare", "--idle-timeout", "--quit-line", "data_hex"});
}
