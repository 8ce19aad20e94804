#include "os/proc.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>

#include "os/net.hpp"

namespace lab {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  DIR* dir = ::opendir("/proc");
  if (!dir) return pids;
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid > 0 && *end == '\0') pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

template <typename Keep>
std::vector<pid_t> pids_where(Keep keep) {
  std::vector<pid_t> out;
  for (pid_t pid : all_pids())
    if (const auto info = read_proc(pid); info && keep(*info)) out.push_back(pid);
  return out;
}

// "0100007F:238E" (little-endian IPv4) or a 32-hex-digit IPv6 address.
std::string format_proc_address(const std::string& field) {
  const auto colon = field.find(':');
  const std::string hex = field.substr(0, colon);
  const unsigned port = static_cast<unsigned>(std::stoul(field.substr(colon + 1), nullptr, 16));
  std::string address;
  if (hex.size() == 8) {
    const unsigned long value = std::stoul(hex, nullptr, 16);
    address = std::to_string(value & 0xff) + "." + std::to_string((value >> 8) & 0xff) + "." +
              std::to_string((value >> 16) & 0xff) + "." + std::to_string((value >> 24) & 0xff);
  } else if (hex == "00000000000000000000000000000000") {
    address = "[::]";
  } else if (hex == "00000000000000000000000001000000") {
    address = "[::1]";
  } else {
    address = "[" + hex + "]";
  }
  return address + ":" + std::to_string(port);
}

// inode -> "tcp listening ..." / "tcp connected ..." for every TCP socket.
std::map<std::string, std::string> tcp_sockets() {
  std::map<std::string, std::string> sockets;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_text(table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (inode.empty()) continue;
      if (state == "0A") {
        sockets[inode] = "tcp listening " + format_proc_address(local);
      } else {
        const char* what = state == "01" ? "tcp connected " : "tcp closing ";
        sockets[inode] =
            what + format_proc_address(local) + " <-> " + format_proc_address(remote);
      }
    }
  }
  return sockets;
}

// "tcp listening ..." / "tcp connected ..." for descriptor `fd` of `pid`, looked
// up on the socket itself: pidfd_getfd(2) lends us a copy of that descriptor
// (closed again at once), and getsockopt/getsockname/getpeername describe it.
// The cost does not grow with the machine's socket count, as reading all of
// /proc/net/tcp does. "" for a socket that is not TCP; nullopt when the copy
// cannot be had (another user's process without CAP_SYS_PTRACE, an old kernel).
std::optional<std::string> tcp_socket_of(pid_t pid, int fd) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return std::nullopt;
  const int copy = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, fd, 0));
  ::close(pidfd);
  if (copy < 0) return errno == EBADF ? std::optional<std::string>("") : std::nullopt;
  std::string described;
  int protocol = 0, family = 0;
  socklen_t length = sizeof protocol, family_length = sizeof family;
  tcp_info info{};
  socklen_t info_length = sizeof info;
  sockaddr_storage local{}, remote{};
  socklen_t local_length = sizeof local, remote_length = sizeof remote;
  const bool tcp = ::getsockopt(copy, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) == 0 &&
                   protocol == IPPROTO_TCP &&
                   ::getsockopt(copy, SOL_SOCKET, SO_DOMAIN, &family, &family_length) == 0 &&
                   (family == AF_INET || family == AF_INET6) &&
                   ::getsockopt(copy, IPPROTO_TCP, TCP_INFO, &info, &info_length) == 0 &&
                   ::getsockname(copy, reinterpret_cast<sockaddr*>(&local), &local_length) == 0;
  if (tcp && info.tcpi_state == TCP_LISTEN) {
    described = "tcp listening " + format_address(local);
  } else if (tcp &&
             ::getpeername(copy, reinterpret_cast<sockaddr*>(&remote), &remote_length) == 0) {
    described = (info.tcpi_state == TCP_ESTABLISHED ? "tcp connected " : "tcp closing ") +
                format_address(local) + " <-> " + format_address(remote);
  }
  ::close(copy);
  return described;
}

}  // namespace

std::optional<proc_info> read_proc(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) S ppid pgrp session ..." — comm may hold spaces and parentheses.
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  proc_info info;
  info.pid = pid;
  info.comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 2));
  rest >> info.state >> info.ppid >> info.pgid >> info.session;
  if (!rest) return std::nullopt;
  return info;
}

std::string read_wchan(pid_t pid) {
  std::string wchan = read_text("/proc/" + std::to_string(pid) + "/wchan");
  return wchan == "0" ? "" : wchan;
}

