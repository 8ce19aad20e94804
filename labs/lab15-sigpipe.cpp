// lab15-sigpipe — writing to a peer that has reset kills the writer.
//
// A peer that closes with SO_LINGER {on, 0} sends RST instead of FIN. After it,
// the first write() fails with ECONNRESET (the pending error, reported once);
// every later write() fails with EPIPE *and* raises SIGPIPE, whose default
// action ends the writer in silence: only its wait status says "killed by
// SIGPIPE". With SIGPIPE ignored the write just fails with EPIPE;
// send(..., MSG_NOSIGNAL) does that for one call.
// Watch for: the writes after the RST (ECONNRESET, then EPIPE or nothing at
// all), and the reap line: "killed by SIGPIPE" (default) or "exited 0".
//
// Usage: lab15-sigpipe [--mode default|ignore|nosignal] [--hold S] [--json] [--step]
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "runtime/children.hpp"
#include "lab.hpp"
#include "runtime/loopback.hpp"
#include "os/net.hpp"
#include "os/pidfd_wait.hpp"
#include "runtime/socket_report.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab15.writer_end",
    "The peer will reset the connection, and the writer will write to it twice more (--mode "
    "{mode}). How will the writer end?",
    {{{"killed", "killed by SIGPIPE, without a word"},
      {"exited", "it reports EPIPE itself and exits 0"},
      {"blocked", "it blocks in write() for ever"}}},
    "writing to a connection the peer has reset raises SIGPIPE, whose default action kills "
    "silently; ignored (SIG_IGN) or avoided (MSG_NOSIGNAL), the same write just fails with EPIPE."};
static_assert(lab::well_formed(question));

