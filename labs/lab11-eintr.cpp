// lab11-eintr — a handled signal interrupts a slow system call: EINTR or restart.
//
// A handled signal that arrives while the process is blocked in a slow call
// (read on a pipe, accept) makes the call fail with -1/EINTR (sa_flags = 0, as
// the course sets it) or restarts it (SA_RESTART; glibc's signal() sets it).
// sleep() is never restarted. A child signals the parent once it is blocked, and
// brings the data only after the handler ran. A program that gets EINTR must call again.
// Watch for: the parent in S (wchan), "signal", then "result": -1 EINTR, or the data.
//
// Usage: lab11-eintr [--call read|accept|sleep] [--restart | --with-signal] [--hold S]
//                    [--sleep S] [--json] [--step]
#include <unistd.h>

#include "runtime/blocked_watch.hpp"
#include "runtime/call_outcome.hpp"
#include "runtime/children.hpp"
#include "lab.hpp"
#include "runtime/loopback.hpp"

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

}  // namespace

int main(int argc, char** argv) {
  std::string call = "read";
  bool restart = false, with_signal = false;
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
      lab::say_error(
          "--sleep must be longer than --hold: the signal comes --hold s after the "
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
    const lab::installed_action action{with_signal, restart, installed.sa_flags};

    auto handler_ran = lab::make_pipe();
    handler_ran_fd = handler_ran.write_end.get();
    auto data = lab::make_pipe();
    lab::loopback_listener listener;
    if (call == "accept") listener = lab::listen_on_loopback(1);
    const std::string flags = lab::describe_flags(installed.sa_flags);
    lab::stage(
        "the kernel holds sa_flags = {flags}; a child will signal the parent once it is "
        "blocked in {call}",
        {{"flags", flags}, {"call", call}});
    // --step: predict (before the fork: the child signals as soon as the parent blocks).
    lab::ask(question, {{"call", call}, {"flags", flags}});
    const pid_t parent = ::getpid();
    const pid_t child = lab::fork_as("child");
    if (child == 0) {  // child
      data.read_end.reset();
      handler_ran.write_end.reset();
      listener.socket.reset();
      const std::string wchan = lab::watch_until_blocked(parent, call, hold);
      lab::say("kill", "sends {signal} to the parent {target}, blocked in {wchan}",
               {{"target", parent}, {"signal", "SIGUSR1"}, {"wchan", wchan}});
      lab::check(::kill(parent, SIGUSR1), "kill");
      // The handler has run: the call has failed with EINTR, or will be restarted.
      char byte;  // only now comes what the call waits for
      if (lab::read_some(handler_ran.read_end.get(), {&byte, 1}) != 1) ::_exit(1);
      if (call == "read") {
        lab::write_all(data.write_end.get(), "hello\n");
        lab::say("write", "wrote {bytes} bytes to the pipe", {{"bytes", 6}});
      } else if (call == "accept") {
        lab::connect_on_loopback(listener.port);
      }
      ::_exit(0);
    }
    // parent
    data.write_end.reset();
    handler_ran.read_end.reset();
    bool as_designed = false;
    if (call == "sleep") {
      lab::say("step", "calling sleep({asked})", {{"asked", sleep_seconds.count()}});
      const auto start = std::chrono::steady_clock::now();
      const unsigned left = ::sleep(static_cast<unsigned>(sleep_seconds.count()));
      lab::say_woke(sleep_seconds, start, left);
      lab::say_call_result(call, 1, {static_cast<long>(left), 0, "", ""}, false, action);
      // The premise: the signal came while sleep() still slept (not after a short --sleep).
      lab::reveal(question,
                  handled == 1 ? (left > 0 ? "early" : "restarted") : std::to_string(left),
                  {handled == 1, "sleep() had ended before the signal came"});
      as_designed = left > 0;
    }
    for (int attempt = 1; call != "sleep"; ++attempt) {
      // No stage() here: a pause would block the parent while the child watches it.
      lab::say("step", "calling {call} (attempt {attempt})",
               {{"attempt", attempt}, {"call", call}});
      const auto got =
          lab::call_once(call, call == "read" ? data.read_end.get() : listener.socket.get());
      const bool restarted = got.result >= 0 && attempt == 1 && handled == 1;
      lab::say_call_result(call, attempt, got, restarted, action);
      if (attempt == 1)
        lab::reveal(question, got.error == EINTR ? "EINTR"
                                         : got.result >= 0  ? "restarted"
                                                            : lab::errno_name(got.error));
      if (got.error != EINTR) {
        as_designed = got.result > 0;
        break;
      }
    }

    const int status = lab::reap_child(child);  // EINTR (a late SIGUSR1) retried
    return as_designed && status == 0 ? 0 : 1;
  });
}
