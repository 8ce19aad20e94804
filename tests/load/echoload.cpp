// echoload — the load generator for echo servers (benchmarks, not a lab).
//
// One thread, one epoll loop, loopback addresses only. Every byte echoed back
// is compared with the byte sent; every mismatch, early close, reset or stall
// is counted as an error. Every loop is bounded in count (--count) and in time
// (--seconds, plus --timeout for a connection that stops making progress), so
// the tool always stops by itself.
//
// Modes:
//   rate    C loops at once: connect, send S bytes, read them back, verify,
//           close, again. Reports connections/s and per-connection latency.
//   stream  C long connections, each sending S-byte messages (--depth of them
//           in flight) and verifying the echo. Reports messages/s, MB/s of
//           payload echoed, and p50/p99 round-trip latency.
//   hold    N connections, each echoing S bytes once, all held open; with
//           --server-pid, the server's children and their private dirty memory
//           (/proc/PID/smaps_rollup) are measured; then all are closed at once
//           and the server's children are watched until gone: zombies counted.
//   pump    no server: a forked writer pushes S-byte writes through a loopback
//           TCP connection to this process, which reads them (the raw ceiling).
//   fork    no server: P processes each loop fork + _exit + waitpid (the raw
//           cost of a process, the ceiling of a fork-per-client server).
//
// Output: one line of key=value pairs on stdout. Exit status 0 when no error
// was counted, 1 otherwise, 2 for a bad command line.
//
// Usage: echoload --mode rate --port 9190 [--connections 8] [--size 64] [--seconds 3]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lab.hpp"
#include "os/net.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct settings {
  std::string mode = "rate";
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 8;
  int size = 64;
  int depth = 1;
  lab::seconds duration{3.0};
  int count = 1000000;
  lab::seconds timeout{10.0};
  int parallel = 64;
  int server_pid = 0;
  lab::seconds hold{0.0};
  int processes = 0;
};

double seconds_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

long long micros_between(clock_type::time_point from, clock_type::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

// The payload: a fixed pattern with no period shorter than 251 bytes. Message
// m starts at offset m % 251, so a server that echoes a stale or shifted
// buffer is caught as surely as one that flips a bit.
class pattern {
 public:
  explicit pattern(std::size_t size) : bytes_(size + period) {
    for (std::size_t i = 0; i < bytes_.size(); ++i)
      bytes_[i] = static_cast<char>((i % period) * 7 + 1);
  }
  const char* message(std::uint64_t m) const { return bytes_.data() + m % period; }

 private:
  static constexpr std::size_t period = 251;
  std::vector<char> bytes_;
};

// Latency samples, microseconds.
class samples {
 public:
  void add(long long us) {
    if (values_.size() < 4'000'000) values_.push_back(us);
  }
  std::string summary() {
    if (values_.empty()) return "p50_us=- p99_us=- max_us=-";
    std::sort(values_.begin(), values_.end());
    auto at = [&](double q) {
      return values_[std::min(values_.size() - 1, static_cast<std::size_t>(q * values_.size()))];
    };
    return "p50_us=" + std::to_string(at(0.50)) + " p99_us=" + std::to_string(at(0.99)) +
           " max_us=" + std::to_string(values_.back());
  }

 private:
  std::vector<long long> values_;
};

// Counts errors; keeps the first one's words for the report.
struct error_log {
  long long count = 0;
  std::string first;
  void add(const std::string& what) {
    if (count++ == 0) first = what;
  }
};

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) out += (c == '"' ? '\'' : c);
  return out + "\"";
}

void report(const std::string& line) {
  lab::write_all(STDOUT_FILENO, line + "\n");
}

void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// --- the server's children, from /proc --------------------------------------

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  if (!file) return lab::children_of(pid);
  std::vector<pid_t> children;
  for (pid_t child = 0; file >> child;) children.push_back(child);
  return children;
}

// Private_Dirty of one process, KiB; nullopt if it is gone (or a zombie).
std::optional<long long> private_dirty_kib(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/smaps_rollup");
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("Private_Dirty:", 0) == 0) return std::stoll(line.substr(14));
  }
  return std::nullopt;
}

