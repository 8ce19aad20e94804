// lab12-fd-share — after fork, both processes share each open file description.
//
// fork copies the descriptor table, not the open files behind it: descriptor 3
// in the parent and descriptor 3 in the child lead to one open file
// description, which holds the file offset. And a file (or a connection) is
// closed only when the last descriptor leading to it is closed.
// Part 1: a file opened before fork; parent and child take turns writing
// records. With the shared offset each record lands after the last one: file
// size = all records. --separate-open: each side opens the file itself after
// fork, gets its own offset from 0, and they overwrite each other.
// Part 2: the lab accepts a connection from itself and forks a child to serve
// it, as the course's echo server does. The parent closes its copy of the
// connected socket (the course's rule); the child says hello, reads one line,
// closes, and the client sees end of file. --leak: the parent keeps its copy,
// so the child's close sends nothing and the client waits in vain (until
// --timeout); when the parent closes too, EOF arrives at once.
//
// Watch for: "write" lines (offsets), "result" (file size), the two "fds"
// tables (who holds the connection), "result" (EOF or the timeout).
//
// Usage: lab12-fd-share [--records N] [--separate-open] [--leak] [--timeout S]
//                       [--json] [--step]
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "lab.hpp"
#include "os/net.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab12.eof",
    "Next the child closes its copy of the connected socket and exits. Will the client see end of "
    "file?",
    {{{"eof", "yes, at once"},
      {"wait", "no: it waits, the connection is still open"}}},
    "a connection closes only with the last descriptor for it, and fork gave the parent one too: "
    "closed in the parent, the child's close is the last; kept (--leak), it is not."};
static_assert(lab::well_formed(question));

namespace {

constexpr std::size_t record_size = 17;  // "parent record 01\n"

void write_record(int fd, const char* who, int number) {
  char record[32];  // numbers stay below 100: each record is record_size bytes
  std::snprintf(record, sizeof record, "%-6s record %02d\n", who, number);
  const off_t offset = lab::check(::lseek(fd, 0, SEEK_CUR), "lseek");
  lab::write_all(fd, {record, record_size});
  lab::say("write", "fd {fd}: \"{record_text}\" written at offset {offset}",
           {{"fd", fd},
            {"offset", offset},
            {"bytes", record_size},
            {"record", number},
            {"record_text", std::string(record, record_size - 1)}});
}

// Turn-taking over two pipes makes the interleaving the same on every run.
void pass_turn(int fd) {
  lab::write_all(fd, "t");
}
void wait_turn(int fd) {
  char token;
  if (lab::read_some(fd, {&token, 1}) == 0) throw std::runtime_error("the other side ended");
}

// What open(path) would give for the file behind `fd`: a new open file
// description with its own offset. (The file has no name left; /proc has.)
lab::unique_fd open_again(int fd) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  return lab::unique_fd(lab::check(::open(path.c_str(), O_WRONLY | O_CLOEXEC), "open"));
}

int reap(pid_t child) {
  int status = 0;
  lab::check(::waitpid(child, &status, 0), "waitpid");
  lab::say_reap(child, status);
  return status;
}

int shared_file(int records, bool separate_open) {
  lab::stage(separate_open ? "part 1: a file, opened again by each side after fork"
                           : "part 1: a file opened before fork, written by both sides");
  char path[] = "/tmp/lab12-XXXXXX";
  const lab::unique_fd file(lab::check(::mkostemp(path, O_CLOEXEC), "mkstemp"));
  lab::check(::unlink(path), "unlink");  // nameless: nothing to clean up, even after a crash
  auto to_child = lab::make_pipe();
  auto to_parent = lab::make_pipe();
  const pid_t child = lab::fork_as("child");
  if (child == 0) {  // child
    to_child.write_end.reset();
    to_parent.read_end.reset();
    const lab::unique_fd own = separate_open ? open_again(file.get()) : lab::unique_fd();
    for (int i = 1; i <= records; ++i) {
      wait_turn(to_child.read_end.get());
      write_record(separate_open ? own.get() : file.get(), "child", i);
      pass_turn(to_parent.write_end.get());
    }
    ::_exit(0);
  }
  // parent
  to_child.read_end.reset();
  to_parent.write_end.reset();
  const lab::unique_fd own = separate_open ? open_again(file.get()) : lab::unique_fd();
  for (int i = 1; i <= records; ++i) {
    write_record(separate_open ? own.get() : file.get(), "parent", i);
    pass_turn(to_child.write_end.get());
    wait_turn(to_parent.read_end.get());
  }
  const int status = reap(child);

  struct stat file_stat {};
  lab::check(::fstat(file.get(), &file_stat), "fstat");
  std::string contents(static_cast<std::size_t>(file_stat.st_size), '\0');
  lab::check(::pread(file.get(), contents.data(), contents.size(), 0), "pread");
  int parent_records = 0;
  int child_records = 0;
  for (std::size_t at = 0; at + record_size <= contents.size(); at += record_size) {
    if (contents.compare(at, 6, "parent") == 0) ++parent_records;
    if (contents.compare(at, 6, "child ") == 0) ++child_records;
  }
  lab::say("result",
           "the file holds {size} bytes of the {written} written: {parent_records} parent and "
           "{child_records} child records\n{contents}",
           {{"part", "file"},
            {"contents", contents.substr(0, contents.size() - 1)},
            {"separate_open", separate_open},
            {"written", 2 * records * static_cast<long long>(record_size)},
            {"size", static_cast<long long>(file_stat.st_size)},
            {"parent_records", parent_records},
            {"child_records", child_records}});
  return status;
}

