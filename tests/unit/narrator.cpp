// narrator: what reaches the descriptors — JSON lines that parse, sequence
// numbers shared across fork, one write(2) per line, placeholders and
// escaping, the human layout, the signal-handler path, errors on stderr,
// reap events, and fork_as's role and parent-death signal.
#include "voice/narrator.hpp"

#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "os/signals.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using unit::capture;
using unit::child_process;
using unit::json_object;
using unit::parse_json_line;
using unit::valid_utf8;

namespace {

void start(bool json, bool color = false) {
  lab::start_narrator({.program = "unit-narrator", .json = json, .color = color, .step = false});
  lab::set_role("parent");
}

// Every line of `text` parsed; fails the test on a torn or malformed line.
std::vector<json_object> json_lines(const std::string& text) {
  const auto split = unit::lines_of(text);
  CHECK_MESSAGE(split.complete, "output does not end in a newline: " << text);
  std::vector<json_object> events;
  for (const auto& line : split.lines) {
    try {
      events.push_back(parse_json_line(line));
    } catch (const std::exception& error) {
      FAIL_CHECK(std::string(error.what()));
    }
  }
  return events;
}

// "" when the events' seq values are exactly 1..N (in any order), else why not.
std::string sequence_problem(const std::vector<json_object>& events, long long first = 1) {
  std::vector<long long> seqs;
  for (const auto& e : events) seqs.push_back(e.integer("seq"));
  std::sort(seqs.begin(), seqs.end());
  for (std::size_t i = 0; i < seqs.size(); ++i)
    if (seqs[i] != first + static_cast<long long>(i))
      return "seq " + std::to_string(first + static_cast<long long>(i)) + " missing or repeated";
  return "";
}

}  // namespace

TEST_CASE("JSON: one object per line, the event's own fields first, then the fields, text last") {
  start(true);
  capture out(STDOUT_FILENO);
  lab::say("fork", "fork() returned {returned} in the {side}",
           {{"returned", 4242}, {"side", "parent"}, {"ok", true}, {"ratio", 0.25}});
  lab::say("step", "plain text");
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 2);
  const json_object& fork = events[0];
  CHECK(fork.keys == std::vector<std::string>{"seq", "t_ms", "pid", "role", "kind", "returned",
                                              "side", "ok", "ratio", "text"});
  CHECK(fork.integer("seq") == 1);
  CHECK(fork.integer("t_ms") >= 0);
  CHECK(fork.integer("t_ms") < 10000);
  CHECK(fork.integer("pid") == ::getpid());
  CHECK(fork.text("role") == "parent");
  CHECK(fork.text("kind") == "fork");
  CHECK(fork.integer("returned") == 4242);
  CHECK(fork.text("side") == "parent");
  CHECK(fork.boolean("ok"));
  CHECK(fork.at("ratio").number == 0.25);
  CHECK(fork.text("text") == "fork() returned 4242 in the parent");
  CHECK(events[1].integer("seq") == 2);
  CHECK(events[1].text("text") == "plain text");
  CHECK(events[1].keys.size() == 6);
}

TEST_CASE("placeholders: {key} takes the field's value; unknown keys and lone braces stay") {
  start(true);
  capture out(STDOUT_FILENO);
  lab::say("state", "{child} is {state}, {child} again; {missing} {x} {ratio} {flag} {negative}",
           {{"child", 17}, {"state", "Z"}, {"ratio", 2.5}, {"flag", false}, {"negative", -3}});
  lab::say("step", "a { lone brace and } another");
  lab::say("step", "{}{child}{", {{"child", 1}});
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 3);
  CHECK(events[0].text("text") == "17 is Z, 17 again; {missing} {x} 2.500 false -3");
  CHECK(events[1].text("text") == "a { lone brace and } another");
  CHECK(events[2].text("text") == "{}1{");
}

