// The load generator's smoke test (suite "bench"): echoload against the
// iterative echo server verifies every echoed byte, and catches a server that
// corrupts one. No timing is asserted: this checks the tool, not the machine.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <string>

#include "harness.hpp"

using namespace harness;

namespace {

std::string tool(const char* name) {
  const char* dir = std::getenv("FORKLAB_LOAD_DIR");
  if (!dir) throw std::runtime_error("FORKLAB_LOAD_DIR is not set (run the tests with meson test)");
  return std::string(dir) + "/" + name;
}

// Starts echoiter (its own process group), waits for its listen event.
struct server {
  lab_process process;
  std::string port;
  explicit server(std::vector<std::string> args, const char* program = "echoiter")
      : process(tool(program), args) {
    port = std::to_string(process.expect("listen").number("port"));
  }
  // SIGTERM stops it; lab_process's destructor kills and reaps whatever is left.
  // SIGTERM, then the exit status.
  int stop() {
    stopped = true;
    process.signal(SIGTERM);
    return process.wait_exit();
  }
  ~server() {
    try {
      if (!stopped) stop();
    } catch (...) {
    }
  }
  bool stopped = false;
};

int exit_code(const finished_run& run) {
  return WIFEXITED(run.status) ? WEXITSTATUS(run.status) : -1;
}

std::string value_of(const finished_run& run, const std::string& key) {
  for (const auto& line : run.lines) {
    const auto at = line.find(" " + key + "=");
    if (at == std::string::npos) continue;
    const auto start = at + key.size() + 2;
    return line.substr(start, line.find(' ', start) - start);
  }
  return "";
}

}  // namespace

TEST_CASE("echoload verifies every byte an honest server echoes, in each mode") {
  server honest({"--port", "0"});
  const auto rate = run_lab(tool("echoload"),
                            {"--mode", "rate", "--port", honest.port, "-c", "4", "--count", "40",
                             "--size", "100", "--seconds", "20"},
                            {.json = false});
  INFO(rate.stderr_text);
  CHECK(exit_code(rate) == 0);
  CHECK(value_of(rate, "done") == "40");
  CHECK(value_of(rate, "errors") == "0");

  // Messages bigger than a socket buffer, several in flight.
  const auto stream = run_lab(tool("echoload"),
                              {"--mode", "stream", "--port", honest.port, "-c", "1", "--count",
                               "30", "--size", "300000", "--depth", "3", "--seconds", "20"},
                              {.json = false});
  INFO(stream.stderr_text);
  CHECK(exit_code(stream) == 0);
  CHECK(value_of(stream, "messages") == "30");
  CHECK(value_of(stream, "errors") == "0");
}

TEST_CASE("courseserv, the course-style fork server: every byte echoed, every child reaped") {
  server course({"--port", "0"}, "courseserv");
  const auto rate = run_lab(tool("echoload"),
                            {"--mode", "rate", "--port", course.port, "-c", "4", "--count", "40",
                             "--size", "100", "--seconds", "20"},
                            {.json = false});
  INFO(rate.stderr_text);
  CHECK(exit_code(rate) == 0);
  CHECK(value_of(rate, "done") == "40");
  CHECK(value_of(rate, "errors") == "0");
  const int status = course.stop();
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  const auto summary = course.process.events_of("exit");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].number("connections") == 40);
  CHECK(summary[0].number("reaped") == 40);
  CHECK(course.process.group_gone());
}

TEST_CASE("echoload counts the error when a server corrupts one byte") {
  server corrupting({"--port", "0", "--corrupt", "70"});
  const auto rate = run_lab(tool("echoload"),
                            {"--mode", "rate", "--port", corrupting.port, "-c", "2", "--count", "6",
                             "--size", "100", "--seconds", "20"},
                            {.json = false});
  CHECK(exit_code(rate) == 1);
  CHECK(value_of(rate, "errors") == "6");
  CHECK(value_of(rate, "done") == "0");
  CHECK(rate.stderr_text.find("differ") != std::string::npos);

  // Past the end of a short message the corruption is never reached.
  const auto short_messages = run_lab(tool("echoload"),
                                      {"--mode", "rate", "--port", corrupting.port, "-c", "2",
                                       "--count", "6", "--size", "50", "--seconds", "20"},
                                      {.json = false});
  CHECK(exit_code(short_messages) == 0);
  CHECK(value_of(short_messages, "errors") == "0");
}

TEST_CASE("echoload refuses a non-loopback address and bad options") {
  const auto remote = run_lab(
      tool("echoload"), {"--mode", "rate", "--port", "9", "--host", "192.0.2.1"}, {.json = false});
  CHECK(exit_code(remote) == 1);
  CHECK(remote.stderr_text.find("loopback") != std::string::npos);
  const auto bad = run_lab(tool("echoload"), {"--mode", "nonsense"}, {.json = false});
  CHECK(exit_code(bad) == 2);
  const auto help = run_lab(tool("echoload"), {"--help"}, {.json = false});
  CHECK(exit_code(help) == 0);
}

TEST_CASE("scripts/bench.sh: an option without its value is a bad command line, status 2") {
  const char* source = std::getenv("FORKLAB_SOURCE_DIR");
  REQUIRE(source != nullptr);
  const std::string bench = std::string(source) + "/scripts/bench.sh";
  for (const char* option : {"--seconds", "--hold", "--build-dir"}) {
    CAPTURE(option);
    const auto run = run_lab(bench, {option}, {.json = false});
    CHECK(exit_code(run) == 2);
    CHECK(run.stderr_text.find("needs a value") != std::string::npos);
  }
}
