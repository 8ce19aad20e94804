// cli: a command line with every kind of option, run in-process on argv
// arrays: --help and --version, values rejected with CLI11's message and
// status 2, seconds with and without fractions, choices, errors escaping the
// body, and a body that throws in a forked child.
#include "runtime/cli.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "voice/narrator.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using unit::capture;

namespace {

// The values a lab's options fill in, with their defaults.
struct lab_options {
  int count = 3;
  lab::seconds hold = lab::seconds(30);
  std::chrono::seconds alarm = 2s;
  std::string name = "world";
  bool verbose = false;
  std::string mode = "once";
  std::string host;
};

struct outcome {
  int status = -1;
  bool body_ran = false;
  std::string out;
  std::string err;
};

// Builds the command line, runs it on `args` (argv[0] added) with stdout and
// stderr captured, and returns what happened; `options` shows what parsing
// stored.
outcome run(
    const std::vector<std::string>& args, lab_options& options,
    const std::function<int()>& body = [] { return 0; }) {
  lab::command_line cli("lab99-test", "Shows how a lab's command line behaves.");
  cli.option("--count", options.count, "how many children", 1, 10);
  cli.option("--hold", options.hold, "how long to hold, in seconds", 0, 100);
  cli.option("--alarm", options.alarm, "alarm(2) after this many whole seconds", 1, 60);
  cli.option("--name", options.name, "a name");
  cli.flag("--verbose", options.verbose, "say more");
  cli.choice("--mode", options.mode, "how to run", {"once", "loop"});
  cli.positional("host", options.host, "where to connect");
  cli.epilogue("Watch for the zombie in ps.");

  std::vector<std::string> storage{"lab99-test"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  outcome result;
  capture out(STDOUT_FILENO);
  capture err(STDERR_FILENO);
  result.status = cli.run(static_cast<int>(storage.size()), argv.data(), [&] {
    result.body_ran = true;
    return body();
  });
  result.out = out.text();
  result.err = err.text();
  return result;
}

outcome run(
    const std::vector<std::string>& args, const std::function<int()>& body = [] { return 0; }) {
  lab_options options;
  return run(args, options, body);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("no options: the body runs with the defaults and its status is returned") {
  lab_options options;
  const auto result = run({}, options, [] { return 7; });
  CHECK(result.status == 7);
  CHECK(result.body_ran);
  CHECK(options.count == 3);
  CHECK(options.hold == lab::seconds(30));
  CHECK(options.alarm == 2s);
  CHECK(options.name == "world");
  CHECK_FALSE(options.verbose);
  CHECK(options.mode == "once");
  CHECK(options.host.empty());
  CHECK(result.out.empty());
  CHECK(result.err.empty());
  CHECK_FALSE(lab::narrator_settings().json);
  CHECK(lab::narrator_settings().program == "lab99-test");
}

TEST_CASE("every kind of option is parsed into its variable") {
  lab_options options;
  const auto result = run({"--count", "10", "--hold=0.25", "--alarm", "3", "--name", "x y",
                           "--verbose", "--mode", "loop", "example.org"},
                          options);
  CHECK(result.status == 0);
  CHECK(result.body_ran);
  CHECK(options.count == 10);
  CHECK(options.hold.count() == 0.25);
  CHECK(options.alarm == 3s);
  CHECK(options.name == "x y");
  CHECK(options.verbose);
  CHECK(options.mode == "loop");
  CHECK(options.host == "example.org");
  CHECK(result.err.empty());
}

TEST_CASE("--help prints the usage on stdout and returns 0 without running the body") {
  const auto result = run({"--help"});
  CHECK(result.status == 0);
  CHECK_FALSE(result.body_ran);
  CHECK(result.err.empty());
  const std::string& help = result.out;
  CHECK(contains(help, "Shows how a lab's command line behaves."));
  CHECK(contains(help, "Usage: lab99-test"));
  for (const char* option : {"--help", "--version", "--json", "--step", "--color", "--count",
                             "--hold", "--alarm", "--name", "--verbose", "--mode", "host"}) {
    CAPTURE(option);
    CHECK(contains(help, option));
  }
  CHECK(contains(help, "how many children"));
  CHECK(contains(help, "Watch for the zombie in ps."));
  CHECK(contains(help, "SECONDS"));
  CHECK(contains(help, "30"));  // the default hold
  CHECK(run({"-h"}).status == 0);
}

TEST_CASE("--version prints the version and returns 0") {
  const auto result = run({"--version"});
  CHECK(result.status == 0);
  CHECK_FALSE(result.body_ran);
  CHECK(result.out.starts_with("forklab "));
  CHECK(result.out.ends_with("\n"));
  const std::string version = result.out.substr(8, result.out.size() - 9);
  CHECK(std::count(version.begin(), version.end(), '.') == 2);
  CHECK(version.find_first_not_of("0123456789.") == std::string::npos);
}

TEST_CASE("bad command lines: status 2, CLI11's message on stderr, the body never runs") {
  struct bad_case {
    std::vector<std::string> args;
    std::vector<std::string> message;  // parts the error must contain
  };
  const bad_case cases[] = {
      {{"--count", "abc"}, {"--count", "abc", "not a number"}},
      {{"--count", "0x10"}, {"0x10", "not a number"}},
      {{"--count", " 5"}, {"not a number"}},
      {{"--count", "5 "}, {"not a number"}},
      {{"--count", "+3"}, {"+3", "not a number"}},
      {{"--count", "3.0"}, {"3.0", "not a number"}},
      {{"--count", "1e1"}, {"1e1", "not a number"}},
      {{"--hold", "0x1p-3"}, {"0x1p-3", "not a number"}},
      {{"--hold", "1e-400"}, {"1e-400", "not a number"}},
      {{"--hold", "2e1"}, {"2e1", "not a number"}},
      {{"--hold", "+1"}, {"+1", "not a number"}},
      {{"--hold", "."}, {"not a number"}},
      {{"--hold", "1..2"}, {"not a number"}},
      {{"--hold", "0." + std::string(400, '0') + "1"}, {"not a number"}},
      {{"--alarm", "0x2"}, {"0x2", "not a number"}},
      {{"--alarm", "+2"}, {"+2", "not a number"}},
      {{"--help=foo"}, {"--help", "takes no value"}},
      {{"--version=1"}, {"--version", "takes no value"}},
      {{"--count", "11"}, {"11", "not in range", "10"}},
      {{"--count", "0"}, {"0", "not in range"}},
      {{"--count", "99999999999"}, {"--count", "99999999999"}},
      {{"--count"}, {"--count"}},
      {{"--hold", "-0.5"}, {"-0.5", "not in range"}},
      {{"--hold", "101"}, {"101", "not in range"}},
      {{"--hold", "soon"}, {"soon"}},
      {{"--hold", "nan"}, {"nan"}},
      {{"--hold", "inf"}, {"inf"}},
      {{"--alarm", "1.5"}, {"1.5"}},
      {{"--alarm", "0"}, {"0", "not in range"}},
      {{"--mode", "sideways"}, {"sideways"}},
      {{"--color", "purple"}, {"purple"}},
      {{"--bogus"}, {"--bogus"}},
      {{"a", "b"}, {"b"}},
  };
  for (const auto& [args, message] : cases) {
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    CAPTURE(joined);
    lab_options options;
    const auto result = run(args, options);
    CHECK(result.status == 2);
    CHECK_FALSE(result.body_ran);
    CHECK(result.out.empty());
    for (const auto& part : message) {
      CAPTURE(part);
      CHECK(contains(result.err, part));
    }
    CHECK(contains(result.err, "--help"));  // "Run with --help for more information."
    // A rejected value leaves the default in place.
    CHECK(options.count == 3);
    CHECK(options.hold == lab::seconds(30));
    CHECK(options.alarm == 2s);
  }
  CHECK(contains(run({"--count", "11"}).err, "Value 11 not in range 1 to 10"));
  CHECK(contains(run({"--bogus"}).err, "The following argument was not expected: --bogus"));
}

TEST_CASE("fractional seconds: --hold 0.2 is 200 ms; whole seconds refuse fractions") {
  lab_options options;
  CHECK(run({"--hold", "0.2"}, options).status == 0);
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(options.hold).count() == 200);
  CHECK(run({"--hold", "0"}, options).status == 0);
  CHECK(options.hold.count() == 0);
  CHECK(run({"--hold", "100"}, options).status == 0);
  CHECK(options.hold.count() == 100);
  CHECK(run({"--alarm", "60"}, options).status == 0);
  CHECK(options.alarm == 60s);
  CHECK(run({"--alarm", "1.0"}).status == 2);
  // Plain decimals, with or without a whole part or fraction digits.
  CHECK(run({"--hold", ".5"}, options).status == 0);
  CHECK(options.hold.count() == 0.5);
  CHECK(run({"--hold", "7."}, options).status == 0);
  CHECK(options.hold.count() == 7);
  CHECK(run({"--count", "007"}, options).status == 0);
  CHECK(options.count == 7);
}

TEST_CASE("\"abc\" is not a number; 11 is a number out of range") {
  CHECK(contains(run({"--count", "abc"}).err, "Value abc is not a number"));
  CHECK_FALSE(contains(run({"--count", "abc"}).err, "not in range"));
  CHECK(contains(run({"--count", "11"}).err, "not in range"));
  CHECK_FALSE(contains(run({"--count", "11"}).err, "not a number"));
}

TEST_CASE("output that cannot be written: said once on stderr, and the status is 1") {
  // stdout on /dev/full: every write fails with ENOSPC.
  const lab::unique_fd saved(lab::check(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 10), "fcntl"));
  const lab::unique_fd full(lab::check(::open("/dev/full", O_WRONLY | O_CLOEXEC), "open"));
  capture err(STDERR_FILENO);
  lab::check(::dup2(full.get(), STDOUT_FILENO), "dup2");
  lab::command_line cli("lab99-test", "Writes three lines.");
  char name[] = "lab99-test";
  char* argv[] = {name, nullptr};
  const int status = cli.run(1, argv, [] {
    for (int i = 0; i < 3; ++i) lab::say("step", "a line nobody can read");
    const pid_t child = lab::fork_as("child");
    if (child == 0) {  // child: its failed writes are the same failure, not said again
      lab::say("step", "the child's line");
      ::_exit(0);
    }
    unit::reap(child);  // parent
    return 0;
  });
  ::dup2(saved.get(), STDOUT_FILENO);
  CHECK(status == 1);
  CHECK(lab::output_error() == ENOSPC);
  CHECK(err.text() == "lab99-test: cannot write output: ENOSPC (No space left on device)\n");

  // A body that already failed keeps its own status.
  lab::check(::dup2(full.get(), STDOUT_FILENO), "dup2");
  const int failed = cli.run(1, argv, [] {
    lab::say("step", "a line nobody can read");
    return 3;
  });
  ::dup2(saved.get(), STDOUT_FILENO);
  CHECK(failed == 3);

  // The next lab run starts with no error (and a pipe's reader gone is no error).
  CHECK(run({}).status == 0);
  CHECK(lab::output_error() == 0);
}

TEST_CASE("--json, --step and --color reach the narrator") {
  CHECK(run({"--json"}).status == 0);
  CHECK(lab::narrator_settings().json);
  CHECK_FALSE(lab::narrator_settings().step);
  CHECK(run({"--step", "--color", "always"}).status == 0);
  CHECK(lab::narrator_settings().step);
  CHECK(lab::narrator_settings().color);
  CHECK_FALSE(lab::narrator_settings().json);
  // stdout is not a terminal here: auto means no colour.
  CHECK(run({"--color", "auto"}).status == 0);
  CHECK_FALSE(lab::narrator_settings().color);
}

TEST_CASE("an exception escaping the body: status 1 and \"call: ENAME (text)\" on stderr") {
  auto result =
      run({}, []() -> int { throw std::system_error(EAGAIN, std::generic_category(), "fork"); });
  CHECK(result.status == 1);
  CHECK(result.out.empty());
  CHECK(result.err.ends_with("error    fork: EAGAIN (Resource temporarily unavailable)\n"));
  CHECK(contains(result.err, " parent "));

  result = run({}, []() -> int { throw std::runtime_error("no such lab"); });
  CHECK(result.status == 1);
  CHECK(result.err.ends_with("error    no such lab\n"));

  // With --json the event goes to stdout and a plain line to stderr.
  result = run({"--json"}, []() -> int {
    throw std::system_error(ECHILD, std::generic_category(), "waitpid");
  });
  CHECK(result.status == 1);
  CHECK(result.err == "lab99-test: waitpid: ECHILD (No child processes)\n");
  const auto lines = unit::lines_of(result.out);
  REQUIRE(lines.lines.size() == 1);
  const auto event = unit::parse_json_line(lines.lines[0]);
  CHECK(event.text("kind") == "error");
  CHECK(event.text("text") == "waitpid: ECHILD (No child processes)");
}

TEST_CASE("a body that throws in a forked child ends that child with _exit(1)") {
  const pid_t test_pid = ::getpid();
  auto marker = lab::make_pipe();
  int child_status = -1;
  const auto result = run({}, [&] {
    const pid_t child = lab::fork_as("child");
    if (child == 0) {  // child: fails the way a lab's child may
      throw std::system_error(EMFILE, std::generic_category(), "socket");
    }
    // parent
    const auto status = unit::reap(child);
    if (status) child_status = *status;
    return 0;
  });
  if (::getpid() != test_pid) {  // the child came back out of run(): wrong
    lab::write_all(marker.write_end.get(), "returned into the caller");
    ::_exit(99);
  }
  marker.write_end.reset();
  CHECK(result.status == 0);
  CHECK(lab::read_all(marker.read_end.get()).empty());
  CHECK(WIFEXITED(child_status));
  CHECK(WEXITSTATUS(child_status) == 1);
  // The child's error line is on the shared stderr, spoken as the child.
  CHECK(contains(result.err, " child "));
  CHECK(contains(result.err, "socket: EMFILE (Too many open files)"));

  // A child that returns from the body ends with that status too.
  int returned_status = -1;
  const auto second = run({}, [&] {
    const pid_t child = lab::fork_as("child");
    if (child == 0) return 5;               // child
    const auto status = unit::reap(child);  // parent
    if (status) returned_status = *status;
    return 0;
  });
  if (::getpid() != test_pid) ::_exit(99);
  CHECK(second.status == 0);
  CHECK(WIFEXITED(returned_status));
  CHECK(WEXITSTATUS(returned_status) == 5);
}