TEST_CASE("JSON escaping: quotes, backslashes, newlines and control characters round-trip") {
  start(true);
  const std::string nasty = std::string("say \"hi\" \\ back\nnew\tline\rcr\x01\x1f end") + '\x7f';
  lab::set_role("role \"q\"");
  capture out(STDOUT_FILENO);
  lab::say("kind\"x", nasty, {{"value", nasty}, {"key\n", 1}});
  lab::set_role("parent");
  const std::string text = out.text();
  // Exactly one line: the newline inside the text is escaped, not written.
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  const auto events = json_lines(text);
  REQUIRE(events.size() == 1);
  CHECK(events[0].text("text") == nasty);
  CHECK(events[0].text("value") == nasty);
  CHECK(events[0].text("role") == "role \"q\"");
  CHECK(events[0].text("kind") == "kind\"x");
  CHECK(events[0].integer("key\n") == 1);
  CHECK(text.find("\\u0001") != std::string::npos);
  CHECK(text.find("\\u001f") != std::string::npos);
}

TEST_CASE("JSON escaping: any bytes give valid UTF-8; each ill-formed sequence one U+FFFD") {
  const std::string replacement = "\xef\xbf\xbd";  // U+FFFD, as the parser decodes \ufffd
  struct sample {
    std::string bytes, decoded;
  };
  const std::vector<sample> samples = {
      {"\xe4\xb8\xad\xe6\x96\x87 ok \xf0\x9f\x98\x80",
       "\xe4\xb8\xad\xe6\x96\x87 ok \xf0\x9f\x98\x80"},
      {"\xe4\xb8", replacement},                           // a read that ended inside 中
      {std::string("\xe4\xb8") + "a", replacement + "a"},  // cut short, then ASCII
      {"\xad\xe6\x96\x87", replacement + "\xe6\x96\x87"},  // the rest of 中, then 文
      {"\xc0\xaf", replacement + replacement},             // overlong '/': neither byte can start
      {"\xed\xa0\x80", replacement + replacement + replacement},  // a surrogate, U+D800
      {"\xf4\x90\x80\x80", replacement + replacement + replacement + replacement},  // > U+10FFFF
      {"\xff\xfe", replacement + replacement},
      {"\xf0\x9f\x98", replacement},  // an emoji cut short
      {std::string("a\x80") + "b", "a" + replacement + "b"}};
  start(true);
  for (const auto& [bytes, decoded] : samples) {
    CAPTURE(bytes);
    capture out(STDOUT_FILENO);
    lab::say("echo", bytes, {{"data", bytes}, {bytes, 1}});
    const std::string text = out.text();
    CHECK(valid_utf8(text));
    const auto events = json_lines(text);
    REQUIRE(events.size() == 1);
    CHECK(events[0].text("data") == decoded);
    CHECK(events[0].text("text") == decoded);
    CHECK(events[0].integer(decoded) == 1);  // keys are escaped the same way
  }

  // Random bytes, in pieces of every length up to 40: every line valid.
  std::string random;
  for (unsigned x = 12345; random.size() < 20000;) {
    x = x * 1103515245u + 12345u;
    random += static_cast<char>(x >> 16);
  }
  capture out(STDOUT_FILENO);
  std::size_t pieces = 0;
  for (std::size_t at = 0, length = 1; at < random.size(); at += length, length = length % 40 + 1) {
    lab::say("echo", "x", {{"data", std::string_view(random).substr(at, length)}});
    ++pieces;
  }
  const std::string text = out.text();
  CHECK(valid_utf8(text));
  CHECK(json_lines(text).size() == pieces);
}

TEST_CASE("signal_say: ill-formed UTF-8 is replaced there too, and never cut inside") {
  start(true);
  capture out(STDOUT_FILENO);
  const std::string bytes = "\xe4\xb8\xad\xe4\xb8 \xff";
  lab::signal_say("signal", bytes.c_str());
  std::string long_text;  // a character of 3 bytes at every position the buffer may end at
  for (int i = 0; i < 400; ++i) long_text += "\xe4\xb8\xad";
  lab::signal_say("signal", long_text.c_str());
  const std::string text = out.text();
  CHECK(valid_utf8(text));
  const auto events = json_lines(text);
  REQUIRE(events.size() == 2);
  CHECK(events[0].text("text") == "\xe4\xb8\xad\xef\xbf\xbd \xef\xbf\xbd");
  // The text was cut to fit: whole characters, and at most one U+FFFD where
  // the cut fell inside one.
  std::string cut = events[1].text("text");
  if (cut.ends_with("\xef\xbf\xbd")) cut.resize(cut.size() - 3);
  CHECK(cut.size() > 300);
  CHECK(cut.size() % 3 == 0);
  CHECK(long_text.starts_with(cut));
}

