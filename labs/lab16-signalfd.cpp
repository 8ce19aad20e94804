// lab16-signalfd — SIGCHLD handled without an asynchronous handler.
//
// Reaping from a SIGCHLD handler (lab07) has two costs: the handler cuts into
// whatever the program was doing, so it may only call async-signal-safe functions
// (no stdio, no malloc), and the program's slow calls fail with EINTR when it
// runs (lab11). A server already sleeps in one place, its poll loop; make the
// signal one more readable descriptor there, beside the listening socket:
//   --via signalfd  SIGCHLD stays blocked for good; signalfd(2) hands the pending
//                   signal over as a record to read(). There is no handler at all.
//   --via selfpipe  the classic trick: a handler that only writes one byte into a
//                   non-blocking pipe; the loop polls the pipe's read end.
// Either way the loop calls waitpid(-1, WNOHANG) until nothing is left and
// narrates each reap as ordinary code. As in lab10, SIGCHLD is blocked while the
// N children exit, so N exits leave ONE pending SIGCHLD: one record, one byte —
// yet N reaps, because the loop reaps until waitpid says there is no more.
//
// Watch for: N zombies and SIGCHLD pending; one record (or byte); N reap lines;
// the connection accepted by the same loop; "EINTR: 0".
//
// Usage: lab16-signalfd [--via signalfd|selfpipe] [--children N] [--hold S] [--json] [--step]
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <thread>

#include "lab.hpp"
#include "os/net.hpp"
#include "os/self_pipe.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab16.deliveries",
    "{children} children exited while SIGCHLD was blocked. How many SIGCHLD will the loop read "
    "from its {via}?",
    {{{"0", "none: a blocked signal is lost"},
      {"1", "one: a pending signal is one bit"},
      {"2+", "one per child"}}},
    "a standard signal pends as one bit however often it is sent, so the loop learns of SIGCHLD "
    "{actual} time(s) and must reap with waitpid(WNOHANG) until none is left."};
static_assert(lab::well_formed(question));

