// The English catalogue: every message id. An id is the English template
// exactly as a lab or common/ passes it to the narrator ("forked child
// {child}"), or a display word common/ or a lab puts into a text through a
// field ("sleeping (interruptible)"), or a value pattern ("exited {code}").
// messages_zh.cpp holds the same ids; tests/unit/catalog.cpp checks that
// every template in labs/ and common/ is here.
#include "voice/catalog.hpp"

namespace lab {
namespace {

constexpr std::string_view english[] = {
    // common/narrator.cpp
    "reaped {child_role} {child}: {status}",
    "{child} no longer exists (reaped)",
    "{child} is in state {state} ({meaning}), parent {ppid}",
    "the processes now:",
    "try in another terminal:  ps -o pid,ppid,pgid,stat,wchan:20,cmd --forest --pid {lab} --ppid "
    "{lab}    (press Enter to go on)",
    "  PID      PPID    ROLE      S WHAT",
    "reaped",
    "(unchanged: the same processes as in the tree above)",
    "caught {signals}",
    "blocked {signals}",
    "pending {signals}",
    "fd {fd} listening {address}",
    "fd {fd} connected {local} <-> {remote}",
    "fd {fd} closing {local} <-> {remote}",
    "+{count} more sockets",

    // common/timeline.cpp
    "what happened, one lane per process:",

    // common/cli.cpp
    "{call}: {errno} ({reason})",
    "{error}",

    // common/proc.cpp: state meanings (display words)
    "running",
    "sleeping (interruptible)",
    "in uninterruptible wait",
    "zombie: exited, waiting to be reaped",
    "stopped by a signal",
    "stopped by a debugger",
    "dead",
    "idle",
    "unknown",

    // common/proc.cpp: what a process waits in (wchan, display words)
    "waiting in wait/waitpid",
    "sleeping",
    "waiting for a signal (pause)",
    "blocked in accept",
    "blocked reading a pipe",
    "blocked writing a pipe",
    "blocked reading a socket or terminal",
    "blocked reading a socket",
    "blocked writing a socket",
    "waiting in poll",
    "waiting in select",
    "waiting in epoll_wait",
    "blocked reading the terminal",
    "waiting on a signalfd",
    "waiting in poll or select",
    "waiting for a signal (sigwait)",

    // common/wait_status.cpp and signals.cpp (display words and value patterns)
    "exited {code}",
    "killed by {signal} (core dumped)",
    "killed by {signal}",
    "stopped by {signal}",
    "continued",
    "default",
    "ignored",
    "handler {address}",

    // roles, as they appear inside a sentence ("reaped {child_role} ...")
    "parent",
    "child",
    "child {number}",
    "grandparent",
    "server",
    "worker",
    "reader",
    "writer",
    "victim",

    // lab01
    "global = {global} at {global_address}, local = {local} at {local_address}",
    "before fork: one process",
    "fork() returned {returned} in the child",
    "fork() returned {returned} in the parent: the child's pid",
    "after fork: two processes, two copies of the variables",
    "the child's global was not 10 after fork",

    // lab02
    "child exits at once with status {code}; nobody waits for it",
    "forked {child_role} {child}",
    "child {child} was not seen as a zombie within {seconds} s",
    "every child has exited and none was waited for: they are zombies",
    "the child has exited and was not waited for: it is a zombie",
    "the first child was no longer this parent's",
    "the children are zombies: state Z, shown by ps as <defunct>",
    "the child is a zombie: state Z, shown by ps as <defunct>",
    "the parent holds {seconds} s and never calls wait(): the zombies stay",
    "the parent holds {seconds} s and never calls wait(): the zombie stays",
    "the parent holds {seconds} s and never calls wait(): the zombies stay (Enter ends the hold)",
    "the parent holds {seconds} s and never calls wait(): the zombie stays (Enter ends the hold)",
    "Enter: the hold ends after {slept} s of {asked} s",
    "the parent exits without waiting",
    "parent exits with status {code}: init (or the subreaper) adopts its zombies and reaps them",
    "parent exits with status {code}: init (or the subreaper) adopts its zombie and reaps it",

    // lab03
    "child returns {code} from its function",
    "forked child 1 {child}: it will return 3",
    "parent {child} was not seen blocked in wait() within 10 s",
    "the parent {child} is blocked in wait() (wchan do_wait) while child 2 still runs",
    "child calls _exit({code})",
    "forked child 2 {child}: it will call _exit(7) once the parent waits",
    "child sleeps in pause() until a signal ends it",
    "forked child 3 {child}: it will be killed",
    "child 3 {child} was not seen sleeping in pause() within 10 s",
    "parent sends {signal} to child 3 {child}",
    "child 1 {child} was not seen as a zombie within 10 s",
    "the parent calls wait() once per child; child 2 is still running",
    "WIFEXITED(status) is true: child {child} exited; WEXITSTATUS(status) = {code}",
    "WIFEXITED(status) is false, WIFSIGNALED(status) is true: child {child} was killed; "
    "WTERMSIG(status) = {code} ({signal})",
    "the parent had a child again",
    "one more wait() returns -1 with {error}: no child is left to wait for",
    "every child reaped: no zombie is left",
    "after wait(): the parent alone, no zombie",

    // lab04
    "child sleeps {seconds} s, then exits with 24",
    "child exits with status {code}",
    "forked child {child}",
    "the parent polls with waitpid(WNOHANG) and works in between",
    "waitpid(WNOHANG) returned {returned}: child {child} has not ended (/proc: state "
    "{child_state}); the parent does its own work for {seconds} s",
    "the child had already ended",
    "child reaped; before that, waitpid() returned 0 once",
    "child reaped; before that, waitpid() returned 0 {polls} times",
    "child {child} did not exit with 24",

    // lab05 / lab06
    "SIGALRM: time out! (alarm {count}) — alarm({alarm}) again",
    "SIGINT: CTRL+C pressed",
    "register the handlers with signal()",
    "alarm(): ask for a SIGALRM, then sleep",
    "alarm({seconds}): SIGALRM due in {seconds} s (alarm() returned {left})",
    "alarm(0) cancels the pending alarm; alarm() returned {left} (seconds it had to go)",
    "the alarm is cancelled: sleep past the moment it was due",
    "SIGALRM came after alarm(0): the alarm was not cancelled",
    "no SIGALRM since alarm(0): still 1 alarm in all",
    "no SIGALRM since alarm(0): still {alarms} alarms in all",
    "SIGINT: press Ctrl+C",
    "press Ctrl+C now: the kernel sends SIGINT, keycontrol() runs instead of the default action "
    "(ending the lab), and this sleep({asked}) ends early",
    "no Ctrl+C came: the sleep ran to its end",
    "this sleep was not ended by SIGALRM alone",
    "done",
    "replace them with sigaction(): oldact holds what was installed before",
    "signal(), one call built twice: strict C11 and _GNU_SOURCE",
    "SIGALRM handler: SIGINT sent, and held back by sa_mask: /proc lists it as pending, keycontrol "
    "has not run. The handler returns now",
    "SIGALRM handler: SIGINT sent, and not held back: /proc does not list it as pending, or "
    "keycontrol has run already",

    // lab07
    "SIGCHLD: a child ended — waitpid() until none is left",
    "removed child {child}; it sent {code} (WEXITSTATUS)",
    "removed child {child}; killed by signal {killed_by}",
    "waitpid failed in the SIGCHLD handler: errno {errno}",
    "Hi! I'm child process: sleeping {sleep} s, then {how}",
    "{how}: I end now",
    "install the SIGCHLD handler with sigaction()",
    "Child proc id: {child}",
    "the parent sleeps in rounds; each SIGCHLD cuts a sleep short",
    "after the rounds: any child left? any zombie?",
    "after the rounds (a zombie would show as Z)",
    "expected both exit codes, 12 and 24, to be collected by the handler",
    "the children end in rounds {round} and {next}: --rounds must be at least {next}",
    "the children start sleeping in {offset} s and {offset_2} s: they end in the middle of rounds "
    "{round} and {next}",
    "no child ended during a sleep",

    // lab08
    "accepted a connection from {peer}",
    "forked child {child} for {peer}; the server closed its copy",
    "the server and its first child:",
    "the child echoes; the server is back in accept",
    "--bind: not a numeric IP address: {address}",
    "listening: connections wait in the backlog until accepted",

    // common/serve.cpp
    "{peer}: {call}: {errno} ({reason})",
    "echoed {bytes} bytes to {peer}",
    "echoed 1 byte to {peer}",
    "closed the connection to {peer}",
    "accept: {errno} ({reason}): trying again every 100 ms",
    "listening on {address} (backlog {backlog}, open-file limit {open_files})",
    "listening on {address} (backlog {backlog}, open-file limit raised from {open_files_before} to "
    "{open_files})",
    "{signal}: stop accepting, end the children, reap them all",
    "stopping",
    "served 1 connection, refused {refused}, reaped 1 child, {failed} failed",
    "served 1 connection, refused {refused}, reaped {reaped} children, {failed} failed",
    "served {connections} connections, refused {refused}, reaped 1 child, {failed} failed",
    "served {connections} connections, refused {refused}, reaped {reaped} children, {failed} "
    "failed",
    "reaped child {child}: exited {code}",
    "reaped child {child}: killed by SIGTERM",
    "reaped child {child}: killed by SIGKILL",
    "reaped child {child}: killed by SIGINT",
    "reaped child {child}: killed by SIGHUP",
    "reaped child {child}: killed by SIGPIPE",
    "reaped child {child}: killed by SIGSEGV",
    "reaped child {child}: killed by signal {signal}",
    "{dropped} lines of narration dropped: nobody read the output in time",

    // common/client.cpp
    "connected to {address} from {local}",
    "connected: one process, one socket; next, fork",
    "connected: one process writes a line, then reads its echo",
    "{mode}: {bytes} bytes sent, {echoed} echoed, in {elapsed} s",
    "the same input: lock-step {lock_step} s, split {split} s (split / lock-step = {ratio})",
    "split",
    "lock-step",
    "no answer: the server sent nothing for {timeout} s while {owed} bytes were owed or its end "
    "of file was awaited (--idle-timeout)",
    "--lock-step, --compare and --close-instead-of-shutdown exclude each other: close() is a "
    "trap of the split client only, and --compare runs both ways",

    // common/client_io.cpp
    "end of input",
    "received {bytes} bytes",
    "end of file from the server after {bytes} bytes echoed",

    // common/split_client.cpp
    "hang: no end of file {timeout} s after the writer's close(), because this process still holds "
    "the socket; shutting down from here",
    "shutdown(SHUT_WR) by the reader: now the server sees end of file",
    "{signal}: ending the writer and reaping it first",
    "the writer has finished; it waits as a zombie until the reader reaps it",

    // common/sleeps.cpp
    "wait... sleep({asked})",
    "woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
    "the parent holds {seconds} s",
    "the parent holds {seconds} s (Enter ends the hold)",

    // common/dispositions.cpp
    "signal({signal}, {function}) returned {old}, the handler it replaced",
    "signal({signal}, {function}) built {build}: sa_flags {flags_text}: {what}",
    "the build's check: under strict -std=c11 <signal.h> does not define struct sigaction; with "
    "-D_POSIX_C_SOURCE=200809L it does",
    "the build's check: struct sigaction under strict -std=c11: {strict_has_sigaction}; with "
    "-D_POSIX_C_SOURCE=200809L: {posix_has_sigaction}",
    "sigaction({signal}, &act, &oldact): oldact holds {old}, sa_flags {old_flags_text}: {what}",
    "sigaction({signal}, &act, &oldact), {blocked} in sa_mask: oldact holds {old}, sa_flags "
    "{old_flags_text}: {what}",
    "a one-shot handler (System V semantics)",
    "a lasting handler that restarts calls (BSD semantics)",
    "a lasting handler, calls not restarted",

    // common/child_checks.cpp
    "child {child} was left a zombie: the handler did not reap it",
    "child {child} outlived the rounds: killing it",
    "child {child} did not end as expected",
    "one more wait() should have failed with ECHILD",

    // lab09
    "{reason}: close() after {bytes} bytes; the reader still holds the socket",
    "{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
    "forked the writer {child}; this process reads",
    "reader and writer share one socket:",
    "the server closed the connection before the input ended: it went away",
    "the server stopped answering, so the run could not show what the writer's call does",
    "the server closed the connection before the writer's call: its end of file did not come "
    "from that call",

    // lab10
    "SIGCHLD handler runs (delivery {delivery}): reaped {reaped_now}",
    "SIGCHLD is blocked; forking {children} children that exit at once",
    "{exited} children exited, {exited} SIGCHLD sent; pending: SIGCHLD = {pending} (one bit, not a "
    "count)",
    "all children are zombies; SIGCHLD waits, blocked:",
    "unblocking SIGCHLD: the pending signal is delivered now, once",
    "children exited: {exited}; SIGCHLD deliveries: {deliveries}; reaped by the handler: "
    "{reaped}; zombies left: {zombies}",
    "SIGCHLD is blocked; forking {children} child that exits at once",
    "{exited} child exited, {exited} SIGCHLD sent; pending: SIGCHLD = {pending} (one bit, not a "
    "count)",
    "the children were not all zombies with SIGCHLD pending at the answer",
    "the zombies the handler left:",
    "no zombie left:",
    "holding {seconds} s: look with ps (the STAT column)",
    "the parent reaps whatever the handler left",
    "the children did not all exit within 10 s",

    // lab11
    "sleep() had ended before the signal came",
    "--sleep must be longer than --hold: the signal comes --hold s after the parent falls asleep",
    "SIGUSR1 handler runs",
    "sends {signal} to the parent {target}, blocked in {wchan}",
    "--restart and --with-signal exclude each other: signal() sets its own flags",
    "signal(SIGUSR1, handler): glibc's signal(), as the course's first programs",
    "sigaction(SIGUSR1) with sa_flags = SA_RESTART",
    "sigaction(SIGUSR1) with sa_flags = 0, as the course sets it",
    "the kernel holds sa_flags = {flags}; a child will signal the parent once it is blocked in "
    "{call}",
    "wrote {bytes} bytes to the pipe",
    "calling sleep({asked})",
    "calling {call} (attempt {attempt})",

    // lab12
    "the child had ended before the answer",
    "part 1: a file, opened again by each side after fork",
    "part 1: a file opened before fork, written by both sides",
    "part 2: a connection served by a child, as in the course's echo server",
    "the child closes its connected socket, fd {fd}",
    "the parent closes its copy of the connected socket, fd {fd}",
    "the parent's descriptors:",
    "the child's descriptors:",
    "the connection {connection} is open in the child only: its close ends the connection",
    "the connection {connection} is open in both: the child's close alone will not end it",
    "the child is gone; the client waits up to {timeout} s for end of file",
    "the client saw end of file after {waited} s",
    "no end of file after {timeout} s: the parent's copy keeps the connection open",
    "the parent closes its copy at last, fd {fd}",
    "with the last descriptor closed, end of file after {waited} s",
    "still no end of file",
    "the child closed the connection before saying hello",

    // lab13
    "no pseudo-terminal can be had here ({reason}): the terminal half is skipped, the pipe half "
    "runs",
    "the victim program failed",
    "victim {child} runs with stdout to a {output}",
    "the victim writes a line with stdio, flushes it, forks; its child ends with {child_exit}()",
    "the victim writes a line with stdio, does not flush, forks; its child ends with "
    "{child_exit}()",
    "duplicated: the child's exit() flushed its copy of a line the parent had buffered - a pipe's "
    "buffer waits for exit, a terminal's for '\\n'",
    "exactly once everywhere: nothing was left in the buffer for fork to copy, or the child "
    "dropped its copy with _exit()",

    // lab14
    "the child was no longer the parent's when it exited",
    "before the parent exits, getppid() = {ppid} ({comm})",
    "after the parent exits, getppid() = {ppid} ({comm})",
    "the lab is a child subreaper: orphans below it come back to it",
    "the lab is no subreaper: orphans below it go to init or to the nearest subreaper above the "
    "lab",
    "exits first, without waiting for child {child}",
    "forked parent {child}",
    "three generations: lab, parent, child; now the parent exits first",
    "the orphan is the lab's child now:",
    "the orphan has left the lab's tree:",
    "the parent is gone; the child is an orphan with a new parent",
    "holding {seconds} s: try  ps -o pid,ppid,stat,cmd -p {child}",
    "the lab reaped a grandchild it never forked",
    "the orphan ended; its new parent, not the lab, reaps it",
    "the child ended before it reported",
    "the child ended before it looked again",

    // lab15
    "the writer ended before its writes after the reset",
    "SIGPIPE: {action} (was {previous})",
    "the RST has arrived; the writer writes as if nothing had happened",
    "the writer writes again: SIGPIPE's default action ends it inside write()",
    "the writer writes again: the call fails, and the writer lives on",
    "the writer saw EPIPE, closes the socket and exits 0",
    "the peer listens on 127.0.0.1; port 0 lets the kernel pick the port",
    "forked the writer {child}",
    "accepted {peer}",
    "read {bytes} bytes from the writer",
    "the peer resets the connection: SO_LINGER {on 1, linger 0}, then close()",
    "close() with linger 0: the kernel sends RST, not FIN",
    "waitid(WNOWAIT): the writer {child} ended: {status}; not reaped yet",
    "the writer has ended and is a zombie until the parent reaps it",
    "the writer is a zombie: its wait status waits for the parent",
    "holding {seconds} s before reaping",
    "the writer died of SIGPIPE without a word: only its wait status tells",
    "the writer survived: it saw EPIPE and reported it itself",
    "the writer closed the connection before writing",

    // lab16
    "waitpid(-1, WNOHANG) = 0: the other children still run",
    "waitpid(-1, WNOHANG) = -1 ECHILD: no child left",
    "a server's shape: a listening socket on 127.0.0.1 (port 0) and a poll loop",
    "SIGCHLD is blocked; fork the children, which exit at once",
    "SIGCHLD is blocked; fork the child, which exits at once",
    "all the children are zombies; SIGCHLD waits, blocked",
    "holding {seconds} s: try ps now",
    "a client connects from {local}; it waits in the backlog for accept",
    "unblock SIGCHLD: the pending signal is delivered now; the handler writes a byte",
    "SIGCHLD handler runs: {deliveries}; children exited: {children}",
    "the poll loop: the listening socket and the signalfd",
    "the poll loop: the listening socket and the self-pipe",
    "accepted {peer}: served by the same loop",
    "the loop has reaped every child; no handler reaped or printed anything",
    "children reaped: {reaped}; SIGCHLD received: {signals}; children left: {left}; calls that "
    "failed with EINTR: {eintr}",
    "not every child was a zombie with SIGCHLD pending at the answer",
    "poll: nothing happened for 10 s",

    // common/blocked_watch.cpp
    "the parent is blocked in {wchan}; SIGUSR1 in {hold} s (look: ps -o pid,stat,wchan:20,cmd -p "
    "{target})",

    // common/call_outcome.cpp
    "sleep() returned early, SA_RESTART or not: it is never restarted",
    "{call} returned -1, errno {error} ({reason}): interrupted, not restarted; so call again",
    "{call} returned -1, errno {error} ({reason})",
    "{call} returned {result} bytes \"{data}\": restarted after the handler, the program never "
    "noticed",
    "{call} returned {result} bytes \"{data}\"",
    "{call} returned fd {result} from {peer}: restarted after the handler, the program never "
    "noticed",
    "{call} returned fd {result} from {peer}",

    // common/capture.cpp
    "execv {path}: {errno}",

    // common/capture_row.cpp
    "{output_column}child {exit_column}fflush before fork  pre-fork line {count} time:{listing}",
    "{output_column}child {exit_column}fflush before fork  pre-fork line {count} times:{listing}",
    "{output_column}child {exit_column}no fflush           pre-fork line {count} time:{listing}",
    "{output_column}child {exit_column}no fflush           pre-fork line {count} times:{listing}",

    // common/children.cpp
    "forked child {number}: {child}",
    "exiting with {code}",
    "the children did not all become zombies within 10 s",
    "every child has exited; none is reaped yet",
    "{zombies} zombies, and SIGCHLD pending: {pending} (once, however many exits)",
    "{zombies} zombie, and SIGCHLD pending: {pending} (once, however many exits)",

    // common/loopback.cpp
    "listening on {address}",
    "connected {local} -> {peer}",
    "listening on 127.0.0.1:{port}",
    "accepted {peer} as fd {fd}",

    // common/records.cpp
    "fd {fd}: \"{record_text}\" written at offset {offset}",
    "the file holds {size} bytes of the {written} written: {parent_records} parent and "
    "{child_records} child records\n{contents}",

    // common/socket_report.cpp
    "write {attempt}: {call} sent {result} bytes",
    "write {attempt}: {call} returned -1, {error} ({reason})",
    "no RST within 10 s (poll: {revents})",
    "poll(): {revents}: the peer's RST has arrived",

    // common/wakeup_report.cpp
    "the loop will poll {what}: fd {fd}",
    "a signalfd for SIGCHLD",
    "the read end of a self-pipe",
    "poll(): ready: {which}",
    "the listening socket",
    "the signalfd",
    "the self-pipe",
    "the listening socket and the signalfd",
    "the listening socket and the self-pipe",
    "read {count} record from the signalfd: SIGCHLD from {sender}",
    "read {count} records from the signalfd: SIGCHLD from {sender}",
    "read {count} byte from the self-pipe",
    "read {count} bytes from the self-pipe",

    // common/os/eof_wait.cpp
    "data instead of EOF",

    // common/os/turns.cpp
    "the other side ended",

    // tests/load/echoiter.cpp (the iterative server the benchmark compares with)
    "listening on {address} port {port}",
    "served {clients} clients, echoed {bytes} bytes",
};

}  // namespace

std::span<const std::string_view> english_messages() {
  return english;
}

}  // namespace lab
