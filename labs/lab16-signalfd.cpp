// lab16-signalfd — SIGCHLD handled without an asynchronous handler.
//
// A SIGCHLD handler (lab07) may call only async-signal-safe functions, and it
// makes slow calls fail with EINTR (lab11). A server already sleeps in its poll
// loop: make the signal one more readable descriptor there.
//   --via signalfd  SIGCHLD stays blocked; signalfd(2) hands it over to read().
//   --via selfpipe  a handler that only writes one byte into a non-blocking pipe.
// The loop reaps with waitpid(-1, WNOHANG) until nothing is left. N exits while
// SIGCHLD is blocked leave ONE pending SIGCHLD (lab10): one record, one byte, N reaps.
// Watch for: one record (or byte); N reap lines; the accept in the same loop; "EINTR: 0".
//
// Usage: lab16-signalfd [--via signalfd|selfpipe] [--children N] [--hold S] [--json] [--step]
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <thread>

#include "runtime/children.hpp"
#include "lab.hpp"
#include "runtime/loopback.hpp"
#include "os/eintr.hpp"
#include "os/net.hpp"
#include "os/self_pipe.hpp"
#include "runtime/wakeup_report.hpp"

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

const lab::self_pipe* wake_pipe = nullptr;
volatile sig_atomic_t deliveries = 0;

// The whole self-pipe handler: count, and one byte into the pipe (wake() keeps
// errno; the pipe is non-blocking, so a full pipe cannot block the handler).
void on_sigchld(int) {
  deliveries = deliveries + 1;
  wake_pipe->wake();
}

int eintr_failures = 0;  // calls of the loop that failed with EINTR (then retried)

// One read takes every pending signal off the readable signalfd: returns how
// many records, and the sender of the first.
int read_signalfd(int fd, pid_t& sender) {
  signalfd_siginfo records[8]{};
  const ssize_t n =
      lab::retry_on_eintr(eintr_failures, [&] { return ::read(fd, records, sizeof records); });
  sender = static_cast<pid_t>(records[0].ssi_pid);
  return static_cast<int>(lab::check(n, "read") / static_cast<ssize_t>(sizeof records[0]));
}

// Reaps every child that has ended, never blocking; narrates each. Returns how many.
int reap_all_children() {
  int reaped = 0;
  for (;;) {
    int status = 0;
    const pid_t child =
        lab::retry_on_eintr(eintr_failures, [&] { return ::waitpid(-1, &status, WNOHANG); });
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
    const auto [listener, port] = lab::listen_on_loopback(4);

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
    lab::say_polled(via, wake_fd);

    lab::stage("SIGCHLD is blocked; fork the children, which exit at once");
    lab::fork_children_into_zombies(children);  // child i: _exit(i); all zombies, SIGCHLD pending
    lab::stage("all the children are zombies; SIGCHLD waits, blocked");
    if (hold.count() > 0) {
      lab::say("sleep", "holding {seconds} s: try ps now", {{"seconds", hold.count()}});
      std::this_thread::sleep_for(hold);
    }
    lab::ask(question, {{"children", children}, {"via", via}});  // --step: predict it
    // SIGCHLD is blocked: no pause can change this; checked all the same, from /proc.
    const bool premise_held = lab::zombie_children() == children && lab::is_pending(SIGCHLD);

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
      if (lab::check(lab::retry_on_eintr(eintr_failures, [&] { return ::poll(fds, 2, 10'000); }),
                     "poll") == 0)
        throw std::runtime_error("poll: nothing happened for 10 s");
      const bool from_listener = fds[0].revents & POLLIN, from_wake = fds[1].revents & POLLIN;
      lab::say_ready(via, from_listener, from_wake);
      if (from_wake) {
        pid_t sender = 0;
        const int count =
            use_signalfd ? read_signalfd(wake_fd, sender) : static_cast<int>(pipe->drain());
        signals += count;
        lab::say_woken(via, wake_fd, count, sender);
        reaped += reap_all_children();
      }
      if (from_listener) {
        const int accepted_fd = lab::retry_on_eintr(eintr_failures, [&] {
          return ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
        });
        const lab::unique_fd connection(lab::check(accepted_fd, "accept"));
        lab::say("accept", "accepted {peer}: served by the same loop",
                 {{"peer", lab::peer_address(connection.get())}});
        accepted = true;
      }
    }

    lab::reveal(question, signals,
                {premise_held, "not every child was a zombie with SIGCHLD pending at the answer"});
    lab::stage("the loop has reaped every child; no handler reaped or printed anything");
    const auto left = static_cast<int>(lab::children_of(::getpid()).size());
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
