// lab11-eintr — a handled signal interrupts a slow system call: EINTR or restart.
//
// A call that may block for ever (read on a pipe, accept) is "slow". When a
// signal with a handler arrives while the process is blocked in one, the
// kernel runs the handler and then either makes the call fail with -1/EINTR
// (sigaction with sa_flags = 0, as the course sets it) or restarts it as if
// nothing happened (SA_RESTART). glibc's signal() installs with SA_RESTART
// (BSD semantics). sleep() is never restarted: it returns early, with the
// seconds left, whatever the flags.
// A child watches the parent in /proc until it is blocked in the call, sends
// SIGUSR1, waits until the handler has run (the call's fate is sealed then),
// and only then writes to the pipe / connects. A program that gets EINTR must
// call again; the lab does, and the second call gets the data.
//
// Watch for: the child's "state" line (the parent in S, wchan), the "signal"
// line, then "result": -1 EINTR, or the data after a restart.
//
// Usage: lab11-eintr [--call read|accept|sleep] [--restart | --with-signal] [--hold S]
//                    [--sleep S] [--json] [--step]
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "lab.hpp"
#include "os/net.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab11.interrupted",
    "SIGUSR1's handler will run while the parent is blocked in {call} (sa_flags {flags}). What "
    "will {call} do?",
    {{{"EINTR", "fail: -1 with errno EINTR"},
      {"restarted", "carry on as if nothing had happened (restarted)"},
      {"early", "return early, with the time left"}}},
    "after a handler the kernel restarts a slow call only when the handler was installed with "
    "SA_RESTART, and sleep() never: it returns early instead."};
static_assert(lab::well_formed(question));

namespace {

volatile sig_atomic_t handled = 0;
int handler_ran_fd = -1;  // the handler writes one byte here, for the child

void on_sigusr1(int signo) {
  const int saved_errno = errno;
  handled = handled + 1;
  lab::signal_say("signal", "SIGUSR1 handler runs", {{"signo", signo}});
  [[maybe_unused]] const ssize_t n = ::write(handler_ran_fd, "!", 1);
  errno = saved_errno;
}

// Is `pid` asleep inside `call`? /proc/PID/wchan names the kernel function.
bool blocked_in(pid_t pid, const std::string& call) {
  const auto info = lab::read_proc(pid);
  const std::string wchan = lab::read_wchan(pid);
  if (!info || info->state != 'S') return false;
  if (call == "read") return wchan == "pipe_read" || wchan == "anon_pipe_read";
  if (call == "accept") return wchan == "inet_csk_accept";
  return wchan == "hrtimer_nanosleep" || wchan == "do_nanosleep";
}

// In the child: waits (watching /proc) until the parent is blocked in `call`,
// lets a learner look for `hold`, then sends SIGUSR1.
void signal_when_blocked(pid_t parent, const std::string& call, lab::seconds hold) {
  if (!lab::poll_until([&] { return blocked_in(parent, call); }, std::chrono::seconds(10)))
    throw std::runtime_error("the parent did not block in " + call + " within 10 s");
  lab::say_state(parent);
  const std::string wchan = lab::read_wchan(parent);
  lab::say("step",
           "the parent is blocked in {wchan}; SIGUSR1 in {hold} s (look: ps -o "
           "pid,stat,wchan:20,cmd -p {target})",
           {{"target", parent}, {"wchan", wchan}, {"hold", hold.count()}});
  std::this_thread::sleep_for(hold);
  lab::say("kill", "sends {signal} to the parent {target}, blocked in {wchan}",
           {{"target", parent}, {"signal", "SIGUSR1"}, {"wchan", wchan}});
  lab::check(::kill(parent, SIGUSR1), "kill");
}

// One call as the program makes it (read on the pipe, or accept), and what it
// returned: -1 and errno, the line read, or whom accept connected.
struct outcome {
  long result = 0;
  int error = 0;
  std::string data;  // read: the line, without its newline
  std::string peer;  // accept: the client's address
};
outcome call_once(const std::string& call, int fd) {
  char buffer[64] = {};
  const long result = call == "read" ? ::read(fd, buffer, sizeof buffer - 1)
                                     : ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (result < 0) return {result, errno, "", ""};
  if (call == "read") return {result, 0, std::string(buffer, std::strcspn(buffer, "\n")), ""};
  const lab::unique_fd connection(static_cast<int>(result));
  return {result, 0, "", lab::peer_address(connection.get())};
}

}  // namespace

