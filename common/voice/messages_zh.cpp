// The Chinese catalogue: each message id (the English template, see
// messages_en.cpp) with its Chinese template. Placeholders ({child}) stay as
// they are; identifiers, system calls and signal names stay untranslated.
// Terms follow the course: 进程, 子进程, 父进程, 僵尸进程, 回收, 信号处理函数,
// 文件描述符, 套接字, 半关闭, 多进程服务器端.
#include "voice/catalog.hpp"

namespace lab {
namespace {

constexpr translation chinese[] = {
    // common/narrator.cpp
    {"reaped {child_role} {child}: {status}", "回收了{child_role} {child}：{status}"},
    {"{child} no longer exists (reaped)", "{child} 已不存在（已被回收）"},
    {"{child} is in state {state} ({meaning}), parent {ppid}",
     "{child} 处于 {state} 状态（{meaning}），父进程 {ppid}"},
    {"the processes now:", "现在的进程："},
    {"try in another terminal:  ps -o pid,ppid,pgid,stat,wchan:20,cmd --forest --pid {lab} --ppid "
     "{lab}    (press Enter to go on)",
     "在另一个终端里试试：  ps -o pid,ppid,pgid,stat,wchan:20,cmd --forest --pid {lab} --ppid "
     "{lab}    （按回车继续）"},
    {"  PID      PPID    ROLE      S WHAT", "  PID      PPID    角色      S 状况"},
    {"reaped", "已回收"},
    {"(unchanged: the same processes as in the tree above)", "（没有变化：进程与上面的树相同）"},
    {"caught {signals}", "捕获 {signals}"},
    {"blocked {signals}", "阻塞 {signals}"},
    {"pending {signals}", "未决 {signals}"},
    {"fd {fd} listening {address}", "文件描述符 {fd} 监听 {address}"},
    {"fd {fd} connected {local} <-> {remote}", "文件描述符 {fd} 已连接 {local} <-> {remote}"},
    {"fd {fd} closing {local} <-> {remote}", "文件描述符 {fd} 正在关闭 {local} <-> {remote}"},
    {"+{count} more sockets", "另有 {count} 个套接字"},

    // common/timeline.cpp
    {"what happened, one lane per process:", "发生了什么（每个进程一条泳道）："},

    // common/cli.cpp
    {"{call}: {errno} ({reason})", "{call} 失败：{errno}（{reason}）"},
    {"{error}", "错误：{error}"},

    // common/proc.cpp: state meanings (display words)
    {"running", "运行中"},
    {"sleeping (interruptible)", "可中断的睡眠"},
    {"in uninterruptible wait", "不可中断的等待"},
    {"zombie: exited, waiting to be reaped", "僵尸进程：已终止，等待被回收"},
    {"stopped by a signal", "被信号暂停"},
    {"stopped by a debugger", "被调试器暂停"},
    {"dead", "已消亡"},
    {"idle", "空闲"},
    {"unknown", "未知"},

    // common/proc.cpp: what a process waits in (wchan, display words)
    {"waiting in wait/waitpid", "在 wait/waitpid 中等待"},
    {"sleeping", "睡眠中"},
    {"waiting for a signal (pause)", "等待信号（pause）"},
    {"blocked in accept", "阻塞在 accept 中"},
    {"blocked reading a pipe", "阻塞于读管道"},
    {"blocked writing a pipe", "阻塞于写管道"},
    {"blocked reading a socket or terminal", "阻塞于读套接字或终端"},
    {"blocked reading a socket", "阻塞于读套接字"},
    {"blocked writing a socket", "阻塞于写套接字"},
    {"waiting in poll", "在 poll 中等待"},
    {"waiting in select", "在 select 中等待"},
    {"waiting in epoll_wait", "在 epoll_wait 中等待"},
    {"blocked reading the terminal", "阻塞于读终端"},
    {"waiting on a signalfd", "等待 signalfd"},
    {"waiting in poll or select", "在 poll 或 select 中等待"},
    {"waiting for a signal (sigwait)", "等待信号（sigwait）"},

    // common/wait_status.cpp and signals.cpp (display words and value patterns)
    {"exited {code}", "已退出，退出码 {code}"},
    {"killed by {signal} (core dumped)", "被 {signal} 终止（已生成 core dump）"},
    {"killed by {signal}", "被 {signal} 终止"},
    {"stopped by {signal}", "被 {signal} 暂停"},
    {"continued", "已继续运行"},
    {"default", "默认动作"},
    {"ignored", "忽略"},
    {"handler {address}", "处理函数 {address}"},

    // roles, as they appear inside a sentence ("reaped {child_role} ...")
    {"parent", "父进程"},
    {"child", "子进程"},
    {"child {number}", "子进程 {number}"},
    {"grandparent", "祖父进程"},
    {"server", "服务器端进程"},
    {"worker", "工作进程"},
    {"reader", "读进程"},
    {"writer", "写进程"},
    {"victim", "演示程序"},

    // lab01
    {"global = {global} at {global_address}, local = {local} at {local_address}",
     "全局变量 = {global}（地址 {global_address}），局部变量 = {local}（地址 {local_address}）"},
    {"before fork: one process", "fork 之前：只有一个进程"},
    {"fork() returned {returned} in the child", "fork() 在子进程中返回 {returned}"},
    {"fork() returned {returned} in the parent: the child's pid",
     "fork() 在父进程中返回 {returned}：子进程的 pid"},
    {"after fork: two processes, two copies of the variables",
     "fork 之后：两个进程，变量各有一份副本"},
    {"the child's global was not 10 after fork", "fork 之后子进程的全局变量不是 10"},

    // lab02
    {"child exits at once with status {code}; nobody waits for it",
     "子进程立即以状态 {code} 退出；没有进程等待它"},
    {"forked {child_role} {child}", "fork 出{child_role} {child}"},
    {"child {child} was not seen as a zombie within {seconds} s",
     "在 {seconds} 秒内没有看到子进程 {child} 变成僵尸进程"},
    {"every child has exited and none was waited for: they are zombies",
     "所有子进程都已终止，但没有一个被等待：它们成了僵尸进程"},
    {"the child has exited and was not waited for: it is a zombie",
     "子进程已终止，但没有被等待：它成了僵尸进程"},
    {"the first child was no longer this parent's", "第一个子进程已不再是这个父进程的子进程"},
    {"the children are zombies: state Z, shown by ps as <defunct>",
     "子进程都是僵尸进程：状态 Z，ps 显示为 <defunct>"},
    {"the child is a zombie: state Z, shown by ps as <defunct>",
     "子进程是僵尸进程：状态 Z，ps 显示为 <defunct>"},
    {"the parent holds {seconds} s and never calls wait(): the zombies stay",
     "父进程停留 {seconds} 秒，从不调用 wait()：僵尸进程一直留着"},
    {"the parent holds {seconds} s and never calls wait(): the zombie stays",
     "父进程停留 {seconds} 秒，从不调用 wait()：僵尸进程一直留着"},
    {"the parent holds {seconds} s and never calls wait(): the zombies stay (Enter ends the hold)",
     "父进程停留 {seconds} 秒，从不调用 wait()：僵尸进程一直留着（按 Enter 提前结束停留）"},
    {"the parent holds {seconds} s and never calls wait(): the zombie stays (Enter ends the hold)",
     "父进程停留 {seconds} 秒，从不调用 wait()：僵尸进程一直留着（按 Enter 提前结束停留）"},
    {"Enter: the hold ends after {slept} s of {asked} s",
     "按下了 Enter：计划停留 {asked} 秒，{slept} 秒后结束"},
    {"the parent exits without waiting", "父进程不等待就退出"},
    {"parent exits with status {code}: init (or the subreaper) adopts its zombies and reaps them",
     "父进程以状态 {code} 退出：init（或 subreaper）收养它的僵尸进程并回收它们"},
    {"parent exits with status {code}: init (or the subreaper) adopts its zombie and reaps it",
     "父进程以状态 {code} 退出：init（或 subreaper）收养它的僵尸进程并回收它"},

    // lab03
    {"child returns {code} from its function", "子进程从函数中 return {code}"},
    {"forked child 1 {child}: it will return 3", "fork 出子进程 1 {child}：它将 return 3"},
    {"parent {child} was not seen blocked in wait() within 10 s",
     "在 10 秒内没有看到父进程 {child} 阻塞在 wait() 中"},
    {"the parent {child} is blocked in wait() (wchan do_wait) while child 2 still runs",
     "父进程 {child} 阻塞在 wait() 中（wchan do_wait），而子进程 2 仍在运行"},
    {"child calls _exit({code})", "子进程调用 _exit({code})"},
    {"forked child 2 {child}: it will call _exit(7) once the parent waits",
     "fork 出子进程 2 {child}：等父进程进入 wait() 后，它将调用 _exit(7)"},
    {"child sleeps in pause() until a signal ends it", "子进程在 pause() 中睡眠，直到被信号终止"},
    {"forked child 3 {child}: it will be killed", "fork 出子进程 3 {child}：它将被杀死"},
    {"child 3 {child} was not seen sleeping in pause() within 10 s",
     "在 10 秒内没有看到子进程 3 {child} 在 pause() 中睡眠"},
    {"parent sends {signal} to child 3 {child}", "父进程向子进程 3 {child} 发送 {signal}"},
    {"child 1 {child} was not seen as a zombie within 10 s",
     "在 10 秒内没有看到子进程 1 {child} 变成僵尸进程"},
    {"the parent calls wait() once per child; child 2 is still running",
     "父进程为每个子进程调用一次 wait()；子进程 2 仍在运行"},
    {"WIFEXITED(status) is true: child {child} exited; WEXITSTATUS(status) = {code}",
     "WIFEXITED(status) 为真：子进程 {child} 正常终止；WEXITSTATUS(status) = {code}"},
    {"WIFEXITED(status) is false, WIFSIGNALED(status) is true: child {child} was killed; "
     "WTERMSIG(status) = {code} ({signal})",
     "WIFEXITED(status) 为假，WIFSIGNALED(status) 为真：子进程 {child} 被信号杀死；"
     "WTERMSIG(status) = {code}（{signal}）"},
    {"the parent had a child again", "父进程又有了子进程"},
    {"one more wait() returns -1 with {error}: no child is left to wait for",
     "再调用一次 wait() 返回 -1，错误为 {error}：已没有可等待的子进程"},
    {"every child reaped: no zombie is left", "所有子进程都已回收：没有留下僵尸进程"},
    {"after wait(): the parent alone, no zombie", "wait() 之后：只剩父进程，没有僵尸进程"},

    // lab04
    {"child sleeps {seconds} s, then exits with 24", "子进程睡眠 {seconds} 秒，然后以 24 退出"},
    {"child exits with status {code}", "子进程以状态 {code} 退出"},
    {"forked child {child}", "fork 出子进程 {child}"},
    {"the parent polls with waitpid(WNOHANG) and works in between",
     "父进程用 waitpid(WNOHANG) 轮询，其间做自己的工作"},
    {"waitpid(WNOHANG) returned {returned}: child {child} has not ended (/proc: state "
     "{child_state}); the parent does its own work for {seconds} s",
     "waitpid(WNOHANG) 返回 {returned}：子进程 {child} 尚未终止（/proc：状态 "
     "{child_state}）；父进程做 {seconds} 秒自己的工作"},
    {"the child had already ended", "子进程已经结束了"},
    {"child reaped; before that, waitpid() returned 0 once",
     "子进程已回收；在此之前 waitpid() 返回了 1 次 0"},
    {"child reaped; before that, waitpid() returned 0 {polls} times",
     "子进程已回收；在此之前 waitpid() 返回了 {polls} 次 0"},
    {"child {child} did not exit with 24", "子进程 {child} 没有以 24 退出"},

    // lab05 / lab06
    {"SIGALRM: time out! (alarm {count}) — alarm({alarm}) again",
     "SIGALRM：超时！（第 {count} 次闹钟）——再次调用 alarm({alarm})"},
    {"SIGINT: CTRL+C pressed", "SIGINT：按下了 CTRL+C"},
    {"register the handlers with signal()", "用 signal() 注册信号处理函数"},
    {"alarm(): ask for a SIGALRM, then sleep", "alarm()：预约一个 SIGALRM，然后睡眠"},
    {"alarm({seconds}): SIGALRM due in {seconds} s (alarm() returned {left})",
     "alarm({seconds})：{seconds} 秒后产生 SIGALRM（alarm() 返回 {left}）"},
    {"alarm(0) cancels the pending alarm; alarm() returned {left} (seconds it had to go)",
     "alarm(0) 取消尚未到期的闹钟；alarm() 返回 {left}（它还剩的秒数）"},
    {"the alarm is cancelled: sleep past the moment it was due",
     "闹钟已取消：睡眠超过它本该到期的时刻"},
    {"SIGALRM came after alarm(0): the alarm was not cancelled",
     "alarm(0) 之后仍来了 SIGALRM：闹钟没有被取消"},
    {"no SIGALRM since alarm(0): still 1 alarm in all",
     "alarm(0) 之后没有 SIGALRM：闹钟总共仍只响过 1 次"},
    {"no SIGALRM since alarm(0): still {alarms} alarms in all",
     "alarm(0) 之后没有 SIGALRM：闹钟总共仍只响过 {alarms} 次"},
    {"SIGINT: press Ctrl+C", "SIGINT：请按 Ctrl+C"},
    {"press Ctrl+C now: the kernel sends SIGINT, keycontrol() runs instead of the default action "
     "(ending the lab), and this sleep({asked}) ends early",
     "现在按 Ctrl+C：内核发送 SIGINT，运行的是 keycontrol()，而不是默认动作（结束本实验），"
     "这次 sleep({asked}) 会提前结束"},
    {"no Ctrl+C came: the sleep ran to its end", "没有按 Ctrl+C：这次睡眠一直睡到了结束"},
    {"this sleep was not ended by SIGALRM alone", "这次睡眠并不只是被 SIGALRM 结束的"},
    {"done", "完成"},
    {"replace them with sigaction(): oldact holds what was installed before",
     "用 sigaction() 替换它们：oldact 中是之前安装的处理方式"},
    {"signal(), one call built twice: strict C11 and _GNU_SOURCE",
     "同一个 signal() 调用编译两次：严格 C11 与 _GNU_SOURCE"},
    {"SIGALRM handler: SIGINT sent, and held back by sa_mask: /proc lists it as pending, keycontrol "
     "has not run. The handler returns now",
     "SIGALRM 的信号处理函数：发出了 SIGINT，被 sa_mask 挡住：/proc 显示它处于未决状态，keycontrol "
     "还没有运行。处理函数现在返回"},
    {"SIGALRM handler: SIGINT sent, and not held back: /proc does not list it as pending, or "
     "keycontrol has run already",
     "SIGALRM 的信号处理函数：发出了 SIGINT，却没有被挡住：/proc 没有显示它处于未决状态，"
     "或者 keycontrol 已经运行了"},

    // lab07
    {"SIGCHLD: a child ended — waitpid() until none is left",
     "SIGCHLD：有子进程终止了——调用 waitpid() 直到一个不剩"},
    {"removed child {child}; it sent {code} (WEXITSTATUS)",
     "移除了子进程 {child}；它传递了 {code}（WEXITSTATUS）"},
    {"removed child {child}; killed by signal {killed_by}",
     "移除了子进程 {child}；它被信号 {killed_by} 终止"},
    {"waitpid failed in the SIGCHLD handler: errno {errno}",
     "SIGCHLD 处理函数中的 waitpid 失败：errno {errno}"},
    {"Hi! I'm child process: sleeping {sleep} s, then {how}",
     "Hi! 我是子进程：睡眠 {sleep} 秒，然后 {how}"},
    {"{how}: I end now", "{how}：我现在结束"},
    {"install the SIGCHLD handler with sigaction()", "用 sigaction() 安装 SIGCHLD 的信号处理函数"},
    {"Child proc id: {child}", "子进程 ID：{child}"},
    {"the parent sleeps in rounds; each SIGCHLD cuts a sleep short",
     "父进程分轮次睡眠；每个 SIGCHLD 都会提前打断一次睡眠"},
    {"after the rounds: any child left? any zombie?",
     "所有轮次之后：还有子进程吗？还有僵尸进程吗？"},
    {"after the rounds (a zombie would show as Z)", "所有轮次之后（僵尸进程会显示为 Z）"},
    {"expected both exit codes, 12 and 24, to be collected by the handler",
     "本应由信号处理函数收集到 12 和 24 两个退出码"},
    {"the children end in rounds {round} and {next}: --rounds must be at least {next}",
     "两个子进程分别在第 {round} 轮和第 {next} 轮结束：--rounds 至少要为 {next}"},
    {"the children start sleeping in {offset} s and {offset_2} s: they end in the middle of rounds "
     "{round} and {next}",
     "两个子进程分别在 {offset} 秒和 {offset_2} 秒后开始睡眠：它们在第 {round} 轮和第 {next} "
     "轮的中间结束"},
    {"no child ended during a sleep", "没有子进程在睡眠期间结束"},

    // lab08
    {"accepted a connection from {peer}", "受理了来自 {peer} 的连接"},
    {"forked child {child} for {peer}; the server closed its copy",
     "为 {peer} fork 出子进程 {child}；服务器端关闭了自己的那份套接字"},
    {"the server and its first child:", "服务器端进程和它的第一个子进程："},
    {"the child echoes; the server is back in accept", "子进程负责回声；服务器端回到 accept"},
    {"--bind: not a numeric IP address: {address}", "--bind：不是数字形式的 IP 地址：{address}"},
    {"listening: connections wait in the backlog until accepted",
     "监听中：连接请求在 backlog 中等待，直到被受理"},

    // common/serve.cpp
    {"{peer}: {call}: {errno} ({reason})", "{peer}：{call} 失败：{errno}（{reason}）"},
    {"echoed {bytes} bytes to {peer}", "向 {peer} 回声了 {bytes} 字节"},
    {"echoed 1 byte to {peer}", "向 {peer} 回声了 1 字节"},
    {"closed the connection to {peer}", "关闭了与 {peer} 的连接"},
    {"accept: {errno} ({reason}): trying again every 100 ms",
     "accept 失败：{errno}（{reason}）：每 100 毫秒重试一次"},
    {"listening on {address} (backlog {backlog}, open-file limit {open_files})",
     "在 {address} 上监听（backlog {backlog}，打开文件数上限 {open_files}）"},
    {"listening on {address} (backlog {backlog}, open-file limit raised from {open_files_before} "
     "to {open_files})",
     "在 {address} 上监听（backlog {backlog}，打开文件数上限从 {open_files_before} 提高到 "
     "{open_files}）"},
    {"{signal}: stop accepting, end the children, reap them all",
     "{signal}：停止受理连接，结束子进程，并全部回收"},
    {"stopping", "正在停止"},
    {"served 1 connection, refused {refused}, reaped 1 child, {failed} failed",
     "服务了 1 个连接，拒绝 {refused} 个，回收 1 个子进程，{failed} 个失败"},
    {"served 1 connection, refused {refused}, reaped {reaped} children, {failed} failed",
     "服务了 1 个连接，拒绝 {refused} 个，回收 {reaped} 个子进程，{failed} 个失败"},
    {"served {connections} connections, refused {refused}, reaped 1 child, {failed} failed",
     "服务了 {connections} 个连接，拒绝 {refused} 个，回收 1 个子进程，{failed} 个失败"},
    {"served {connections} connections, refused {refused}, reaped {reaped} children, {failed} "
     "failed",
     "服务了 {connections} 个连接，拒绝 {refused} 个，回收 {reaped} 个子进程，{failed} 个失败"},
    {"reaped child {child}: exited {code}", "回收了子进程 {child}：正常退出，退出码 {code}"},
    {"reaped child {child}: killed by SIGTERM", "回收了子进程 {child}：被 SIGTERM 终止"},
    {"reaped child {child}: killed by SIGKILL", "回收了子进程 {child}：被 SIGKILL 终止"},
    {"reaped child {child}: killed by SIGINT", "回收了子进程 {child}：被 SIGINT 终止"},
    {"reaped child {child}: killed by SIGHUP", "回收了子进程 {child}：被 SIGHUP 终止"},
    {"reaped child {child}: killed by SIGPIPE", "回收了子进程 {child}：被 SIGPIPE 终止"},
    {"reaped child {child}: killed by SIGSEGV", "回收了子进程 {child}：被 SIGSEGV 终止"},
    {"reaped child {child}: killed by signal {signal}",
     "回收了子进程 {child}：被信号 {signal} 终止"},
    {"{dropped} lines of narration dropped: nobody read the output in time",
     "丢弃了 {dropped} 行叙述：没有人及时读取输出"},

    // common/client.cpp
    {"connected to {address} from {local}", "从 {local} 连接到 {address}"},
    {"connected: one process, one socket; next, fork", "已连接：一个进程，一个套接字；接下来 fork"},
    {"connected: one process writes a line, then reads its echo",
     "已连接：一个进程写一行，然后读它的回声"},
    {"{mode}: {bytes} bytes sent, {echoed} echoed, in {elapsed} s",
     "{mode}：发送 {bytes} 字节，收到回声 {echoed} 字节，用时 {elapsed} 秒"},
    {"the same input: lock-step {lock_step} s, split {split} s (split / lock-step = {ratio})",
     "同样的输入：逐行往返 {lock_step} 秒，分割 I/O {split} 秒（分割 / 逐行 = {ratio}）"},
    {"split", "分割 I/O"},
    {"lock-step", "逐行往返（不分割）"},
    {"no answer: the server sent nothing for {timeout} s while {owed} bytes were owed or its end "
     "of file was awaited (--idle-timeout)",
     "没有应答：服务器端 {timeout} 秒内什么也没发来，而此时还欠 {owed} 字节的回声，或正在等待它的 "
     "EOF（--idle-timeout）"},
    {"--lock-step, --compare and --close-instead-of-shutdown exclude each other: close() is a "
     "trap of the split client only, and --compare runs both ways",
     "--lock-step、--compare 和 --close-instead-of-shutdown 互相排斥：close() 只是分割 I/O "
     "客户端的陷阱，而 --compare 会把两种方式都运行一遍"},

    // common/client_io.cpp
    {"end of input", "输入结束"},
    {"received {bytes} bytes", "收到 {bytes} 字节"},
    {"end of file from the server after {bytes} bytes echoed",
     "回声 {bytes} 字节之后，收到服务器端的 EOF"},

    // common/split_client.cpp
    {"hang: no end of file {timeout} s after the writer's close(), because this process still "
     "holds the socket; shutting down from here",
     "挂起：写进程 close() 之后 {timeout} 秒仍未收到 EOF，因为本进程仍持有该套接字；由本进程执行 "
     "shutdown"},
    {"shutdown(SHUT_WR) by the reader: now the server sees end of file",
     "读进程执行 shutdown(SHUT_WR)：现在服务器端收到 EOF 了"},
    {"{signal}: ending the writer and reaping it first", "{signal}：先结束写进程并回收它"},
    {"the writer has finished; it waits as a zombie until the reader reaps it",
     "写进程已完成；它作为僵尸进程等待，直到读进程回收它"},

    // common/sleeps.cpp
    {"wait... sleep({asked})", "等待…… sleep({asked})"},
    {"woke after {slept} s of {asked}: sleep() returned {left} (seconds left)",
     "睡了 {asked} 秒中的 {slept} 秒就醒了：sleep() 返回 {left}（剩余秒数）"},
    {"the parent holds {seconds} s", "父进程停留 {seconds} 秒"},
    {"the parent holds {seconds} s (Enter ends the hold)",
     "父进程停留 {seconds} 秒（按 Enter 提前结束停留）"},

    // common/dispositions.cpp
    {"signal({signal}, {function}) returned {old}, the handler it replaced",
     "signal({signal}, {function}) 返回 {old}，即被它替换掉的处理函数"},
    {"signal({signal}, {function}) built {build}: sa_flags {flags_text}: {what}",
     "以 {build} 编译的 signal({signal}, {function})：sa_flags 为 {flags_text}：{what}"},
    {"the build's check: under strict -std=c11 <signal.h> does not define struct sigaction; with "
     "-D_POSIX_C_SOURCE=200809L it does",
     "构建时的检查：在严格的 -std=c11 下 <signal.h> 不定义 struct sigaction；加上 "
     "-D_POSIX_C_SOURCE=200809L 就定义了"},
    {"the build's check: struct sigaction under strict -std=c11: {strict_has_sigaction}; with "
     "-D_POSIX_C_SOURCE=200809L: {posix_has_sigaction}",
     "构建时的检查：严格的 -std=c11 下有 struct sigaction：{strict_has_sigaction}；加上 "
     "-D_POSIX_C_SOURCE=200809L：{posix_has_sigaction}"},
    {"sigaction({signal}, &act, &oldact): oldact holds {old}, sa_flags {old_flags_text}: {what}",
     "sigaction({signal}, &act, &oldact)：oldact 中是 {old}，sa_flags 为 {old_flags_text}：{what}"},
    {"sigaction({signal}, &act, &oldact), {blocked} in sa_mask: oldact holds {old}, sa_flags "
     "{old_flags_text}: {what}",
     "sigaction({signal}, &act, &oldact)，sa_mask 中有 {blocked}：oldact 中是 {old}，sa_flags 为 "
     "{old_flags_text}：{what}"},
    {"a one-shot handler (System V semantics)", "只生效一次的处理函数（System V 语义）"},
    {"a lasting handler that restarts calls (BSD semantics)",
     "持续有效、会重启被中断调用的处理函数（BSD 语义）"},
    {"a lasting handler, calls not restarted", "持续有效的处理函数，被中断的调用不会重启"},

    // common/child_checks.cpp
    {"child {child} was left a zombie: the handler did not reap it",
     "子进程 {child} 成了僵尸进程：信号处理函数没有回收它"},
    {"child {child} outlived the rounds: killing it",
     "子进程 {child} 在所有轮次结束后仍在运行：杀死它"},
    {"child {child} did not end as expected", "子进程 {child} 没有按预期的方式结束"},
    {"one more wait() should have failed with ECHILD", "再调用一次 wait() 本应以 ECHILD 失败"},

    // lab09
    {"{reason}: close() after {bytes} bytes; the reader still holds the socket",
     "{reason}：发送 {bytes} 字节后 close()；读进程仍持有该套接字"},
    {"{reason}: shutdown(SHUT_WR) after {bytes} bytes sent",
     "{reason}：发送 {bytes} 字节后 shutdown(SHUT_WR)（半关闭）"},
    {"forked the writer {child}; this process reads", "fork 出写进程 {child}；本进程负责读"},
    {"reader and writer share one socket:", "读进程和写进程共享同一个套接字："},
    {"the server closed the connection before the input ended: it went away",
     "输入结束之前服务器端就关闭了连接：它已经离开"},
    {"the server stopped answering, so the run could not show what the writer's call does",
     "服务器端不再应答，所以这次运行无法展示写进程的这个调用会怎样"},
    {"the server closed the connection before the writer's call: its end of file did not come "
     "from that call",
     "服务器端在写进程调用之前就关闭了连接：这个 EOF 并不是那个调用带来的"},

    // lab10
    {"SIGCHLD handler runs (delivery {delivery}): reaped {reaped_now}",
     "SIGCHLD 处理函数运行（第 {delivery} 次递送）：回收了 {reaped_now} 个"},
    {"SIGCHLD is blocked; forking {children} children that exit at once",
     "SIGCHLD 已被阻塞；fork 出 {children} 个立即退出的子进程"},
    {"{exited} children exited, {exited} SIGCHLD sent; pending: SIGCHLD = {pending} (one bit, not "
     "a count)",
     "{exited} 个子进程已终止，发送了 {exited} 个 SIGCHLD；未决信号：SIGCHLD = "
     "{pending}（只是一位，而不是计数）"},
    {"all children are zombies; SIGCHLD waits, blocked:",
     "所有子进程都是僵尸进程；SIGCHLD 被阻塞，等待中："},
    {"unblocking SIGCHLD: the pending signal is delivered now, once",
     "解除对 SIGCHLD 的阻塞：未决信号现在被递送，只递送一次"},
    {"children exited: {exited}; SIGCHLD deliveries: {deliveries}; reaped by the handler: "
     "{reaped}; zombies left: {zombies}",
     "已终止的子进程：{exited}；SIGCHLD 递送次数：{deliveries}；处理函数回收：{reaped}；"
     "剩下的僵尸进程：{zombies}"},
    {"SIGCHLD is blocked; forking {children} child that exits at once",
     "SIGCHLD 已被阻塞；fork 出 {children} 个立即退出的子进程"},
    {"{exited} child exited, {exited} SIGCHLD sent; pending: SIGCHLD = {pending} (one bit, not a "
     "count)",
     "{exited} 个子进程已终止，发送了 {exited} 个 SIGCHLD；未决信号：SIGCHLD = "
     "{pending}（只是一位，而不是计数）"},
    {"the children were not all zombies with SIGCHLD pending at the answer",
     "回答时并非所有子进程都是僵尸进程且 SIGCHLD 未决"},
    {"the zombies the handler left:", "处理函数留下的僵尸进程："},
    {"no zombie left:", "没有留下僵尸进程："},
    {"holding {seconds} s: look with ps (the STAT column)",
     "停留 {seconds} 秒：用 ps 查看（STAT 列）"},
    {"the parent reaps whatever the handler left", "父进程回收处理函数留下的所有子进程"},
    {"the children did not all exit within 10 s", "子进程没有在 10 秒内全部终止"},

    // lab11
    {"sleep() had ended before the signal came", "信号到来之前 sleep() 已经结束"},
    {"--sleep must be longer than --hold: the signal comes --hold s after the parent falls asleep",
     "--sleep 必须比 --hold 长：信号在父进程睡下 --hold 秒之后才到来"},
    {"SIGUSR1 handler runs", "SIGUSR1 的处理函数运行"},
    {"sends {signal} to the parent {target}, blocked in {wchan}",
     "向阻塞在 {wchan} 中的父进程 {target} 发送 {signal}"},
    {"--restart and --with-signal exclude each other: signal() sets its own flags",
     "--restart 和 --with-signal 不能同时使用：signal() 会设置它自己的标志"},
    {"signal(SIGUSR1, handler): glibc's signal(), as the course's first programs",
     "signal(SIGUSR1, handler)：glibc 的 signal()，和课程最初的程序一样"},
    {"sigaction(SIGUSR1) with sa_flags = SA_RESTART",
     "用 sigaction(SIGUSR1) 安装，sa_flags = SA_RESTART"},
    {"sigaction(SIGUSR1) with sa_flags = 0, as the course sets it",
     "用 sigaction(SIGUSR1) 安装，sa_flags = 0，和课程的设置一样"},
    {"the kernel holds sa_flags = {flags}; a child will signal the parent once it is blocked in "
     "{call}",
     "内核中记录的 sa_flags = {flags}；父进程一旦阻塞在 {call} 中，子进程就会向它发送信号"},
    {"wrote {bytes} bytes to the pipe", "向管道写入了 {bytes} 字节"},
    {"calling sleep({asked})", "调用 sleep({asked})"},
    {"calling {call} (attempt {attempt})", "调用 {call}（第 {attempt} 次尝试）"},

    // lab12
    {"the child had ended before the answer", "回答之前子进程已经结束"},
    {"part 1: a file, opened again by each side after fork",
     "第 1 部分：一个文件，fork 之后由双方各自重新打开"},
    {"part 1: a file opened before fork, written by both sides",
     "第 1 部分：fork 之前打开的文件，双方都向它写入"},
    {"part 2: a connection served by a child, as in the course's echo server",
     "第 2 部分：由子进程服务的连接，和课程中的回声服务器端一样"},
    {"the child closes its connected socket, fd {fd}",
     "子进程关闭它的已连接套接字，文件描述符 {fd}"},
    {"the parent closes its copy of the connected socket, fd {fd}",
     "父进程关闭它那份已连接套接字，文件描述符 {fd}"},
    {"the parent's descriptors:", "父进程的文件描述符："},
    {"the child's descriptors:", "子进程的文件描述符："},
    {"the connection {connection} is open in the child only: its close ends the connection",
     "连接 {connection} 只在子进程中打开：子进程关闭它就会结束连接"},
    {"the connection {connection} is open in both: the child's close alone will not end it",
     "连接 {connection} 在两个进程中都打开着：仅靠子进程关闭不会结束连接"},
    {"the child is gone; the client waits up to {timeout} s for end of file",
     "子进程已结束；客户端最多等待 {timeout} 秒来接收 EOF"},
    {"the client saw end of file after {waited} s", "客户端在 {waited} 秒后收到了 EOF"},
    {"no end of file after {timeout} s: the parent's copy keeps the connection open",
     "{timeout} 秒后仍没有 EOF：父进程的那份副本使连接保持打开"},
    {"the parent closes its copy at last, fd {fd}", "父进程终于关闭了它那份副本，文件描述符 {fd}"},
    {"with the last descriptor closed, end of file after {waited} s",
     "最后一个文件描述符关闭后，{waited} 秒后收到 EOF"},
    {"still no end of file", "仍然没有 EOF"},
    {"the child closed the connection before saying hello", "子进程在发送 hello 之前就关闭了连接"},

    // lab13
    {"no pseudo-terminal can be had here ({reason}): the terminal half is skipped, the pipe half "
     "runs",
     "这里得不到伪终端（{reason}）：跳过终端那一半，只运行管道那一半"},
    {"the victim program failed", "演示程序（victim）运行失败"},
    {"victim {child} runs with stdout to a {output}",
     "演示程序 {child} 运行，stdout 指向 {output}"},
    {"the victim writes a line with stdio, flushes it, forks; its child ends with {child_exit}()",
     "演示程序用 stdio 写一行，fflush，然后 fork；它的子进程以 {child_exit}() 结束"},
    {"the victim writes a line with stdio, does not flush, forks; its child ends with "
     "{child_exit}()",
     "演示程序用 stdio 写一行，不 fflush，然后 fork；它的子进程以 {child_exit}() 结束"},
    {"duplicated: the child's exit() flushed its copy of a line the parent had buffered - a pipe's "
     "buffer waits for exit, a terminal's for '\\n'",
     "重复了：父进程缓冲中的那一行，子进程的 exit() 把自己那份副本也刷新输出了——管道的缓冲要等到 "
     "exit 才刷新，终端的缓冲遇到 '\\n' 就刷新"},
    {"exactly once everywhere: nothing was left in the buffer for fork to copy, or the child "
     "dropped its copy with _exit()",
     "每处都恰好一次：缓冲中没有留下可供 fork 复制的内容，或者子进程用 _exit() 丢弃了它的副本"},

    // lab14
    {"the child was no longer the parent's when it exited",
     "父进程退出时，子进程已不再是它的子进程"},
    {"before the parent exits, getppid() = {ppid} ({comm})",
     "父进程退出之前，getppid() = {ppid}（{comm}）"},
    {"after the parent exits, getppid() = {ppid} ({comm})",
     "父进程退出之后，getppid() = {ppid}（{comm}）"},
    {"the lab is a child subreaper: orphans below it come back to it",
     "本实验是 child subreaper：它下面的孤儿进程会回到它这里"},
    {"the lab is no subreaper: orphans below it go to init or to the nearest subreaper above the "
     "lab",
     "本实验不是 subreaper：它下面的孤儿进程交给 init，或交给本实验之上最近的 subreaper"},
    {"exits first, without waiting for child {child}", "先退出，不等待子进程 {child}"},
    {"forked parent {child}", "fork 出父进程 {child}"},
    {"three generations: lab, parent, child; now the parent exits first",
     "三代进程：本实验、父进程、子进程；现在父进程先退出"},
    {"the orphan is the lab's child now:", "孤儿进程现在是本实验的子进程："},
    {"the orphan has left the lab's tree:", "孤儿进程已离开本实验的进程树："},
    {"the parent is gone; the child is an orphan with a new parent",
     "父进程已不在；子进程成了孤儿进程，有了新的父进程"},
    {"holding {seconds} s: try  ps -o pid,ppid,stat,cmd -p {child}",
     "停留 {seconds} 秒：试试  ps -o pid,ppid,stat,cmd -p {child}"},
    {"the lab reaped a grandchild it never forked", "本实验回收了一个它从未 fork 过的孙进程"},
    {"the orphan ended; its new parent, not the lab, reaps it",
     "孤儿进程已结束；由它的新父进程而不是本实验来回收它"},
    {"the child ended before it reported", "子进程在报告之前就结束了"},
    {"the child ended before it looked again", "子进程在再次查看之前就结束了"},

    // lab15
    {"the writer ended before its writes after the reset", "writer 在连接被重置后的写操作之前就结束了"},
    {"SIGPIPE: {action} (was {previous})", "SIGPIPE：{action}（之前是{previous}）"},
    {"the RST has arrived; the writer writes as if nothing had happened",
     "RST 已到达；写进程若无其事地继续写"},
    {"the writer writes again: SIGPIPE's default action ends it inside write()",
     "写进程再写一次：SIGPIPE 的默认动作在 write() 内部终止了它"},
    {"the writer writes again: the call fails, and the writer lives on",
     "写进程再写一次：调用失败，而写进程继续存活"},
    {"the writer saw EPIPE, closes the socket and exits 0",
     "写进程看到了 EPIPE，关闭套接字并以 0 退出"},
    {"the peer listens on 127.0.0.1; port 0 lets the kernel pick the port",
     "对端在 127.0.0.1 上监听；端口 0 让内核选择端口"},
    {"forked the writer {child}", "fork 出写进程 {child}"},
    {"accepted {peer}", "受理了 {peer}"},
    {"read {bytes} bytes from the writer", "从写进程读到 {bytes} 字节"},
    {"the peer resets the connection: SO_LINGER {on 1, linger 0}, then close()",
     "对端重置连接：SO_LINGER {on 1, linger 0}，然后 close()"},
    {"close() with linger 0: the kernel sends RST, not FIN",
     "linger 为 0 的 close()：内核发送 RST 而不是 FIN"},
    {"waitid(WNOWAIT): the writer {child} ended: {status}; not reaped yet",
     "waitid(WNOWAIT)：写进程 {child} 已结束：{status}；尚未回收"},
    {"the writer has ended and is a zombie until the parent reaps it",
     "写进程已结束，在父进程回收它之前是僵尸进程"},
    {"the writer is a zombie: its wait status waits for the parent",
     "写进程是僵尸进程：它的终止状态在等待父进程来取"},
    {"holding {seconds} s before reaping", "回收之前停留 {seconds} 秒"},
    {"the writer died of SIGPIPE without a word: only its wait status tells",
     "写进程死于 SIGPIPE，一声不响：只有它的终止状态说明了这一点"},
    {"the writer survived: it saw EPIPE and reported it itself",
     "写进程存活了下来：它看到了 EPIPE 并自己报告了它"},
    {"the writer closed the connection before writing", "写进程在写入之前就关闭了连接"},

    // lab16
    {"waitpid(-1, WNOHANG) = 0: the other children still run",
     "waitpid(-1, WNOHANG) = 0：其余子进程仍在运行"},
    {"waitpid(-1, WNOHANG) = -1 ECHILD: no child left",
     "waitpid(-1, WNOHANG) = -1 ECHILD：没有子进程了"},
    {"a server's shape: a listening socket on 127.0.0.1 (port 0) and a poll loop",
     "服务器端的结构：127.0.0.1 上的一个监听套接字（端口 0）和一个 poll 循环"},
    {"SIGCHLD is blocked; fork the children, which exit at once",
     "SIGCHLD 已被阻塞；fork 出立即退出的子进程"},
    {"SIGCHLD is blocked; fork the child, which exits at once",
     "SIGCHLD 已被阻塞；fork 出一个立即退出的子进程"},
    {"all the children are zombies; SIGCHLD waits, blocked",
     "所有子进程都是僵尸进程；SIGCHLD 被阻塞，等待中"},
    {"holding {seconds} s: try ps now", "停留 {seconds} 秒：现在试试 ps"},
    {"a client connects from {local}; it waits in the backlog for accept",
     "客户端从 {local} 发起连接；它在 backlog 中等待 accept"},
    {"unblock SIGCHLD: the pending signal is delivered now; the handler writes a byte",
     "解除对 SIGCHLD 的阻塞：未决信号现在被递送；处理函数写入一个字节"},
    {"SIGCHLD handler runs: {deliveries}; children exited: {children}",
     "SIGCHLD 处理函数运行次数：{deliveries}；已终止的子进程：{children}"},
    {"the poll loop: the listening socket and the signalfd", "poll 循环：监听套接字和 signalfd"},
    {"the poll loop: the listening socket and the self-pipe",
     "poll 循环：监听套接字和 self-pipe（自管道）"},
    {"accepted {peer}: served by the same loop", "受理了 {peer}：由同一个循环提供服务"},
    {"the loop has reaped every child; no handler reaped or printed anything",
     "循环已回收所有子进程；没有任何处理函数回收或打印过什么"},
    {"children reaped: {reaped}; SIGCHLD received: {signals}; children left: {left}; calls that "
     "failed with EINTR: {eintr}",
     "回收的子进程：{reaped}；收到的 SIGCHLD：{signals}；剩余的子进程：{left}；因 EINTR "
     "失败的调用：{eintr}"},
    {"not every child was a zombie with SIGCHLD pending at the answer",
     "回答时并非每个子进程都是僵尸进程且 SIGCHLD 未决"},
    {"poll: nothing happened for 10 s", "poll：10 秒内什么也没有发生"},

    // common/blocked_watch.cpp
    {"the parent is blocked in {wchan}; SIGUSR1 in {hold} s (look: ps -o pid,stat,wchan:20,cmd -p "
     "{target})",
     "父进程阻塞在 {wchan} 中；{hold} 秒后发送 SIGUSR1（查看：ps -o pid,stat,wchan:20,cmd -p "
     "{target}）"},

    // common/call_outcome.cpp
    {"sleep() returned early, SA_RESTART or not: it is never restarted",
     "sleep() 提前返回了，无论是否设置 SA_RESTART：它从不被重启"},
    {"{call} returned -1, errno {error} ({reason}): interrupted, not restarted; so call again",
     "{call} 返回 -1，errno {error}（{reason}）：被中断且没有重启；所以再调用一次"},
    {"{call} returned -1, errno {error} ({reason})", "{call} 返回 -1，errno {error}（{reason}）"},
    {"{call} returned {result} bytes \"{data}\": restarted after the handler, the program never "
     "noticed",
     "{call} 返回 {result} 字节 \"{data}\"：处理函数运行后被重启，程序完全没有察觉"},
    {"{call} returned {result} bytes \"{data}\"", "{call} 返回 {result} 字节 \"{data}\""},
    {"{call} returned fd {result} from {peer}: restarted after the handler, the program never "
     "noticed",
     "{call} 返回文件描述符 {result}（来自 {peer}）：处理函数运行后被重启，程序完全没有察觉"},
    {"{call} returned fd {result} from {peer}", "{call} 返回文件描述符 {result}（来自 {peer}）"},

    // common/capture.cpp
    {"execv {path}: {errno}", "execv {path} 失败：{errno}"},

    // common/capture_row.cpp
    {"{output_column}child {exit_column}fflush before fork  pre-fork line {count} time:{listing}",
     "{output_column}子进程 {exit_column}fork 前 fflush  fork 前的那一行出现 {count} "
     "次：{listing}"},
    {"{output_column}child {exit_column}fflush before fork  pre-fork line {count} times:{listing}",
     "{output_column}子进程 {exit_column}fork 前 fflush  fork 前的那一行出现 {count} "
     "次：{listing}"},
    {"{output_column}child {exit_column}no fflush           pre-fork line {count} time:{listing}",
     "{output_column}子进程 {exit_column}没有 fflush     fork 前的那一行出现 {count} "
     "次：{listing}"},
    {"{output_column}child {exit_column}no fflush           pre-fork line {count} times:{listing}",
     "{output_column}子进程 {exit_column}没有 fflush     fork 前的那一行出现 {count} "
     "次：{listing}"},

    // common/children.cpp
    {"forked child {number}: {child}", "fork 出子进程 {number}：{child}"},
    {"exiting with {code}", "以 {code} 退出"},
    {"the children did not all become zombies within 10 s", "子进程没有在 10 秒内全部变成僵尸进程"},
    {"every child has exited; none is reaped yet", "所有子进程都已终止；还没有一个被回收"},
    {"{zombies} zombies, and SIGCHLD pending: {pending} (once, however many exits)",
     "{zombies} 个僵尸进程，SIGCHLD 未决：{pending}（无论多少个子进程终止，都只有一次）"},
    {"{zombies} zombie, and SIGCHLD pending: {pending} (once, however many exits)",
     "{zombies} 个僵尸进程，SIGCHLD 未决：{pending}（无论多少个子进程终止，都只有一次）"},

    // common/loopback.cpp
    {"listening on {address}", "在 {address} 上监听"},
    {"connected {local} -> {peer}", "已连接 {local} -> {peer}"},
    {"listening on 127.0.0.1:{port}", "在 127.0.0.1:{port} 上监听"},
    {"accepted {peer} as fd {fd}", "受理了 {peer}，文件描述符为 {fd}"},

    // common/records.cpp
    {"fd {fd}: \"{record_text}\" written at offset {offset}",
     "文件描述符 {fd}：\"{record_text}\" 写在偏移量 {offset} 处"},
    {"the file holds {size} bytes of the {written} written: {parent_records} parent and "
     "{child_records} child records\n{contents}",
     "写入了 {written} 字节，文件中有 {size} 字节：父进程的记录 {parent_records} 条，子进程的记录 "
     "{child_records} 条\n{contents}"},

    // common/socket_report.cpp
    {"write {attempt}: {call} sent {result} bytes",
     "第 {attempt} 次写：{call} 发送了 {result} 字节"},
    {"write {attempt}: {call} returned -1, {error} ({reason})",
     "第 {attempt} 次写：{call} 返回 -1，{error}（{reason}）"},
    {"no RST within 10 s (poll: {revents})", "10 秒内没有收到 RST（poll：{revents}）"},
    {"poll(): {revents}: the peer's RST has arrived", "poll()：{revents}：对端的 RST 已到达"},

    // common/wakeup_report.cpp
    {"the loop will poll {what}: fd {fd}", "循环将 poll {what}：文件描述符 {fd}"},
    {"a signalfd for SIGCHLD", "接收 SIGCHLD 的 signalfd"},
    {"the read end of a self-pipe", "self-pipe（自管道）的读端"},
    {"poll(): ready: {which}", "poll() 返回，就绪的有：{which}"},
    {"the listening socket", "监听套接字"},
    {"the signalfd", "signalfd 文件描述符"},
    {"the self-pipe", "self-pipe（自管道）"},
    {"the listening socket and the signalfd", "监听套接字和 signalfd 文件描述符"},
    {"the listening socket and the self-pipe", "监听套接字和 self-pipe（自管道）"},
    {"read {count} record from the signalfd: SIGCHLD from {sender}",
     "从 signalfd 读到 {count} 条记录：来自 {sender} 的 SIGCHLD"},
    {"read {count} records from the signalfd: SIGCHLD from {sender}",
     "从 signalfd 读到 {count} 条记录：来自 {sender} 的 SIGCHLD"},
    {"read {count} byte from the self-pipe", "从 self-pipe 读到 {count} 个字节"},
    {"read {count} bytes from the self-pipe", "从 self-pipe 读到 {count} 个字节"},

    // common/os/eof_wait.cpp
    {"data instead of EOF", "收到的是数据而不是 EOF"},

    // common/os/turns.cpp
    {"the other side ended", "另一方已经结束"},

    // tests/load/echoiter.cpp (the iterative server the benchmark compares with)
    {"listening on {address} port {port}", "在 {address} 端口 {port} 上监听"},
    {"served {clients} clients, echoed {bytes} bytes",
     "服务了 {clients} 个客户端，回声了 {bytes} 字节"},
};

}  // namespace

std::span<const translation> chinese_messages() {
  return chinese;
}

}  // namespace lab
