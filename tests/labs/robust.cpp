// Every lab in a hostile world: started with descriptor 0, 1 or 2 closed, with
// its output on /dev/full or into `head -1`, and with option values that are
// not plain decimal numbers. Each lab is run through `sh -c 'exec LAB ARGS
// REDIRECTIONS'`, so the process the harness watches is the lab itself, with
// exactly the descriptors the shell left it.
//
// Test cases are named "closed: …", "output: …" and "options: …": Meson runs
// each group as its own test of the robust suite (in parallel).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness.hpp"
#include "os/proc.hpp"
#include "writing.hpp"

using namespace harness;
using namespace std::chrono_literals;

namespace {

struct lab_case {
  std::string lab;
  std::vector<std::string> args;  // short timings: each run takes about a second
};

// Every lab but the server and its client (lab08, lab09: tested with each other).
const std::vector<lab_case> labs_on_their_own = {
    {"lab01-fork", {}},
    {"lab02-zombie", {"--children", "2", "--hold", "0.2"}},
    {"lab03-wait", {"--kill-one", "--hold", "0.2"}},
    {"lab04-waitpid", {"--child-sleep", "0.6", "--poll", "0.2"}},
    {"lab05-signal", {"--alarm", "1", "--rounds", "1"}},
    {"lab06-sigaction", {"--alarm", "1", "--rounds", "1"}},
    {"lab07-reaper", {"--child-sleep", "0.3", "--rounds", "2"}},
    {"lab10-coalesce", {"--children", "5", "--reaper", "loop", "--hold", "0"}},
    {"lab11-eintr", {"--call", "read", "--hold", "0.2"}},
    {"lab12-fd-share", {"--timeout", "0.3"}},
    {"lab13-stdio-dup", {"--all"}},
    {"lab14-orphan", {"--hold", "0.2"}},
    {"lab15-sigpipe", {"--mode", "default"}},
    {"lab16-signalfd", {"--via", "signalfd", "--children", "5"}},
};

// Starts `lab args` with the shell's `redirections` ("<&-", ">/dev/full")
// applied to it. Stdout and stderr the redirections leave are the harness's
// pipes; stdin is /dev/null.
std::vector<std::string> shell_line(const std::string& lab, const std::vector<std::string>& args,
                                    const std::string& redirections) {
  std::vector<std::string> sh{"-c", "exec \"$0\" \"$@\" " + redirections, lab_path(lab)};
  sh.insert(sh.end(), args.begin(), args.end());
  return sh;
}
lab_process start(const std::string& lab, const std::vector<std::string>& args,
                  const std::string& redirections) {
  return lab_process("/bin/sh", shell_line(lab, args, redirections), {.json = false});
}
// The same, for runs kept side by side in a container.
std::unique_ptr<lab_process> start_owned(const std::string& lab,
                                         const std::vector<std::string>& args,
                                         const std::string& redirections) {
  return std::make_unique<lab_process>("/bin/sh", shell_line(lab, args, redirections),
                                       run_options{.json = false});
}

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

std::string joined(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& arg : args) text += arg + " ";
  return text;
}

