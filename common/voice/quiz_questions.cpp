// The quiz's questions, one per lab, in English and Chinese (see quiz.hpp).
// Each is asked just before the moment of its lab that answers it; a choice's
// `when` is the value of the real run that makes it right. Placeholders
// ({children}) stay as they are in both languages; identifiers, system calls
// and signal names stay untranslated. Terms follow the course: 进程, 子进程,
// 父进程, 僵尸进程, 回收, 信号处理函数, 文件描述符, 套接字.
#include "voice/quiz.hpp"

namespace lab {
namespace {

constexpr quiz_question questions[] = {
    {"lab01.global",
     "After fork the child adds 2 to the global (now 10) and the parent subtracts 2. What will "
     "the child print for the global?",
     "fork 之后，子进程给全局变量（现在是 10）加 2，父进程减 2。子进程会打印出全局变量的什么值？",
     {{{"12", "12: the child changed its own copy", "12：子进程改的是它自己的副本"},
       {"10", "10: the two changes cancel out in the one shared variable",
        "10：两边改的是同一个变量，加减互相抵消"},
       {"race", "it depends on which process runs first", "取决于哪个进程先运行"}}},
     "fork gave the child a copy of all the parent's memory: the child changed its own global "
     "(10 + 2 = {actual}), and the parent's -2 only the parent's copy, though both print the "
     "same virtual address.",
     "fork 给了子进程一份父进程全部内存的副本：子进程改的是自己的全局变量（10 + 2 = "
     "{actual}），父进程的 -2 只改了父进程那一份，尽管两边打印的虚拟地址相同。"},

    {"lab02.state",
     "Each child exits at once, and the parent never calls wait(). While the parent sleeps, what "
     "does /proc say of the children?",
     "每个子进程都立刻退出，而父进程从不调用 wait()。父进程睡眠期间，/proc "
     "里这些子进程是什么状态？",
     {{{"-", "nothing: an exited process is gone at once", "什么都没有：进程一退出就消失了"},
       {"Z", "state Z, zombies (<defunct> in ps)", "Z 状态，僵尸进程（ps 显示 <defunct>）"},
       {"S", "state S: they sleep until their parent exits first",
        "S 状态：它们睡眠，等父进程先退出"}}},
     "the kernel keeps a dead child's pid and exit status (state {actual}) until its parent "
     "collects them with wait(), and this parent never does.",
     "内核会保留已死子进程的 pid 和退出状态（状态 {actual}），直到父进程用 wait() 取走，"
     "而这个父进程从不去取。"},

    {"lab03.extra_wait",
     "Every child has been reaped. What will one more wait() do?",
     "所有子进程都已回收。再调用一次 wait() 会怎样？",
     {{{"block", "block until some child ends", "阻塞，直到有子进程结束"},
       {"0", "return 0: there is nothing to report", "返回 0：没有什么可报告的"},
       {"ECHILD", "return -1 at once, errno ECHILD", "立刻返回 -1，errno 为 ECHILD"}}},
     "wait() blocks only while the caller has children not yet reaped; with none left it fails "
     "at once ({actual}), which is how a reaping loop knows it is done.",
     "只有当调用者还有未回收的子进程时 wait() 才会阻塞；一个都不剩时它立刻失败（{actual}），"
     "回收循环正是靠这一点知道已经收完。"},

    {"lab04.wnohang",
     "The child has not exited yet. What will waitpid(child, &status, WNOHANG) return?",
     "子进程还没有退出。waitpid(child, &status, WNOHANG) 会返回什么？",
     {{{"pid", "the child's pid, once it has waited for the child to end",
        "等子进程结束之后，返回它的 pid"},
       {"0", "0, at once: the child has not ended yet", "立刻返回 0：子进程还没有结束"},
       {"-1", "-1, with errno EAGAIN", "-1，errno 为 EAGAIN"}}},
     "WNOHANG tells waitpid() never to block: it returns 0 while the child runs and the child's "
     "pid once it has ended, so the parent can do its own work between two calls.",
     "WNOHANG 让 waitpid() 绝不阻塞：子进程还在运行时返回 0，结束之后返回它的 pid，"
     "于是父进程可以在两次调用之间做自己的事。"},

    {"lab05.sleep_left",
     "alarm({alarm}) is set, then sleep({sleep}) begins. What will sleep() return once SIGALRM's "
     "handler has run?",
     "设置了 alarm({alarm})，接着开始 sleep({sleep})。SIGALRM 的信号处理函数运行之后，sleep() "
     "会返回什么？",
     {{{"0", "0: it goes back to sleep and finishes", "0：它会接着睡完"},
       {"1+", "the seconds it did not sleep", "没有睡完的秒数"},
       {"-1", "-1, with errno EINTR", "-1，errno 为 EINTR"}}},
     "to run the handler the kernel wakes the process, and sleep() is never restarted: it returns "
     "the seconds still left ({actual} here).",
     "为了运行信号处理函数，内核会唤醒进程，而 sleep() 从不重启：它返回还剩下的秒数"
     "（这次是 {actual}）。"},

    {"lab06.oldact",
     "signal() installed the SIGALRM handler. What will sigaction() hand back in oldact?",
     "SIGALRM 的信号处理函数是用 signal() 装上的。sigaction() 会在 oldact 里交回什么？",
     {{{"SIG_DFL", "SIG_DFL: sigaction() does not see what signal() did",
        "SIG_DFL：sigaction() 看不到 signal() 做过的事"},
       {"same", "the very handler signal() installed, with its flags",
        "正是 signal() 装上的那个处理函数，连同它的标志"},
       {"SIG_IGN", "SIG_IGN", "SIG_IGN"}}},
     "signal() and sigaction() both set the one action the kernel keeps for each signal, so "
     "oldact reads back exactly what signal() installed, SA_RESTART included.",
     "signal() 和 sigaction() 设置的都是内核为每个信号保存的同一个动作，所以 oldact 读回的"
     "正是 signal() 装上的东西，包括 SA_RESTART。"},

    {"lab07.sleep_cut",
     "A child will end while the parent is in sleep({interval}). What happens to that sleep?",
     "子进程会在父进程 sleep({interval}) 期间结束。这次睡眠会怎样？",
     {{{"full", "nothing: the handler runs, and the sleep goes on to its end",
        "没有影响：信号处理函数运行完，睡眠继续到底"},
       {"cut", "it ends early: sleep() returns once the SIGCHLD handler has run",
        "提前结束：SIGCHLD 的信号处理函数运行后 sleep() 就返回"},
       {"killed", "the parent dies: that is SIGCHLD's default action",
        "父进程被杀死：这是 SIGCHLD 的默认动作"}}},
     "the kernel wakes the sleeping parent to run its SIGCHLD handler, and sleep() does not go "
     "back to sleep afterwards: it returns early, which is why the parent sleeps in rounds.",
     "内核唤醒睡眠中的父进程来运行 SIGCHLD 的信号处理函数，之后 sleep() 不会再接着睡："
     "它提前返回，所以父进程要分几轮睡眠。"},

    {"lab08.served_child",
     "A client connects, is echoed and closes; the child that served it exits. What becomes of "
     "that child?",
     "一个客户端连上来，得到回声后关闭；为它服务的子进程随即退出。这个子进程会怎样？",
     {{{"Z", "it stays a zombie until the server exits", "它一直是僵尸进程，直到服务器退出"},
       {"gone", "the server reaps it at once: it is gone from /proc",
        "服务器立刻回收它：它从 /proc 里消失"},
       {"init", "init adopts it and reaps it", "init 收养并回收它"}}},
     "its exit raises SIGCHLD, and the handler calls waitpid(-1, &status, WNOHANG) until it "
     "returns 0 or -1, so no zombie stays.",
     "它的退出引发 SIGCHLD，信号处理函数反复调用 waitpid(-1, &status, WNOHANG)，直到返回 0 或 "
     "-1，所以不会留下僵尸进程。"},

    {"lab09.eof",
     "At the end of input the writer calls {call}; the reader still holds the same socket. Will "
     "the reader get end of file from the server?",
     "输入结束时 writer 调用 {call}；reader 仍然持有同一个套接字。reader 会从服务器收到文件结束"
     "（EOF）吗？",
     {{{"yes", "yes: the server sees end of file, echoes the rest and closes",
        "会：服务器看到 EOF，把剩下的回声完就关闭"},
       {"no", "no: the connection stays open, and the reader waits",
        "不会：连接仍然打开，reader 一直等"}}},
     "shutdown(SHUT_WR) ends the connection's sending direction for every process that holds it, "
     "while close() drops only this process's descriptor, and the reader's copy keeps the "
     "connection open.",
     "shutdown(SHUT_WR) 关闭的是连接本身的发送方向，对所有持有它的进程都生效；close() "
     "只去掉本进程的文件描述符，reader 那一份让连接继续打开。"},

    {"lab10.zombies",
     "{children} children exit while SIGCHLD is blocked; then SIGCHLD is unblocked and the "
     "handler (--reaper {reaper}) runs. How many zombies will be left?",
     "SIGCHLD 被阻塞期间有 {children} 个子进程退出；随后解除阻塞，信号处理函数（--reaper "
     "{reaper}）运行。会剩下几个僵尸进程？",
     {{{"0", "none", "一个也没有"}, {"1", "one", "一个"}, {"2+", "more than one", "不止一个"}}},
     "a blocked standard signal is one pending bit, so {children} exits made the handler run "
     "once: reaping one child per run leaves the others as zombies, reaping in a loop leaves "
     "none ({actual} here).",
     "被阻塞的标准信号只是一个待处理位，{children} 次退出只让信号处理函数运行一次：每次只回收"
     "一个会把其余的留作僵尸进程，循环回收则一个不留（这次剩 {actual} 个）。"},

    {"lab11.interrupted",
     "SIGUSR1's handler will run while the parent is blocked in {call} (sa_flags {flags}). What "
     "will {call} do?",
     "父进程阻塞在 {call} 中时，SIGUSR1 的信号处理函数将会运行（sa_flags 为 {flags}）。{call} "
     "会怎样？",
     {{{"EINTR", "fail: -1 with errno EINTR", "失败：返回 -1，errno 为 EINTR"},
       {"restarted", "carry on as if nothing had happened (restarted)",
        "像什么都没发生一样继续（被重启）"},
       {"early", "return early, with the time left", "提前返回剩余的时间"}}},
     "after a handler the kernel restarts a slow call only when the handler was installed with "
     "SA_RESTART, and sleep() never: it returns early instead.",
     "信号处理函数返回后，只有安装时带了 SA_RESTART，内核才会重启慢速系统调用；sleep() "
     "则从不重启，而是提前返回。"},

    {"lab12.eof",
     "Next the child closes its copy of the connected socket and exits. Will the client see end "
     "of file?",
     "接下来子进程关闭它那一份已连接套接字并退出。客户端会看到文件结束（EOF）吗？",
     {{{"eof", "yes, at once", "会，立刻看到"},
       {"wait", "no: it waits, the connection is still open", "不会：它一直等，连接仍然打开"}}},
     "a connection closes only with the last descriptor for it, and fork gave the parent one "
     "too: closed in the parent, the child's close is the last; kept (--leak), it is not.",
     "连接只在指向它的最后一个文件描述符关闭时才关闭，而 fork 也给了父进程一个：父进程关掉了它，"
     "子进程的 close 就是最后一个；父进程留着它（--leak），就不是。"},

    {"lab13.pipe_count",
     "With stdout a pipe, how many times will the pre-fork line come out?",
     "当标准输出是管道时，fork 之前写的那一行会出现几次？",
     {{{"0", "not at all", "一次也不出现"}, {"1", "once", "一次"}, {"2+", "twice", "两次"}}},
     "into a pipe stdio flushes only when its buffer is full or at exit(), so a line still "
     "buffered at fork is copied with the child's memory and printed by each exit() that "
     "flushes it ({actual} here).",
     "写入管道时 stdio 只在缓冲区满或 exit() 时才刷新，所以 fork 时还在缓冲区里的那一行会随内存"
     "复制给子进程，每个刷新它的 exit() 都会打印一次（这次 {actual} 次）。"},

    {"lab14.adopter",
     "The parent exits first. Who will be the child's parent then?",
     "父进程先退出。之后谁是子进程的父进程？",
     {{{"gone", "nobody: the child ends with its parent", "没有：子进程随父进程一起结束"},
       {"init", "init, or the nearest subreaper above the lab",
        "init，或者 lab 之上最近的 subreaper"},
       {"lab", "the lab, its grandparent", "lab，它的祖父进程"}}},
     "an orphan gets a new parent at once: the nearest ancestor that called "
     "prctl(PR_SET_CHILD_SUBREAPER) (the lab, with --subreaper), else init.",
     "孤儿进程会立刻得到新的父进程：最近的调用过 prctl(PR_SET_CHILD_SUBREAPER) 的祖先"
     "（带 --subreaper 时就是 lab），否则是 init。"},

    {"lab15.writer_end",
     "The peer will reset the connection, and the writer will write to it twice more (--mode "
     "{mode}). How will the writer end?",
     "对端将重置连接，而 writer 还会再写两次（--mode {mode}）。writer 会怎样结束？",
     {{{"killed", "killed by SIGPIPE, without a word", "被 SIGPIPE 杀死，一声不吭"},
       {"exited", "it reports EPIPE itself and exits 0", "它自己报告 EPIPE，然后以 0 退出"},
       {"blocked", "it blocks in write() for ever", "永远阻塞在 write() 里"}}},
     "writing to a connection the peer has reset raises SIGPIPE, whose default action kills "
     "silently; ignored (SIG_IGN) or avoided (MSG_NOSIGNAL), the same write just fails with "
     "EPIPE.",
     "向已被对端重置的连接写数据会引发 SIGPIPE，它的默认动作是悄无声息地杀死进程；忽略它"
     "（SIG_IGN）或避开它（MSG_NOSIGNAL）时，同样的写操作只是以 EPIPE 失败。"},

    {"lab16.deliveries",
     "{children} children exited while SIGCHLD was blocked. How many SIGCHLD will the loop read "
     "from its {via}?",
     "SIGCHLD 被阻塞期间有 {children} 个子进程退出。循环会从它的 {via} 读到几个 SIGCHLD？",
     {{{"0", "none: a blocked signal is lost", "一个也没有：被阻塞的信号丢失了"},
       {"1", "one: a pending signal is one bit", "一个：待处理信号只是一个位"},
       {"2+", "one per child", "每个子进程一个"}}},
     "a standard signal pends as one bit however often it is sent, so the loop learns of SIGCHLD "
     "{actual} time(s) and must reap with waitpid(WNOHANG) until none is left.",
     "标准信号无论发送多少次都只挂起为一个位，所以循环只得知 {actual} 次 SIGCHLD，"
     "必须用 waitpid(WNOHANG) 一直回收到一个不剩。"},
};

constexpr quiz_words english_words = {
    "predict: {question}",
    "type {first}-{last} and Enter (Enter alone skips the question)",
    "right: {right_choice}\nWhy: {why}",
    "you chose {chosen_choice}; the run says {right_choice}\nWhy: {why}",
    "the run says {right_choice}\nWhy: {why}",
    "the run gave {actual}, none of the choices\nWhy: {why}",
    "not marked: the question's premise no longer held ({what_changed}); the run gave "
    "{actual}",
};

constexpr quiz_words chinese_words = {
    "先预测：{question}",
    "输入 {first}-{last} 后回车（直接回车跳过此题）",
    "答对了：{right_choice}\n原因：{why}",
    "你选的是 {chosen_choice}；实际运行是 {right_choice}\n原因：{why}",
    "实际运行是 {right_choice}\n原因：{why}",
    "实际运行得到 {actual}，不在选项之中\n原因：{why}",
    "不评分：题目的前提已经不成立（{what_changed}）；实际运行得到 {actual}",
};

}  // namespace

std::span<const quiz_question> quiz_questions() {
  return questions;
}

const quiz_words& quiz_words_in(std::string_view lang) {
  return lang == "zh" ? chinese_words : english_words;
}

}  // namespace lab