std::string describe_wchan(const std::string& wchan) {
  static const std::pair<const char*, const char*> known[] = {
      {"do_wait", "waiting in wait/waitpid"},
      {"hrtimer_nanosleep", "sleeping"},
      {"do_nanosleep", "sleeping"},
      {"sigsuspend", "waiting for a signal (pause)"},
      {"sys_pause", "waiting for a signal (pause)"},
      {"__do_sys_pause", "waiting for a signal (pause)"},  // newer kernels' name
      {"inet_csk_accept", "blocked in accept"},
      {"pipe_read", "blocked reading a pipe"},
      {"anon_pipe_read", "blocked reading a pipe"},  // newer kernels' names
      {"pipe_write", "blocked writing a pipe"},
      {"anon_pipe_write", "blocked writing a pipe"},
      {"wait_woken", "blocked reading a socket or terminal"},
      {"sk_wait_data", "blocked reading a socket"},
      {"sk_stream_wait_memory", "blocked writing a socket"},
      {"do_sys_poll", "waiting in poll"},
      {"do_select", "waiting in select"},
      {"ep_poll", "waiting in epoll_wait"},
      {"n_tty_read", "blocked reading the terminal"},
      {"do_signalfd4", "waiting on a signalfd"},
      {"signalfd_read", "waiting on a signalfd"},
      // names of newer kernels (6.x)
      {"do_epoll_wait", "waiting in epoll_wait"},
      {"signalfd_read_iter", "waiting on a signalfd"},
      {"poll_schedule_timeout", "waiting in poll or select"},
      {"do_sigtimedwait", "waiting for a signal (sigwait)"},
  };
  // The symbol without what the compiler or the system-call wrappers add:
  // "sigsuspend.isra.0" -> "sigsuspend", "__do_sys_pause" -> "sys_pause".
  std::string base = wchan.substr(0, wchan.find('.'));
  for (const char* wrapper : {"__do_sys_", "__se_sys_", "__x64_sys_"})
    if (base.starts_with(wrapper)) base = "sys_" + base.substr(std::string_view(wrapper).size());
  for (const auto& [function, words] : known)
    if (wchan == function || base == function) return words;
  return wchan;
}

const char* state_meaning(char state) {
  switch (state) {
    case 'R': return "running";
    case 'S': return "sleeping (interruptible)";
    case 'D': return "in uninterruptible wait";
    case 'Z': return "zombie: exited, waiting to be reaped";
    case 'T': return "stopped by a signal";
    case 't': return "stopped by a debugger";
    case 'X': return "dead";
    case 'I': return "idle";
    default: return "unknown";
  }
}

std::vector<pid_t> children_of(pid_t pid) {
  return pids_where([pid](const proc_info& info) { return info.ppid == pid; });
}

std::vector<pid_t> processes_in_group(pid_t pgid) {
  return pids_where([pgid](const proc_info& info) { return info.pgid == pgid; });
}

std::optional<signal_masks> read_signal_masks(pid_t pid) {
  std::istringstream lines(read_text("/proc/" + std::to_string(pid) + "/status"));
  signal_masks masks;
  bool found = false;
  std::string line;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    auto value = [&] { return std::stoull(line.substr(colon + 1), nullptr, 16); };
    if (key == "SigPnd" || key == "ShdPnd") masks.pending |= value();
    else if (key == "SigBlk") masks.blocked = value();
    else if (key == "SigIgn") masks.ignored = value();
    else if (key == "SigCgt") { masks.caught = value(); found = true; }
  }
  if (!found) return std::nullopt;
  return masks;
}

std::vector<int> signals_in(unsigned long long mask) {
  std::vector<int> signals;
  for (int bit = 0; bit < 64; ++bit)
    if (mask & (1ULL << bit)) signals.push_back(bit + 1);
  return signals;
}

std::vector<fd_info> open_fds(pid_t pid) {
  std::vector<fd_info> fds;
  const std::string dir_path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(dir_path.c_str());
  if (!dir) return fds;
  std::map<std::string, std::string> sockets;
  bool sockets_read = false;
  // Reading our own table, the directory stream's descriptor is in it: skip
  // it, it is closed again before we return.
  const int own_fd = pid == ::getpid() ? ::dirfd(dir) : -1;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    fd_info fd;
    fd.fd = std::atoi(entry->d_name);
    if (fd.fd == own_fd) continue;
    char target[256];
    const ssize_t n = ::readlink((dir_path + "/" + entry->d_name).c_str(), target, sizeof target);
    if (n < 0) continue;  // closed meanwhile
    fd.target.assign(target, static_cast<std::size_t>(n));
    if (fd.target.starts_with("socket:[")) {
      if (const auto described = tcp_socket_of(pid, fd.fd)) {
        fd.socket = *described;
        fds.push_back(std::move(fd));
        continue;
      }
      if (!sockets_read) {  // no copy to be had: the whole table, as a last resort
        sockets = tcp_sockets();
        sockets_read = true;
      }
      const std::string inode = fd.target.substr(8, fd.target.size() - 9);
      if (const auto found = sockets.find(inode); found != sockets.end()) fd.socket = found->second;
    }
    fds.push_back(std::move(fd));
  }
  ::closedir(dir);
  std::sort(fds.begin(), fds.end(), [](const fd_info& a, const fd_info& b) { return a.fd < b.fd; });
  return fds;
}

std::vector<tree_row> process_tree(pid_t root) {
  std::vector<proc_info> everyone;
  for (pid_t pid : all_pids())
    if (auto info = read_proc(pid)) everyone.push_back(std::move(*info));
  std::vector<tree_row> rows;
  std::function<void(const proc_info&, int)> visit = [&](const proc_info& info, int depth) {
    rows.push_back({info, depth, read_wchan(info.pid)});
    for (const proc_info& other : everyone)
      if (other.ppid == info.pid && other.pid != info.pid) visit(other, depth + 1);
  };
  for (const proc_info& info : everyone)
    if (info.pid == root) visit(info, 0);
  return rows;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    const timespec pause{0, 1'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

}  // namespace lab
