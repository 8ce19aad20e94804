// lab02-zombie — a child that exits un-waited becomes a zombie.
//
// When a process exits, the kernel frees its memory and descriptors but keeps
// a small record — pid, exit status, resource usage — until the parent collects
// it with wait() or waitpid(). Until then the dead child is a zombie: state Z in
// /proc, "<defunct>" in ps. Here every child exits at once and the parent never
// waits: the children stay zombies for as long as the parent lives. When the
// parent exits, its zombies pass to init (or the nearest subreaper), which
// reaps them.
//
// Watch for: the "state" lines (state Z, parent = the lab) and the tree while
// the parent holds; try the ps command below in another terminal meanwhile
// (at a terminal, Enter ends the hold). The book's zombie.c: the child returns
// 0 from main, the parent prints its pid and sleeps 30 s.
//
// Usage: lab02-zombie [--children N] [--hold S] [--json] [--step]
//        ps -o pid,ppid,stat,cmd --ppid <parent pid>     (shows <defunct>)
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "runtime/hold.hpp"
#include "lab.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab02.state",
    "Each child exits at once, and the parent never calls wait(). While the parent sleeps, what "
    "does /proc say of the children?",
    {{{"-", "nothing: an exited process is gone at once"},
      {"Z", "state Z, zombies (<defunct> in ps)"},
      {"S", "state S: they sleep until their parent exits first"}}},
    "the kernel keeps a dead child's pid and exit status (state {actual}) until its parent "
    "collects them with wait(), and this parent never does."};
static_assert(lab::well_formed(question));

namespace {

using namespace std::chrono_literals;

// Children exit at once; 10 s is far more than any machine needs to run them.
constexpr auto zombie_deadline = 10s;

std::string child_role(int index, int count) {
  return count == 1 ? "child" : "child " + std::to_string(index);
}

bool is_zombie(pid_t pid) {
  const auto info = lab::read_proc(pid);
  return info && info->state == 'Z';
}

}  // namespace

int main(int argc, char** argv) {
  int children = 1;
  lab::seconds hold{30};
  lab::command_line cli("lab02-zombie",
                        "A child that exits while its parent does not wait for it becomes a "
                        "zombie (state Z, <defunct>) until the parent reaps it or exits.");
  cli.option("--children", children, "how many children to fork", 1, 100);
  cli.option("--hold", hold,
             "how long the parent keeps its zombies before it exits; at a terminal, Enter ends it",
             0, 86400);
  cli.epilogue("While the parent holds, try:  ps -o pid,ppid,stat,cmd --ppid <parent pid>");
  return cli.run(argc, argv, [&] {
    // An ignored SIGCHLD (it survives exec) makes the kernel reap children at
    // once: there would be no zombie to show. Make sure it has its default.
    lab::install_handler(SIGCHLD, SIG_DFL);
    lab::stage("before fork: one process");
    lab::ask(question);  // --step: predict what /proc will say of the children

    std::vector<pid_t> child_pids;
    for (int i = 1; i <= children; ++i) {
      const pid_t pid = lab::fork_as(child_role(i, children));
      if (pid == 0) {  // child
        lab::say("exit", "child exits at once with status {code}; nobody waits for it",
                 {{"code", 0}});
        ::_exit(0);
      }
      // parent: forks on, never calls wait()
      lab::say("fork", "forked {child_role} {child}",
               {{"child", pid}, {"child_role", child_role(i, children)}});
      child_pids.push_back(pid);
    }

    // The children run on their own schedule: look in /proc until each is dead.
    const bool all_zombies = lab::poll_until(
        [&] {
          for (pid_t pid : child_pids)
            if (!is_zombie(pid)) return false;
          return true;
        },
        zombie_deadline);
    if (!all_zombies) {
      for (pid_t pid : child_pids)
        if (!is_zombie(pid))
          lab::say_error("child {child} was not seen as a zombie within {seconds} s",
                         {{"child", pid}, {"seconds", zombie_deadline.count()}});
      return 1;
    }

    const bool one = children == 1;
    lab::stage(one ? "the child has exited and was not waited for: it is a zombie"
                   : "every child has exited and none was waited for: they are zombies");
    for (pid_t pid : child_pids) lab::say_state(pid);
    // The question's premise: the first child is still this parent's, for /proc to show.
    const auto first_child = lab::read_proc(child_pids.front());
    const std::string seen = first_child ? std::string(1, first_child->state) : "-";
    if (first_child && first_child->ppid == ::getpid())
      lab::reveal(question, seen);
    else
      lab::reveal_unmarked(question, "the first child was no longer this parent's", seen);
    lab::show_tree(one ? "the child is a zombie: state Z, shown by ps as <defunct>"
                       : "the children are zombies: state Z, shown by ps as <defunct>");

    const bool enter = hold.count() > 0 && lab::enter_ends_hold();  // at a terminal: say so
    lab::say(
        "sleep",
        one ? (enter ? "the parent holds {seconds} s and never calls wait(): the zombie "
                       "stays (Enter ends the hold)"
                     : "the parent holds {seconds} s and never calls wait(): the zombie stays")
            : (enter ? "the parent holds {seconds} s and never calls wait(): the zombies "
                       "stay (Enter ends the hold)"
                     : "the parent holds {seconds} s and never calls wait(): the zombies stay"),
        {{"seconds", hold.count()}, {"enter_ends", enter}});
    lab::hold(hold);  // at a terminal, until Enter

    lab::stage("the parent exits without waiting");
    lab::say("exit",
             one ? "parent exits with status {code}: init (or the subreaper) adopts its zombie "
                   "and reaps it"
                 : "parent exits with status {code}: init (or the subreaper) adopts its zombies "
                   "and reaps them",
             {{"code", 0}});
    return 0;
  });
}
