// lab10-coalesce — standard signals do not queue: N children exit, one SIGCHLD.
//
// A pending standard signal is one bit, not a counter. The course's handler
// calls waitpid() once per SIGCHLD, as if one signal meant one child. Here the
// parent blocks SIGCHLD, forks N children that exit at once, waits (in /proc)
// until all N are zombies, then unblocks SIGCHLD: the handler runs once.
// --reaper once reaps 1 child and leaves N-1 zombies; --reaper loop
// (waitpid(-1, WNOHANG) until it returns 0, as Stevens' sig_chld) reaps all N.
// At the end the parent reaps whatever is left.
// Watch for: "pending" (one bit), one "signal" line, the zombies left (STAT Z).
//
// Usage: lab10-coalesce [--children N] [--reaper once|loop] [--hold S] [--json] [--step]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "runtime/children.hpp"
#include "lab.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab10.zombies",
    "{children} children exit while SIGCHLD is blocked; then SIGCHLD is unblocked and the handler "
    "(--reaper {reaper}) runs. How many zombies will be left?",
    {{{"0", "none"},
      {"1", "one"},
      {"2+", "more than one"}}},
    "a blocked standard signal is one pending bit, so {children} exits made the handler run once: "
    "reaping one child per run leaves the others as zombies, reaping in a loop leaves none "
    "({actual} here)."};
static_assert(lab::well_formed(question));

namespace {

constexpr int max_children = 64;

volatile sig_atomic_t deliveries = 0, reaped = 0;  // handler runs; children it reaped
// Filled by the handler; main reads them only after the handler has returned.
volatile sig_atomic_t reaped_child[max_children];
volatile sig_atomic_t reaped_status[max_children];

// One waitpid(-1, WNOHANG): true if it reaped a child. Async-signal-safe.
bool reap_one() {
  int status = 0;
  const pid_t child = ::waitpid(-1, &status, WNOHANG);
  if (child <= 0) return false;  // 0: no exited child left; -1: no children at all
  reaped_child[reaped] = child;
  reaped_status[reaped] = status;
  reaped = reaped + 1;
  return true;
}

void announce_delivery(int reaped_now) {
  lab::signal_say("signal", "SIGCHLD handler runs (delivery {delivery}): reaped {reaped_now}",
                  {{"signo", SIGCHLD}, {"delivery", deliveries}, {"reaped_now", reaped_now}});
}

// The course's handler: one waitpid per SIGCHLD.
void reap_once(int) {
  const int saved_errno = errno;
  deliveries = deliveries + 1;
  announce_delivery(reap_one() ? 1 : 0);
  errno = saved_errno;
}

// The right way: one SIGCHLD may stand for many children; reap until none is left.
void reap_loop(int) {
  const int saved_errno = errno;
  deliveries = deliveries + 1;
  int reaped_now = 0;
  while (reap_one()) ++reaped_now;
  announce_delivery(reaped_now);
  errno = saved_errno;
}

}  // namespace

int main(int argc, char** argv) {
  int children = 5;
  std::string reaper = "loop";
  lab::seconds hold{10};
  lab::command_line cli("lab10-coalesce",
                        "Standard signals do not queue: N children exit while SIGCHLD is blocked, "
                        "the handler runs once, and a handler that reaps one child per signal "
                        "leaves N-1 zombies.");
  cli.option("--children", children, "how many children exit at once", 1, max_children);
  cli.choice("--reaper", reaper,
             "once: the course's handler, one waitpid per SIGCHLD (the wrong way, leaves "
             "zombies); loop: waitpid(-1, WNOHANG) until none is left (the right way)",
             {"once", "loop"});
  cli.option("--hold", hold, "seconds to hold with the zombies left, to look with ps", 0, 3600);
  return cli.run(argc, argv, [&] {
    lab::install_handler(SIGCHLD, reaper == "once" ? reap_once : reap_loop);
    std::vector<pid_t> forked;
    bool premise_held = false;  // at the answer: every child a zombie, SIGCHLD pending
    {
      const lab::signal_block sigchld_blocked({SIGCHLD});
      lab::stage(children == 1
                     ? "SIGCHLD is blocked; forking {children} child that exits at once"
                     : "SIGCHLD is blocked; forking {children} children that exit at once",
                 {{"children", children}});
      for (int i = 1; i <= children; ++i) {
        const pid_t pid = lab::fork_as("child " + std::to_string(i));
        if (pid == 0) ::_exit(0);  // child: exits at once
        // parent
        lab::say("fork", "forked child {number}: {child}", {{"child", pid}, {"number", i}});
        forked.push_back(pid);
      }
      const auto all_zombies_pending = [&] {
        return lab::all_zombies(forked) && lab::is_pending(SIGCHLD);
      };
      if (!lab::poll_until(all_zombies_pending, std::chrono::seconds(10)))
        throw std::runtime_error("the children did not all exit within 10 s");
      lab::say(
          "pending",
          children == 1 ? "{exited} child exited, {exited} SIGCHLD sent; pending: SIGCHLD = "
                          "{pending} (one bit, not a count)"
                        : "{exited} children exited, {exited} SIGCHLD sent; pending: SIGCHLD "
                          "= {pending} (one bit, not a count)",
          {{"exited", children}, {"signal", "SIGCHLD"}, {"pending", lab::is_pending(SIGCHLD)}});
      lab::show_tree("all children are zombies; SIGCHLD waits, blocked:");
      lab::stage("unblocking SIGCHLD: the pending signal is delivered now, once");
      lab::ask(question, {{"children", children}, {"reaper", reaper}});  // --step: predict
      // SIGCHLD is blocked, so no pause can change this; checked all the same, from /proc.
      premise_held = all_zombies_pending();
    }  // the old mask comes back here, and the handler runs before the call returns

    for (int i = 0; i < reaped; ++i) lab::say_reap(reaped_child[i], reaped_status[i]);
    const int zombies = lab::zombie_children();
    lab::say("result",
             "children exited: {exited}; SIGCHLD deliveries: {deliveries}; reaped by the "
             "handler: {reaped}; zombies left: {zombies}",
             {{"reaper", reaper},
              {"exited", children},
              {"deliveries", deliveries},
              {"reaped", reaped},
              {"zombies", zombies}});
    lab::reveal(question, zombies,  // counted in /proc
        {premise_held, "the children were not all zombies with SIGCHLD pending at the answer"});
    lab::show_tree(zombies > 0 ? "the zombies the handler left:" : "no zombie left:");
    lab::stage("holding {seconds} s: look with ps (the STAT column)", {{"seconds", hold.count()}});
    std::this_thread::sleep_for(hold);

    lab::stage("the parent reaps whatever the handler left");
    bool all_fine = true;
    for (int i = 0; i < reaped; ++i) all_fine = all_fine && reaped_status[i] == 0;
    return lab::reap_every_child() && all_fine ? 0 : 1;
  });
}
