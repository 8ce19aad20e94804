// split_client: the plumbing between the two halves of a split echo client
// (the writer sends the input, the reader prints the echo): the writer's
// reports through a pipe, and the reader's wait for the connection with the
// hang and idle timeouts. The read(), write(), shutdown() and close() calls
// stay with the caller. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "runtime/client.hpp"

namespace lab {

// The writer's side: after each write, the bytes sent so far; last,
// "finished", written before the writer's shutdown so that it is there before
// the server can see our end, with whether the server had ended its side
// before (then the writer's call is not what ended the connection). 16 bytes
// a report: each write(2) to the pipe is atomic.
class writer_reports {
 public:
  explicit writer_reports(int pipe) : pipe_(pipe) {}
  void sent(std::size_t bytes);
  // Before the shutdown() or close() of `connection`.
  void finished(int connection);
  long long total() const { return sent_; }

 private:
  int pipe_;
  long long sent_ = 0;
};

// The reader's side: poll() on the connection and the writer's reports.
// After a close() instead of shutdown(), waits o.hang_timeout for an end of
// file that cannot come, then says "hang" and shuts the socket down itself;
// when an echo is owed (or the server's end of file awaited) and nothing came
// for o.idle_timeout, gives up (give_up throws no_answer).
class reader_watch {
 public:
  // `sent`: updated from the reports, the bytes the writer has sent.
  reader_watch(int connection, int reports, const client_options& o, long long& sent)
      : connection_(connection), reports_(reports), o_(o), sent_(sent) {}

  enum ready { nothing, connection, reports_only, writer_gone };
  // One poll(): reads the reports that came (writer_gone: the writer ended
  // without finishing; it said why), handles the deadlines. `received`: the
  // bytes echoed so far. EINTR: nothing.
  ready wait(long long received);
  // After the caller has read what `wait` found: the idle deadline from now.
  void step_done(ready r, long long received);
  // After the server's end of file: reads the reports still in the pipe (the
  // writer's "finished" was written before its end reached the server), then
  // echo.finish_at_end_of_file(); an error if the writer had not finished.
  void at_end_of_file(echo_output& echo);

  bool finished = false;  // the writer has reached the end of its input
  bool premise = false;   // the connection lived until the writer's call
  bool hung = false;      // the hang timeout passed (close() instead of shutdown())

 private:
  bool read_reports();  // false when the writer ended without finishing

  int connection_, reports_;
  const client_options& o_;
  long long& sent_;
  client_clock::time_point hang_deadline_ = no_deadline, idle_deadline_ = no_deadline;
};

// The reader's end of the writer. With `stop_signal` 0, SIGINT and SIGTERM get
// their default action back (the writer, with PR_SET_PDEATHSIG, dies with us);
// else says "signal". Then kill(SIGTERM)s the writer when `kill_it` (it may be
// blocked reading input no one will echo), or says it waits as a zombie;
// reaps it (waitpid, EINTR retried, "reap"); with a `stop_signal`, dies of it.
// Returns the writer's wait status.
int end_writer(pid_t writer, bool kill_it, int stop_signal);

}  // namespace lab
