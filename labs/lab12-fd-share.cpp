// lab12-fd-share — after fork, both processes share each open file description.
//
// fork copies the descriptor table, not the open files behind it: fd 3 in the
// parent and fd 3 in the child lead to one open file description, which holds
// the offset; a file (or a connection) closes only with its last descriptor.
// Part 1: parent and child take turns writing records to a file opened before
// fork: each lands after the last. --separate-open: each side opens it after
// fork, with its own offset, and they overwrite each other.
// Part 2: a child serves a connection, as in the course's echo server; the
// parent closes its copy, so the child's close ends it. --leak: the parent
// keeps its copy and the client waits in vain for end of file (--timeout).
// Watch for: "write" offsets, the file size, the two "fds" tables, EOF or not.
//
// Usage: lab12-fd-share [--records N] [--separate-open] [--leak] [--timeout S]
//                       [--json] [--step]
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "runtime/children.hpp"
#include "lab.hpp"
#include "runtime/loopback.hpp"
#include "os/eof_wait.hpp"
#include "os/scratch_file.hpp"
#include "os/turns.hpp"
#include "runtime/records.hpp"

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

int shared_file(int records, bool separate_open) {
  lab::stage(separate_open ? "part 1: a file, opened again by each side after fork"
                           : "part 1: a file opened before fork, written by both sides");
  const lab::unique_fd file = lab::nameless_file("lab12");  // opened once, before fork
  lab::turns turns;  // parent and child take turns: the same interleaving on every run
  const pid_t child = lab::fork_as("child");
  if (child == 0) {  // child
    turns.be_second();
    const lab::unique_fd own = separate_open ? lab::open_again(file.get()) : lab::unique_fd();
    for (int i = 1; i <= records; ++i) {
      turns.wait_turn();
      lab::write_record(separate_open ? own.get() : file.get(), "child", i);
      turns.pass_turn();
    }
    ::_exit(0);
  }
  // parent
  turns.be_first();
  const lab::unique_fd own = separate_open ? lab::open_again(file.get()) : lab::unique_fd();
  for (int i = 1; i <= records; ++i) {
    lab::write_record(separate_open ? own.get() : file.get(), "parent", i);
    turns.pass_turn();
    turns.wait_turn();
  }
  const int status = lab::reap_child(child);

  lab::say_records_in(lab::contents_of(file.get()), records, separate_open);
  return status;
}

int shared_connection(bool leak, lab::seconds timeout) {
  lab::stage("part 2: a connection served by a child, as in the course's echo server");
  auto [listener, client, connection, connection_target] = lab::connect_to_itself();

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

  lab::write_all(client.get(), "bye\n");  // the child closes its copy: is the connection over?
  const int status = lab::reap_child(child);
  lab::say("step", "the child is gone; the client waits up to {timeout} s for end of file",
           {{"timeout", timeout.count()}});
  auto start = std::chrono::steady_clock::now();
  bool eof = lab::eof_within(client.get(), timeout);
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
  lab::reveal(question, eof ? "eof" : "wait",
              {premise_held, "the child had ended before the answer"});
  if (!eof) {
    lab::say("close", "the parent closes its copy at last, fd {fd}", {{"fd", connection.get()}});
    connection.reset();
    start = std::chrono::steady_clock::now();
    eof = lab::eof_within(client.get(), timeout);
    say_result(eof ? "with the last descriptor closed, end of file after {waited} s"
                   : "still no end of file");
  }
  return eof ? status : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int records = 3;
  bool separate_open = false, leak = false;
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
