// The lab-test harness: runs a lab binary the way libuv's runner runs a test
// helper — in its own session and process group, with a deadline on every
// wait, readiness by handshake (the lab's own --json events), and on failure
// everything the lab printed. The test process is a child subreaper, so
// whatever a lab orphans comes back to it and is reaped, never left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "json_line.hpp"
#include "os/sys.hpp"

namespace harness {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// One --json line of a lab, parsed (json_line.hpp).
using event = json_object;
// Parses one line of a lab's --json output; throws std::runtime_error if malformed.
inline event parse_event(const std::string& line) { return parse_json_line(line); }

using event_test = std::function<bool(const event&)>;

struct run_options {
  bool json = true;          // add --json
  bool stdin_pipe = false;   // give the lab a pipe as stdin (else /dev/null)
  std::string stdin_data;    // written to that pipe at start
  // Standard input is the lab's controlling terminal, a pseudo-terminal (no
  // echo), as at a person's keyboard: /dev/tty opens, the lab is in its
  // foreground; write_stdin() types on it (stdin_data at start), and "\x03"
  // is Ctrl-C: SIGINT to the lab's foreground process group.
  bool terminal = false;
  int stdin_fd = -1;         // else this descriptor as stdin (a pseudo-terminal's terminal side)
  // Standard output into a regular file (in /tmp, unlinked at once), as after
  // `> log`: no pipe to fill; the output ends when the lab has ended.
  bool stdout_to_file = false;
  // Standard error likewise: a lab that reports much never blocks on it.
  bool stderr_to_file = false;
  // Run in the child just before exec, after the redirections (drop
  // privileges, set resource limits); may end the child with _exit.
  std::function<void()> before_exec;
};

// Thrown when the lab does not do what a test waits for; its message holds
// the reason and everything the lab printed so far.
struct lab_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class lab_process {
 public:
  lab_process(const std::string& lab, const std::vector<std::string>& args, run_options options = {});
  // Kills the lab's process group if still there, reaps it and every orphan of
  // the group.
  ~lab_process();
  lab_process(const lab_process&) = delete;
  lab_process& operator=(const lab_process&) = delete;

  pid_t pid() const { return pid_; }
  pid_t pgid() const { return pid_; }  // the lab leads its own group and session

  // The next event matching `test`, waiting at most `timeout`. Events before it
  // stay in events(). Throws lab_failure on timeout or end of output.
  event expect(const std::string& kind, const event_test& test = {}, milliseconds timeout = 10s);
  // Waits until `count` events of `kind` have been printed in all; returns them all.
  std::vector<event> expect_count(const std::string& kind, std::size_t count,
                                  milliseconds timeout = 10s);
  // The first stdout line (since the start) that holds `text`.
  std::string expect_line(const std::string& text, milliseconds timeout = 10s);
  // Reads what the lab has printed by now, without waiting: events() and
  // lines() then hold it.
  void read_available();
  // Bytes of stdout the lab wrote that nobody has read yet.
  std::size_t unread_output() const;

  // Every event seen so far (each exactly as printed).
  const std::vector<event>& events() const { return events_; }
  std::vector<event> events_of(const std::string& kind) const;
  // Human-mode (or raw) stdout lines seen so far.
  const std::vector<std::string>& lines() const { return lines_; }
  const std::string& stderr_text() const { return stderr_; }

  void write_stdin(const std::string& data);
  void close_stdin();
  void signal(int signo);        // to the lab only
  void signal_group(int signo);  // to its whole process group

  // Reads all output to the end, reaps the lab and returns its raw wait status.
  int wait_exit(milliseconds timeout = 20s);

  // True once no process of the lab's group exists (orphans are reaped as
  // they come to us); false if some remain after `timeout`.
  bool group_gone(milliseconds timeout = 5s);

  // All that the lab printed, for failure messages.
  std::string transcript() const;

 private:
  enum class got { data, nothing, end };
  got read_more(std::chrono::steady_clock::time_point deadline);
  // Reads until done() holds; throws lab_failure, naming `what`, on timeout or
  // at the end of the output.
  void read_until(const std::function<bool()>& done, milliseconds timeout, const std::string& what);
  void read_stderr();
  void take_output(const char* data, std::size_t size);
  void take_line(std::string line);
  void reap_group_orphans();

  pid_t pid_ = -1;
  bool json_ = true;
  bool stdout_is_file_ = false;
  bool stderr_is_file_ = false;
  bool reaped_ = false;
  int status_ = 0;
  lab::unique_fd stdout_;
  lab::unique_fd stderr_fd_;
  lab::unique_fd stdin_;
  std::string partial_;
  std::string stderr_;
  std::vector<std::string> lines_;
  std::vector<event> events_;
  std::size_t next_unread_ = 0;
};

// Runs a lab to its end (with --json unless options say otherwise).
struct finished_run {
  int status = 0;
  std::vector<event> events;
  std::vector<std::string> lines;
  std::string stderr_text;
  std::vector<event> of(const std::string& kind) const;
};
finished_run run_lab(const std::string& lab, const std::vector<std::string>& args,
                     run_options options = {}, milliseconds timeout = 20s);

// True once /proc shows `pid` blocked (state S, sleeping interruptibly), false
// if not within `timeout`: send a signal only then, so that it interrupts the
// call the test is about.
bool blocked(pid_t pid, milliseconds timeout = 10s);

// True once /proc shows `pid` asleep in sleep() or nanosleep() (state S, wchan
// hrtimer_nanosleep), false if not within `timeout`: a signal sent only then
// cuts that sleep short, as a person's Ctrl+C after a prompt would.
bool in_sleep(pid_t pid, milliseconds timeout = 10s);

// Absolute path of a lab binary (from FORKLAB_LABS_DIR, set by Meson); a name
// with a slash is taken as a path already (scripts, other programs).
std::string lab_path(const std::string& lab);

// Checks every lab shares: seq numbers 1..N each exactly once (no line lost or
// duplicated across fork), and no two identical lines (a multi-line event
// counted as one). Returns "" or a reason.
std::string check_each_line_once(const std::vector<event>& events);
std::string check_each_line_once(const std::vector<std::string>& lines);

}  // namespace harness
