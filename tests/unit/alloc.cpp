// alloc: a narrated line allocates nothing. A fork-per-client server (lab08)
// says some five lines per connection — accept, fork, the child's echo and
// close, the reap — and narrated it should cost close to --quiet. This program
// replaces the global operator new and counts every call while the lines of
// that path are said, for people and as JSON, with and without --timeline,
// stdout and stderr in files: each must say its line and allocate nothing.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>
#include <string>

#include "runtime/serve.hpp"
#include "support.hpp"
#include "voice/narrator.hpp"
#include "voice/timeline.hpp"

namespace {

// Calls of operator new while `counting`, and the size the first one asked for.
bool counting = false;
long allocations = 0;
std::size_t first_size = 0;

void* counted(std::size_t size, std::size_t alignment) {
  if (counting && allocations++ == 0) first_size = size;
  if (size == 0) size = 1;
  void* memory = alignment == 0
                     ? std::malloc(size)
                     : std::aligned_alloc(alignment, (size + alignment - 1) & ~(alignment - 1));
  if (!memory) throw std::bad_alloc();
  return memory;
}

}  // namespace

// The replacements: every other form of new and delete (arrays, nothrow) ends
// in one of these.
void* operator new(std::size_t size) {
  return counted(size, 0);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return counted(size, static_cast<std::size_t>(alignment));
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}

