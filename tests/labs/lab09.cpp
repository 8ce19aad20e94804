// lab09-echo-cli: a client split into a writer (stdin -> socket) and a reader
// (socket -> stdout); shutdown(SHUT_WR) ends it, every echoed byte arrives.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

#include "checks.hpp"
#include "harness.hpp"
#include "proc.hpp"
#include "signals.hpp"

using namespace harness;

namespace {

// lab08-echo-serv on a free port, quiet, stopped with SIGTERM at the end.
struct echo_server {
  lab_process process{"lab08-echo-serv", {"--port", "0", "--quiet"}};
  std::string port = std::to_string(process.expect("listen").number("port"));
  ~echo_server() {
    try {
      process.signal(SIGTERM);
      process.wait_exit();
    } catch (const std::exception&) {  // the destructor of lab_process kills what is left
    }
  }
};

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
  // The echoed bytes: "echo" events' data (--json), else standard output.
  std::string echoed(bool json, bool ends_with_newline) const {
    std::string data;
    if (json) {
      for (const auto& e : of("echo")) data += e.text("data");
      return data;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) data += (i ? "\n" : "") + lines[i];
    return ends_with_newline && !lines.empty() ? data + "\n" : data;
  }
};

// Runs the client with `input` on a pipe, written by a thread (the client's
// output is read meanwhile, so neither side waits for the other), then closed.
client_run run_client(const std::string& port, const std::string& input,
                      std::vector<std::string> extra = {}, bool json = true) {
  std::vector<std::string> args{"127.0.0.1", port};
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

// Random bytes with no line that could read as "q".
std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string data(size, '\0');
  for (auto& c : data) {
    c = static_cast<char>(generator() & 0xff);
    if (c == 'q') c = 'Q';
  }
  return data;
}

bool exited_with(int status, int code) {
  return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

pid_t writer_of(const std::vector<event>& events) {
  for (const auto& e : events)
    if (e.kind() == "fork" && e.role() == "reader") return static_cast<pid_t>(e.number("child"));
  return 0;
}

}  // namespace

TEST_CASE(
    "piped input without q ends; every byte comes back in order; the reader reaps the writer") {
  echo_server server;
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

TEST_CASE("a line that is exactly q ends the input: nothing after it is sent") {
  echo_server server;
  const auto run = run_client(server.port, "quit\nq2\n q\nq\nafter q\n");
  CHECK(exited_with(run.status, 0));
  CHECK(run.echoed(true, true) == "quit\nq2\n q\n");
  const auto shutdown = run.of("shutdown").at(0);
  CHECK(shutdown.text("reason") == "q");
  CHECK(shutdown.number("bytes") == 11);

  // A last line "q" without a newline quits as well, and is not sent.
  const auto last = run_client(server.port, "x\nq");
  CHECK(exited_with(last.status, 0));
  CHECK(last.echoed(true, true) == "x\n");
  CHECK(last.of("shutdown").at(0).text("reason") == "q");
}

TEST_CASE("a 1 MiB line comes through intact: raw bytes on stdout, narration on stderr") {
  echo_server server;
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
  for (const char* kind : {" connect ", " fork ", " close ", " reap "}) {
    CAPTURE(kind);
    CHECK(run.stderr_text.find(kind) != std::string::npos);
  }
  CHECK(run.stderr_text.find("shutdown(SHUT_WR) after " + std::to_string(line.size() + 1)) !=
        std::string::npos);
}

TEST_CASE("--json into a pipe: every line exactly once, none torn by the other process") {
  echo_server server;
  // Control bytes are escaped 6 characters each: the longest "echo" lines. Each
  // stays under PIPE_BUF, so the writer's concurrent lines cannot tear it.
  const std::string input = std::string(20000, '\x01') + "\n" + random_bytes(20000, 3) + "\n";
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
    "--close-instead-of-shutdown: no end of file comes back, the reader hangs until its timeout") {
  echo_server server;
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
  std::string echoed;
  for (const auto& e : client.events())
    if (e.kind() == "echo" && e.number("seq") < hang.number("seq")) echoed += e.text("data");
  CHECK(echoed == "a\nb\n");
  CHECK(hang.number("t_ms") - closed.number("t_ms") >= 1000);
  CHECK(client.group_gone());
}

TEST_CASE("the server goes away: the client says so, ends both processes, exits 1") {
  echo_server server;
  lab_process client("lab09-echo-cli", {"127.0.0.1", server.port}, {.stdin_pipe = true});
  client.write_stdin("hello\n");
  CHECK(client.expect("echo").text("data") == "hello\n");
  const pid_t writer = writer_of(client.events());
  REQUIRE(writer > 0);
  server.process.signal(SIGTERM);  // it ends its children: our connection closes
  const auto error = client.expect("error");
  CHECK(error.text("text").find("went away") != std::string::npos);
  const auto reap = client.expect("reap");
  CHECK(reap.number("child") == writer);
  CHECK(reap.text("status") == "killed by SIGTERM");  // it was blocked reading stdin
  CHECK(exited_with(client.wait_exit(), 1));
  CHECK(client.group_gone());
  CHECK_FALSE(lab::read_proc(writer));
}

TEST_CASE(
    "reader and writer share one socket; each holds only its own end of the pipe between them") {
  echo_server server;
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
  echo_server server;
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
  echo_server server;
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

TEST_CASE("no server: connect is refused, status 1; bad values: status 2; --help: 0") {
  std::string closed_port;
  {
    echo_server server;  // a port that was just ours, now closed
    closed_port = server.port;
  }
  const auto refused = run_lab("lab09-echo-cli", {"127.0.0.1", closed_port});
  CHECK(exited_with(refused.status, 1));
  CHECK(refused.stderr_text.find("ECONNREFUSED") != std::string::npos);
  check_refused("lab09-echo-cli", {{"127.0.0.1", "70000"},
                                  {"127.0.0.1", "http"},
                                  {"--hang-timeout", "0"},
                                  {"--no-such-option"}});
  check_help("lab09-echo-cli", {"HOST", "PORT", "--close-instead-of-shutdown", "--hang-timeout"});
}