// CPU time of a process and of its children already reaped (utime + stime +
// cutime + cstime of /proc/PID/stat), microseconds; -1 if unreadable.
long long process_cpu_us(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(file, text);
  const auto end_of_comm = text.rfind(')');
  if (end_of_comm == std::string::npos) return -1;
  std::istringstream fields(text.substr(end_of_comm + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;  // state .. majflt... cmajflt
  long long ticks[4] = {};
  for (auto& t : ticks) fields >> t;
  if (!fields) return -1;
  return (ticks[0] + ticks[1] + ticks[2] + ticks[3]) * 1'000'000 / ::sysconf(_SC_CLK_TCK);
}

long long own_cpu_us() {
  long long total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    ::getrusage(who, &usage);
    total += (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000LL +
             usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  }
  return total;
}

struct children_count {
  int alive = 0;
  int zombies = 0;
};

children_count count_children(pid_t server) {
  children_count count;
  for (pid_t child : children_of(server)) {
    const auto info = lab::read_proc(child);
    if (!info) continue;
    if (info->state == 'Z' || info->state == 'X') {
      ++count.zombies;
    } else {
      ++count.alive;
    }
  }
  return count;
}

// --- the connection engine (rate, stream, hold) ------------------------------

enum class phase { idle, connecting, open, held };

struct connection {
  lab::unique_fd fd;
  phase state = phase::idle;
  std::uint32_t generation = 0;
  std::uint64_t sent_messages = 0;  // messages written completely
  std::size_t sent_bytes = 0;       // of the message being written
  std::uint64_t received_messages = 0;
  std::size_t received_bytes = 0;                     // of the message being read
  std::uint64_t message_base = 0;                     // varies the pattern across connections
  std::vector<clock_type::time_point> message_start;  // ring, --depth long
  clock_type::time_point opened;
  clock_type::time_point last_progress;
};

class engine {
 public:
  explicit engine(const settings& s)
      : s_(s), pattern_(static_cast<std::size_t>(s.size)), buffer_(std::max(s.size, 65536)) {
    epoll_ = lab::unique_fd(lab::check(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
    address_ = loopback_address(s.host, static_cast<std::uint16_t>(s.port), address_length_);
    slots_.resize(static_cast<std::size_t>(s.connections));
    for (auto& slot : slots_) slot.message_start.resize(static_cast<std::size_t>(s.depth));
  }

  int run() {
    if (s_.mode == "rate") return run_rate();
    if (s_.mode == "stream") return run_stream();
    return run_hold();
  }

 private:
  // The single place where a loopback check is made: numeric 127.0.0.0/8 or ::1.
  static sockaddr_storage loopback_address(const std::string& host, std::uint16_t port,
                                           socklen_t& length) {
    sockaddr_storage storage{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    const std::string name = host == "localhost" ? "127.0.0.1" : host;
    if (::inet_pton(AF_INET, name.c_str(), &v4->sin_addr) == 1 &&
        (ntohl(v4->sin_addr.s_addr) >> 24) == 127) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(port);
      length = sizeof *v4;
    } else if (::inet_pton(AF_INET6, name.c_str(), &v6->sin6_addr) == 1 &&
               IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(port);
      length = sizeof *v6;
    } else {
      throw std::invalid_argument("only loopback addresses (127.0.0.0/8, ::1): " + host);
    }
    return storage;
  }

  static std::uint64_t key(std::size_t slot, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(generation) << 32) | slot;
  }

  // Starts a non-blocking connect in `slot`; false (error counted) on failure.
  bool open(std::size_t slot) {
    connection& c = slots_[slot];
    c.fd =
        lab::unique_fd(::socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!c.fd) {
      errors_.add("socket: " + lab::errno_name(errno));
      return false;
    }
    // The client never waits on Nagle: any delay measured is the server's.
    const int on = 1;
    ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    c.generation = ++generation_;
    c.sent_messages = c.received_messages = 0;
    c.sent_bytes = c.received_bytes = 0;
    c.message_base = (c.message_base + 13 * slot + 1);
    c.opened = c.last_progress = clock_type::now();
    c.message_start[0] = c.opened;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.u64 = key(slot, c.generation);
    lab::check(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c.fd.get(), &event), "epoll_ctl");
    if (::connect(c.fd.get(), reinterpret_cast<const sockaddr*>(&address_), address_length_) == 0) {
      c.state = phase::open;
    } else if (errno == EINPROGRESS) {
      c.state = phase::connecting;
    } else {
      fail(slot, "connect: " + lab::errno_name(errno));
      return false;
    }
    ++active_;
    return true;
  }

  void close_slot(std::size_t slot) {
    connection& c = slots_[slot];
    if (c.state == phase::idle) return;
    c.fd.reset();  // close(2) also takes it out of the epoll set
    c.state = phase::idle;
    --active_;
  }

  void fail(std::size_t slot, const std::string& what) {
    errors_.add(what);
    if (slots_[slot].state == phase::held) --held_;  // no longer served
    if (slots_[slot].state == phase::idle) {
      slots_[slot].fd.reset();
    } else {
      close_slot(slot);
    }
    if (errors_.count >= 1000) stopping_ = true;     // a dead server is not worth more tries
    if (s_.mode == "rate") reopen_.push_back(slot);  // the loop goes on with a new connection
  }

  // Rate mode: each loop starts its next connection (deferred to here, so a
  // connect that fails at once cannot recurse).
  void reopen_finished() {
    while (!reopen_.empty()) {
      const std::size_t slot = reopen_.back();
      reopen_.pop_back();
      if (stopping_ || started_ >= static_cast<std::uint64_t>(s_.count)) continue;
      ++started_;
      open(slot);
    }
  }

  // How many messages this connection still sends (rate/hold: exactly one).
  bool may_send_another(const connection& c) const {
    if (s_.mode != "stream") return c.sent_messages < 1;
    return !stopping_ &&
           c.sent_messages - c.received_messages < static_cast<std::uint64_t>(s_.depth) &&
           messages_started_ < static_cast<std::uint64_t>(s_.count);
  }

  // Moves one connection forward as far as the socket allows. Returns false if
  // it failed (already counted and closed).
  bool progress(std::size_t slot, std::uint32_t events) {
    connection& c = slots_[slot];
    if (c.state == phase::held) {
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        fail(slot, "the server closed or wrote on a held connection");
        return false;
      }
      return true;
    }
    if (c.state == phase::connecting) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        fail(slot, "connect: " + lab::errno_name(error));
        return false;
      }
      if (!(events & (EPOLLOUT | EPOLLIN))) return true;
      c.state = phase::open;
      c.last_progress = clock_type::now();
    }
    const std::size_t size = static_cast<std::size_t>(s_.size);
    for (;;) {
      // Write while the window allows.
      bool write_blocked = false;
      while (c.sent_bytes > 0 || may_send_another(c)) {
        if (c.sent_bytes == 0) {
          c.message_start[c.sent_messages % c.message_start.size()] = clock_type::now();
          ++messages_started_;
        }
        const char* data = pattern_.message(c.message_base + c.sent_messages) + c.sent_bytes;
        const ssize_t n = ::send(c.fd.get(), data, size - c.sent_bytes, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            write_blocked = true;
            break;
          }
          fail(slot, "send: " + lab::errno_name(errno));
          return false;
        }
        c.sent_bytes += static_cast<std::size_t>(n);
        c.last_progress = clock_type::now();
        if (c.sent_bytes == size) {
          c.sent_bytes = 0;
          ++c.sent_messages;
        }
      }
      // Read and verify everything available.
      bool window_opened = false;
      for (;;) {
        const ssize_t n = ::recv(c.fd.get(), buffer_.data(), buffer_.size(), 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          fail(slot, "recv: " + lab::errno_name(errno));
          return false;
        }
        if (n == 0) {
          fail(slot, "the server closed the connection before echoing everything");
          return false;
        }
        c.last_progress = clock_type::now();
        std::size_t offset = 0;
        while (offset < static_cast<std::size_t>(n)) {
          // Bytes sent but not yet echoed: the most that may arrive.
          const std::uint64_t owed =
              (c.sent_messages - c.received_messages) * size + c.sent_bytes - c.received_bytes;
          if (owed == 0) {
            fail(slot, "the server sent more bytes than it was sent");
            return false;
          }
          const std::size_t take =
              std::min({size - c.received_bytes, static_cast<std::size_t>(n) - offset,
                        static_cast<std::size_t>(owed)});
          const char* expected =
              pattern_.message(c.message_base + c.received_messages) + c.received_bytes;
          if (std::memcmp(buffer_.data() + offset, expected, take) != 0) {
            fail(slot, "echoed bytes differ from the bytes sent");
            return false;
          }
          offset += take;
          c.received_bytes += take;
          bytes_verified_ += take;
          if (c.received_bytes == size) {
            c.received_bytes = 0;
            const auto start = c.message_start[c.received_messages % c.message_start.size()];
            ++c.received_messages;
            ++messages_done_;
            window_opened = true;
            if (s_.mode == "stream") latency_.add(micros_between(start, c.last_progress));
            if (!message_done(slot)) {
              if (offset < static_cast<std::size_t>(n))
                errors_.add("the server sent more bytes than it was sent");
              return true;
            }
          }
        }
      }
      if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
        fail(slot,
             error ? "connection: " + lab::errno_name(error) : "the server closed the connection");
        return false;
      }
      // Echoes made room in the window: send more now, unless the socket is full.
      if (!window_opened || write_blocked || !may_send_another(c)) return true;
    }
  }

  // A message came back whole. Returns false once the connection is finished
  // with (closed, held or replaced).
  bool message_done(std::size_t slot) {
    connection& c = slots_[slot];
    if (s_.mode == "rate") {
      latency_.add(micros_between(c.opened, c.last_progress));
      ++completed_;
      last_completion_ = c.last_progress;
      close_slot(slot);
      reopen_.push_back(slot);
      return false;
    }
    if (s_.mode == "hold") {
      c.state = phase::held;
      ++held_;
      return false;
    }
    last_completion_ = c.last_progress;  // stream
    if (c.received_messages == c.sent_messages && c.sent_bytes == 0 && !may_send_another(c)) {
      close_slot(slot);
      return false;
    }
    return true;
  }

  // One round of epoll_wait, then stall checks.
  void turn(std::chrono::milliseconds wait) {
    epoll_event events[256];
    const int ready = ::epoll_wait(epoll_.get(), events, 256, static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) lab::check(ready, "epoll_wait");
    for (int i = 0; i < ready; ++i) {
      const std::size_t slot = events[i].data.u64 & 0xffffffffu;
      const auto generation = static_cast<std::uint32_t>(events[i].data.u64 >> 32);
      if (slot >= slots_.size() || slots_[slot].generation != generation ||
          slots_[slot].state == phase::idle)
        continue;  // an event for a connection already closed in this batch
      progress(slot, events[i].events);
    }
    reopen_finished();
    const auto now = clock_type::now();
    if (now < next_stall_check_) return;
    next_stall_check_ = now + 100ms;
    for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
      const connection& c = slots_[slot];
      if ((c.state == phase::connecting || c.state == phase::open) &&
          now - c.last_progress > s_.timeout)
        fail(slot, c.state == phase::connecting ? "connect stalled (no answer within --timeout)"
                                                : "echo stalled (no progress within --timeout)");
    }
  }

  // Runs until no connection is active, stopping new work at `deadline`; in
  // any case gives up --timeout after it.
  void drive(clock_type::time_point deadline) {
    const auto hard_deadline =
        deadline + std::chrono::duration_cast<clock_type::duration>(s_.timeout);
    while (active_ > 0 || !reopen_.empty()) {
      const auto now = clock_type::now();
      if (!stopping_ && now >= deadline) stopping_ = true;
      if (now >= hard_deadline) {
        for (std::size_t slot = 0; slot < slots_.size(); ++slot)
          if (slots_[slot].state == phase::connecting || slots_[slot].state == phase::open)
            fail(slot, "still busy after the run's deadline");
        break;
      }
      turn(stopping_
               ? 20ms
               : std::min(
                     std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + 1ms,
                     100ms));
    }
  }

  std::string common_fields() const {
    return "mode=" + s_.mode + " connections=" + std::to_string(s_.connections) +
           " size=" + std::to_string(s_.size);
  }

  int finish(const std::string& fields) {
    report(common_fields() + " " + fields + " errors=" + std::to_string(errors_.count) +
           (errors_.count ? " first_error=" + quoted(errors_.first) : ""));
    if (errors_.count)
      lab::say_error(std::to_string(errors_.count) + " errors, the first: " + errors_.first);
    return errors_.count == 0 ? 0 : 1;
  }

  int run_rate() {
    const long long server_cpu_before = s_.server_pid > 0 ? process_cpu_us(s_.server_pid) : -1;
    start_ = last_completion_ = clock_type::now();
    const auto deadline = start_ + std::chrono::duration_cast<clock_type::duration>(s_.duration);
    for (std::size_t slot = 0;
         slot < slots_.size() && started_ < static_cast<std::uint64_t>(s_.count); ++slot) {
      ++started_;
      open(slot);
    }
    reopen_finished();
    drive(deadline);
    const double elapsed = std::max(seconds_between(start_, last_completion_), 1e-9);
    char rate[64];
    std::snprintf(rate, sizeof rate, "seconds=%.3f rate=%.1f", elapsed,
                  static_cast<double>(completed_) / elapsed);
    std::string fields =
        "done=" + std::to_string(completed_) + " " + rate + " " + latency_.summary();
    if (server_cpu_before >= 0 && completed_ > 0) {
      // The server's CPU (with its reaped children) per connection: less
      // sensitive to a busy machine than the rate.
      const long long used = process_cpu_us(s_.server_pid) - server_cpu_before;
      fields += " server_cpu_us=" +
                format(static_cast<double>(used) / static_cast<double>(completed_), "%.1f");
    }
    return finish(fields);
  }

  int run_stream() {
    start_ = last_completion_ = clock_type::now();
    const auto deadline = start_ + std::chrono::duration_cast<clock_type::duration>(s_.duration);
    for (std::size_t slot = 0; slot < slots_.size(); ++slot) open(slot);
    drive(deadline);
    const double elapsed = std::max(seconds_between(start_, last_completion_), 1e-9);
    char rate[160];
    std::snprintf(rate, sizeof rate, "depth=%d seconds=%.3f rate=%.1f mbps=%.1f", s_.depth, elapsed,
                  static_cast<double>(messages_done_) / elapsed,
                  static_cast<double>(bytes_verified_) / elapsed / 1e6);
    return finish("messages=" + std::to_string(messages_done_) + " " + rate + " " +
                  latency_.summary());
  }

  int run_hold() {
    start_ = clock_type::now();
    const auto deadline = start_ + std::chrono::duration_cast<clock_type::duration>(s_.duration);
    const std::size_t total = slots_.size();
    std::size_t next = 0;
    // Open at most --parallel at a time (a burst beyond the backlog only
    // measures SYN retransmission), until all are held or the time is up.
    while (next < total || active_ > held_) {
      const auto now = clock_type::now();
      if (now >= deadline) break;
      while (next < total && active_ - held_ < static_cast<long long>(s_.parallel)) open(next++);
      turn(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + 1ms,
                    100ms));
    }
    for (std::size_t slot = 0; slot < total; ++slot)
      if (slots_[slot].state == phase::connecting || slots_[slot].state == phase::open)
        fail(slot, "not served within --seconds");
    const double setup = seconds_between(start_, clock_type::now());
    std::string fields = "held=" + std::to_string(held_) + " setup_s=" + format(setup, "%.3f");

    const pid_t server = s_.server_pid;
    if (server > 0) {
      const auto children = children_of(server);
      long long total_kib = 0, max_kib = 0, measured = 0;
      for (pid_t child : children) {
        if (const auto kib = private_dirty_kib(child)) {
          total_kib += *kib;
          max_kib = std::max(max_kib, *kib);
          ++measured;
        }
      }
      fields +=
          " children=" + std::to_string(children.size()) + " private_dirty_kib_avg=" +
          (measured ? format(static_cast<double>(total_kib) / static_cast<double>(measured), "%.1f")
                    : std::string("-")) +
          " private_dirty_kib_max=" + std::to_string(max_kib) +
          " private_dirty_kib_total=" + std::to_string(total_kib);
    }
    if (s_.hold.count() > 0)
      std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(s_.hold));

    // Close every held connection at once.
    const auto closing = clock_type::now();
    for (std::size_t slot = 0; slot < total; ++slot) close_slot(slot);
    if (server > 0) {
      // Watch the children go: exit (EOF), then be reaped. A zombie that is
      // still there when nothing else changes for 2 s was not reaped.
      children_count count = count_children(server);
      auto last_change = clock_type::now();
      const auto give_up = closing + std::chrono::duration_cast<clock_type::duration>(s_.timeout);
      while ((count.alive > 0 || count.zombies > 0) && clock_type::now() < give_up &&
             clock_type::now() - last_change < 2s) {
        std::this_thread::sleep_for(5ms);
        const children_count now = count_children(server);
        if (now.alive != count.alive || now.zombies != count.zombies)
          last_change = clock_type::now();
        count = now;
      }
      fields += " gone_ms=" + std::to_string(micros_between(closing, clock_type::now()) / 1000) +
                " alive=" + std::to_string(count.alive) +
                " zombies=" + std::to_string(count.zombies);
      if (!lab::read_proc(server)) errors_.add("the server is gone");
    }
    return finish(fields);
  }

  static std::string format(double value, const char* how) {
    char text[32];
    std::snprintf(text, sizeof text, how, value);
    return text;
  }

  const settings& s_;
  pattern pattern_;
  std::vector<char> buffer_;
  lab::unique_fd epoll_;
  sockaddr_storage address_{};
  socklen_t address_length_ = 0;
  std::vector<connection> slots_;
  std::vector<std::size_t> reopen_;
  std::uint32_t generation_ = 0;
  long long active_ = 0;
  long long held_ = 0;
  bool stopping_ = false;
  std::uint64_t started_ = 0, completed_ = 0;
  std::uint64_t messages_started_ = 0, messages_done_ = 0, bytes_verified_ = 0;
  clock_type::time_point start_, last_completion_, next_stall_check_;
  samples latency_;
  error_log errors_;
};

