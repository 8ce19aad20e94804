// lab09-echo-cli — an echo client whose I/O is split over two processes.
//
// After connect the client forks (the course's echo_mpclient.c): the child
// (the writer) copies standard input to the socket; the parent (the reader)
// copies the socket to standard output, so lines flow both ways at once. At
// end of input the writer calls shutdown(SHUT_WR): the server sees end of
// file, echoes what is left and closes; the reader prints every byte up to
// that end of file, then reaps the writer. A line "q" ends the input too (at
// a terminal, --quit-line). --lock-step is the course's earlier client
// (echo_client2.c); --compare times both. --close-instead-of-shutdown: close()
// in the writer ends nothing, the reader still holds the socket (lab12).
// Timeouts, --json "echo" events (data, data_hex), signals: common/client*.
//
// Usage: lab09-echo-cli [HOST] [PORT] [--lock-step | --compare]
//            [--close-instead-of-shutdown] [--hang-timeout S] [--idle-timeout S]
//            [--quit-line terminal|always|never]
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <limits>

#include "runtime/client.hpp"
#include "lab.hpp"
#include "runtime/split_client.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab09.eof",
    "At the end of input the writer calls {call}; the reader still holds the same socket. Will "
    "the reader get end of file from the server?",
    {{{"yes", "yes: the server sees end of file, echoes the rest and closes"},
      {"no", "no: the connection stays open, and the reader waits"}}},
    "shutdown(SHUT_WR) ends the connection's sending direction for every process that holds it, "
    "while close() drops only this process's descriptor, and the reader's copy keeps the "
    "connection open."};
static_assert(lab::well_formed(question));

namespace {

volatile sig_atomic_t stop_signal = 0;  // the reader's SIGINT/SIGTERM, only noted here
void on_stop(int signo) {
  stop_signal = signo;
}

// The course's earlier client, one process: a line out, all of it back, the
// next line. At the end of input, shutdown(SHUT_WR) and read to end of file.
void run_lock_step(lab::unique_fd& connection, lab::input_lines& input, lab::echo_output& echo,
                   const lab::client_options& o, lab::run_result& r) {
  while (const auto line = input.next()) {
    lab::write_all(connection.get(), *line);
    r.sent += static_cast<long long>(line->size());
    if (!lab::receive_echo(connection.get(), echo, r.sent, o)) {
      lab::say_error("the server closed the connection before the input ended: it went away");
      return;
    }
  }
  lab::check(::shutdown(connection.get(), SHUT_WR), "shutdown");
  lab::say("shutdown", "{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
           {{"reason", input.reason()}, {"bytes", r.sent}});
  r.ended = !lab::receive_echo(connection.get(), echo, std::numeric_limits<long long>::max(), o);
  echo.finish_at_end_of_file();
}

// The course's split client (echo_mpclient.c), with every end handled.
void run_split(lab::unique_fd& connection, lab::input_lines& input, lab::echo_output& echo,
               const lab::client_options& o, lab::run_result& r) {
  lab::ask(question, {{"call", o.close_instead ? "close()" : "shutdown(SHUT_WR)"}});
  auto reports = lab::make_pipe();  // the writer tells the reader how far it got
  const pid_t writer = lab::fork_as("writer");
  if (writer == 0) {  // child: standard input -> socket
    reports.read_end.reset();
    lab::writer_reports progress(reports.write_end.get());
    while (const auto line = input.next()) {
      lab::write_all(connection.get(), *line);  // EPIPE if the server is gone (SIGPIPE ignored)
      progress.sent(line->size());
    }
    progress.finished(connection.get());  // before our end can reach the server
    if (o.close_instead) {
      connection.reset();
      lab::say("close", "{reason}: close() after {bytes} bytes; the reader still holds the socket",
               {{"reason", input.reason()}, {"bytes", progress.total()}});
    } else {
      lab::check(::shutdown(connection.get(), SHUT_WR), "shutdown");
      lab::say("shutdown", "{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
               {{"reason", input.reason()}, {"bytes", progress.total()}});
    }
    ::_exit(0);
  }
  // parent: socket -> standard output
  for (int signo : {SIGINT, SIGTERM}) lab::install_handler(signo, on_stop);  // not the writer's
  reports.write_end.reset();
  lab::say("fork", "forked the writer {child}; this process reads", {{"child", writer}});
  if (!o.timed) lab::show_tree("reader and writer share one socket:");
  lab::reader_watch watch(connection.get(), reports.read_end.get(), o, r.sent);
  bool end_of_file = false, failed = false, idle = false;
  try {
    while (!end_of_file && stop_signal == 0) {
      const auto ready = watch.wait(echo.received);        // poll: the reports, the hang, the idle
      if (ready == lab::reader_watch::writer_gone) break;  // it ended unfinished; it said why
      if (ready == lab::reader_watch::connection) {
        const std::size_t n = lab::read_some(connection.get(), echo.buffer());
        end_of_file = n == 0;
        echo.take({echo.buffer().data(), n});
      }
      watch.step_done(ready, echo.received);
    }
  } catch (const std::system_error& error) {  // ECONNRESET, EPIPE on standard output...
    lab::say_connection_error(error);
    failed = true;
  } catch (const lab::no_answer&) {  // said already
    failed = idle = true;
  }
  if (end_of_file) watch.at_end_of_file(echo);  // the last reports, "close"; did it finish?
  if (stop_signal == 0 && watch.premise && !failed)
    lab::reveal(question, end_of_file && !watch.hung ? "yes" : "no");
  else if (stop_signal == 0)  // the premise is gone: the answer is shown, not marked
    lab::reveal_unmarked(question,
                         idle ? "the server stopped answering, so the run could not show what "
                                "the writer's call does"
                              : "the server closed the connection before the writer's call: its "
                                "end of file did not come from that call",
                         !idle && end_of_file ? "yes" : "no");
  // kill() the writer unless it has finished, waitpid() it; a stop's signal then ends us too.
  const int status =
      lab::end_writer(writer, !watch.finished || stop_signal != 0 || failed, stop_signal);
  r.ended = end_of_file && watch.finished && !watch.hung && !failed && status == 0;
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab09-echo-cli",
                        "An echo client split over two processes: the writer sends standard input, "
                        "the reader prints what the server echoes; shutdown(SHUT_WR) ends it.");
  lab::client_options o;
  lab::add_client_options(cli, o);  // HOST PORT, --lock-step, --compare, timeouts, --quit-line
  return cli.run(argc, argv, [&] {
    o.q_quits = o.quit_line == "always" || (o.quit_line == "terminal" && ::isatty(STDIN_FILENO));
    return lab::run_echo_client(o, run_lock_step, run_split);
  });
}