TEST_CASE("JSON: real numbers stay valid JSON, even infinite or not a number") {
  start(true);
  capture out(STDOUT_FILENO);
  lab::say("rate", "rate {rate}",
           {{"rate", std::numeric_limits<double>::infinity()},
            {"nan", std::numeric_limits<double>::quiet_NaN()},
            {"small", 1e-300},
            {"big", -1.5e300}});
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 1);
  // JSON has no infinity or NaN: such values are written as null.
  CHECK(events[0].at("rate").kind == unit::json_value::type::null);
  CHECK(events[0].at("nan").kind == unit::json_value::type::null);
  CHECK(events[0].at("small").number == doctest::Approx(1e-300));
  CHECK(events[0].at("big").number == doctest::Approx(-1.5e300));
  CHECK(events[0].text("text") == "rate inf");
}

TEST_CASE(
    "human mode: time, role, pid, kind, text; continuation lines aligned; colour only if asked") {
  start(false);
  capture out(STDOUT_FILENO);
  lab::say("step", "first {n}\nsecond", {{"n", 1}});
  lab::set_role("child 2");
  lab::say("exit", "bye");
  lab::set_role("parent");
  const auto lines = unit::lines_of(out.text());
  REQUIRE(lines.complete);
  REQUIRE(lines.lines.size() == 3);
  const std::string pid = std::to_string(::getpid());
  // "  0.000 parent    4242 step    first 1"
  const std::string& first = lines.lines[0];
  CHECK(first.size() > 31);
  CHECK(first[3] == '.');
  CHECK(first.substr(8, 8) == "parent  ");
  CHECK(first.substr(16, 7) == std::string(7 - pid.size(), ' ') + pid);
  CHECK(first.substr(23) == " step     first 1");
  // The continuation starts in the column where the text started.
  CHECK(lines.lines[1] == std::string(first.find("first"), ' ') + "second");
  CHECK(lines.lines[2].substr(8, 8) == "child 2 ");
  CHECK(lines.lines[2].ends_with(pid + " exit     bye"));
  CHECK(out.text().find('\033') == std::string::npos);

  start(false, true);
  capture colored(STDOUT_FILENO);
  lab::say("step", "in colour");
  const std::string text = colored.text();
  CHECK(text.find("\033[34mparent") != std::string::npos);
  CHECK(text.find("\033[0m") != std::string::npos);
}

TEST_CASE("every event is one write(2) of one whole line: one datagram per event") {
  // Each write(2) to a datagram socket is one datagram, so counting datagrams
  // counts writes.
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) == 0);
  const lab::unique_fd reader(pair[0]);
  const lab::unique_fd writer(pair[1]);
  auto datagrams = [&](bool json, const std::function<void()>& emit) {
    start(json);
    std::fflush(nullptr);
    const lab::unique_fd saved_out(::dup(STDOUT_FILENO));
    const lab::unique_fd saved_err(::dup(STDERR_FILENO));
    ::dup2(writer.get(), STDOUT_FILENO);
    ::dup2(writer.get(), STDERR_FILENO);
    emit();
    ::dup2(saved_out.get(), STDOUT_FILENO);
    ::dup2(saved_err.get(), STDERR_FILENO);
    std::vector<std::string> out;
    char buffer[65536];
    for (;;) {
      const ssize_t n = ::recv(reader.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0) break;
      out.emplace_back(buffer, static_cast<std::size_t>(n));
    }
    return out;
  };
  const std::string long_text(3000, 'x');
  auto each = datagrams(true, [&] {
    lab::say("step", "one {a} two {b}", {{"a", 1}, {"b", "two"}, {"c", 2.5}, {"d", true}});
    lab::say("step", long_text);
    lab::signal_say("signal", "in a handler {n}", {{"n", 7}});
    lab::say_reap(4242, 0);
  });
  REQUIRE(each.size() == 4);
  for (const auto& datagram : each) {
    CHECK(datagram.ends_with("\n"));
    CHECK(std::count(datagram.begin(), datagram.end(), '\n') == 1);
    CHECK_NOTHROW(parse_json_line(datagram.substr(0, datagram.size() - 1)));
  }
  // A multi-line human text is still one write.
  each = datagrams(false, [] { lab::say("tree", "a\nb\nc"); });
  REQUIRE(each.size() == 1);
  CHECK(std::count(each[0].begin(), each[0].end(), '\n') == 3);
  // say_error with --json: one write to stdout, one to stderr.
  each = datagrams(true, [] { lab::say_error("went wrong {n}", {{"n", 3}}); });
  REQUIRE(each.size() == 2);
  CHECK(each[1] == "unit-narrator: went wrong 3\n");
}

