#include "runtime/client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "os/net.hpp"
#include "os/signals.hpp"
#include "voice/narrator.hpp"

namespace lab {

int milliseconds_until(client_clock::time_point when) {
  if (when == no_deadline) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - client_clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

client_clock::duration as_duration(seconds s) {
  return std::chrono::duration_cast<client_clock::duration>(s);
}

void add_client_options(command_line& cli, client_options& o) {
  cli.option("HOST,--host", o.host, "server name or address");
  cli.option("PORT,--port", o.port, "server port", 1, 65535);
  cli.flag("--lock-step", o.lock_step,
           "the course's earlier client (echo_client2.c): one process; write a line, wait for "
           "all of its echo, then the next line");
  cli.flag("--compare", o.compare,
           "read all of standard input, send it lock-step, then split, over two connections to "
           "the same server, and print both times (a \"result\" event each)");
  cli.flag("--close-instead-of-shutdown", o.close_instead,
           "the wrong way: the writer close()s the socket; watch the reader hang");
  cli.option("--hang-timeout", o.hang_timeout, "how long the reader waits in the hang", 0.05, 3600);
  cli.option("--idle-timeout", o.idle_timeout,
             "give up (status 1) when the server has sent nothing for this long while an echo "
             "is owed or its end of file awaited; 0: wait for ever",
             0, 3600);
  cli.choice("--quit-line", o.quit_line,
             "where a line \"q\" ends the input (it is not sent): at a terminal only, always, "
             "never; on a pipe or file the default sends everything to its end",
             {"terminal", "always", "never"});
  cli.epilogue(
      "With --json each \"echo\" event carries data (the bytes as text: ill-formed UTF-8 "
      "shown as U+FFFD) and data_hex (the exact bytes, two hex digits each). Against "
      "lab08-echo-serv --delay 0.05, --compare shows the split client's gain.");
}

int run_echo_client(client_options& o, client_run lock_step, client_run split_run) {
  if (int(o.lock_step) + int(o.compare) + int(o.close_instead) > 1) {
    say_error(
        "--lock-step, --compare and --close-instead-of-shutdown exclude each other: close() "
        "is a trap of the split client only, and --compare runs both ways");
    return 2;
  }
  install_handler(SIGPIPE, SIG_IGN);  // a dead peer gives EPIPE, reported
  o.timed = o.compare;
  const bool json = narrator_settings().json;
  unique_fd data_out;  // standard output, for the echoed bytes; fd 1 is then stderr
  if (!json) {         // and carries the narration (which always writes to fd 1)
    data_out = unique_fd(check(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3), "fcntl"));
    check(::dup2(STDERR_FILENO, STDOUT_FILENO), "dup2");
  }
  int source = STDIN_FILENO;
  unique_fd copy;  // --compare: the input, read once, sent twice
  if (o.compare) {
    copy = unique_fd(check(::memfd_create("lab09-input", MFD_CLOEXEC), "memfd_create"));
    std::array<char, 65536> chunk;
    while (const std::size_t n = read_some(STDIN_FILENO, chunk))
      write_all(copy.get(), {chunk.data(), n});
    source = copy.get();
  }

  bool all_ended = true;
  std::vector<std::pair<std::string, double>> times;
  for (const bool split : {false, true}) {
    if ((split && o.lock_step) || (!split && !o.lock_step && !o.compare)) continue;
    if (copy) check(::lseek(copy.get(), 0, SEEK_SET), "lseek");
    set_role(split ? "reader" : "client");
    unique_fd connection = connect_tcp(o.host, static_cast<std::uint16_t>(o.port));
    say("connect", "connected to {address} from {local}",
        {{"address", peer_address(connection.get())}, {"local", local_address(connection.get())}});
    stage(split ? "connected: one process, one socket; next, fork"
                : "connected: one process writes a line, then reads its echo");
    input_lines input(source, o.q_quits);
    echo_output echo(data_out.get(), json);
    const auto start = client_clock::now();
    run_result r;
    try {
      (split ? split_run : lock_step)(connection, input, echo, o, r);
    } catch (const no_answer&) {  // said already
    }
    const double elapsed = std::chrono::duration<double>(client_clock::now() - start).count();
    const std::string mode = split ? "split" : "lock-step";
    say("result", "{mode}: {bytes} bytes sent, {echoed} echoed, in {elapsed} s",
        {{"mode", mode},
         {"lines", echo.lines},
         {"bytes", r.sent},
         {"echoed", echo.received},
         {"elapsed", elapsed},
         {"ended", r.ended}});
    times.emplace_back(mode, elapsed);
    all_ended = all_ended && r.ended;
  }
  if (o.compare)
    say("result",
        "the same input: lock-step {lock_step} s, split {split} s (split / lock-step = {ratio})",
        {{"mode", "compare"},
         {"lock_step", times[0].second},
         {"split", times[1].second},
         {"ratio", times[1].second / std::max(times[0].second, 1e-6)}});
  return all_ended ? 0 : 1;
}

void give_up(const client_options& o, long long owed) {
  say_error(
      "no answer: the server sent nothing for {timeout} s while {owed} bytes were "
      "owed or its end of file was awaited (--idle-timeout)",
      {{"timeout", o.idle_timeout.count()}, {"owed", owed}});
  throw no_answer();
}

bool receive_echo(int connection, echo_output& echo, long long until, const client_options& o) {
  std::array<char, echo_output::json_read_size> buffer;
  while (echo.received < until) {
    pollfd ready{connection, POLLIN, 0};
    const auto deadline = o.idle_timeout.count() > 0
                              ? client_clock::now() + as_duration(o.idle_timeout)
                              : no_deadline;
    int n = 0;
    while ((n = ::poll(&ready, 1, milliseconds_until(deadline))) < 0 && errno == EINTR) {
    }
    if (check(n, "poll") == 0) give_up(o, until - echo.received);
    const std::size_t got = read_some(connection, buffer);
    if (got == 0) return false;
    echo.take({buffer.data(), got});
  }
  return true;
}

void say_connection_error(const std::system_error& error) {
  const int code = error.code().value();
  say_error(
      "{call}: {errno} ({reason})",
      {{"call", failed_call(error)}, {"errno", errno_name(code)}, {"reason", std::strerror(code)}});
}

}  // namespace lab
