// lab14-orphan — the parent exits first: who adopts its child?
//
// An orphan gets a new parent at once: the nearest ancestor that declared
// itself a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)), else init (pid 1
// of its pid namespace), which reaps it — why lab02's zombies vanish with lab02.
// The lab forks a parent, which forks a child; the child reports getppid(),
// the parent exits first, and the child reports again. With --subreaper the
// lab adopts the orphan and reaps it; without, it goes to whoever is above.
// Watch for: the child's "ppid" lines before and after, the "state" lines, and
// (with --subreaper) the lab reaping a process it never forked.
//
// Usage: lab14-orphan [--subreaper] [--hold S] [--json] [--step]
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "runtime/children.hpp"
#include "lab.hpp"
#include "os/cues.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab14.adopter",
    "The parent exits first. Who will be the child's parent then?",
    {{{"gone", "nobody: the child ends with its parent"},
      {"init", "init, or the nearest subreaper above the lab"},
      {"lab", "the lab, its grandparent"}}},
    "an orphan gets a new parent at once: the nearest ancestor that called "
    "prctl(PR_SET_CHILD_SUBREAPER) (the lab, with --subreaper), else init."};
static_assert(lab::well_formed(question));

namespace {

using namespace std::chrono_literals;

// The child says what getppid() returns now, and what /proc calls that process.
void report_parent(bool before) {
  const pid_t ppid = ::getppid();
  const auto info = lab::read_proc(ppid);
  lab::say(
      "ppid",
      before ? "before the parent exits, getppid() = {ppid} ({comm})"
             : "after the parent exits, getppid() = {ppid} ({comm})",
      {{"ppid", ppid}, {"comm", info ? info->comm : "?"}, {"moment", before ? "before" : "after"}});
}

// The orphan-to-be: reports its parent, tells the lab its pid, then obeys the
// lab: a byte = look again, end of file = end. Only the lab holds the write end
// of `from_lab`, so however the lab ends, this process ends with it.
[[noreturn]] void be_child(const lab::unique_fd& to_lab, const lab::unique_fd& from_lab) {
  report_parent(true);
  lab::send_pid(to_lab.get(), ::getpid());
  if (lab::wait_cue(from_lab.get())) {
    report_parent(false);
    lab::send_cue(to_lab.get());
    lab::wait_for_eof(from_lab.get());
  }
  ::_exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab14-orphan",
                        "The parent exits before its child: the orphan is re-parented to the "
                        "nearest child subreaper or to init, which then reaps it. With "
                        "--subreaper the lab itself adopts and reaps its orphaned grandchild.");
  bool subreaper = false;
  lab::seconds hold{10};
  cli.flag("--subreaper", subreaper,
           "the lab calls prctl(PR_SET_CHILD_SUBREAPER): the orphan comes to the lab");
  cli.option("--hold", hold, "after the parent's exit, time to look at the orphan with ps", 0,
             3600);
  cli.epilogue("Watch for: the child's parent pid before and after its parent exits.");
  return cli.run(argc, argv, [&] {
    lab::set_role("grandparent");
    if (subreaper) lab::check(::prctl(PR_SET_CHILD_SUBREAPER, 1), "prctl");
    lab::stage(subreaper ? "the lab is a child subreaper: orphans below it come back to it"
                         : "the lab is no subreaper: orphans below it go to init or to the "
                           "nearest subreaper above the lab");
    auto to_lab = lab::make_pipe();     // child -> lab: its pid, then "looked again"
    auto to_parent = lab::make_pipe();  // lab -> parent: end of file = exit now
    auto to_child = lab::make_pipe();   // lab -> child: a byte = look again, end of file = end

    const pid_t parent = lab::fork_as("parent");
    if (parent == 0) {  // child: the middle generation, "parent"
      to_lab.read_end.reset();
      to_parent.write_end.reset();
      to_child.write_end.reset();  // before the next fork: the lab's copy must be the only one
      // Surviving its parent is this child's whole point: fork_as must not ask
      // the kernel to kill it when its parent dies. It ends at end of file on
      // to_child instead, which only the lab can cause.
      const pid_t child = lab::fork_as("child", lab::if_parent_dies::child_lives_on);
      if (child == 0) {  // child: the orphan-to-be
        to_parent.read_end.reset();
        be_child(to_lab.write_end, to_child.read_end);
      }
      // parent
      to_lab.write_end.reset();
      to_child.read_end.reset();
      lab::say("fork", "forked child {child}", {{"child", child}});
      char byte = 0;
      while (lab::read_some(to_parent.read_end.get(), {&byte, 1}) == 1) {
      }
      lab::say("exit", "exits first, without waiting for child {child}", {{"child", child}});
      ::_exit(0);
    }
    // parent: the lab, grandparent of the orphan-to-be
    to_lab.write_end.reset();
    to_parent.read_end.reset();
    to_child.read_end.reset();
    lab::say("fork", "forked parent {child}", {{"child", parent}});
    const pid_t child = lab::receive_pid(to_lab.read_end.get());
    if (child == 0) throw std::runtime_error("the child ended before it reported");
    lab::name_process(child, "child");
    lab::say_state(child);
    lab::stage("three generations: lab, parent, child; now the parent exits first");
    lab::ask(question);  // --step: predict the orphan's new parent
    // The parent exits only on our cue, the child only on ours: a slow answer
    // changes nothing. The premise, checked all the same: the child lives.
    const auto before = lab::read_proc(child);
    const bool premise_held = before && before->state != 'Z' && before->ppid == parent;

    to_parent.write_end.reset();  // the parent's cue to exit
    bool failed = lab::reap_child(parent) != 0;
    // The kernel re-parents the orphan before its old parent can be reaped:
    // once waitpid has returned, /proc shows the new parent.
    lab::say_state(child);
    const auto orphan = lab::read_proc(child);
    const char* adopter = !orphan ? "gone" : orphan->ppid == ::getpid() ? "lab" : "init";
    lab::reveal(question, adopter,
                {premise_held, "the child was no longer the parent's when it exited"});
    lab::show_tree(subreaper ? "the orphan is the lab's child now:"
                             : "the orphan has left the lab's tree:");
    lab::stage("the parent is gone; the child is an orphan with a new parent");
    if (hold > 0s) {
      lab::say("sleep", "holding {seconds} s: try  ps -o pid,ppid,stat,cmd -p {child}",
               {{"seconds", hold.count()}, {"child", child}});
      std::this_thread::sleep_for(hold);
    }

    lab::send_cue(to_child.write_end.get());  // look again
    if (!lab::wait_cue(to_lab.read_end.get()))
      throw std::runtime_error("the child ended before it looked again");
    to_child.write_end.reset();  // end of file: the child ends
    if (subreaper) {
      failed = lab::reap_child(child) != 0 || failed;  // a grandchild, reaped by the lab
    } else {
      // End of file: the child is exiting; its new parent reaps it, not the lab.
      lab::wait_for_eof(to_lab.read_end.get());
      lab::wait_until_ended(child, 5s);
      lab::say_state(child);
    }
    lab::stage(subreaper ? "the lab reaped a grandchild it never forked"
                         : "the orphan ended; its new parent, not the lab, reaps it");
    return failed ? 1 : 0;
  });
}