TEST_CASE("sequence numbers are shared across fork: 1..N, none repeated") {
  start(true);
  capture out(STDOUT_FILENO);
  lab::say("step", "before fork");
  std::vector<pid_t> children;
  for (int i = 1; i <= 3; ++i) {
    const pid_t pid = lab::fork_as("child " + std::to_string(i));
    if (pid == 0) {  // child
      for (int n = 0; n < 20; ++n) lab::say("work", "{n}", {{"n", n}});
      ::_exit(0);
    }
    // parent
    children.push_back(pid);
    lab::say("fork", "forked {child}", {{"child", pid}});
  }
  for (const pid_t pid : children) {
    const auto status = unit::reap(pid);
    CHECK((status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0));
  }
  lab::say("step", "after");
  const auto events = json_lines(out.text());
  CHECK(events.size() == 1 + 3 + 60 + 1);
  CHECK(sequence_problem(events) == "");
  std::map<std::string, int> per_role;
  for (const auto& e : events) per_role[e.text("role")] += 1;
  CHECK(per_role["parent"] == 5);
  CHECK(per_role["child 1"] == 20);
  CHECK(per_role["child 3"] == 20);
}

TEST_CASE("parent and two children writing into one pipe at once: no line torn") {
  start(true);
  auto pipe = lab::make_pipe();
  constexpr int lines_each = 300;
  // The three writers run in a process of their own, so the test can read the
  // pipe while they write (it holds far more than a pipe's 64 KiB).
  child_process lab_process([&] {
    pipe.read_end.reset();
    ::dup2(pipe.write_end.get(), STDOUT_FILENO);
    pipe.write_end.reset();
    auto talk = [](const std::string& role) {
      for (int n = 0; n < lines_each; ++n) {
        // Lines of 200 to 3600 bytes: under PIPE_BUF (4096), so the kernel
        // writes each one whole, provided it is one write(2).
        const std::string filler(static_cast<std::size_t>(100 + (n * 97) % 3400), role[0]);
        lab::say("work", "line {n}", {{"n", n}, {"filler", filler}});
      }
    };
    std::vector<pid_t> writers;
    for (const char* role : {"alpha", "beta"}) {
      const pid_t pid = lab::fork_as(role);
      if (pid == 0) {  // child
        talk(role);
        ::_exit(0);
      }
      writers.push_back(pid);  // parent
    }
    talk("parent");
    int failures = 0;
    for (const pid_t pid : writers) {
      int status = 0;
      if (::waitpid(pid, &status, 0) != pid || status != 0) ++failures;
    }
    return failures;
  });
  pipe.write_end.reset();
  const std::string text = lab::read_all(pipe.read_end.get());
  const auto status = lab_process.wait_end();
  REQUIRE(status);
  CHECK(*status == 0);
  const auto events = json_lines(text);
  CHECK(events.size() == 3 * lines_each);
  CHECK(sequence_problem(events) == "");
  std::map<std::string, int> next_n;  // each writer's lines arrive in its own order
  for (const auto& e : events) {
    const std::string role = e.text("role");
    const std::string filler = e.text("filler");
    CHECK(std::all_of(filler.begin(), filler.end(), [&](char c) { return c == role[0]; }));
    CHECK(e.integer("n") == next_n[role]++);
  }
}

namespace {

volatile sig_atomic_t errno_after_say = 0;
volatile sig_atomic_t handler_runs = 0;

void narrating_handler(int signo) {
  handler_runs = handler_runs + 1;
  errno = ENOENT;
  lab::signal_say("signal", "handler for {signo}, run {run}",
                  {{"signo", signo}, {"run", handler_runs}});
  errno_after_say = errno;
}

}  // namespace