// Waits up to `timeout` for end of file on `fd`; false if the time ran out.
bool eof_within(int fd, lab::seconds timeout) {
  pollfd readable{fd, POLLIN, 0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  if (lab::check(::poll(&readable, 1, static_cast<int>(ms.count())), "poll") == 0) return false;
  char byte;
  if (lab::read_some(fd, {&byte, 1}) != 0) throw std::runtime_error("data instead of EOF");
  return true;
}

int shared_connection(bool leak, lab::seconds timeout) {
  lab::stage("part 2: a connection served by a child, as in the course's echo server");
  lab::unique_fd listener = lab::listen_tcp("127.0.0.1", 0, 1);
  const auto port = lab::local_port(listener.get());
  lab::say("listen", "listening on 127.0.0.1:{port}", {{"address", "127.0.0.1"}, {"port", port}});
  lab::unique_fd client = lab::connect_tcp("127.0.0.1", port);  // the lab is its own client
  lab::unique_fd connection(
      lab::check(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept"));
  lab::say("accept", "accepted {peer} as fd {fd}",
           {{"peer", lab::peer_address(connection.get())}, {"fd", connection.get()}});
  struct stat socket_stat {};
  lab::check(::fstat(connection.get(), &socket_stat), "fstat");
  const std::string connection_target = "socket:[" + std::to_string(socket_stat.st_ino) + "]";

  const pid_t child = lab::fork_as("child");
  if (child == 0) {  // child: serves the connection, like the course's echo server child
    listener.reset();
    client.reset();
    lab::write_all(connection.get(), "hello\n");
    char line[16];
    lab::read_some(connection.get(), line);  // the client's "bye"
    lab::say("close", "the child closes its connected socket, fd {fd}", {{"fd", connection.get()}});
    connection.reset();
    ::_exit(0);
  }
  // parent
  if (!leak) {
    lab::say("close", "the parent closes its copy of the connected socket, fd {fd}",
             {{"fd", connection.get()}});
    connection.reset();
  }
  // Once the hello is here, the child has closed what it does not serve.
  char hello[16];
  if (lab::read_some(client.get(), hello) == 0)
    throw std::runtime_error("the child closed the connection before saying hello");
  lab::ask(question);  // --step: predict it before the descriptor tables tell
  // The child waits for "bye", however long the learner takes: checked all the same.
  const auto served_by = lab::read_proc(child);
  const bool premise_held = served_by && served_by->state != 'Z';
  int holders = 0;
  for (const auto& table : {lab::show_fds("the parent's descriptors:"),
                            lab::show_fds("the child's descriptors:", child)})
    for (const lab::fd_info& fd : table)
      if (fd.target == connection_target) ++holders;
  lab::stage(holders == 1
                 ? "the connection {connection} is open in the child only: its close ends the "
                   "connection"
                 : "the connection {connection} is open in both: the child's close alone will not "
                   "end it",
             {{"connection", connection_target}, {"holders", holders}});

  lab::write_all(client.get(), "bye\n");
  const int status = reap(child);  // the child has closed its copy: is the connection over?
  lab::say("step", "the child is gone; the client waits up to {timeout} s for end of file",
           {{"timeout", timeout.count()}});
  auto start = std::chrono::steady_clock::now();
  bool eof = eof_within(client.get(), timeout);
  const auto say_result = [&](const char* text) {
    const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
    lab::say("result", text,
             {{"part", "socket"},
              {"leak", leak},
              {"holders", holders},
              {"eof", eof},
              {"waited", waited.count()},
              {"timeout", timeout.count()}});
  };
  say_result(eof ? "the client saw end of file after {waited} s"
                 : "no end of file after {timeout} s: the parent's copy keeps the connection open");
  if (premise_held)
    lab::reveal(question, eof ? "eof" : "wait");
  else
    lab::reveal_unmarked(question, "the child had ended before the answer", eof ? "eof" : "wait");
  if (!eof) {
    lab::say("close", "the parent closes its copy at last, fd {fd}", {{"fd", connection.get()}});
    connection.reset();
    start = std::chrono::steady_clock::now();
    eof = eof_within(client.get(), timeout);
    say_result(eof ? "with the last descriptor closed, end of file after {waited} s"
                   : "still no end of file");
  }
  return eof ? status : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int records = 3;
  bool separate_open = false;
  bool leak = false;
  lab::seconds timeout{3};
  lab::command_line cli("lab12-fd-share",
                        "After fork, parent and child share each open file description: one "
                        "file offset, and a connection that closes only with its last descriptor.");
  cli.option("--records", records, "records each side writes in part 1", 1, 99);
  cli.flag("--separate-open", separate_open,
           "part 1 the wrong way: each side opens the file itself after fork (own offsets)");
  cli.flag("--leak", leak,
           "part 2 the wrong way: the parent keeps its copy of the connected socket");
  cli.option("--timeout", timeout, "seconds the client waits for end of file", 0.1, 3600);
  return cli.run(argc, argv, [&] {
    const int file_status = shared_file(records, separate_open);
    const int socket_status = shared_connection(leak, timeout);
    return file_status == 0 && socket_status == 0 ? 0 : 1;
  });
}
