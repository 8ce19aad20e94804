// lab09-echo-cli — an echo client whose I/O is split over two processes.
//
// After connect the client forks (the course's echo_mpclient.c): the child
// (the writer) copies standard input to the socket; the parent (the reader)
// copies the socket to standard output. Neither waits for the other, so lines
// flow both ways at once. At end of input the writer calls shutdown(SHUT_WR):
// the server sees end of file, echoes what is left and closes; the reader
// prints every byte up to that end of file, then reaps the writer. A line "q"
// ends the input too — at a terminal, where a person types it (--quit-line).
//
// --lock-step is the course's earlier client (echo_client2.c): one process
// writes a line, reads until all of it has come back, then the next line.
// --compare runs both over the same input and prints both times: against a
// server that takes time to answer (lab08-echo-serv --delay 0.05), the split
// client pays the delay about once, the lock-step one once per line.
//
// --close-instead-of-shutdown shows why shutdown is needed: close() in the
// writer ends nothing, because the reader still holds the same socket (lab12),
// so no end of file ever comes back — the reader reports the hang after
// --hang-timeout seconds, then shuts down itself.
//
// --idle-timeout: a server that stops answering ends the client with an error
// (status 1) once an echo has been owed that long; nothing is left running.
// SIGINT/SIGTERM: the reader ends the writer, reaps it, then dies of the signal.
//
// Output: the echoed bytes go raw to standard output, the narration to standard
// error; with --json both are events on standard output ("echo" carries the
// bytes: data as text, data_hex exactly).
//
// Usage: lab09-echo-cli [HOST] [PORT] [--lock-step | --compare]
//            [--close-instead-of-shutdown] [--hang-timeout S] [--idle-timeout S]
//            [--quit-line terminal|always|never]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

#include "lab.hpp"
#include "os/net.hpp"

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

using clock_type = std::chrono::steady_clock;
constexpr auto never = clock_type::time_point::max();

volatile sig_atomic_t stop_signal = 0;

// The reader's SIGINT/SIGTERM: only noted here; the loop then ends the writer,
// reaps it, and dies of the same signal.
void on_stop(int signo) {
  stop_signal = signo;
}