TEST_CASE("signal_say from inside a real handler: a valid line, errno untouched") {
  const auto previous = lab::install_handler(SIGUSR1, narrating_handler);
  handler_runs = 0;
  start(true);
  {
    capture out(STDOUT_FILENO);
    lab::say("step", "before");
    errno = 0;
    REQUIRE(::kill(::getpid(), SIGUSR1) == 0);  // delivered before kill returns
    CHECK(errno_after_say == ENOENT);
    lab::say("step", "after");
    const auto events = json_lines(out.text());
    REQUIRE(events.size() == 3);
    CHECK(events[1].text("kind") == "signal");
    CHECK(events[1].integer("signo") == SIGUSR1);
    CHECK(events[1].integer("run") == 1);
    CHECK(events[1].integer("pid") == ::getpid());
    CHECK(events[1].text("role") == "parent");
    CHECK(events[1].text("text") == "handler for " + std::to_string(SIGUSR1) + ", run 1");
    CHECK(sequence_problem(events) == "");
  }
  SUBCASE("errno survives a write that fails (EPIPE: nobody reads)") {
    auto pipe = lab::make_pipe();
    pipe.read_end.reset();
    const lab::unique_fd saved(::dup(STDOUT_FILENO));
    ::dup2(pipe.write_end.get(), STDOUT_FILENO);
    errno_after_say = 0;
    ::kill(::getpid(), SIGUSR1);
    ::dup2(saved.get(), STDOUT_FILENO);
    CHECK(errno_after_say == ENOENT);
  }
  SUBCASE("human mode") {
    start(false);
    capture out(STDOUT_FILENO);
    ::kill(::getpid(), SIGUSR1);
    const auto lines = unit::lines_of(out.text());
    REQUIRE(lines.complete);
    REQUIRE(lines.lines.size() == 1);
    CHECK(lines.lines[0].ends_with(std::to_string(::getpid()) + " signal   handler for " +
                                   std::to_string(SIGUSR1) + ", run " +
                                   std::to_string(handler_runs)));
  }
  lab::restore_action(SIGUSR1, previous);
}

TEST_CASE("signal_say cuts a text too long for its buffer but still writes one whole line") {
  const std::string long_text(3000, 'y');
  const std::string quoted(700, '"');  // each one escaped into two bytes
  for (const bool json : {true, false}) {
    CAPTURE(json);
    start(json);
    capture out(STDOUT_FILENO);
    lab::signal_say("signal", long_text.c_str(), {{"n", 1}});
    lab::signal_say("signal", quoted.c_str());
    lab::say("step", "next");
    const auto lines = unit::lines_of(out.text());
    CHECK(lines.complete);
    REQUIRE(lines.lines.size() == 3);
    CHECK(lines.lines[0].size() <= 1024);
    CHECK(lines.lines[2].find("next") != std::string::npos);
    if (json) {
      const auto events = json_lines(out.text());
      REQUIRE(events.size() == 3);
      const std::string cut = events[0].text("text");
      CHECK(cut.size() > 500);
      CHECK(long_text.starts_with(cut));
      CHECK(events[0].integer("n") == 1);
      CHECK(quoted.starts_with(events[1].text("text")));
    }
  }
}

TEST_CASE("say_error: on stderr in human mode; JSON on stdout plus a plain line on stderr") {
  start(false);
  {
    capture out(STDOUT_FILENO);
    capture err(STDERR_FILENO);
    lab::say_error("fork: EAGAIN ({n} tries)", {{"n", 2}});
    CHECK(out.text().empty());
    const auto lines = unit::lines_of(err.text());
    REQUIRE(lines.lines.size() == 1);
    CHECK(lines.lines[0].find(" parent ") != std::string::npos);
    CHECK(lines.lines[0].ends_with(std::to_string(::getpid()) + " error    fork: EAGAIN (2 tries)"));
  }
  start(true);
  capture out(STDOUT_FILENO);
  capture err(STDERR_FILENO);
  lab::say_error("fork: EAGAIN ({n} tries)", {{"n", 2}});
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 1);
  CHECK(events[0].text("kind") == "error");
  CHECK(events[0].integer("n") == 2);
  CHECK(events[0].text("text") == "fork: EAGAIN (2 tries)");
  CHECK(err.text() == "unit-narrator: fork: EAGAIN (2 tries)\n");
}