namespace {

// "" when `say` allocated nothing, else what it allocated.
template <typename Say>
std::string allocated_by(Say say) {
  allocations = 0;
  first_size = 0;
  counting = true;
  say();
  counting = false;
  if (allocations == 0) return "";
  return std::to_string(allocations) + " allocation(s), the first of " +
         std::to_string(first_size) + " bytes";
}

const std::string short_peer = "127.0.0.1:44680";                      // fits in a std::string
const std::string long_peer = "[2001:db8:85a3::8a2e:370:7334]:44680";  // does not (SSO: 15)
const std::string forty = "a text of forty characters, not a short1";  // nor does this

struct narrated {
  std::string out, err;
};

// Says the lines of lab08's path, each checked for allocations; returns what
// reached stdout and stderr.
narrated say_the_path(const lab::narrator_options& options) {
  lab::start_narrator(options);
  lab::set_role("server");
  lab::name_process(4243, "child");  // the map's node: before counting, as fork_as would
  lab::name_process(4245, "worker");
  const struct {
    const char* what;
    void (*say)();
  } lines[] = {
      {"say with an integer field",
       [] {
         lab::say("fork", "forked child {child}", {{"child", 4243}, {"live", 1}});
       }},
      {"say with a short text field",
       [] {
         lab::say("accept", "accepted a connection from {peer}", {{"peer", short_peer}});
       }},
      {"say with a long text field",
       [] {
         lab::say("accept", "accepted a connection from {peer}", {{"peer", long_peer}});
       }},
      {"say with a 40-character text and a real",
       [] {
         lab::say("note", "{what} after {seconds} s", {{"what", forty}, {"seconds", 0.25}});
       }},
      {"say_localized",
       [] {
         lab::say_localized("step", "a stage text", {{"peer", long_peer}});
       }},
      {"say_reap of an exited child", [] { lab::say_reap(4242, W_EXITCODE(0, 0)); }},
      {"say_reap of a named, killed child", [] { lab::say_reap(4243, W_EXITCODE(0, SIGKILL)); }},
      {"say_reap of a core dump", [] { lab::say_reap(4245, W_EXITCODE(0, SIGSEGV) | WCOREFLAG); }},
      {"say_failed", [] { lab::say_failed("fork", EAGAIN, long_peer); }},
      {"say_echoed, 5 bytes", [] { lab::say_echoed(5, short_peer, 0); }},
      {"say_echoed, 1 byte", [] { lab::say_echoed(1, long_peer, lab::connection_error); }},
      {"note_reap (the SIGCHLD handler's)", [] { lab::note_reap(4246, W_EXITCODE(0, SIGTERM)); }},
  };
  unit::capture out(STDOUT_FILENO);
  unit::capture err(STDERR_FILENO);
  std::string problems;
  for (const auto& line : lines)
    if (const std::string why = allocated_by(line.say); !why.empty())
      problems += std::string(line.what) + ": " + why + "\n";
  narrated said{out.text(), err.text()};
  CHECK_MESSAGE(problems.empty(), "a narrated line allocated:\n" << problems);
  return said;
}

bool has(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

}  // namespace

TEST_CASE("the counting operator new counts (else the test could not fail)") {
  const std::string why = allocated_by([] {
    std::string* on_the_heap = new std::string(forty);
    delete on_the_heap;
  });
  CHECK(why.starts_with("2 allocation(s), the first of "));
}

TEST_CASE("a line for people allocates nothing") {
  const narrated said = say_the_path({.program = "unit-alloc", .json = false});
  CHECK(has(said.out, "forked child 4243\n"));
  CHECK(has(said.out, "accepted a connection from 127.0.0.1:44680\n"));
  CHECK(has(said.out, "accepted a connection from " + long_peer + "\n"));
  CHECK(has(said.out, forty + " after 0.250 s\n"));
  CHECK(has(said.out, "reaped child 4242: exited 0\n"));
  CHECK(has(said.out, "reaped child 4243: killed by SIGKILL\n"));
  CHECK(has(said.out, "reaped worker 4245: killed by SIGSEGV (core dumped)\n"));
  CHECK(has(said.out, "echoed 5 bytes to 127.0.0.1:44680\n"));
  CHECK(has(said.out, "echoed 1 byte to " + long_peer + "\n"));
  CHECK(has(said.out, "closed the connection to " + long_peer + "\n"));
  CHECK(has(said.out, "reaped child 4246: killed by SIGTERM\n"));
  CHECK(has(said.err, long_peer + ": fork: EAGAIN (Resource temporarily unavailable)\n"));
}

TEST_CASE("a JSON line allocates nothing, with --timeline too") {
  for (const bool timeline : {false, true}) {
    CAPTURE(timeline);
    const narrated said =
        say_the_path({.program = "unit-alloc", .json = true, .timeline = timeline});
    const auto lines = unit::lines_of(said.out);
    CHECK(lines.complete);
    REQUIRE(lines.lines.size() == 14);  // say_failed: one on stdout; say_echoed: two each
    for (const auto& line : lines.lines) CHECK_NOTHROW(unit::parse_json_line(line));
    const auto reap = unit::parse_json_line(lines.lines[7]);
    CHECK(reap.text("kind") == "reap");
    CHECK(reap.text("status") == "killed by SIGSEGV (core dumped)");
    CHECK(reap.text("child_role") == "worker");
    const auto accept = unit::parse_json_line(lines.lines[2]);
    CHECK(accept.text("peer") == long_peer);
    CHECK(has(said.err, "unit-alloc: " + long_peer + ": fork: EAGAIN"));
    if (timeline) CHECK(lab::read_timeline().entries.size() == 14);
  }
}

TEST_CASE("a line longer than the buffer on the stack still comes out whole") {
  std::string long_text;
  for (int i = 0; long_text.size() < 5000; ++i) long_text += "row " + std::to_string(i) + "; ";
  for (const bool json : {false, true}) {
    CAPTURE(json);
    lab::start_narrator({.program = "unit-alloc", .json = json});
    unit::capture out(STDOUT_FILENO);
    lab::say("tree", "{drawing} (end)", {{"drawing", long_text}});
    const std::string said = out.text();
    const auto lines = unit::lines_of(said);
    CHECK(lines.complete);
    REQUIRE(lines.lines.size() == 1);
    if (json)
      CHECK(unit::parse_json_line(lines.lines[0]).text("text") == long_text + " (end)");
    else
      CHECK(said.ends_with(" tree     " + long_text + " (end)\n"));
  }
}
