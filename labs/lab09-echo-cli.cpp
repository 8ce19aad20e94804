// lab09-echo-cli — an echo client whose I/O is split over two processes.
//
// After connect the client forks: the child (the writer) copies standard input
// to the socket; the parent (the reader) copies the socket to standard output.
// Neither waits for the other, so lines flow both ways at once. At end of input
// or a line that is exactly "q", the writer calls shutdown(SHUT_WR): the server
// sees end of file, echoes what is left and closes; the reader prints every
// byte up to that end of file, then reaps the writer.
//
// --close-instead-of-shutdown shows why shutdown is needed: close() in the
// writer ends nothing, because the reader still holds the same socket (lab12),
// so no end of file ever comes back — the reader reports the hang after
// --hang-timeout seconds, then shuts down itself.
//
// SIGINT/SIGTERM: the reader ends the writer, reaps it, then dies of the signal.
//
// Output: the echoed bytes go raw to standard output, the narration to standard
// error; with --json both are events on standard output ("echo" carries data).
//
// Usage: lab09-echo-cli [HOST] [PORT] [--close-instead-of-shutdown] [--hang-timeout S]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>

#include "lab.hpp"
#include "net.hpp"

namespace {

volatile sig_atomic_t stop_signal = 0;

// The reader's SIGINT/SIGTERM: only noted here; the loop then ends the writer,
// reaps it, and dies of the same signal.
void on_stop(int signo) {
  stop_signal = signo;
}

int milliseconds_until(std::chrono::steady_clock::time_point when) {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(when - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

// writer: stdin -> socket until end of input or a line "q" (not sent). A line
// of any length streams through; only a "q" at the start of a line is held
// back until we know whether the line ends there. Returns why it stopped.
std::string send_input(int connection, long long& sent) {
  std::array<char, 4096> input;
  bool line_start = true, held_q = false;
  while (const std::size_t n = lab::read_some(STDIN_FILENO, input)) {
    std::string out;
    for (const char c : std::string_view(input.data(), n)) {
      if (held_q) {
        held_q = false;
        if (c == '\n') {
          lab::write_all(connection, out);
          sent += static_cast<long long>(out.size());
          return "q";
        }
        out += 'q';
      }
      if (line_start && c == 'q')
        held_q = true;
      else
        out += c;
      line_start = c == '\n';
    }
    lab::write_all(connection, out);  // EPIPE if the server is gone (SIGPIPE is ignored)
    sent += static_cast<long long>(out.size());
  }
  return held_q ? "q" : "end of input";  // a last line "q" without a newline quits too
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab09-echo-cli",
                        "An echo client split over two processes: the writer sends standard input, "
                        "the reader prints what the server echoes; shutdown(SHUT_WR) ends it.");
  std::string host = "127.0.0.1";
  int port = 9190;
  bool close_instead = false;
  lab::seconds hang_timeout{5};
  cli.option("HOST,--host", host, "server name or address");
  cli.option("PORT,--port", port, "server port", 1, 65535);
  cli.flag("--close-instead-of-shutdown", close_instead,
           "the wrong way: the writer close()s the socket; watch the reader hang");
  cli.option("--hang-timeout", hang_timeout, "how long the reader waits in the hang", 0.05, 3600);
  return cli.run(argc, argv, [&] {
    lab::set_role("reader");
    lab::install_handler(SIGPIPE, SIG_IGN);  // a dead peer gives EPIPE, reported
    const bool json = lab::narrator_settings().json;
    lab::unique_fd data_out;  // standard output, for the echoed bytes; fd 1 is then stderr
    if (!json) {              // and carries the narration (which always writes to fd 1)
      data_out = lab::unique_fd(lab::check(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3), "fcntl"));
      lab::check(::dup2(STDERR_FILENO, STDOUT_FILENO), "dup2");
    }

    lab::unique_fd connection = lab::connect_tcp(host, static_cast<std::uint16_t>(port));
    lab::say("connect", "connected to {address} from {local}",
             {{"address", lab::peer_address(connection.get())},
              {"local", lab::local_address(connection.get())}});
    lab::stage("connected: one process, one socket; next, fork");
    lab::ask("lab09.eof", {{"call", close_instead ? "close()" : "shutdown(SHUT_WR)"}});
    auto writer_done = lab::make_pipe();  // one byte from the writer: "I have finished"

    const pid_t writer = lab::fork_as("writer");
    if (writer == 0) {  // child
      writer_done.read_end.reset();
      data_out.reset();
      long long sent = 0;
      const std::string reason = send_input(connection.get(), sent);
      lab::write_all(writer_done.write_end.get(), "x");  // before the server can see our end
      if (close_instead) {
        connection.reset();
        lab::say("close",
                 "{reason}: close() after {bytes} bytes; the reader still holds the socket",
                 {{"reason", reason}, {"bytes", sent}});
      } else {
        lab::check(::shutdown(connection.get(), SHUT_WR), "shutdown");
        lab::say("shutdown", "{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
                 {{"reason", reason}, {"bytes", sent}});
      }
      ::_exit(0);
    }
    // parent
    for (int signo : {SIGINT, SIGTERM}) lab::install_handler(signo, on_stop);  // not the writer's
    writer_done.write_end.reset();
    lab::say("fork", "forked the writer {child}; this process reads", {{"child", writer}});
    lab::show_tree("reader and writer share one socket:");

    using clock = std::chrono::steady_clock;
    const auto never = clock::time_point::max();
    auto hang_deadline = never;  // set once the writer has close()d
    bool finished = false, end_of_file = false, hung = false, failed = false;
    long long received = 0;
    std::array<char, 16384> buffer;
    try {
      while (!end_of_file && stop_signal == 0) {
        pollfd fds[2] = {{connection.get(), POLLIN, 0},
                         {finished ? -1 : writer_done.read_end.get(), POLLIN, 0}};
        const int ready =
            ::poll(fds, 2, hang_deadline == never ? -1 : milliseconds_until(hang_deadline));
        if (ready < 0 && errno != EINTR) lab::check(ready, "poll");
        if (ready == 0) {  // the hang: no end of file although the writer has closed
          lab::say_error(
              "hang: no end of file {timeout} s after the writer's close(), because "
              "this process still holds the socket; shutting down from here",
              {{"timeout", hang_timeout.count()}});
          hung = true;
          hang_deadline = never;
          lab::check(::shutdown(connection.get(), SHUT_WR), "shutdown");
          lab::say("shutdown", "shutdown(SHUT_WR) by the reader: now the server sees end of file");
        }
        if (ready <= 0) continue;
        if (fds[1].revents) {
          char byte;
          finished = lab::read_some(writer_done.read_end.get(), {&byte, 1}) == 1;
          if (!finished) break;  // the writer ended without finishing; it said why
          if (close_instead)
            hang_deadline =
                clock::now() + std::chrono::duration_cast<clock::duration>(hang_timeout);
        }
        if (!fds[0].revents) continue;
        // --json: at most 512 bytes an event, so that even fully escaped (6 characters a
        // byte) the line stays under PIPE_BUF (4096) and its one write(2) to a pipe is
        // atomic: the writer's lines cannot land inside it.
        const std::size_t n = lab::read_some(
            connection.get(), json ? std::span(buffer).first(512) : std::span(buffer));
        end_of_file = n == 0;
        received += static_cast<long long>(n);
        const std::string_view data(buffer.data(), n);
        if (n > 0 && json)
          lab::say("echo", "received {bytes} bytes", {{"bytes", n}, {"data", data}});
        else if (n > 0)
          lab::write_all(data_out.get(), data);
      }
    } catch (const std::system_error& error) {  // ECONNRESET, EPIPE on standard output...
      const int code = error.code().value();
      lab::say_error("{call}: {errno} ({reason})", {{"call", lab::failed_call(error)},
                                                    {"errno", lab::errno_name(code)},
                                                    {"reason", std::strerror(code)}});
      failed = true;
    }
    if (end_of_file) {
      // The writer's byte, if it finished, was written before its end reached the server.
      pollfd done{writer_done.read_end.get(), POLLIN, 0};
      char byte;
      if (!finished) finished = ::poll(&done, 1, 0) == 1 && ::read(done.fd, &byte, 1) == 1;
      lab::say("close", "end of file from the server after {bytes} bytes echoed",
               {{"bytes", received}});
      if (!finished)
        lab::say_error("the server closed the connection before the input ended: it went away");
    }
    if (stop_signal == 0) lab::reveal("lab09.eof", end_of_file && !hung ? "yes" : "no");
    if (stop_signal == 0)  // from here a signal may simply end us (PDEATHSIG ends the writer)
      for (int signo : {SIGINT, SIGTERM}) lab::install_handler(signo, SIG_DFL);
    else
      lab::say("signal", "{signal}: ending the writer and reaping it first",
               {{"signal", lab::signal_name(stop_signal)}});
    if (!finished || stop_signal != 0)
      lab::check(::kill(writer, SIGTERM), "kill");  // blocked reading input no one will echo
    else
      lab::stage("the writer has finished; it waits as a zombie until the reader reaps it");
    int status = 0;
    pid_t reaped;
    do reaped = ::waitpid(writer, &status, 0);
    while (reaped < 0 && errno == EINTR);
    lab::check(reaped, "waitpid");
    lab::say_reap(writer, status);
    if (stop_signal != 0) {  // end as the signal asked, so that the shell sees it
      lab::install_handler(stop_signal, SIG_DFL);
      ::raise(stop_signal);
    }
    return end_of_file && finished && !hung && !failed && status == 0 ? 0 : 1;
  });
}
