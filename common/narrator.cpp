#include "narrator.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <map>

#include "proc.hpp"
#include "sys.hpp"
#include "wait_status.hpp"

namespace lab {
namespace {

narrator_options settings;
timespec time_zero{};
long* shared_sequence = nullptr;  // MAP_SHARED: parent and children count together
char current_role[32] = "parent";
std::map<pid_t, std::string> known_roles;
bool pausing = true;

// Writes the whole buffer, retrying on EINTR and short writes. Async-signal-safe.
void write_fully(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

long long elapsed_ms() noexcept {
  timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - time_zero.tv_sec) * 1000LL + (now.tv_nsec - time_zero.tv_nsec) / 1'000'000;
}

long next_sequence() noexcept {
  static long local_sequence = 0;
  if (!shared_sequence) return ++local_sequence;
  return __atomic_add_fetch(shared_sequence, 1, __ATOMIC_SEQ_CST);
}

// The two line builders share one renderer: a fixed buffer (signal handlers)
// and a growing string (everything else). A line ends with end(), which
// always fits: a fixed line that runs out of room is cut, but still closes its
// JSON and still ends in '\n'.
class fixed_line {
 public:
  // Once a piece does not fit, the line is cut there: nothing more is added
  // until end(). A long run of text is cut where the room ends; a short piece
  // (an escape such as \" or \u0001, a colour code) is never split.
  void append(std::string_view text) noexcept {
    if (cut_) return;
    const std::size_t room = sizeof data_ - end_room - size_;
    if (text.size() > room) {
      cut_ = true;
      if (text.size() <= 8) return;
      text = text.substr(0, room);
    }
    std::memcpy(data_ + size_, text.data(), text.size());
    size_ += text.size();
  }
  void end(std::string_view text) noexcept {
    const std::size_t n = std::min(text.size(), sizeof data_ - size_);
    std::memcpy(data_ + size_, text.data(), n);
    size_ += n;
  }
  std::string_view view() const noexcept { return {data_, size_}; }

 private:
  static constexpr std::size_t end_room = 3;  // the longest ending: "}\n
  char data_[1024];
  std::size_t size_ = 0;
  bool cut_ = false;
};

class growing_line {
 public:
  void append(std::string_view text) { data_.append(text); }
  void end(std::string_view text) { data_.append(text); }
  std::string_view view() const { return data_; }