int main(int argc, char** argv) {
  std::string call = "read";
  bool restart = false;
  bool with_signal = false;
  lab::seconds hold{3};
  std::chrono::seconds sleep_seconds{100};
  lab::command_line cli("lab11-eintr",
                        "A handled signal interrupts a slow call: -1/EINTR without SA_RESTART, "
                        "restarted with it; sleep() is cut short either way.");
  cli.choice("--call", call, "the blocking call the signal interrupts",
             {"read", "accept", "sleep"});
  cli.flag("--restart", restart, "sigaction with SA_RESTART (the course uses sa_flags = 0)");
  cli.flag("--with-signal", with_signal, "install with glibc's signal() instead of sigaction");
  cli.option("--hold", hold, "seconds the parent stays blocked before the signal", 0, 3600);
  cli.option("--sleep", sleep_seconds, "what --call sleep asks sleep() for", 1, 3600);
  return cli.run(argc, argv, [&] {
    if (restart && with_signal) {
      lab::say_error("--restart and --with-signal exclude each other: signal() sets its own flags");
      return 2;
    }
    if (call == "sleep" && static_cast<double>(sleep_seconds.count()) <= hold.count()) {
      lab::say_error("--sleep must be longer than --hold: the signal comes --hold s after the "
                     "parent falls asleep");
      return 2;
    }
    if (with_signal) {
      lab::stage("signal(SIGUSR1, handler): glibc's signal(), as the course's first programs");
      if (::signal(SIGUSR1, on_sigusr1) == SIG_ERR) lab::check(-1, "signal");
    } else {
      lab::stage(restart ? "sigaction(SIGUSR1) with sa_flags = SA_RESTART"
                         : "sigaction(SIGUSR1) with sa_flags = 0, as the course sets it");
      lab::install_handler(SIGUSR1, on_sigusr1, restart ? SA_RESTART : 0);
    }
    struct sigaction installed {};
    lab::check(::sigaction(SIGUSR1, nullptr, &installed), "sigaction");
    const bool sa_restart = (installed.sa_flags & SA_RESTART) != 0;
    const std::string install = with_signal ? "signal"
                                : restart   ? "sigaction+SA_RESTART"
                                            : "sigaction";

    auto handler_ran = lab::make_pipe();
    handler_ran_fd = handler_ran.write_end.get();
    auto data = lab::make_pipe();
    lab::unique_fd listener;
    std::uint16_t port = 0;
    if (call == "accept") {
      listener = lab::listen_tcp("127.0.0.1", 0, 1);
      port = lab::local_port(listener.get());
      lab::say("listen", "listening on {address}",
               {{"address", lab::local_address(listener.get())}, {"port", port}});
    }
    lab::stage("the kernel holds sa_flags = {flags}; a child will signal the parent once it is "
               "blocked in {call}",
               {{"flags", lab::describe_flags(installed.sa_flags)}, {"call", call}});
    // --step: predict the call's fate (asked before the fork: the child sends
    // its signal as soon as the parent blocks, in the quiz's read too).
    lab::ask(question,
             {{"call", call}, {"flags", lab::describe_flags(installed.sa_flags)}});
    const pid_t parent = ::getpid();
    const pid_t child = lab::fork_as("child");
    if (child == 0) {  // child
      data.read_end.reset();
      handler_ran.write_end.reset();
      listener.reset();
      signal_when_blocked(parent, call, hold);
      // The handler has run: the call has already failed with EINTR, or will be
      // restarted. Only now comes what it waits for.
      char byte;
      if (lab::read_some(handler_ran.read_end.get(), {&byte, 1}) != 1) ::_exit(1);
      if (call == "read") {
        lab::write_all(data.write_end.get(), "hello\n");
        lab::say("write", "wrote {bytes} bytes to the pipe", {{"bytes", 6}});
      } else if (call == "accept") {
        const lab::unique_fd connection = lab::connect_tcp("127.0.0.1", port);
        lab::say("connect", "connected {local} -> {peer}",
                 {{"local", lab::local_address(connection.get())},
                  {"peer", lab::peer_address(connection.get())}});
      }
      ::_exit(0);
    }
    // parent
    data.write_end.reset();
    handler_ran.read_end.reset();
    const auto say_result = [&](const char* text, int attempt, const outcome& got,
                                bool restarted) {
      lab::say("result", text,
               {{"attempt", attempt},
                {"call", call},
                {"result", got.result},
                {"error", got.error ? lab::errno_name(got.error) : ""},
                {"reason", got.error ? std::strerror(got.error) : ""},
                {"data", got.data},
                {"peer", got.peer},
                {"restarted", restarted},
                {"install", install},
                {"sa_restart", sa_restart},
                {"flags", lab::describe_flags(installed.sa_flags)}});
    };
    bool as_designed = false;
    if (call == "sleep") {
      lab::say("step", "calling sleep({asked})", {{"asked", sleep_seconds.count()}});
      const auto start = std::chrono::steady_clock::now();
      const unsigned left = ::sleep(static_cast<unsigned>(sleep_seconds.count()));
      const std::chrono::duration<double> slept = std::chrono::steady_clock::now() - start;
      lab::say("wake", "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
               {{"asked", sleep_seconds.count()}, {"slept", slept.count()}, {"left", left}});
      say_result("sleep() returned early, SA_RESTART or not: it is never restarted", 1,
                 {static_cast<long>(left), 0, "", ""}, false);
      // The premise: the signal came while sleep() still slept (not after a short --sleep).
      if (handled == 1)
        lab::reveal(question, left > 0 ? "early" : "restarted");
      else
        lab::reveal_unmarked(question,
                             "sleep() had ended before the signal came", std::to_string(left));
      as_designed = left > 0;
    }
    for (int attempt = 1; call != "sleep"; ++attempt) {
      // No stage() here: a pause would block the parent while the child watches it.
      lab::say("step", "calling {call} (attempt {attempt})",
               {{"attempt", attempt}, {"call", call}});
      const outcome got = call_once(call, call == "read" ? data.read_end.get() : listener.get());
      const bool restarted = got.result >= 0 && attempt == 1 && handled == 1;
      say_result(got.result < 0
                     ? (got.error == EINTR ? "{call} returned -1, errno {error} ({reason}): "
                                             "interrupted, not restarted; so call again"
                                           : "{call} returned -1, errno {error} ({reason})")
                 : call == "read"
                     ? (restarted ? "{call} returned {result} bytes \"{data}\": restarted after "
                                    "the handler, the program never noticed"
                                  : "{call} returned {result} bytes \"{data}\"")
                     : (restarted ? "{call} returned fd {result} from {peer}: restarted after the "
                                    "handler, the program never noticed"
                                  : "{call} returned fd {result} from {peer}"),
                 attempt, got, restarted);
      if (attempt == 1)
        lab::reveal(question, got.error == EINTR ? "EINTR"
                                         : got.result >= 0  ? "restarted"
                                                            : lab::errno_name(got.error));
      if (got.error != EINTR) {
        as_designed = got.result > 0;
        break;
      }
    }

    int status = 0;  // a late SIGUSR1 (after a short sleep) may interrupt this wait: wait again
    while (::waitpid(child, &status, 0) == -1)
      if (errno != EINTR) lab::check(-1, "waitpid");
    lab::say_reap(child, status);
    return as_designed && status == 0 ? 0 : 1;
  });
}
