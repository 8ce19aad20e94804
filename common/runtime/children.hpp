// children: what a lab does with its children beside its lesson — fork a
// few that exit at once, count the zombies among them, wait until they are
// zombies, reap one, and reap whatever is left at the end, narrating each
// fork and reap. Not async-signal-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <vector>

namespace lab {

// Forks `count` children that exit at once: child i (role "child i") says
// "exiting with {code}" and ends with _exit(i); the parent says "forked child
// {number}: {child}" for each. Returns their pids, in fork order.
std::vector<pid_t> fork_children_that_exit(int count);

// With SIGCHLD blocked: forks `count` children that exit at once
// (fork_children_that_exit), waits until they are all zombies
// (wait_until_zombies), shows the tree, and says how many zombies there are
// and that SIGCHLD is pending once ("pending": exited, signal, pending,
// zombies).
void fork_children_into_zombies(int count);

// How many children of this process are zombies now (state Z in /proc).
int zombie_children();

// Polls /proc until `count` children of this process are zombies; throws if
// they are not within 10 s.
void wait_until_zombies(int count);

// Polls /proc until `pid` has ended (a zombie, or gone) or `timeout` passes;
// returns whether it had. For a process this one cannot wait for (a
// grandchild that init or a subreaper adopted).
bool wait_until_ended(pid_t pid, std::chrono::milliseconds timeout);

// True when every one of `children` is a zombie now (false if one is gone).
bool all_zombies(const std::vector<pid_t>& children);

// waitpid(child) (blocking; EINTR retried), then its "reap" event. Returns the
// raw wait status.
int reap_child(pid_t child);

// Waits (blocking; EINTR retried) for every child this process has left, with a
// "reap" event for each, until waitpid says ECHILD. True when each exited 0.
bool reap_every_child();

}  // namespace lab