int milliseconds_until(clock_type::time_point when) {
  if (when == never) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - clock_type::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// The input, as the course's fgets() hands it out: a line with its '\n' (or
// 4096 bytes of a longer one, or what one read gave of a line not yet ended).
// A line that is exactly "q" (or "Q", as in the course) ends the input,
// unsent, when `q_quits`.
class input_lines {
 public:
  input_lines(int fd, bool q_quits) : fd_(fd), q_quits_(q_quits) {}

  std::optional<std::string> next() {
    const auto q_line = [&] {
      return q_quits_ && line_start_ && (buffer_.starts_with('q') || buffer_.starts_with('Q'));
    };
    while (!end_ && (buffer_.empty() || (q_line() && buffer_.size() == 1))) {
      std::array<char, 4096> chunk;
      const std::size_t n = lab::read_some(fd_, chunk);
      buffer_.append(chunk.data(), n);
      end_ = n == 0;
    }
    if (q_line() && (buffer_.size() == 1 || buffer_[1] == '\n')) reason_ = "q";
    if (buffer_.empty() || reason_ == "q") return std::nullopt;
    const std::size_t newline = buffer_.find('\n');
    const std::size_t size =
        std::min<std::size_t>(newline == std::string::npos ? buffer_.size() : newline + 1, 4096);
    std::string line = buffer_.substr(0, size);
    buffer_.erase(0, size);
    line_start_ = line.back() == '\n';
    return line;
  }
  // Why next() said no more: "end of input" or "q".
  const std::string& reason() const { return reason_; }

 private:
  int fd_;
  bool q_quits_;
  bool line_start_ = true, end_ = false;
  std::string buffer_, reason_ = "end of input";
};

// What the server sends back goes raw to standard output; with --json into
// "echo" events: data (text: an unfinished UTF-8 character waits for the next
// event) and data_hex (the exact bytes). At most 384 bytes an event, so that
// even fully escaped (6 characters a byte, plus 2 of hex) the line stays under
// PIPE_BUF (4096) and its one write(2) to a pipe is atomic: the writer's lines
// cannot land inside it.
class echo_output {
 public:
  static constexpr std::size_t json_read_size = 384;
  echo_output(int data_out, bool json) : data_out_(data_out), json_(json) {}

  void take(std::string_view data, bool last = false) {
    received += static_cast<long long>(data.size());
    lines += std::count(data.begin(), data.end(), '\n');
    if (!json_) return lab::write_all(data_out_, data);
    held_ += data;
    std::size_t complete = held_.size();
    for (std::size_t back = 1; back <= 3 && back <= held_.size() && !last; ++back) {
      const auto byte = static_cast<unsigned char>(held_[held_.size() - back]);
      if ((byte & 0xc0) == 0x80) continue;  // a continuation byte: look further back
      const std::size_t length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      if (length > back) complete = held_.size() - back;
      break;
    }
    if (complete == 0) return;
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (const char c : std::string_view(held_).substr(0, complete))
      hex += {digits[(c >> 4) & 0xf], digits[c & 0xf]};
    lab::say("echo", "received {bytes} bytes",
             {{"bytes", complete}, {"data", held_.substr(0, complete)}, {"data_hex", hex}});
    held_.erase(0, complete);
  }
  void finish() { take({}, true); }  // what is held, even a cut character
  long long received = 0, lines = 0;

 private:
  int data_out_;
  bool json_;
  std::string held_;
};

struct options {
  bool close_instead = false, q_quits = false;
  bool timed = false;  // --compare: no tree while the clock runs (reading /proc takes time)
  lab::seconds hang_timeout{5}, idle_timeout{10};
};

struct run_result {
  bool ended = false;  // every echo arrived, then the server's end of file
  long long sent = 0;
};

// The server stopped answering (--idle-timeout); said when thrown.
struct no_answer : std::runtime_error {
  no_answer() : std::runtime_error("no answer") {}
};

[[noreturn]] void give_up(const options& o, long long owed) {
  lab::say_error(
      "no answer: the server sent nothing for {timeout} s while {owed} bytes were "
      "owed or its end of file was awaited (--idle-timeout)",
      {{"timeout", o.idle_timeout.count()}, {"owed", owed}});
  throw no_answer();
}

clock_type::duration as_duration(lab::seconds s) {
  return std::chrono::duration_cast<clock_type::duration>(s);
}

// The course's earlier client, one process: a line out, all of it back, the
// next line. At the end of input, shutdown(SHUT_WR) and read to end of file.
void run_lock_step(int connection, input_lines& input, echo_output& echo, const options& o,
                   run_result& r) {
  std::array<char, echo_output::json_read_size> buffer;
  const auto receive = [&](long long until) {  // until `until` bytes in all, or end of file
    while (echo.received < until) {
      pollfd ready{connection, POLLIN, 0};
      const auto deadline =
          o.idle_timeout.count() > 0 ? clock_type::now() + as_duration(o.idle_timeout) : never;
      int n = 0;
      while ((n = ::poll(&ready, 1, milliseconds_until(deadline))) < 0 && errno == EINTR) {
      }
      if (lab::check(n, "poll") == 0) give_up(o, until - echo.received);
      const std::size_t got = lab::read_some(connection, buffer);
      if (got == 0) return false;
      echo.take({buffer.data(), got});
    }
    return true;
  };
  while (const auto line = input.next()) {
    lab::write_all(connection, *line);
    r.sent += static_cast<long long>(line->size());
    if (!receive(r.sent)) {
      lab::say_error("the server closed the connection before the input ended: it went away");
      return;
    }
  }
  lab::check(::shutdown(connection, SHUT_WR), "shutdown");
  lab::say("shutdown", "{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
           {{"reason", input.reason()}, {"bytes", r.sent}});
  r.ended = !receive(std::numeric_limits<long long>::max());
  echo.finish();
  lab::say("close", "end of file from the server after {bytes} bytes echoed",
           {{"bytes", echo.received}});
}

// The writer's reports to the reader, through a pipe: after each write, the
// bytes sent so far; last, "finished", written before the shutdown so that it
// is there before the server can see our end, and whether the server had
// ended its side before our call (then the call is not what ended the
// connection). 16 bytes a report: each write(2) to the pipe is atomic.
struct report {
  enum : long long { sending, finished, finished_after_server } state = sending;
  long long sent = 0;
};
void send_report(int pipe, const report& r) {
  lab::write_all(pipe, std::string_view(reinterpret_cast<const char*>(&r), sizeof r));
}
bool server_has_ended(int connection) {  // its FIN has arrived: POLLRDHUP
  pollfd connection_state{connection, POLLRDHUP, 0};
  return ::poll(&connection_state, 1, 0) == 1 &&
         (connection_state.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

// The course's split client (echo_mpclient.c), with every end handled.
void run_split(lab::unique_fd& connection, input_lines& input, echo_output& echo, const options& o,
               run_result& r) {
  lab::ask(question, {{"call", o.close_instead ? "close()" : "shutdown(SHUT_WR)"}});
  auto reports = lab::make_pipe();
  const pid_t writer = lab::fork_as("writer");
  if (writer == 0) {  // child: standard input -> socket
    reports.read_end.reset();
    report progress;
    while (const auto line = input.next()) {
      lab::write_all(connection.get(), *line);  // EPIPE if the server is gone (SIGPIPE ignored)
      progress.sent += static_cast<long long>(line->size());
      send_report(reports.write_end.get(), progress);
    }
    progress.state =
        server_has_ended(connection.get()) ? report::finished_after_server : report::finished;
    send_report(reports.write_end.get(), progress);
    const long long sent = progress.sent;
    if (o.close_instead) {
      connection.reset();
      lab::say("close", "{reason}: close() after {bytes} bytes; the reader still holds the socket",
               {{"reason", input.reason()}, {"bytes", sent}});
    } else {
      lab::check(::shutdown(connection.get(), SHUT_WR), "shutdown");
      lab::say("shutdown", "{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
               {{"reason", input.reason()}, {"bytes", sent}});
    }
    ::_exit(0);
  }
  // parent: socket -> standard output
  for (int signo : {SIGINT, SIGTERM}) lab::install_handler(signo, on_stop);  // not the writer's
  reports.write_end.reset();
  lab::say("fork", "forked the writer {child}; this process reads", {{"child", writer}});
  if (!o.timed) lab::show_tree("reader and writer share one socket:");

  bool finished = false, end_of_file = false, hung = false, failed = false, idle = false;
  bool premise = false;  // the connection lived until the writer's call
  auto hang_deadline = never, idle_deadline = never;
  std::array<char, 16384> buffer;
  const auto read_reports = [&] {  // false when the writer ended without finishing
    std::array<report, 64> got;
    const std::size_t n =
        lab::read_some(reports.read_end.get(), {reinterpret_cast<char*>(got.data()), sizeof got});
    if (n < sizeof(report)) return false;
    const report& last = got[n / sizeof(report) - 1];
    finished = last.state != report::sending;
    premise = last.state == report::finished;
    r.sent = last.sent;
    return true;
  };
  try {
    while (!end_of_file && stop_signal == 0) {
      pollfd fds[2] = {{connection.get(), POLLIN, 0},
                       {finished ? -1 : reports.read_end.get(), POLLIN, 0}};
      const int ready = ::poll(fds, 2, milliseconds_until(std::min(hang_deadline, idle_deadline)));
      if (ready < 0 && errno != EINTR) lab::check(ready, "poll");
      if (ready == 0 && clock_type::now() >= hang_deadline) {  // no end of file after close()
        lab::say_error(
            "hang: no end of file {timeout} s after the writer's close(), because "
            "this process still holds the socket; shutting down from here",
            {{"timeout", o.hang_timeout.count()}});
        hung = true;
        hang_deadline = never;
        lab::check(::shutdown(connection.get(), SHUT_WR), "shutdown");
        lab::say("shutdown", "shutdown(SHUT_WR) by the reader: now the server sees end of file");
      } else if (ready == 0 && clock_type::now() >= idle_deadline) {
        give_up(o, r.sent - echo.received);
      }
      if (ready <= 0) continue;
      if (fds[1].revents) {
        if (!read_reports()) break;  // the writer ended without finishing; it said why
        if (finished && o.close_instead)
          hang_deadline = clock_type::now() + as_duration(o.hang_timeout);
      }
      if (fds[0].revents) {
        const std::size_t n = lab::read_some(
            connection.get(),
            std::span(buffer).first(lab::narrator_settings().json ? echo_output::json_read_size
                                                                  : buffer.size()));
        end_of_file = n == 0;
        echo.take({buffer.data(), n});
      }
      // Idle: an echo owed (or, after shutdown, the end of file) and nothing for idle_timeout.
      const bool waiting = echo.received < r.sent || (finished && !o.close_instead);
      if (!waiting || o.idle_timeout.count() <= 0)
        idle_deadline = never;
      else if (fds[0].revents || idle_deadline == never)
        idle_deadline = clock_type::now() + as_duration(o.idle_timeout);
    }
  } catch (const std::system_error& error) {  // ECONNRESET, EPIPE on standard output...
    const int code = error.code().value();
    lab::say_error("{call}: {errno} ({reason})", {{"call", lab::failed_call(error)},
                                                  {"errno", lab::errno_name(code)},
                                                  {"reason", std::strerror(code)}});
    failed = true;
  } catch (const no_answer&) {  // said already
    failed = idle = true;
  }
  if (end_of_file) {
    // The writer's "finished", if it finished, was written before its end reached the server.
    pollfd done{reports.read_end.get(), POLLIN, 0};
    while (!finished && ::poll(&done, 1, 0) == 1 && read_reports()) {
    }
    echo.finish();
    lab::say("close", "end of file from the server after {bytes} bytes echoed",
             {{"bytes", echo.received}});
    if (!finished)
      lab::say_error("the server closed the connection before the input ended: it went away");
  }
  if (stop_signal == 0) {
    if (premise && !failed)
      lab::reveal(question, end_of_file && !hung ? "yes" : "no");
    else if (idle)
      lab::reveal_unmarked(question,
                           "the server stopped answering, so the run could not show what the "
                           "writer's call does",
                           "no");
    else
      lab::reveal_unmarked(question,
                           "the server closed the connection before the writer's call: its end "
                           "of file did not come from that call",
                           end_of_file ? "yes" : "no");
    for (int signo : {SIGINT, SIGTERM})
      lab::install_handler(signo, SIG_DFL);  // PDEATHSIG ends the writer
  } else {
    lab::say("signal", "{signal}: ending the writer and reaping it first",
             {{"signal", lab::signal_name(stop_signal)}});
  }
  if (!finished || stop_signal != 0 || failed)
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
  r.ended = end_of_file && finished && !hung && !failed && status == 0;
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab09-echo-cli",
                        "An echo client split over two processes: the writer sends standard input, "
                        "the reader prints what the server echoes; shutdown(SHUT_WR) ends it.");
  std::string host = "127.0.0.1", quit_line = "terminal";
  int port = 9190;
  bool lock_step = false, compare = false;
  options o;
  cli.option("HOST,--host", host, "server name or address");
  cli.option("PORT,--port", port, "server port", 1, 65535);
  cli.flag("--lock-step", lock_step,
           "the course's earlier client (echo_client2.c): one process; write a line, wait for "
           "all of its echo, then the next line");
  cli.flag("--compare", compare,
           "read all of standard input, send it lock-step, then split, over two connections to "
           "the same server, and print both times (a \"result\" event each)");
  cli.flag("--close-instead-of-shutdown", o.close_instead,
           "the wrong way: the writer close()s the socket; watch the reader hang");
  cli.option("--hang-timeout", o.hang_timeout, "how long the reader waits in the hang", 0.05, 3600);
  cli.option("--idle-timeout", o.idle_timeout,
             "give up (status 1) when the server has sent nothing for this long while an echo "
             "is owed or its end of file awaited; 0: wait for ever",
             0, 3600);
  cli.choice("--quit-line", quit_line,
             "where a line \"q\" ends the input (it is not sent): at a terminal only, always, "
             "never; on a pipe or file the default sends everything to its end",
             {"terminal", "always", "never"});
  cli.epilogue(
      "With --json each \"echo\" event carries data (the bytes as text: ill-formed UTF-8 "
      "shown as U+FFFD) and data_hex (the exact bytes, two hex digits each). Against "
      "lab08-echo-serv --delay 0.05, --compare shows the split client's gain.");
  return cli.run(argc, argv, [&] {
    if (int(lock_step) + int(compare) + int(o.close_instead) > 1) {
      lab::say_error(
          "--lock-step, --compare and --close-instead-of-shutdown exclude each other: close() "
          "is a trap of the split client only, and --compare runs both ways");
      return 2;
    }
    lab::install_handler(SIGPIPE, SIG_IGN);  // a dead peer gives EPIPE, reported
    o.timed = compare;
    o.q_quits = quit_line == "always" || (quit_line == "terminal" && ::isatty(STDIN_FILENO));
    const bool json = lab::narrator_settings().json;
    lab::unique_fd data_out;  // standard output, for the echoed bytes; fd 1 is then stderr
    if (!json) {              // and carries the narration (which always writes to fd 1)
      data_out = lab::unique_fd(lab::check(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3), "fcntl"));
      lab::check(::dup2(STDERR_FILENO, STDOUT_FILENO), "dup2");
    }
    int source = STDIN_FILENO;
    lab::unique_fd copy;  // --compare: the input, read once, sent twice
    if (compare) {
      copy = lab::unique_fd(lab::check(::memfd_create("lab09-input", MFD_CLOEXEC), "memfd_create"));
      std::array<char, 65536> chunk;
      while (const std::size_t n = lab::read_some(STDIN_FILENO, chunk))
        lab::write_all(copy.get(), {chunk.data(), n});
      source = copy.get();
    }

    bool all_ended = true;
    std::vector<std::pair<std::string, double>> times;
    for (const bool split : {false, true}) {
      if ((split && lock_step) || (!split && !lock_step && !compare)) continue;
      if (copy) lab::check(::lseek(copy.get(), 0, SEEK_SET), "lseek");
      lab::set_role(split ? "reader" : "client");
      lab::unique_fd connection = lab::connect_tcp(host, static_cast<std::uint16_t>(port));
      lab::say("connect", "connected to {address} from {local}",
               {{"address", lab::peer_address(connection.get())},
                {"local", lab::local_address(connection.get())}});
      lab::stage(split ? "connected: one process, one socket; next, fork"
                       : "connected: one process writes a line, then reads its echo");
      input_lines input(source, o.q_quits);
      echo_output echo(data_out.get(), json);
      const auto start = clock_type::now();
      run_result r;
      try {
        if (split)
          run_split(connection, input, echo, o, r);
        else
          run_lock_step(connection.get(), input, echo, o, r);
      } catch (const no_answer&) {  // said already
      }
      const double seconds = seconds_since(start);
      const std::string mode = split ? "split" : "lock-step";
      lab::say("result", "{mode}: {bytes} bytes sent, {echoed} echoed, in {elapsed} s",
               {{"mode", mode},
                {"lines", echo.lines},
                {"bytes", r.sent},
                {"echoed", echo.received},
                {"elapsed", seconds},
                {"ended", r.ended}});
      times.emplace_back(mode, seconds);
      all_ended = all_ended && r.ended;
    }
    if (compare)
      lab::say(
          "result",
          "the same input: lock-step {lock_step} s, split {split} s (split / lock-step = {ratio})",
          {{"mode", "compare"},
           {"lock_step", times[0].second},
           {"split", times[1].second},
           {"ratio", times[1].second / std::max(times[0].second, 1e-6)}});
    return all_ended ? 0 : 1;
  });
}