// The JSON events among a finished lab's stdout lines; each must parse.
std::vector<event> events_of(const lab_process& lab) {
  std::vector<event> events;
  for (const auto& line : lab.lines()) events.push_back(parse_event(line));
  return events;
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::string described(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// lab08 on a free port, speaking JSON: the server lab09 connects to.
struct echo_server {
  lab_process server{"lab08-echo-serv", {"--port", "0"}};
  std::string port;
  echo_server() { port = std::to_string(server.expect("listen").number("port")); }
};

// The TCP port `pid` listens on, from its descriptors in /proc ("" while none):
// the digits after the last ':' of "listening 127.0.0.1:PORT" or "listening [::1]:PORT".
std::string listening_port(pid_t pid) {
  for (const auto& fd : lab::open_fds(pid)) {
    const std::size_t at = fd.socket.find("listening ");
    if (at == std::string::npos) continue;
    const std::size_t end = fd.socket.find_first_not_of("0123456789.:[]abcdef", at + 10);
    const std::string address =
        fd.socket.substr(at + 10, end == std::string::npos ? end : end - at - 10);
    const std::size_t colon = address.rfind(':');
    if (colon != std::string::npos && colon + 1 < address.size()) return address.substr(colon + 1);
  }
  return "";
}

std::string wait_for_port(pid_t pid) {
  std::string port;
  lab::poll_until([&] { return !(port = listening_port(pid)).empty(); }, 10s);
  return port;
}

// Whether `text` is the one line a lab whose output cannot be written says:
// "labNN-name: cannot write output: ENOSPC (No space left on device)\n".
bool says_cannot_write(const std::string& text) {
  const std::string_view line = text;
  const std::size_t colon = line.find(": ");
  return colon != std::string_view::npos && harness::is_lab_name(line.substr(0, colon)) &&
         line.substr(colon) == ": cannot write output: ENOSPC (No space left on device)\n";
}

}  // namespace

TEST_CASE("closed: a lab started with stdin, stdout or stderr closed runs as with them open") {
  // Each way is tried on every lab at once (they share nothing), one way after
  // the other.
  struct way {
    const char* redirection;
    bool step;
  };
  for (const way w : {way{"<&-", false}, way{"<&-", true}, way{"2>&-", false}, way{"2>&-", true},
                      way{">&-", false}}) {
    std::vector<std::pair<std::vector<std::string>, std::unique_ptr<lab_process>>> runs;
    for (const auto& [lab, args] : labs_on_their_own) {
      // --step without a terminal: the pauses read stdin (now /dev/null: end
      // of input, no pausing). With stdin closed they used to read one of the
      // lab's own pipes, and hang. stdout closed: its narration must not go
      // into the lab's own files or sockets (lab12 died of SIGPIPE, lab15 and
      // lab16 too).
      const bool json = std::string_view(w.redirection) != ">&-";
      auto all = json ? with(args, {"--json"}) : args;
      if (w.step) all.push_back("--step");
      all.insert(all.begin(), lab);
      runs.emplace_back(all, start_owned(lab, {all.begin() + 1, all.end()}, w.redirection));
    }
    for (auto& [all, owned] : runs) {
      lab_process& run = *owned;
      CAPTURE(joined(all));
      CAPTURE(w.redirection);
      const int status = run.wait_exit(30s);
      INFO(run.transcript());
      CHECK(described(status) == "exited 0");
      if (std::string_view(w.redirection) != ">&-") {
        const auto events = events_of(run);
        CHECK(!events.empty());
        CHECK(check_each_line_once(events) == "");
      }
      CHECK(run.stderr_text() == "");
      CHECK(run.group_gone());
    }
  }
}

TEST_CASE("closed: lab12's data file holds its records only, whichever descriptor was closed") {
  for (const char* redirection : {"<&-", "2>&-"}) {
    CAPTURE(redirection);
    auto run = start("lab12-fd-share", {"--timeout", "0.3", "--json"}, redirection);
    const int status = run.wait_exit(30s);
    INFO(run.transcript());
    CHECK(exit_code(status) == 0);
    int files = 0;
    for (const auto& e : events_of(run)) {
      if (e.kind() != "result" || e.text("part") != "file") continue;
      ++files;
      CHECK(e.number("size") == e.number("written"));
    }
    CHECK(files == 1);
  }
  // stdout closed: the data file took descriptor 1, the narration went into
  // it, and the lab died of SIGPIPE writing to its own socket (exit 141).
  auto run = start("lab12-fd-share", {"--timeout", "0.3"}, ">&-");
  const int status = run.wait_exit(30s);
  INFO(run.transcript());
  CHECK(described(status) == "exited 0");
  CHECK(run.stderr_text() == "");
}

TEST_CASE("closed: lab09 with stdin closed sends nothing and ends; with stdout closed it echoes") {
  echo_server echo;
  {
    // The TCP socket took descriptor 0 and the writer read it as its input:
    // the client hung forever.
    auto run = start("lab09-echo-cli", {"127.0.0.1", echo.port, "--json"}, "<&-");
    const int status = run.wait_exit(20s);
    INFO(run.transcript());
    CHECK(exit_code(status) == 0);
    const auto events = events_of(run);
    int shutdowns = 0;
    for (const auto& e : events)
      if (e.kind() == "shutdown") {
        ++shutdowns;
        CHECK(e.number("bytes") == 0);
      }
    CHECK(shutdowns == 1);
  }
  // In human mode lab09 narrates on stderr and writes the echoed bytes to
  // stdout. stdout closed: the narration still reaches stderr, whole.
  // stderr closed: stdout holds the echoed lines and nothing else.
  for (const char* redirection : {">&-", "2>&-"}) {
    CAPTURE(redirection);
    auto run = start("/bin/sh",
                     {"-c", "printf 'one\\ntwo\\n' | exec \"$0\" 127.0.0.1 \"$1\" " +
                                std::string(redirection),
                      lab_path("lab09-echo-cli"), echo.port},
                     "");
    const int status = run.wait_exit(20s);
    INFO(run.transcript());
    CHECK(exit_code(status) == 0);
    if (std::string(redirection) == ">&-") {
      CHECK(run.lines().empty());
      CHECK(run.stderr_text().find("end of file from the server after 8 bytes echoed") !=
            std::string::npos);
    } else {
      CHECK(run.lines() == std::vector<std::string>{"one", "two"});
      CHECK(run.stderr_text() == "");
    }
  }
  // The server saw each client connect and end.
  echo.server.signal(SIGTERM);
  CHECK(exit_code(echo.server.wait_exit()) == 0);
  CHECK(echo.server.events_of("accept").size() == 3);  // one per client
}

TEST_CASE("closed: lab08 with stdin, stdout and stderr closed serves and stops on SIGTERM") {
  auto server = start("lab08-echo-serv", {"--port", "0"}, "<&- >&- 2>&-");
  const std::string port = wait_for_port(server.pid());
  REQUIRE_MESSAGE(!port.empty(), server.transcript());
  int standard = 0;  // 0, 1 and 2 are /dev/null, not one of its sockets
  for (const auto& fd : lab::open_fds(server.pid())) {
    if (fd.fd > 2) continue;
    ++standard;
    CHECK(fd.target == "/dev/null");
  }
  CHECK(standard == 3);
  lab_process client("lab09-echo-cli", {"127.0.0.1", port},
                     {.stdin_pipe = true, .stdin_data = "hi\n"});
  client.close_stdin();
  CHECK(exit_code(client.wait_exit()) == 0);
  int echoed = 0;
  for (const auto& e : client.events_of("echo")) echoed += static_cast<int>(e.number("bytes"));
  CHECK(echoed == 3);
  server.signal(SIGTERM);
  CHECK(described(server.wait_exit()) == "exited 0");
  CHECK(server.group_gone());
}

TEST_CASE("output: stdout on /dev/full: one line on stderr and a non-zero exit, for every lab") {
  for (const auto& [lab, args] : labs_on_their_own) {
    for (const bool json : {false, true}) {
      const auto all = json ? with(args, {"--json"}) : args;
      CAPTURE(lab);
      CAPTURE(joined(all));
      auto run = start(lab, all, ">/dev/full");
      const int status = run.wait_exit(30s);
      INFO(run.transcript());
      CHECK(WIFEXITED(status));
      CHECK(exit_code(status) != 0);
      CHECK(says_cannot_write(run.stderr_text()));
      CHECK(run.stderr_text().starts_with(lab + ": "));
      CHECK(run.group_gone());
    }
  }
}

TEST_CASE("output: lab08 and lab09 with stdout on /dev/full say so once and exit non-zero") {
  auto server = start("lab08-echo-serv", {"--port", "0"}, ">/dev/full");
  const std::string port = wait_for_port(server.pid());
  REQUIRE_MESSAGE(!port.empty(), server.transcript());
  // With --json the narration is lab09's stdout: the narrator's one line.
  auto client = start("/bin/sh",
                      {"-c", "printf 'one\\n' | exec \"$0\" 127.0.0.1 \"$1\" --json >/dev/full",
                       lab_path("lab09-echo-cli"), port},
                      "");
  const int client_status = client.wait_exit(20s);
  INFO(client.transcript());
  CHECK(WIFEXITED(client_status));
  CHECK(exit_code(client_status) != 0);
  CHECK(says_cannot_write(client.stderr_text()));
  CHECK(client.stderr_text().starts_with("lab09-echo-cli: "));
  // In human mode stdout carries only the echoed bytes: lab09 reports the
  // failed write itself, with the narration on stderr.
  auto human = start("/bin/sh",
                     {"-c", "printf 'one\\n' | exec \"$0\" 127.0.0.1 \"$1\" >/dev/full",
                      lab_path("lab09-echo-cli"), port},
                     "");
  const int human_status = human.wait_exit(20s);
  INFO(human.transcript());
  CHECK(WIFEXITED(human_status));
  CHECK(exit_code(human_status) != 0);
  CHECK(human.stderr_text().find("ENOSPC") != std::string::npos);

  // The server served the client all the same; stopped, it owns up.
  lab::poll_until([&] { return lab::children_of(server.pid()).empty(); }, 5s);
  server.signal(SIGTERM);
  const int server_status = server.wait_exit(20s);
  INFO(server.transcript());
  CHECK(WIFEXITED(server_status));
  CHECK(exit_code(server_status) != 0);
  CHECK(says_cannot_write(server.stderr_text()));
  CHECK(server.stderr_text().starts_with("lab08-echo-serv: "));
}

TEST_CASE("output: `| head -1` ends a lab quietly: no error message, for every lab") {
  std::vector<std::pair<std::string, std::vector<std::string>>> runs;
  for (const auto& [lab, lab_args] : labs_on_their_own) runs.emplace_back(lab, lab_args);
  // lab15's writer may be ended by SIGPIPE (its first line written after head
  // has gone) before it connects: its peer must not wait in accept() for it.
  // A race: each mode several times.
  for (int round = 0; round < 4; ++round)
    for (const char* mode : {"default", "nosignal", "ignore"})
      runs.emplace_back("lab15-sigpipe", std::vector<std::string>{"--mode", mode});
  for (const auto& [lab, args] : runs) {
    CAPTURE(lab);
    CAPTURE(joined(args));
    std::vector<std::string> sh{"-c", "\"$0\" \"$@\" | head -1", lab_path(lab)};
    sh.insert(sh.end(), args.begin(), args.end());
    auto run = start("/bin/sh", sh, "");
    const int status = run.wait_exit(30s);
    INFO(run.transcript());
    CHECK(exit_code(status) == 0);  // head's
    CHECK(run.lines().size() == 1);
    CHECK(run.stderr_text() == "");
    CHECK(run.group_gone());
  }
}

TEST_CASE("options: values are decimal and strictly checked, in every lab") {
  for (const auto& [lab, args] : labs_on_their_own) {
    CAPTURE(lab);
    for (const char* bad : {"--help=foo", "--version=1"}) {
      CAPTURE(bad);
      const auto run = run_lab(lab, {bad}, {.json = false});
      CHECK(exit_code(run.status) == 2);
      CHECK(run.lines.empty());
      CHECK(run.stderr_text.find("takes no value") != std::string::npos);
    }
  }
  struct bad_value {
    std::string lab;
    std::vector<std::string> args;
    std::string message;
  };
  const bad_value cases[] = {
      {"lab02-zombie", {"--children", "0x10"}, "not a number"},
      {"lab02-zombie", {"--children", " 5"}, "not a number"},
      {"lab02-zombie", {"--children", "+3"}, "not a number"},
      {"lab02-zombie", {"--children", "abc"}, "not a number"},
      {"lab02-zombie", {"--children", "2.0"}, "not a number"},
      {"lab02-zombie", {"--children", "1000"}, "not in range"},
      {"lab02-zombie", {"--hold", "0x1p-3"}, "not a number"},
      {"lab02-zombie", {"--hold", "1e-400"}, "not a number"},
      {"lab02-zombie", {"--hold", "1e1"}, "not a number"},
      {"lab02-zombie", {"--hold", "nan"}, "not a number"},
      {"lab02-zombie", {"--hold", "-0.5"}, "not in range"},
      {"lab05-signal", {"--alarm", "0x2"}, "not a number"},
      {"lab10-coalesce", {"--children", "010x"}, "not a number"},
      {"lab16-signalfd", {"--children", "٣"}, "not a number"},  // an Arabic-Indic digit
  };
  for (const auto& [lab, args, message] : cases) {
    CAPTURE(lab);
    CAPTURE(joined(args));
    const auto run = run_lab(lab, args, {.json = false});
    CHECK(exit_code(run.status) == 2);
    CHECK(run.lines.empty());
    CHECK(run.stderr_text.find(message) != std::string::npos);
  }
  // Plain decimals are still fine, with a fraction or without.
  CHECK(exit_code(run_lab("lab02-zombie", {"--children", "1", "--hold", "0.05"}).status) == 0);
  CHECK(exit_code(run_lab("lab02-zombie", {"--children", "01", "--hold", ".05"}).status) == 0);
}
