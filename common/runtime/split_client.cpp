#include "runtime/split_client.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>

#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {
namespace {

struct report {
  enum : long long { sending, finished, finished_after_server } state = sending;
  long long sent = 0;
};

void send_report(int pipe, const report& r) {
  write_all(pipe, std::string_view(reinterpret_cast<const char*>(&r), sizeof r));
}

bool server_has_ended(int connection) {  // its FIN has arrived: POLLRDHUP
  pollfd connection_state{connection, POLLRDHUP, 0};
  return ::poll(&connection_state, 1, 0) == 1 &&
         (connection_state.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

}  // namespace

void writer_reports::sent(std::size_t bytes) {
  sent_ += static_cast<long long>(bytes);
  send_report(pipe_, {report::sending, sent_});
}

void writer_reports::finished(int connection) {
  send_report(
      pipe_,
      {server_has_ended(connection) ? report::finished_after_server : report::finished, sent_});
}

bool reader_watch::read_reports() {
  std::array<report, 64> got;
  const std::size_t n = read_some(reports_, {reinterpret_cast<char*>(got.data()), sizeof got});
  if (n < sizeof(report)) return false;
  const report& last = got[n / sizeof(report) - 1];
  finished = last.state != report::sending;
  premise = last.state == report::finished;
  sent_ = last.sent;
  return true;
}

reader_watch::ready reader_watch::wait(long long received) {
  pollfd fds[2] = {{connection_, POLLIN, 0}, {finished ? -1 : reports_, POLLIN, 0}};
  const int n = ::poll(fds, 2, milliseconds_until(std::min(hang_deadline_, idle_deadline_)));
  if (n < 0 && errno != EINTR) check(n, "poll");
  if (n == 0 && client_clock::now() >= hang_deadline_) {  // no end of file after close()
    say_error(
        "hang: no end of file {timeout} s after the writer's close(), because "
        "this process still holds the socket; shutting down from here",
        {{"timeout", o_.hang_timeout.count()}});
    hung = true;
    hang_deadline_ = no_deadline;
    check(::shutdown(connection_, SHUT_WR), "shutdown");
    say("shutdown", "shutdown(SHUT_WR) by the reader: now the server sees end of file");
  } else if (n == 0 && client_clock::now() >= idle_deadline_) {
    give_up(o_, sent_ - received);
  }
  if (n <= 0) return nothing;
  if (fds[1].revents) {
    if (!read_reports()) return writer_gone;
    if (finished && o_.close_instead)
      hang_deadline_ = client_clock::now() + as_duration(o_.hang_timeout);
  }
  return fds[0].revents ? connection : reports_only;
}

void reader_watch::step_done(ready r, long long received) {
  if (r == nothing || r == writer_gone) return;
  // Idle: an echo owed (or, after shutdown, the end of file) and nothing for idle_timeout.
  const bool waiting = received < sent_ || (finished && !o_.close_instead);
  if (!waiting || o_.idle_timeout.count() <= 0)
    idle_deadline_ = no_deadline;
  else if (r == connection || idle_deadline_ == no_deadline)
    idle_deadline_ = client_clock::now() + as_duration(o_.idle_timeout);
}

void reader_watch::at_end_of_file(echo_output& echo) {
  pollfd done{reports_, POLLIN, 0};
  while (!finished && ::poll(&done, 1, 0) == 1 && read_reports()) {
  }
  echo.finish_at_end_of_file();
  if (!finished) say_error("the server closed the connection before the input ended: it went away");
}

int end_writer(pid_t writer, bool kill_it, int stop_signal) {
  if (stop_signal == 0) {
    for (int signo : {SIGINT, SIGTERM}) install_handler(signo, SIG_DFL);
  } else {
    say("signal", "{signal}: ending the writer and reaping it first",
        {{"signal", signal_name(stop_signal)}});
  }
  if (kill_it)
    check(::kill(writer, SIGTERM), "kill");
  else
    stage("the writer has finished; it waits as a zombie until the reader reaps it");
  int status = 0;
  pid_t reaped;
  do reaped = ::waitpid(writer, &status, 0);
  while (reaped < 0 && errno == EINTR);
  check(reaped, "waitpid");
  say_reap(writer, status);
  if (stop_signal != 0) {  // end as the signal asked, so that the shell sees it
    install_handler(stop_signal, SIG_DFL);
    ::raise(stop_signal);
  }
  return status;
}

}  // namespace lab
