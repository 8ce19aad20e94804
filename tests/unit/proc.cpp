// proc: what /proc says about real processes — states S, T, Z and gone,
// parents and groups, wait channels, descriptors (pipes and TCP sockets
// resolved), the process tree — and poll_until's deadline.
#include "os/proc.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "os/net.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using unit::child_process;

namespace {

bool contains(const std::vector<pid_t>& pids, pid_t pid) {
  return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

std::string comm_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// A child blocked reading a pipe until `release` is called (or its end closes).
struct sleeping_child {
  lab::pipe_ends wake = lab::make_pipe();
  child_process process{[this] {
    wake.write_end.reset();
    char c;
    return static_cast<int>(lab::read_some(wake.read_end.get(), {&c, 1}));
  }};
  sleeping_child() { wake.read_end.reset(); }
  void release() { wake.write_end.reset(); }
};

}  // namespace

TEST_CASE("read_proc of this process matches what the system calls say") {
  const auto self = lab::read_proc(::getpid());
  REQUIRE(self);
  CHECK(self->pid == ::getpid());
  CHECK(self->state == 'R');  // it is running: it is reading its own stat
  CHECK(self->ppid == ::getppid());
  CHECK(self->pgid == ::getpgrp());
  CHECK(self->session == ::getsid(0));
  CHECK(self->comm == comm_of(::getpid()));
  CHECK(self->comm.size() <= 15);
}

TEST_CASE(
    "a child seen through /proc: S while blocked, T when stopped, Z when exited, gone when "
    "reaped") {
  sleeping_child child;
  const pid_t pid = child.process.pid();
  REQUIRE(child.process.reaches_state('S'));
  auto info = lab::read_proc(pid);
  REQUIRE(info);
  CHECK(info->ppid == ::getpid());
  CHECK(info->pgid == ::getpgrp());
  CHECK(info->session == ::getsid(0));
  CHECK(std::string(lab::state_meaning('S')) == "sleeping (interruptible)");

  REQUIRE(::kill(pid, SIGSTOP) == 0);
  const int stopped = child.process.wait(WUNTRACED);
  REQUIRE(WIFSTOPPED(stopped));
  // waitpid has reported the stop: the kernel must show T now, no polling.
  CHECK(lab::read_proc(pid)->state == 'T');
  CHECK(std::string(lab::state_meaning('T')) == "stopped by a signal");
  REQUIRE(::kill(pid, SIGCONT) == 0);
  CHECK(child.process.reaches_state('S'));

  child.release();
  // waitid(WNOWAIT) returns once the child is a zombie and leaves it unreaped.
  siginfo_t exited{};
  REQUIRE(::waitid(P_PID, static_cast<id_t>(pid), &exited, WEXITED | WNOWAIT) == 0);
  CHECK(exited.si_code == CLD_EXITED);
  info = lab::read_proc(pid);
  REQUIRE(info);
  CHECK(info->state == 'Z');
  CHECK(info->ppid == ::getpid());
  CHECK(std::string(lab::state_meaning('Z')) == "zombie: exited, waiting to be reaped");
  CHECK(contains(lab::children_of(::getpid()), pid));

  const int status = child.process.wait();
  CHECK(WIFEXITED(status));
  CHECK_FALSE(lab::read_proc(pid).has_value());
  CHECK_FALSE(contains(lab::children_of(::getpid()), pid));
  CHECK_FALSE(lab::read_proc(-1).has_value());
  CHECK(lab::read_wchan(pid).empty());
}

TEST_CASE("children_of and processes_in_group see a child's own group and its grandchild") {
  // The child makes a group of its own, forks a grandchild into it, reports the
  // grandchild's pid and blocks; both block until `release` closes.
  auto report = lab::make_pipe();
  auto release = lab::make_pipe();
  child_process child([&] {
    report.read_end.reset();
    release.write_end.reset();
    ::setpgid(0, 0);
    const pid_t grandchild = lab::check(::fork(), "fork");
    if (grandchild == 0) {  // grandchild
      report.write_end.reset();
      char c;
      lab::read_some(release.read_end.get(), {&c, 1});
      ::_exit(0);
    }
    // child
    lab::write_all(report.write_end.get(), std::to_string(grandchild));
    report.write_end.reset();
    char c;
    lab::read_some(release.read_end.get(), {&c, 1});
    int status = 0;
    ::waitpid(grandchild, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
  });
  report.write_end.reset();
  release.read_end.reset();
  const pid_t grandchild = std::stoi(lab::read_all(report.read_end.get()));
  const pid_t pid = child.pid();

  const auto info = lab::read_proc(grandchild);
  REQUIRE(info);
  CHECK(info->ppid == pid);
  CHECK(info->pgid == pid);
  CHECK(lab::read_proc(pid)->pgid == pid);
  CHECK(lab::processes_in_group(pid) == std::vector<pid_t>{pid, grandchild});
  CHECK(lab::children_of(pid) == std::vector<pid_t>{grandchild});
  const auto ours = lab::children_of(::getpid());
  CHECK(contains(ours, pid));
  CHECK_FALSE(contains(ours, grandchild));
  CHECK(contains(lab::processes_in_group(::getpgrp()), ::getpid()));
  CHECK_FALSE(contains(lab::processes_in_group(::getpgrp()), pid));
  CHECK(lab::processes_in_group(999999999).empty());

  release.write_end.reset();
  const auto status = child.wait_end();
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(lab::processes_in_group(pid).empty());
}

TEST_CASE("read_wchan names the kernel function a child sleeps in") {
  SUBCASE("blocked reading a pipe") {
    sleeping_child child;
    std::string wchan;
    CHECK(lab::poll_until(
        [&] {
          wchan = lab::read_wchan(child.process.pid());
          return !wchan.empty() && wchan != "0" &&
                 lab::read_proc(child.process.pid())->state == 'S';
        },
        10s));
    // Kernels before 6.14 say pipe_read; later ones anon_pipe_read.
    CHECK_MESSAGE((wchan == "pipe_read" || wchan == "anon_pipe_read"), "wchan: " << wchan);
    CHECK(lab::describe_wchan(wchan) == "blocked reading a pipe");
  }
  SUBCASE("blocked in waitpid") {
    // The waiter leads a group of its own, so one kill ends it and its child.
    child_process waiter([] {
      ::setpgid(0, 0);
      const pid_t inner = ::fork();
      if (inner == 0) {  // grandchild: blocks until killed
        for (;;) ::pause();
      }
      // child
      ::waitpid(inner, nullptr, 0);
      return 0;
    });
    std::string wchan;
    CHECK(lab::poll_until(
        [&] {
          wchan = lab::read_wchan(waiter.pid());
          return wchan == "do_wait";
        },
        10s));
    CHECK_MESSAGE(wchan == "do_wait", "wchan: " << wchan);
    CHECK(lab::describe_wchan(wchan) == "waiting in wait/waitpid");
    const auto inner = lab::children_of(waiter.pid());
    CHECK(inner.size() == 1);
    ::kill(-waiter.pid(), SIGKILL);
    CHECK(waiter.wait_end());
    for (const pid_t orphan : inner) CHECK(unit::reap_orphan(orphan));
  }
  SUBCASE("describe_wchan puts each blocking call of the labs into words") {
    struct blocking_call {
      const char* words;
      std::function<void()> call;
    };
    const auto listener = lab::listen_tcp("127.0.0.1", 0, 1);
    const blocking_call calls[] = {
        {"waiting for a signal (pause)", [] { ::pause(); }},
        {"waiting for a signal (pause)",
         [] {
           sigset_t none;
           sigemptyset(&none);
           ::sigsuspend(&none);
         }},
        {"sleeping", [] { ::sleep(100); }},
        {"blocked in accept", [&] { ::accept(listener.get(), nullptr, nullptr); }},
        {"waiting in epoll_wait",
         [] {
           epoll_event event{};
           ::epoll_wait(::epoll_create1(0), &event, 1, -1);
         }},
        {"waiting in poll or select", [] { ::poll(nullptr, 0, -1); }},
    };
    for (const auto& [words, call] : calls) {
      child_process child([&] {
        call();
        return 0;
      });
      std::string wchan;
      const bool described = lab::poll_until(
          [&] {
            wchan = lab::read_wchan(child.pid());
            return lab::describe_wchan(wchan) == words;
          },
          10s);
      CHECK_MESSAGE(described, "expected '" << words << "', wchan is '" << wchan << "'");
    }
    // Names this kernel may not use, and compiler suffixes.
    CHECK(lab::describe_wchan("pipe_write") == "blocked writing a pipe");
    CHECK(lab::describe_wchan("anon_pipe_write") == "blocked writing a pipe");
    CHECK(lab::describe_wchan("sigsuspend.isra.0") == "waiting for a signal (pause)");
    CHECK(lab::describe_wchan("__do_sys_pause") == "waiting for a signal (pause)");
    CHECK(lab::describe_wchan("signalfd_read_iter") == "waiting on a signalfd");
    CHECK(lab::describe_wchan("something_else.isra.0") == "something_else.isra.0");
    CHECK(lab::describe_wchan("") == "");
  }
}

namespace {

ino_t inode_of(int fd) {
  struct stat info {};
  lab::check(::fstat(fd, &info), "fstat");
  return info.st_ino;
}

std::optional<lab::fd_info> find_fd(const std::vector<lab::fd_info>& fds, int fd) {
  for (const auto& entry : fds)
    if (entry.fd == fd) return entry;
  return std::nullopt;
}

}  // namespace

TEST_CASE("open_fds of a child shows its pipe end, by inode") {
  auto ends = lab::make_pipe();
  const int fd = ends.read_end.get();
  child_process child([&] {
    ends.write_end.reset();  // keeps only the read end, then blocks on it
    char c;
    return static_cast<int>(lab::read_some(ends.read_end.get(), {&c, 1}));
  });
  const pid_t pid = child.pid();
  // Wait until the child has closed its copy of the write end.
  CHECK(lab::poll_until(
      [&] {
        const auto fds = lab::open_fds(pid);
        return !find_fd(fds, ends.write_end.get()).has_value();
      },
      10s));
  const auto fds = lab::open_fds(pid);
  const auto entry = find_fd(fds, fd);
  REQUIRE(entry);
  CHECK(entry->target == "pipe:[" + std::to_string(inode_of(fd)) + "]");
  CHECK(entry->socket.empty());
  CHECK(std::is_sorted(fds.begin(), fds.end(),
                       [](const lab::fd_info& a, const lab::fd_info& b) { return a.fd < b.fd; }));
  ends.write_end.reset();
  CHECK(child.wait_end());
  CHECK(lab::open_fds(pid).empty());  // gone: nothing to list
}

TEST_CASE("open_fds of this process lists exactly the descriptors that are open") {
  auto ends = lab::make_pipe();
  const auto fds = lab::open_fds(::getpid());
  std::vector<int> listed;
  for (const auto& entry : fds) listed.push_back(entry.fd);
  std::vector<int> open;
  for (int fd = 0; fd < 1024; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) open.push_back(fd);
  // The directory open_fds reads through is closed again: it must not show.
  CHECK(listed == open);
  CHECK(find_fd(fds, ends.read_end.get()).has_value());
  CHECK(find_fd(fds, ends.write_end.get()).has_value());
}

TEST_CASE("open_fds resolves TCP sockets: listening, and both ends of a connection") {
  const auto listener = lab::listen_tcp("127.0.0.1", 0, 4);
  const int port = lab::local_port(listener.get());
  const auto client = lab::connect_tcp("127.0.0.1", static_cast<std::uint16_t>(port));
  const lab::unique_fd server(
      lab::check(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept4"));
  const int client_port = lab::local_port(client.get());
  const std::string here = "127.0.0.1:" + std::to_string(port);
  const std::string there = "127.0.0.1:" + std::to_string(client_port);

  const auto fds = lab::open_fds(::getpid());
  const auto listening = find_fd(fds, listener.get());
  const auto client_end = find_fd(fds, client.get());
  const auto server_end = find_fd(fds, server.get());
  REQUIRE(listening);
  REQUIRE(client_end);
  REQUIRE(server_end);
  CHECK(listening->target == "socket:[" + std::to_string(inode_of(listener.get())) + "]");
  CHECK(listening->socket == "tcp listening " + here);
  CHECK(client_end->socket == "tcp connected " + there + " <-> " + here);
  CHECK(server_end->socket == "tcp connected " + here + " <-> " + there);

  // The same through a child that inherited the listening socket.
  child_process holder([&] {
    char c;
    return static_cast<int>(lab::read_some(client.get(), {&c, 1}));
  });
  CHECK(lab::poll_until(
      [&] {
        const auto inherited = find_fd(lab::open_fds(holder.pid()), listener.get());
        return inherited && inherited->socket == "tcp listening " + here;
      },
      10s));
}

TEST_CASE("open_fds resolves an IPv6 loopback listener as [::1]") {
  lab::unique_fd listener;
  try {
    listener = lab::listen_tcp("::1", 0, 4);
  } catch (const std::system_error& error) {
    MESSAGE("no IPv6 loopback here: " << lab::describe(error));
    return;
  }
  const int port = lab::local_port(listener.get());
  const auto client = lab::connect_tcp("::1", static_cast<std::uint16_t>(port));
  const auto fds = lab::open_fds(::getpid());  // one look: /proc/net is slow to read when busy
  const auto entry = find_fd(fds, listener.get());
  const auto client_end = find_fd(fds, client.get());
  REQUIRE(entry);
  REQUIRE(client_end);
  CHECK(entry->socket == "tcp listening [::1]:" + std::to_string(port));
  CHECK(client_end->socket ==
        "tcp connected [::1]:" + std::to_string(lab::local_port(client.get())) +
            " <-> [::1]:" + std::to_string(port));
}

TEST_CASE("process_tree lists a chain of descendants with their depth, parents first") {
  // child -> grandchild -> great-grandchild, all blocked on one pipe.
  auto report = lab::make_pipe();
  auto release = lab::make_pipe();
  child_process child([&] {
    report.read_end.reset();
    release.write_end.reset();
    for (int level = 0; level < 2; ++level) {
      const pid_t below = lab::check(::fork(), "fork");
      if (below != 0) break;  // this process stays at its level
    }
    // every level: say "here", then block until released
    lab::write_all(report.write_end.get(), "x");
    report.write_end.reset();
    char c;
    lab::read_some(release.read_end.get(), {&c, 1});
    while (::wait(nullptr) > 0) {
    }
    return 0;
  });
  report.write_end.reset();
  release.read_end.reset();
  CHECK(lab::read_all(report.read_end.get()) == "xxx");

  const auto rows = lab::process_tree(child.pid());
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].info.pid == child.pid());
  CHECK(rows[0].depth == 0);
  CHECK(rows[1].info.ppid == rows[0].info.pid);
  CHECK(rows[1].depth == 1);
  CHECK(rows[2].info.ppid == rows[1].info.pid);
  CHECK(rows[2].depth == 2);
  // Each is blocked in a pipe read, which the rows carry.
  CHECK(lab::poll_until(
      [&] {
        for (const auto& row : lab::process_tree(child.pid()))
          if (lab::describe_wchan(row.wchan) != "blocked reading a pipe") return false;
        return true;
      },
      10s));

  // From the test itself: the child one level down.
  const auto from_here = lab::process_tree(::getpid());
  REQUIRE_FALSE(from_here.empty());
  CHECK(from_here[0].info.pid == ::getpid());
  CHECK(from_here[0].depth == 0);
  bool child_at_depth_1 = false;
  for (const auto& row : from_here)
    if (row.info.pid == child.pid()) child_at_depth_1 = row.depth == 1;
  CHECK(child_at_depth_1);

  CHECK(lab::process_tree(999999999).empty());
  release.write_end.reset();
  CHECK(child.wait_end());
}

TEST_CASE("read_signal_masks reads what a child blocks, ignores, catches and has pending") {
  auto ready = lab::make_pipe();
  child_process child([&] {
    ready.read_end.reset();
    ::signal(SIGUSR2, SIG_IGN);
    ::signal(SIGTERM, [](int) {});
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &block, nullptr);
    ready.write_end.reset();
    for (;;) ::pause();
    return 0;
  });
  ready.write_end.reset();
  CHECK(lab::read_all(ready.read_end.get()).empty());
  ::kill(child.pid(), SIGUSR1);
  const auto bit = [](int signo) { return 1ULL << (signo - 1); };
  CHECK(lab::poll_until(
      [&] {
        const auto masks = lab::read_signal_masks(child.pid());
        return masks && (masks->pending & bit(SIGUSR1));
      },
      10s));
  const auto masks = lab::read_signal_masks(child.pid());
  REQUIRE(masks);
  CHECK((masks->blocked & bit(SIGUSR1)) != 0);
  CHECK((masks->ignored & bit(SIGUSR2)) != 0);
  CHECK((masks->caught & bit(SIGTERM)) != 0);
  CHECK((masks->caught & bit(SIGUSR2)) == 0);
  CHECK_FALSE(lab::read_signal_masks(999999999).has_value());
}

TEST_CASE("poll_until: true at once, true after some calls, false at the deadline") {
  int calls = 0;
  CHECK(lab::poll_until([&] { return ++calls > 0; }, 0ms));
  CHECK(calls == 1);
  calls = 0;
  CHECK(lab::poll_until([&] { return ++calls == 5; }, 10s));
  CHECK(calls == 5);
  calls = 0;
  CHECK_FALSE(lab::poll_until([&] { return ++calls < 0; }, 20ms));
  CHECK(calls >= 2);  // tried at least at the start and at the deadline
}