// --- pump: the loopback ceiling -------------------------------------------------

int run_pump(const settings& s) {
  auto listener = lab::listen_tcp("127.0.0.1", 0, 1);
  const std::uint16_t port = lab::local_port(listener.get());
  const std::size_t size = static_cast<std::size_t>(s.size);
  const pid_t writer = lab::fork_as("writer");  // killed if echoload dies first
  if (writer == 0) {                            // child: the writer
    int status = 0;
    try {
      listener.reset();
      auto connection = lab::connect_tcp("127.0.0.1", port);
      std::vector<char> data(size, 'p');
      const auto deadline =
          clock_type::now() + std::chrono::duration_cast<clock_type::duration>(s.duration);
      for (long long writes = 0; writes < s.count && clock_type::now() < deadline; ++writes) {
        if (::send(connection.get(), data.data(), size, MSG_NOSIGNAL) < 0 && errno != EINTR) {
          status = 1;
          break;
        }
      }
    } catch (...) {
      status = 1;
    }
    ::_exit(status);
  }
  // parent: the reader
  auto connection = lab::unique_fd(
      lab::check(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept4"));
  std::vector<char> buffer(std::max<std::size_t>(size, 65536));
  long long bytes = 0;
  const auto start = clock_type::now();
  for (;;) {
    const std::size_t n = lab::read_some(connection.get(), buffer);
    if (n == 0) break;
    bytes += static_cast<long long>(n);
  }
  const double elapsed = seconds_between(start, clock_type::now());
  int status = 0;
  lab::check(::waitpid(writer, &status, 0), "waitpid");
  char line[200];
  std::snprintf(line, sizeof line, "mode=pump size=%d seconds=%.3f bytes=%lld mbps=%.1f errors=%d",
                s.size, elapsed, bytes, static_cast<double>(bytes) / elapsed / 1e6,
                status == 0 ? 0 : 1);
  report(line);
  return status == 0 ? 0 : 1;
}

// --- fork: the process ceiling ----------------------------------------------------

int run_fork(const settings& s) {
  const int processes = s.processes > 0
                            ? s.processes
                            : static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  auto results = lab::make_pipe();
  std::vector<pid_t> workers;
  for (int i = 0; i < processes; ++i) {
    const pid_t worker = lab::fork_as("worker");  // killed if echoload dies first
    if (worker == 0) {                            // child: one worker, forking in a loop
      results.read_end.reset();
      long long forks = 0, failures = 0;
      const auto start = clock_type::now();
      const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(s.duration);
      while (forks < s.count && clock_type::now() < deadline) {
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(0);  // grandchild: the cost being measured
        int status = 0;
        if (pid < 0 || ::waitpid(pid, &status, 0) != pid || status != 0) ++failures;
        ++forks;
      }
      const double elapsed = seconds_between(start, clock_type::now());
      char line[128];
      const int length = std::snprintf(line, sizeof line, "%lld %lld %.6f %lld\n", forks, failures,
                                       elapsed, own_cpu_us());
      const bool written =
          ::write(results.write_end.get(), line, static_cast<std::size_t>(length)) == length;
      ::_exit(written ? 0 : 1);
    }
    workers.push_back(worker);  // parent
  }
  results.write_end.reset();
  const std::string text = lab::read_all(results.read_end.get());
  long long forks = 0, failures = 0, cpu_us = 0;
  double rate = 0, longest = 0;
  std::istringstream lines(text);
  for (long long f = 0, e = 0; lines >> f >> e;) {
    double elapsed = 0;
    long long cpu = 0;
    lines >> elapsed >> cpu;
    cpu_us += cpu;
    forks += f;
    failures += e;
    if (elapsed > 0) rate += static_cast<double>(f) / elapsed;
    longest = std::max(longest, elapsed);
  }
  for (pid_t worker : workers) {
    int status = 0;
    if (::waitpid(worker, &status, 0) != worker || status != 0) ++failures;
  }
  char line[240];
  std::snprintf(line, sizeof line,
                "mode=fork processes=%d forks=%lld seconds=%.3f rate=%.1f us_per_fork=%.1f "
                "cpu_us=%.1f errors=%lld",
                processes, forks, longest, rate, rate > 0 ? 1e6 * processes / rate : 0.0,
                forks > 0 ? static_cast<double>(cpu_us) / static_cast<double>(forks) : 0.0,
                failures);
  report(line);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  lab::command_line cli("echoload",
                        "Load generator for the echo servers (one thread, epoll, loopback only): "
                        "connection rate, streaming, many held connections; plus the raw ceilings "
                        "(loopback pump, fork+exit+waitpid). Verifies every echoed byte.");
  cli.choice("--mode", s.mode, "rate, stream, hold, pump or fork",
             {"rate", "stream", "hold", "pump", "fork"});
  cli.option("--host", s.host, "server address: 127.0.0.0/8 or ::1 only");
  cli.option("--port", s.port, "server port (rate, stream, hold)", 1, 65535);
  cli.option("-c,--connections", s.connections,
             "rate: loops at once; stream: connections; hold: connections held", 1, 20000);
  cli.option("-s,--size", s.size, "bytes per message (pump: per write)", 1, 16 << 20);
  cli.option("--depth", s.depth, "stream: messages in flight per connection (1 = ping-pong)", 1,
             64);
  cli.option("--seconds", s.duration,
             "run time (hold: time allowed to open and serve all connections)", 0.01, 600);
  cli.option("--count", s.count,
             "at most this many connections (rate), messages (stream) or forks per process", 1,
             1'000'000'000);
  cli.option("--timeout", s.timeout, "a connection making no progress this long is an error", 0.1,
             600);
  cli.option("--parallel", s.parallel, "hold: connections being opened at once", 1, 20000);
  cli.option(
      "--server-pid", s.server_pid,
      "the server's pid: rate: its CPU per connection; hold: its children's memory and zombies", 1,
      1 << 30);
  cli.option("--hold", s.hold, "hold: keep the connections open this long after measuring", 0, 600);
  cli.option("--processes", s.processes, "fork: processes forking at once (0 = one per CPU)", 0,
             64);
  cli.epilogue(
      "Output: one line of key=value pairs. Exit status 0 when every echoed byte was verified "
      "and nothing failed, 1 when an error was counted.");
  return cli.run(argc, argv, [&] {
    lab::set_role("echoload");
    raise_fd_limit();
    if ((s.mode == "rate" || s.mode == "stream" || s.mode == "hold") && s.port == 0)
      throw std::invalid_argument("--port is required in mode " + s.mode);
    if (s.mode == "pump") return run_pump(s);
    if (s.mode == "fork") return run_fork(s);
    engine load(s);
    return load.run();
  });
}