TEST_CASE("say_reap: the child's role, how it ended, code and core flag") {
  start(true);
  capture out(STDOUT_FILENO);
  const pid_t worker = lab::fork_as("worker");
  if (worker == 0) ::_exit(3);  // child
  // parent
  const auto exited = unit::reap(worker);
  REQUIRE(exited);
  lab::say_reap(worker, *exited);

  const pid_t victim = lab::fork_as("victim");
  if (victim == 0) {  // child
    for (;;) ::pause();
  }
  // parent
  ::kill(victim, SIGKILL);
  const auto killed = unit::reap(victim);
  REQUIRE(killed);
  lab::say_reap(victim, *killed);
  lab::say_reap(1, W_EXITCODE(0, SIGSEGV) | WCOREFLAG);  // not ours: no role known

  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 3);
  CHECK(events[0].text("kind") == "reap");
  CHECK(events[0].integer("child") == worker);
  CHECK(events[0].text("how") == "exited");
  CHECK(events[0].integer("code") == 3);
  CHECK_FALSE(events[0].boolean("core_dumped"));
  CHECK(events[0].text("status") == "exited 3");
  CHECK(events[0].text("text") == "reaped worker " + std::to_string(worker) + ": exited 3");
  CHECK(events[1].text("how") == "killed");
  CHECK(events[1].integer("code") == SIGKILL);
  CHECK(events[1].text("status") == "killed by SIGKILL");
  CHECK(events[1].text("text") ==
        "reaped victim " + std::to_string(victim) + ": killed by SIGKILL");
  CHECK(events[2].boolean("core_dumped"));
  CHECK(events[2].text("text") == "reaped child 1: killed by SIGSEGV (core dumped)");
}

TEST_CASE("say_state reports /proc's letter, and '-' once the process is gone") {
  start(true);
  capture out(STDOUT_FILENO);
  const pid_t child = lab::fork_as("child");
  if (child == 0) {  // child
    for (;;) ::pause();
  }
  // parent
  ::kill(child, SIGSTOP);
  int status = 0;
  REQUIRE(::waitpid(child, &status, WUNTRACED) == child);
  CHECK(lab::say_state(child) == 'T');
  ::kill(child, SIGKILL);
  CHECK(unit::reap(child));
  CHECK(lab::say_state(child) == '-');
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 2);
  CHECK(events[0].text("state") == "T");
  CHECK(events[0].integer("child") == child);
  CHECK(events[0].integer("ppid") == ::getpid());
  CHECK(events[0].integer("pgid") == ::getpgrp());
  CHECK(events[1].text("state") == "-");
}

TEST_CASE("show_tree: one state event per process, then the tree with its count") {
  start(true);
  auto release = lab::make_pipe();
  const pid_t child = lab::fork_as("sleeper");
  if (child == 0) {  // child
    release.write_end.reset();
    char c;
    (void)::read(release.read_end.get(), &c, 1);
    ::_exit(0);
  }
  // parent
  release.read_end.reset();
  capture out(STDOUT_FILENO);
  lab::show_tree("now:");
  release.write_end.reset();
  const auto status = unit::reap(child);
  CHECK((status && *status == 0));
  const auto events = json_lines(out.text());
  REQUIRE(events.size() >= 3);
  const json_object& tree = events.back();
  CHECK(tree.text("kind") == "tree");
  CHECK(tree.integer("processes") == static_cast<long long>(events.size() - 1));
  CHECK(tree.text("text").find("sleeper") != std::string::npos);
  std::set<long long> seen;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    CHECK(events[i].text("kind") == "state");
    seen.insert(events[i].integer("child"));
  }
  CHECK(seen.count(::getpid()) == 1);
  CHECK(seen.count(child) == 1);
}

TEST_CASE("fork_as: the child speaks as its role and has PR_SET_PDEATHSIG = SIGKILL") {
  start(true);
  capture out(STDOUT_FILENO);
  const pid_t child = lab::fork_as("reader");
  if (child == 0) {  // child
    int signo = 0;
    ::prctl(PR_GET_PDEATHSIG, &signo);
    lab::say("hello", "pdeathsig {signo}", {{"signo", signo}});
    ::_exit(signo == SIGKILL ? 0 : 1);
  }
  // parent
  const auto status = unit::reap(child);
  REQUIRE(status);
  CHECK(*status == 0);
  int own = -1;
  ::prctl(PR_GET_PDEATHSIG, &own);
  CHECK(own == 0);  // the parent itself is untouched
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 1);
  CHECK(events[0].text("role") == "reader");
  CHECK(events[0].integer("pid") == child);
  CHECK(events[0].integer("signo") == SIGKILL);
}