namespace {

// One narrated write: write(2), or send(2) with MSG_NOSIGNAL. Returns 0 or the
// errno. When SIGPIPE's default action applies, the process may die inside it.
int write_once(int socket_fd, int attempt, std::string_view data, bool no_signal) {
  const ssize_t n = no_signal ? ::send(socket_fd, data.data(), data.size(), MSG_NOSIGNAL)
                              : ::write(socket_fd, data.data(), data.size());
  const int error = n < 0 ? errno : 0;
  lab::say_write(attempt, no_signal ? "send(MSG_NOSIGNAL)" : "write()", n, error);
  return error;
}

// The victim: connects, writes once, waits for the peer's RST, writes twice more.
// Returns its exit status: 0 when the last write failed with EPIPE.
int run_writer(std::uint16_t port, const std::string& mode, lab::gate& reset_sent) {
  // Set explicitly: an ignored SIGPIPE is inherited from whoever started the lab.
  const auto previous = lab::install_handler(SIGPIPE, mode == "ignore" ? SIG_IGN : SIG_DFL);
  lab::say("action", "SIGPIPE: {action} (was {previous})",
           {{"signal", "SIGPIPE"},
            {"action", mode == "ignore" ? "ignored" : "default"},
            {"previous", lab::describe_action(previous)}});
  const lab::unique_fd connection = lab::connect_on_loopback(port);
  const bool no_signal = mode == "nosignal";
  if (write_once(connection.get(), 1, "hello\n", no_signal) != 0) return 1;

  // However long the learner takes at the peer's pause, the 10 s below start
  // only once the peer has reset the connection.
  reset_sent.pass();
  // The peer sends nothing, so poll() wakes only for the RST: POLLHUP means the
  // connection is closed both ways, POLLERR that an error (ECONNRESET) is pending.
  // poll() only looks: the error stays for the next write. No handler, no EINTR.
  if (!lab::await_reset(connection.get())) return 1;
  lab::stage("the RST has arrived; the writer writes as if nothing had happened");
  write_once(connection.get(), 2, "are you there?\n", no_signal);

  lab::stage(mode == "default"
                 ? "the writer writes again: SIGPIPE's default action ends it inside write()"
                 : "the writer writes again: the call fails, and the writer lives on");
  if (write_once(connection.get(), 3, "hello?\n", no_signal) != EPIPE) return 1;
  lab::say("exit", "the writer saw EPIPE, closes the socket and exits 0", {{"code", 0}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "default";
  lab::seconds hold{0};
  lab::command_line cli("lab15-sigpipe",
                        "Writing to a TCP peer that has reset: SIGPIPE's default action kills "
                        "the writer; SIG_IGN or MSG_NOSIGNAL turn it into an EPIPE error.");
  cli.choice("--mode", mode,
             "default: SIGPIPE's default action (the trap); ignore: SIGPIPE set to SIG_IGN; "
             "nosignal: send(..., MSG_NOSIGNAL)",
             {"default", "ignore", "nosignal"});
  cli.option("--hold", hold, "keep the dead writer un-reaped (a zombie) S seconds, to see it in ps",
             0, 3600);
  return cli.run(argc, argv, [&] {
    lab::stage("the peer listens on 127.0.0.1; port 0 lets the kernel pick the port");
    auto [listener, port] = lab::listen_on_loopback(1);
    lab::ask(question, {{"mode", mode}});  // --step: predict it (before the fork)

    lab::gate reset_sent;
    const pid_t writer = lab::fork_as("writer");
    if (writer == 0) {  // child
      listener.reset();
      ::_exit(run_writer(port, mode, reset_sent));
    }
    // parent: the peer
    lab::say("fork", "forked the writer {child}", {{"child", writer}});
    // A writer that ends before it connects (its own output gone: `| head -1`)
    // must not leave the peer in accept() for ever.
    if (!lab::readable_unless_ended(listener.get(), writer))
      throw std::runtime_error("the writer ended before it connected");
    lab::unique_fd peer(
        lab::check(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept"));
    lab::say("accept", "accepted {peer}", {{"peer", lab::peer_address(peer.get())}});
    char buffer[64];
    const std::size_t got = lab::read_some(peer.get(), buffer);
    if (got == 0) throw std::runtime_error("the writer closed the connection before writing");
    lab::say("read", "read {bytes} bytes from the writer", {{"bytes", got}});

    lab::stage("the peer resets the connection: SO_LINGER {on 1, linger 0}, then close()");
    const linger abort_on_close{1, 0};
    lab::check(
        ::setsockopt(peer.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close),
        "setsockopt");
    lab::say("close", "close() with linger 0: the kernel sends RST, not FIN", {{"how", "reset"}});
    lab::check(::close(peer.release()), "close");
    reset_sent.open();

    // WNOWAIT: learn how the writer ended but leave it a zombie, to be looked at.
    siginfo_t ended{};
    lab::check(::waitid(P_PID, static_cast<id_t>(writer), &ended, WEXITED | WNOWAIT), "waitid");
    const bool killed = ended.si_code == CLD_KILLED || ended.si_code == CLD_DUMPED;
    lab::say("exit", "waitid(WNOWAIT): the writer {child} ended: {status}; not reaped yet",
             {{"child", writer},
              {"how", killed ? "killed" : "exited"},
              {"code", ended.si_status},
              {"status", killed ? "killed by " + lab::signal_name(ended.si_status)
                                : "exited " + std::to_string(ended.si_status)}});
    // The premise: the writer made its writes after the RST (and did not fail on its own).
    const bool premise_held =
        (killed && ended.si_status == SIGPIPE) || (!killed && ended.si_status == 0);
    lab::reveal(question, killed ? "killed" : "exited",
                {premise_held, "the writer ended before its writes after the reset"});
    lab::show_tree("the writer has ended and is a zombie until the parent reaps it");
    lab::stage("the writer is a zombie: its wait status waits for the parent");
    if (hold.count() > 0) {
      lab::say("sleep", "holding {seconds} s before reaping", {{"seconds", hold.count()}});
      std::this_thread::sleep_for(hold);
    }

    const int status = lab::reap_child(writer);
    const lab::wait_status end = lab::decode_wait_status(status);
    const bool by_sigpipe = end.end == lab::wait_status::how::killed && end.code == SIGPIPE;
    const bool expected = mode == "default" ? by_sigpipe : status == 0;
    lab::say("result",
             by_sigpipe ? "the writer died of SIGPIPE without a word: only its wait status tells"
                        : "the writer survived: it saw EPIPE and reported it itself",
             {{"mode", mode}, {"expected", expected}});
    return expected ? 0 : 1;
  });
}
