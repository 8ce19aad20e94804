#include "voice/output.hpp"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "voice/speaker.hpp"
#include "voice/text.hpp"

namespace lab {
namespace {

// Output patience (set_output_patience): -1 waits for room as long as it takes;
// 0 or more is how many ms a line may wait for room on stdout/stderr before it
// is dropped. `dropped_count` lives in a MAP_SHARED page once patience is set,
// so that children forked later count into the same number.
int output_patience_ms = -1;
long* dropped_count = nullptr;
// Whether stdout / stderr was a regular file when the patience was set: a
// write to a file never waits for a reader, so no poll asks for room first.
bool always_room[3] = {false, false, false};

// True when `fd` can take up to PIPE_BUF bytes within the patience (POLLOUT on a
// pipe means a free slot of at least PIPE_BUF bytes). Async-signal-safe.
bool room_for_line(int fd) noexcept {
  pollfd out{fd, POLLOUT, 0};
  return ::poll(&out, 1, output_patience_ms) == 1 && (out.revents & POLLOUT);
}

// The first error writing the lab's output (errno, 0 while none), shared by
// every process of the lab (MAP_SHARED) so that it is reported once.
int* shared_output_error = nullptr;
int local_output_error = 0;

// A write to standard output failed (ENOSPC on /dev/full, EIO...): says so
// on stderr, once for the whole lab, "lab01-fork: cannot write output: ENOSPC
// (No space left on device)"; the lab will then exit non-zero. EPIPE is the
// reader gone (`| head -1`): with SIGPIPE ignored it is the same quiet end
// SIGPIPE would be, not an error. Async-signal-safe.
void output_failed(int error) noexcept {
  if (error == EPIPE || error == EAGAIN || error == EWOULDBLOCK) return;
  int* first = shared_output_error ? shared_output_error : &local_output_error;
  int none = 0;
  if (!__atomic_compare_exchange_n(first, &none, error, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    return;  // reported already
  fixed_text<256> line;
  line.append(narrator_settings().program);
  line.append(": cannot write output: ");
  const char* name = ::strerrorname_np(error);
  const char* reason = ::strerrordesc_np(error);
  if (name)
    line.append(name);
  else
    line.append(static_cast<long long>(error));
  if (reason) {
    line.append(" (");
    line.append(reason);
    line.append(")");
  }
  line.append("\n");
  const std::string_view text = line.view();
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace

void start_output() {
  void* page =
      ::mmap(nullptr, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared_output_error = page == MAP_FAILED ? nullptr : static_cast<int*>(page);
  local_output_error = 0;
}

int output_error() noexcept {
  const int* first = shared_output_error ? shared_output_error : &local_output_error;
  return __atomic_load_n(first, __ATOMIC_SEQ_CST);
}

void set_output_patience(int milliseconds) {
  if (!dropped_count) {
    void* page =
        ::mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    dropped_count = static_cast<long*>(page);
  }
  output_patience_ms = milliseconds;
  for (const int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    struct stat about {};
    always_room[fd] = ::fstat(fd, &about) == 0 && S_ISREG(about.st_mode);
  }
}

long long dropped_lines() {
  return dropped_count ? __atomic_load_n(dropped_count, __ATOMIC_SEQ_CST) : 0;
}

// With a patience set, stdout and stderr are written PIPE_BUF bytes at a time,
// each only when there is room for it; a line that finds none (or whose write a
// signal interrupts) is dropped from there on and counted. The file description
// is never made non-blocking: it is shared with whoever else writes to it.
void write_fully(int fd, std::string_view line) noexcept {
  const char* data = line.data();
  std::size_t size = line.size();
  const bool patient = output_patience_ms >= 0 && (fd == STDOUT_FILENO || fd == STDERR_FILENO);
  const bool ask_for_room = patient && !always_room[fd];
  while (size > 0) {
    const std::size_t chunk = patient ? std::min<std::size_t>(size, PIPE_BUF) : size;
    if (ask_for_room && !room_for_line(fd)) break;
    const ssize_t n = ::write(fd, data, chunk);
    if (n < 0) {
      if (errno == EINTR && !patient) continue;
      if (fd == STDOUT_FILENO && errno != EINTR) output_failed(errno);
      break;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  if (size > 0 && patient && dropped_count) __atomic_add_fetch(dropped_count, 1, __ATOMIC_SEQ_CST);
}

bool output_reader_gone() {
  pollfd out{STDOUT_FILENO, POLLOUT, 0};
  return ::poll(&out, 1, 0) == 1 && (out.revents & POLLERR) != 0;
}

bool sigpipe_would_kill() {
  struct sigaction action {};
  sigset_t blocked;
  return ::sigaction(SIGPIPE, nullptr, &action) == 0 && action.sa_handler == SIG_DFL &&
         ::sigprocmask(SIG_BLOCK, nullptr, &blocked) == 0 && !sigismember(&blocked, SIGPIPE);
}

}  // namespace lab