 private:
  std::string data_;
};

template <typename Line>
void append_integer(Line& line, long long value, int min_width = 0, char pad = ' ') noexcept {
  char digits[24];
  int n = 0;
  unsigned long long magnitude = value < 0 ? 0ULL - static_cast<unsigned long long>(value)
                                           : static_cast<unsigned long long>(value);
  do {
    digits[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (value < 0) digits[n++] = '-';
  for (int i = n; i < min_width; ++i) line.append(std::string_view(&pad, 1));
  while (n > 0) line.append(std::string_view(&digits[--n], 1));
}

// The characters of a JSON string, escaped, without the quotes.
template <typename Line>
void append_json_characters(Line& line, std::string_view text) noexcept {
  for (const char c : text) {
    switch (c) {
      case '"': line.append("\\\""); break;
      case '\\': line.append("\\\\"); break;
      case '\n': line.append("\\n"); break;
      case '\t': line.append("\\t"); break;
      case '\r': line.append("\\r"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char hex[] = "0123456789abcdef";
          const char escaped[] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
          line.append(std::string_view(escaped, sizeof escaped));
        } else {
          line.append(std::string_view(&c, 1));
        }
    }
  }
}

template <typename Line>
void append_json_string(Line& line, std::string_view text) noexcept {
  line.append("\"");
  append_json_characters(line, text);
  line.append("\"");
}

// Field access, uniform over field and int_field.
std::string_view key_of(const field& f) { return f.key; }
std::string_view key_of(const int_field& f) noexcept { return f.key; }

template <typename Line>
void append_value(Line& line, const int_field& f, bool) noexcept {
  append_integer(line, f.value);
}

template <typename Line>
void append_value(Line& line, const field& f, bool as_json) {
  switch (f.kind) {
    case field::type::integer: append_integer(line, f.integer); break;
    case field::type::boolean: line.append(f.integer ? "true" : "false"); break;
    case field::type::real: {
      if (as_json && !std::isfinite(f.real)) {  // JSON has no inf or nan
        line.append("null");
        break;
      }
      char text[32];
      std::snprintf(text, sizeof text, as_json ? "%.6g" : "%.3f", f.real);
      line.append(text);
      break;
    }
    case field::type::text:
      if (as_json) append_json_string(line, f.text);
      else line.append(f.text);
      break;
  }
}

// Replaces each {key} in text by the field's value (as plain text).
template <typename Line, typename Fields>
void append_text(Line& line, std::string_view text, const Fields& fields) {
  while (!text.empty()) {
    const auto open = text.find('{');
    const auto close = text.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) break;
    const std::string_view key = text.substr(open + 1, close - open - 1);
    const auto* found = std::find_if(fields.begin(), fields.end(),
                                     [&](const auto& f) { return key_of(f) == key; });
    line.append(text.substr(0, open));
    if (found != fields.end()) append_value(line, *found, false);
    else line.append(text.substr(open, close - open + 1));
    text.remove_prefix(close + 1);
  }
  line.append(text);
}

const char* role_color(std::string_view role) noexcept {
  if (role.starts_with("parent")) return "\033[34m";
  if (role.starts_with("child")) return "\033[32m";
  if (role.starts_with("server")) return "\033[35m";
  if (role.starts_with("worker")) return "\033[36m";
  if (role.starts_with("reader")) return "\033[33m";
  if (role.starts_with("writer")) return "\033[36m";
  return "\033[39m";
}

template <typename Line, typename Fields>
void render(Line& line, std::string_view kind, std::string_view text, const Fields& fields,
            bool color) {
  const long sequence = next_sequence();
  const long long ms = elapsed_ms();
  const pid_t pid = ::getpid();
  if (settings.json) {
    line.append("{\"seq\":");
    append_integer(line, sequence);
    line.append(",\"t_ms\":");
    append_integer(line, ms);
    line.append(",\"pid\":");
    append_integer(line, pid);
    line.append(",\"role\":");
    append_json_string(line, current_role);
    line.append(",\"kind\":");
    append_json_string(line, kind);
    for (const auto& f : fields) {
      line.append(",");
      append_json_string(line, key_of(f));
      line.append(":");
      append_value(line, f, true);
    }
    // The text last, so the fields a test reads come first in a long line.
    Line rendered;
    append_text(rendered, text, fields);
    line.append(",\"text\":\"");
    append_json_characters(line, rendered.view());
    line.end("\"}\n");
    return;
  }
  // "  1.234 parent   4242 fork    fork() returned 4243 in the parent"
  append_integer(line, ms / 1000, 3);
  line.append(".");
  append_integer(line, ms % 1000, 3, '0');
  line.append(" ");
  if (color) line.append(role_color(current_role));
  const std::string_view role = current_role;
  line.append(role);
  for (std::size_t i = role.size(); i < 8; ++i) line.append(" ");
  append_integer(line, pid, 7);
  if (color) line.append(kind == "error" ? "\033[31m" : "\033[2m");
  line.append(" ");
  line.append(kind);
  for (std::size_t i = kind.size(); i < 8; ++i) line.append(" ");
  line.append(" ");  // a kind of eight letters ("shutdown") still stands apart
  if (color) line.append("\033[0m");
  // Continuation lines of a multi-line text line up under the first.
  Line rendered;
  append_text(rendered, text, fields);
  std::string_view body = rendered.view();
  for (bool first = true; !body.empty(); first = false) {
    const auto end = body.find('\n');
    if (!first) line.append("\n                                 ");
    line.append(body.substr(0, end));
    body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
  }
  line.end("\n");
}

void emit(int fd, std::string_view kind, std::string_view text,
          std::initializer_list<field> fields) {
  growing_line line;
  render(line, kind, text, fields, settings.color && fd == STDOUT_FILENO);
  const std::string_view out = line.view();
  write_fully(fd, out.data(), out.size());
}

std::string role_of(pid_t pid) {
  if (pid == ::getpid()) return current_role;
  const auto found = known_roles.find(pid);
  return found == known_roles.end() ? "" : found->second;
}

}  // namespace

void start_narrator(const narrator_options& options) {
  settings = options;
  ::clock_gettime(CLOCK_MONOTONIC, &time_zero);
  void* page = ::mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
  shared_sequence = page == MAP_FAILED ? nullptr : static_cast<long*>(page);
}

const narrator_options& narrator_settings() { return settings; }

void set_role(std::string_view role) {
  const std::size_t n = std::min(role.size(), sizeof current_role - 1);
  std::memcpy(current_role, role.data(), n);
  current_role[n] = '\0';
}

void name_process(pid_t pid, std::string_view role) { known_roles[pid] = role; }

void forget_process(pid_t pid) { known_roles.erase(pid); }

void say(std::string_view kind, std::string_view text, std::initializer_list<field> fields) {
  emit(STDOUT_FILENO, kind, text, fields);
}

void say_error(std::string_view text, std::initializer_list<field> fields) {
  if (!settings.json) {
    emit(STDERR_FILENO, "error", text, fields);
    return;
  }
  emit(STDOUT_FILENO, "error", text, fields);
  growing_line plain;
  plain.append(settings.program);
  plain.append(": ");
  append_text(plain, text, fields);
  plain.append("\n");
  write_fully(STDERR_FILENO, plain.view().data(), plain.view().size());
}

void signal_say(const char* kind, const char* text, std::initializer_list<int_field> fields) noexcept {
  const int saved_errno = errno;
  fixed_line line;
  render(line, kind, text, fields, settings.color);
  write_fully(STDOUT_FILENO, line.view().data(), line.view().size());
  errno = saved_errno;
}

void say_reap(pid_t child, int raw_status) {
  const wait_status status = decode_wait_status(raw_status);
  const std::string role = role_of(child);
  say("reap", "reaped {child_role} {child}: {status}",
      {{"child", child},
       {"child_role", role.empty() ? "child" : role},
       {"how", how_name(status.end)},
       {"code", status.code},
       {"core_dumped", status.core_dumped},
       {"status", describe(status)}});
  if (status.end == wait_status::how::exited || status.end == wait_status::how::killed)
    forget_process(child);
}

char say_state(pid_t pid) {
  const auto info = read_proc(pid);
  if (!info) {
    say("state", "{child} no longer exists (reaped)", {{"child", pid}, {"state", "-"}});
    return '-';
  }
  const std::string state(1, info->state);
  say("state", "{child} is in state {state} ({meaning}), parent {ppid}",
      {{"child", pid},
       {"state", state},
       {"meaning", state_meaning(info->state)},
       {"ppid", info->ppid},
       {"pgid", info->pgid},
       {"wchan", read_wchan(pid)}});
  return info->state;
}

void show_tree(std::string_view caption) {
  const auto rows = process_tree(::getpid());
  std::string text(caption);
  text += "\n  PID     PPID    STAT  ROLE      WHAT";
  for (const tree_row& row : rows) {
    char line[64];
    std::snprintf(line, sizeof line, "\n  %-*s%-7d %-7d %c     ", row.depth * 2, "",
                  static_cast<int>(row.info.pid), static_cast<int>(row.info.ppid), row.info.state);
    text += line;
    std::string role = role_of(row.info.pid);
    role.resize(std::max<std::size_t>(role.size(), 9), ' ');
    text += role + " " + state_meaning(row.info.state);
    if (row.info.state != 'Z' && !row.wchan.empty()) text += ", " + describe_wchan(row.wchan);
  }
  if (settings.json)
    for (const tree_row& row : rows) say_state(row.info.pid);
  say("tree", text, {{"processes", static_cast<long long>(rows.size())}});
}

std::vector<fd_info> show_fds(std::string_view caption, pid_t pid) {
  if (pid == 0) pid = ::getpid();
  const auto fds = open_fds(pid);
  std::string text(caption);
  std::string targets;
  for (const fd_info& fd : fds) {
    std::string line = std::to_string(fd.fd) + " -> " + fd.target;
    if (!fd.socket.empty()) line += " (" + fd.socket + ")";
    text += "\n  " + line;
    targets += (targets.empty() ? "" : "; ") + line;
  }
  say("fds", text,
      {{"process", pid}, {"count", static_cast<long long>(fds.size())}, {"targets", targets}});
  return fds;
}

void stage(std::string_view text) {
  say("step", text);
  if (!settings.step || !pausing) return;
  show_tree("the processes now:");
  const pid_t pid = ::getpid();
  say("pause", "try in another terminal:  ps -o pid,ppid,pgid,stat,wchan:20,cmd --forest "
               "--pid {lab} --ppid {lab}    (press Enter to go on)",
      {{"lab", pid}});
  unique_fd tty(::open("/dev/tty", O_RDONLY | O_CLOEXEC));
  const int input = tty ? tty.get() : STDIN_FILENO;
  char c = 0;
  for (;;) {
    const ssize_t n = ::read(input, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) pausing = false;  // end of input: run on without pausing
    if (n <= 0 || c == '\n') break;
  }
}

pid_t fork_as(std::string_view role) {
  const pid_t parent = ::getpid();
  const pid_t pid = check(::fork(), "fork");
  if (pid == 0) {
    set_role(role);
    // The parent's table of roles stays as it is: clearing it would free, and
    // so copy, heap pages the child shares with its parent (a fork server's
    // children would each pay for every child forked before them).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);  // the lab died before we could ask
    return 0;
  }
  name_process(pid, role);
  return pid;
}

}  // namespace lab