namespace {

using namespace std::chrono_literals;

const lab::self_pipe* wake_pipe = nullptr;
volatile sig_atomic_t deliveries = 0;

// The whole self-pipe handler: count, and one byte into the pipe (wake() keeps
// errno; the pipe is non-blocking, so a full pipe cannot block the handler).
void on_sigchld(int) {
  deliveries = deliveries + 1;
  wake_pipe->wake();
}

int eintr_failures = 0;  // calls of the loop that failed with EINTR (then retried)

template <typename Call>
auto counting_eintr(Call call) {
  for (;;) {
    const auto result = call();
    if (result != -1 || errno != EINTR) return result;
    eintr_failures += 1;
  }
}

// One read takes every pending signal off the readable signalfd: returns how
// many records, and the sender of the first.
int read_signalfd(int fd, pid_t& sender) {
  signalfd_siginfo records[8]{};
  const ssize_t n = counting_eintr([&] { return ::read(fd, records, sizeof records); });
  sender = static_cast<pid_t>(records[0].ssi_pid);
  return static_cast<int>(lab::check(n, "read") / static_cast<ssize_t>(sizeof records[0]));
}

// Reaps every child that has ended, never blocking; narrates each. Returns how many.
int reap_all_children() {
  int reaped = 0;
  for (;;) {
    int status = 0;
    const pid_t child = counting_eintr([&] { return ::waitpid(-1, &status, WNOHANG); });
    if (child > 0) {
      lab::say_reap(child, status);
      ++reaped;
    } else if (child == 0) {
      lab::say("wait", "waitpid(-1, WNOHANG) = 0: the other children still run", {{"error", ""}});
      return reaped;
    } else if (errno == ECHILD) {
      lab::say("wait", "waitpid(-1, WNOHANG) = -1 ECHILD: no child left", {{"error", "ECHILD"}});
      return reaped;
    } else {
      lab::check(child, "waitpid");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string via = "signalfd";
  int children = 5;
  lab::seconds hold{0};
  lab::command_line cli("lab16-signalfd",
                        "SIGCHLD without an asynchronous handler: a signalfd or a self-pipe in "
                        "the server's poll loop; the loop reaps and narrates every child.");
  cli.choice("--via", via, "how the signal reaches the loop", {"signalfd", "selfpipe"});
  cli.option("--children", children, "children that exit at once", 1, 100);
  cli.option("--hold", hold, "seconds to hold while the children are zombies, to look with ps", 0,
             3600);
  return cli.run(argc, argv, [&] {
    const bool use_signalfd = via == "signalfd";
    lab::stage("a server's shape: a listening socket on 127.0.0.1 (port 0) and a poll loop");
    const lab::unique_fd listener = lab::listen_tcp("127.0.0.1", 0, 4);
    const std::uint16_t port = lab::local_port(listener.get());
    lab::say("listen", "listening on {address}",
             {{"address", lab::local_address(listener.get())}, {"port", port}});

    sigset_t sigchld;
    sigemptyset(&sigchld);
    sigaddset(&sigchld, SIGCHLD);
    lab::check(::sigprocmask(SIG_BLOCK, &sigchld, nullptr), "sigprocmask");
    lab::unique_fd signal_fd;            // --via signalfd
    std::optional<lab::self_pipe> pipe;  // --via selfpipe
    if (use_signalfd) {
      signal_fd.reset(lab::check(::signalfd(-1, &sigchld, SFD_NONBLOCK | SFD_CLOEXEC), "signalfd"));
    } else {
      wake_pipe = &pipe.emplace();
      // SA_RESTART resumes read, accept and waitpid; poll fails with EINTR whatever the flags.
      lab::install_handler(SIGCHLD, on_sigchld, SA_RESTART | SA_NOCLDSTOP);
    }
    const int wake_fd = use_signalfd ? signal_fd.get() : pipe->read_fd();
    lab::say("wakeup", "the loop will poll {what}: fd {fd}",
             {{"via", via},
              {"fd", wake_fd},
              {"what", use_signalfd ? "a signalfd for SIGCHLD" : "the read end of a self-pipe"}});
    const std::string wake_name = use_signalfd ? "the signalfd" : "the self-pipe";

    lab::stage("SIGCHLD is blocked; fork the children, which exit at once");
    for (int i = 1; i <= children; ++i) {
      const pid_t pid = lab::fork_as("child " + std::to_string(i));
      if (pid == 0) {  // child
        lab::say("exit", "exiting with {code}", {{"code", i}});
        ::_exit(i);
      }
      // parent
      lab::say("fork", "forked child {number}: {child}", {{"number", i}, {"child", pid}});
    }
    const pid_t self = ::getpid();
    const auto zombies = [&] {
      int n = 0;
      for (const pid_t child : lab::children_of(self))
        if (const auto info = lab::read_proc(child); info && info->state == 'Z') ++n;
      return n;
    };
    if (!lab::poll_until([&] { return zombies() == children; }, 10s))
      throw std::runtime_error("the children did not all become zombies within 10 s");
    lab::show_tree("every child has exited; none is reaped yet");
    lab::say("pending",
             children == 1 ? "{zombies} zombie, and SIGCHLD pending: {pending} (once, however "
                             "many exits)"
                           : "{zombies} zombies, and SIGCHLD pending: {pending} (once, however "
                             "many exits)",
             {{"exited", children},
              {"signal", "SIGCHLD"},
              {"pending", lab::is_pending(SIGCHLD)},
              {"zombies", zombies()}});
    lab::stage("all the children are zombies; SIGCHLD waits, blocked");
    if (hold.count() > 0) {
      lab::say("sleep", "holding {seconds} s: try ps now", {{"seconds", hold.count()}});
      std::this_thread::sleep_for(hold);
    }
    lab::ask(question, {{"children", children}, {"via", via}});  // --step: predict it
    // SIGCHLD is blocked: no pause can change this; checked all the same, from /proc.
    const bool premise_held = zombies() == children && lab::is_pending(SIGCHLD);

    const lab::unique_fd client = lab::connect_tcp("127.0.0.1", port);
    lab::say("connect", "a client connects from {local}; it waits in the backlog for accept",
             {{"local", lab::local_address(client.get())}});
    if (!use_signalfd) {
      lab::stage("unblock SIGCHLD: the pending signal is delivered now; the handler writes a byte");
      lab::check(::sigprocmask(SIG_UNBLOCK, &sigchld, nullptr), "sigprocmask");
      lab::say("signal", "SIGCHLD handler runs: {deliveries}; children exited: {children}",
               {{"deliveries", static_cast<int>(deliveries)}, {"children", children}});
    }

    lab::stage(use_signalfd ? "the poll loop: the listening socket and the signalfd"
                            : "the poll loop: the listening socket and the self-pipe");
    int reaped = 0, signals = 0;
    bool accepted = false;
    while (reaped < children || !accepted) {
      pollfd fds[] = {{listener.get(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
      if (lab::check(counting_eintr([&] { return ::poll(fds, 2, 10'000); }), "poll") == 0)
        throw std::runtime_error("poll: nothing happened for 10 s");
      const bool from_listener = fds[0].revents & POLLIN, from_wake = fds[1].revents & POLLIN;
      std::string which = from_listener ? "the listening socket" : "";
      if (from_wake) which += (from_listener ? " and " : "") + wake_name;
      lab::say("poll", "poll(): ready: {which}",
               {{"listener", from_listener}, {"wake", from_wake}, {"which", which}});
      if (from_wake) {
        pid_t sender = 0;
        const int count =
            use_signalfd ? read_signalfd(wake_fd, sender) : static_cast<int>(pipe->drain());
        signals += count;
        lab::say("wakeup",
                 use_signalfd ? (count == 1 ? "read {count} record from the signalfd: SIGCHLD "
                                              "from {sender}"
                                            : "read {count} records from the signalfd: SIGCHLD "
                                              "from {sender}")
                 : count == 1 ? "read {count} byte from the self-pipe"
                              : "read {count} bytes from the self-pipe",
                 {{"via", via}, {"fd", wake_fd}, {"count", count}, {"sender", sender}});
        reaped += reap_all_children();
      }
      if (from_listener) {
        const int accepted_fd = counting_eintr(
            [&] { return ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC); });
        const lab::unique_fd connection(lab::check(accepted_fd, "accept"));
        lab::say("accept", "accepted {peer}: served by the same loop",
                 {{"peer", lab::peer_address(connection.get())}});
        accepted = true;
      }
    }

    if (premise_held)
      lab::reveal(question, signals);
    else
      lab::reveal_unmarked(question,
                           "not every child was a zombie with SIGCHLD pending at the answer",
                           std::to_string(signals));
    lab::stage("the loop has reaped every child; no handler reaped or printed anything");
    const auto left = static_cast<int>(lab::children_of(self).size());
    lab::say("result",
             "children reaped: {reaped}; SIGCHLD received: {signals}; children left: {left}; "
             "calls that failed with EINTR: {eintr}",
             {{"via", via},
              {"reaped", reaped},
              {"signals", signals},
              {"left", left},
              {"eintr", eintr_failures}});
    return reaped == children && left == 0 ? 0 : 1;
  });
}