TEST_CASE("fork_as: when the parent is killed, its child dies too") {
  start(true);
  auto report = lab::make_pipe();
  child_process parent([&] {
    report.read_end.reset();
    const pid_t orphan = lab::fork_as("orphan");
    if (orphan == 0) {  // grandchild: tells its pid, then waits forever
      lab::write_all(report.write_end.get(), std::to_string(::getpid()));
      report.write_end.reset();
      for (;;) ::pause();
    }
    report.write_end.reset();  // the parent in the middle
    for (;;) ::pause();
    return 0;
  });
  report.write_end.reset();
  const pid_t orphan = std::stoi(lab::read_all(report.read_end.get()));
  REQUIRE(::kill(parent.pid(), SIGKILL) == 0);
  REQUIRE(parent.wait_end());
  // The test is a subreaper: the orphan comes to us, and must arrive dead.
  const auto status = unit::reap(orphan, 10s);
  if (!status) {
    ::kill(orphan, SIGKILL);
    unit::reap(orphan);
  }
  REQUIRE_MESSAGE(status, "the orphan outlived its parent");
  CHECK(WIFSIGNALED(*status));
  CHECK(WTERMSIG(*status) == SIGKILL);
}

TEST_CASE("fork_as with child_lives_on: no PR_SET_PDEATHSIG; the child outlives its parent") {
  start(true);
  auto report = lab::make_pipe();
  auto hold = lab::make_pipe();  // the orphan ends at end of file here, which only we cause
  child_process parent([&] {
    report.read_end.reset();
    hold.write_end.reset();
    const pid_t orphan = lab::fork_as("orphan", lab::if_parent_dies::child_lives_on);
    if (orphan == 0) {  // grandchild: tells its pid and its death signal, then waits for EOF
      int signo = -1;
      ::prctl(PR_GET_PDEATHSIG, &signo);
      lab::write_all(report.write_end.get(),
                     std::to_string(::getpid()) + " " + std::to_string(signo));
      report.write_end.reset();
      char byte = 0;
      while (lab::read_some(hold.read_end.get(), {&byte, 1}) == 1) {
      }
      ::_exit(lab::current_role() == "orphan" ? 0 : 1);
    }
    report.write_end.reset();  // the parent in the middle
    for (;;) ::pause();
    return 0;
  });
  report.write_end.reset();
  hold.read_end.reset();
  const std::string told = lab::read_all(report.read_end.get());
  const pid_t orphan = std::stoi(told);
  CHECK(told.substr(told.find(' ') + 1) == "0");
  REQUIRE(::kill(parent.pid(), SIGKILL) == 0);
  REQUIRE(parent.wait_end());
  // The parent is gone: the orphan still lives (not yet reapable), until we close `hold`.
  CHECK_FALSE(unit::reap(orphan, 200ms));
  hold.write_end.reset();
  const auto status = unit::reap(orphan, 10s);
  if (!status) {
    ::kill(orphan, SIGKILL);
    unit::reap(orphan);
  }
  REQUIRE_MESSAGE(status, "the orphan did not end at end of file");
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
}

TEST_CASE("show_fds: an fds event listing exactly the open descriptors, pipes by inode") {
  start(true);
  auto ends = lab::make_pipe();
  capture out(STDOUT_FILENO);
  const auto shown = lab::show_fds("my descriptors:");
  std::vector<int> open;  // counted while the capture still holds its descriptors
  for (int fd = 0; fd < 1024; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) open.push_back(fd);
  const auto events = json_lines(out.text());
  REQUIRE(events.size() == 1);
  CHECK(events[0].text("kind") == "fds");
  CHECK(events[0].integer("process") == ::getpid());
  std::vector<int> listed;
  for (const auto& fd : shown) listed.push_back(fd.fd);
  CHECK(listed == open);
  CHECK(events[0].integer("count") == static_cast<long long>(open.size()));
  struct stat info {};
  REQUIRE(::fstat(ends.read_end.get(), &info) == 0);
  CHECK(events[0].text("targets").find(std::to_string(ends.read_end.get()) + " -> pipe:[" +
                                       std::to_string(info.st_ino) + "]") != std::string::npos);
}
