// lab01-fork — fork() returns twice.
//
// fork() copies the calling process. It returns twice: in the parent with the
// child's pid, in the child with 0 — the only way each side knows which it is.
// The copy has its own address space: a global and a local variable changed on
// one side keep their old values on the other, although both sides print the
// very same virtual address for them.
//
// Watch for: the two "fork" lines (pid > 0 and 0), then the two "values" lines:
// same addresses, different values.
//
// Usage: lab01-fork [--json] [--step]
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "lab.hpp"

// The quiz: predict, then observe (asked and revealed below).
constexpr lab::quiz_question question{
    "lab01.global",
    "After fork the child adds 2 to the global (now 10) and the parent subtracts 2. What will the "
    "child print for the global?",
    {{{"12", "12: the child changed its own copy"},
      {"10", "10: the two changes cancel out in the one shared variable"},
      {"race", "it depends on which process runs first"}}},
    "fork gave the child a copy of all the parent's memory: the child changed its own global (10 "
    "+ 2 = {actual}), and the parent's -2 only the parent's copy, though both print the same "
    "virtual address."};
static_assert(lab::well_formed(question));

namespace {

int global_value = 10;  // in the data segment: copied by fork, not shared

void show_values(int local_value) {
  lab::say("values", "global = {global} at {global_address}, local = {local} at {local_address}",
           {{"global", global_value},
            {"global_address", lab::address_text(&global_value)},
            {"local", local_value},
            {"local_address", lab::address_text(&local_value)}});
}

}  // namespace

int main(int argc, char** argv) {
  lab::command_line cli("lab01-fork", "fork() returns twice: the child's pid in the parent, 0 in the child; "
                        "after it, parent and child change their own copies of the same variables.");
  return cli.run(argc, argv, [] {
    int local_value = 20;  // on the stack: copied too
    lab::stage("before fork: one process");
    show_values(local_value);
    lab::ask(question);  // --step: predict the child's global

    const pid_t pid = lab::fork_as("child");
    if (pid == 0) {  // child
      lab::say("fork", "fork() returned {returned} in the child", {{"returned", pid}});
      const int inherited = global_value;  // the question's premise: 10 before the child adds
      global_value += 2;
      local_value += 2;
      show_values(local_value);
      if (inherited == 10)
        lab::reveal(question, global_value);  // what this child really holds
      else
        lab::reveal_unmarked(question, "the child's global was not 10 after fork",
                             std::to_string(global_value));
      ::_exit(0);
    }
    // parent
    lab::say("fork", "fork() returned {returned} in the parent: the child's pid",
             {{"returned", pid}});
    global_value -= 2;
    local_value -= 2;
    show_values(local_value);
    lab::stage("after fork: two processes, two copies of the variables");

    int status = 0;
    lab::check(::waitpid(pid, &status, 0), "waitpid");
    lab::say_reap(pid, status);
    return status == 0 ? 0 : 1;
  });
}
