#include "voice/narrator.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include <optional>
#include <type_traits>
#include <vector>

#include "voice/i18n.hpp"
#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "voice/timeline.hpp"
#include "os/wait_status.hpp"

namespace lab {
namespace {

narrator_options settings;
timespec time_zero{};
long* shared_sequence = nullptr;  // MAP_SHARED: parent and children count together
char current_role[32] = "parent";
std::map<pid_t, std::string> known_roles;
bool pausing = true;
bool translating = false;  // settings.lang != "en"; a plain bool, for signal handlers

// Output patience (set_output_patience): -1 waits for room as long as it takes;
// 0 or more is how many ms a line may wait for room on stdout/stderr before it
// is dropped. `dropped_count` lives in a MAP_SHARED page once patience is set,
// so that children forked later count into the same number.
int output_patience_ms = -1;
long* dropped_count = nullptr;

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
  if (!__atomic_compare_exchange_n(first, &none, error, false, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST))
    return;  // reported already
  fixed_text<256> line;
  line.append(settings.program);
  line.append(": cannot write output: ");
  const char* name = ::strerrorname_np(error);
  const char* reason = ::strerrordesc_np(error);
  if (name) line.append(name);
  else line.append(static_cast<long long>(error));
  if (reason) {
    line.append(" (");
    line.append(reason);
    line.append(")");
  }
  line.append("\n");
  const std::string_view text = line.view();
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
}

// True when standard output is a pipe or socket whose reader has gone
// (poll reports an error on it), as after `| head -1`.
bool output_reader_gone() {
  pollfd out{STDOUT_FILENO, POLLOUT, 0};
  return ::poll(&out, 1, 0) == 1 && (out.revents & POLLERR) != 0;
}

// True when SIGPIPE has its default action (end the process) and is not blocked.
bool sigpipe_would_kill() {
  struct sigaction action {};
  sigset_t blocked;
  return ::sigaction(SIGPIPE, nullptr, &action) == 0 && action.sa_handler == SIG_DFL &&
         ::sigprocmask(SIG_BLOCK, nullptr, &blocked) == 0 && !sigismember(&blocked, SIGPIPE);
}

// Writes the whole buffer, retrying on EINTR and short writes. Async-signal-safe.
// With a patience set, stdout and stderr are written PIPE_BUF bytes at a time,
// each only when there is room for it; a line that finds none (or whose write a
// signal interrupts) is dropped from there on and counted. The file description
// is never made non-blocking: it is shared with whoever else writes to it.
void write_fully(int fd, const char* data, std::size_t size) noexcept {
  const bool patient = output_patience_ms >= 0 && (fd == STDOUT_FILENO || fd == STDERR_FILENO);
  while (size > 0) {
    const std::size_t chunk = patient ? std::min<std::size_t>(size, PIPE_BUF) : size;
    if (patient && !room_for_line(fd)) break;
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

// The template a person reads for the English template `text`: itself in
// English, its translation in another language — or, when no book has it,
// itself again with `untranslated` set. Async-signal-safe.
std::string_view localized(std::string_view text, bool& untranslated) noexcept {
  if (!translating) return text;
  if (const auto translated = translate(text, settings.lang)) return *translated;
  untranslated = true;
  return text;
}

// A display word from common/ (a state's meaning, a wait channel's
// description, a wait status) in the reader's language.
std::string displayed(std::string_view words) { return translate_value(words, settings.lang); }

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

// How much of `text` (not empty) one UTF-8 character takes: its length when
// the bytes at the front are a well-formed sequence (Unicode 3.9, table 3-7:
// no overlong form, no surrogate, nothing past U+10FFFF), else 0 — and then
// `ill_formed` is the length of the maximal ill-formed part to replace by one
// U+FFFD (a sequence cut short counts as one; a stray byte as one).
std::size_t utf8_character(std::string_view text, std::size_t& ill_formed) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the second byte's range
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // no overlong form
    if (lead == 0xed) high = 0x9f;  // no surrogate
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // no overlong form
    if (lead == 0xf4) high = 0x8f;  // nothing past U+10FFFF
  }
  std::size_t i = 1;
  for (; i < length && i < text.size(); ++i) {
    const unsigned char c = byte(i);
    if (c < (i == 1 ? low : 0x80) || c > (i == 1 ? high : 0xbf)) break;
  }
  if (length > 0 && i == length) return length;
  ill_formed = i;  // 1 for a byte that cannot start a character
  return 0;
}

// The characters of a JSON string, escaped, without the quotes. Whatever the
// bytes of `text` (a read that ended inside a character, binary data), the
// result is valid JSON in valid UTF-8: well-formed characters are copied,
// each ill-formed sequence becomes \ufffd (U+FFFD, the replacement
// character), control characters \uXXXX. Where the exact bytes matter, a lab
// carries them in a field of their own (base64). Async-signal-safe.
template <typename Line>
void append_json_characters(Line& line, std::string_view text) noexcept {
  while (!text.empty()) {
    const char c = text.front();
    std::size_t used = 1;
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
        } else if (std::size_t ill_formed = 0; (used = utf8_character(text, ill_formed)) > 0) {
          line.append(text.substr(0, used));  // at most 4 bytes: a fixed line never splits it
        } else {
          line.append("\\ufffd");
          used = ill_formed;
        }
    }
    text.remove_prefix(used);
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
      else if (translating) line.append(displayed(f.text));  // the text only, never JSON
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

// ---- What the tree view and the timeline learn from each event ----------
// (render() hands every event to note_event(); signal handlers' events too,
// so whatever runs for a handler's event is async-signal-safe.)

std::string role_of(pid_t pid);

std::optional<long long> integer_value(const field& f) noexcept {
  if (f.kind == field::type::integer || f.kind == field::type::boolean) return f.integer;
  return std::nullopt;
}
std::optional<long long> integer_value(const int_field& f) noexcept { return f.value; }
std::string_view text_value(const field& f) noexcept {
  return f.kind == field::type::text ? std::string_view(f.text) : std::string_view();
}
std::string_view text_value(const int_field&) noexcept { return {}; }

template <typename Fields>
std::optional<long long> integer_of(const Fields& fields, std::string_view key) noexcept {
  for (const auto& f : fields)
    if (key_of(f) == key) return integer_value(f);
  return std::nullopt;
}

template <typename Fields>
std::string_view text_of(const Fields& fields, std::string_view key) noexcept {
  for (const auto& f : fields)
    if (key_of(f) == key) return text_value(f);
  return {};
}

// Children this process reaped, for the tree's greyed "reaped" rows until the
// first stage after a tree showed them. Reap events come from signal
// handlers too (a SIGCHLD reaper narrates with signal_say): fixed slots, an
// atomic index, the slot marked ready last. The main path changes the slots
// only with every signal blocked, so no handler runs meanwhile.
struct reaped_child {
  pid_t pid = 0;
  pid_t reaper = 0;
  char role[16] = {};
  char status[32] = {};  // "exited 3", "killed by SIGKILL"
  bool shown = false;    // main path only
  volatile sig_atomic_t ready = 0;
};
constexpr int max_reaped = 32;
reaped_child reaped_children[max_reaped];
int reaped_used = 0;  // slots taken; may run past max_reaped (those are not kept)

class all_signals_blocked {
 public:
  all_signals_blocked() noexcept {
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &previous_);
  }
  ~all_signals_blocked() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
  all_signals_blocked(const all_signals_blocked&) = delete;
  all_signals_blocked& operator=(const all_signals_blocked&) = delete;

 private:
  sigset_t previous_;
};

// Notes a reap event's child: its status from the "status" field (say_reap),
// else from "code" (exited) or "killed_by" (a handler's own reap event).
template <typename Fields>
void remember_reaped(pid_t child, const Fields& fields) {
  const std::string_view how = text_of(fields, "how");
  if (how == "stopped" || how == "continued") return;  // still alive
  const int slot = __atomic_fetch_add(&reaped_used, 1, __ATOMIC_SEQ_CST);
  if (slot >= max_reaped) return;
  reaped_child& r = reaped_children[slot];
  r.ready = 0;
  r.shown = false;
  r.pid = child;
  r.reaper = ::getpid();
  fixed_text<sizeof r.status> status;
  const auto code = integer_of(fields, "code");
  const auto killed_by = integer_of(fields, "killed_by");
  if (const std::string_view text = text_of(fields, "status"); !text.empty()) {
    status.append(text);
  } else if (killed_by) {
    status.append("killed by ");
    if (const char* name = standard_signal_name(static_cast<int>(*killed_by))) status.append(name);
    else status.append(*killed_by);
  } else if (code) {
    status.append("exited ");
    status.append(*code);
  }
  set_text(r.status, status.view());
  r.role[0] = '\0';
  if constexpr (std::is_same_v<Fields, std::initializer_list<field>>)
    set_text(r.role, role_of(child));
  r.ready = 1;
}

// At a stage: forgets the reaped children a tree has shown.
void forget_shown_reaped() {
  const all_signals_blocked quiet;
  const int used = std::min(reaped_used, max_reaped);
  int kept = 0;
  for (int i = 0; i < used; ++i) {
    const reaped_child& r = reaped_children[i];
    if (!r.ready || r.shown) continue;
    if (kept != i) {
      reaped_child& to = reaped_children[kept];
      to.pid = r.pid;
      to.reaper = r.reaper;
      set_text(to.role, r.role);
      set_text(to.status, r.status);
      to.shown = false;
      to.ready = 1;
    }
    ++kept;
  }
  for (int i = kept; i < used; ++i) reaped_children[i].ready = 0;
  __atomic_store_n(&reaped_used, kept, __ATOMIC_SEQ_CST);
}

// show_tree's own state events: its "tree" entry stands for them in the
// timeline (which then looks the same with and without --json).
bool tree_states_now = false;
// The zombies the tree being said saw: the timeline marks their exits.
std::vector<std::pair<pid_t, std::string>> zombies_in_tree;

// The timeline's mark, short label and note for an event.
template <typename Fields>
void describe_for_timeline(timeline_entry& entry, std::string_view kind, std::string_view text,
                           const Fields& fields) {
  constexpr bool from_handler = std::is_same_v<Fields, std::initializer_list<int_field>>;
  fixed_text<sizeof entry.label> label;
  fixed_text<sizeof entry.note> note;
  const auto child = integer_of(fields, "child");
  const auto number = [&](std::string_view key) { return integer_of(fields, key); };
  const auto signal_text = [&](std::optional<long long> signo) -> std::string_view {
    const char* name = signo ? standard_signal_name(static_cast<int>(*signo)) : nullptr;
    return name ? std::string_view(name) : std::string_view();
  };
  bool interrupted = false;  // a field says EINTR
  for (const auto& f : fields) interrupted = interrupted || text_value(f) == "EINTR";
  if (kind == "fork") {
    entry.mark = '+';
    label.append(child ? "fork " : "fork (child)");
    if (child) label.append(*child);
  } else if (kind == "exit") {
    entry.mark = 'X';
    label.append("exit");
    if (const auto code = number("code")) {
      label.append(" ");
      label.append(*code);
    }
  } else if (kind == "reap") {
    entry.mark = 'R';
    label.append("reap");
    if (child) {
      label.append(" ");
      label.append(*child);
    }
    const std::string_view how = text_of(fields, "how");
    if (how == "killed" || number("killed_by")) {
      const auto signo = how == "killed" ? number("code") : number("killed_by");
      note.append(signal_text(signo).empty() ? "SIG?" : signal_text(signo));
    } else if (const auto code = number("code"); code && (how.empty() || how == "exited")) {
      note.append(*code);
    }
  } else if (kind == "signal") {
    entry.mark = '!';
    const std::string_view name = text_of(fields, "signal");
    label.append(!name.empty() ? name : signal_text(number("signo")));
    if (label.empty()) label.append("signal");
    if (from_handler) label.append(" handler");
  } else if (kind == "alarm") {
    entry.mark = 'A';
    label.append("alarm");
    if (const auto seconds = number("seconds")) {
      label.append("(");
      label.append(*seconds);
      label.append(")");
    }
  } else if (kind == "wake") {
    entry.mark = '^';
    label.append("wake");
    if (const auto left = number("left")) {
      label.append(", ");
      label.append(*left);
      label.append(" s left");
    }
  } else if (kind == "sleep") {
    label.append("sleep");
    if (const auto asked = number("asked")) {
      label.append("(");
      label.append(*asked);
      label.append(")");
    }
  } else if (kind == "state") {
    label.append("state");
    if (child) {
      label.append(" ");
      label.append(*child);
    }
    const std::string_view state = text_of(fields, "state");
    label.append(" ");
    label.append(state);
    note.append(state);
  } else if (kind == "tree") {
    label.append("tree");
    if (const auto processes = number("processes")) {
      label.append(" (");
      label.append(*processes);
      label.append(")");
    }
  } else if (kind == "step") {
    append_text(label, text, fields);
  } else if (interrupted) {
    entry.mark = 'E';
    const std::string_view call = text_of(fields, "call");
    label.append(call);
    label.append(call.empty() ? "EINTR" : ": EINTR");
  } else {
    label.append(kind);
    if (const std::string_view name = text_of(fields, "signal"); !name.empty()) {
      label.append(" ");
      label.append(name);
    }
  }
  set_text(entry.label, label.view());
  entry.label_cut = label.full();
  set_text(entry.note, note.view());
}

template <typename Fields>
void note_event(long sequence, long long ms, pid_t pid, std::string_view kind,
                std::string_view text, const Fields& fields) {
  constexpr bool from_handler = std::is_same_v<Fields, std::initializer_list<int_field>>;
  const auto child = integer_of(fields, "child");
  if (kind == "reap" && child) remember_reaped(static_cast<pid_t>(*child), fields);
  if (!timeline_started() || (kind == "state" && tree_states_now)) return;
  timeline_entry entry;
  entry.seq = sequence;
  entry.t_ms = ms;
  entry.pid = pid;
  set_text(entry.role, current_role);
  set_text(entry.kind, kind);
  if (child) {
    entry.about = static_cast<pid_t>(*child);
    if constexpr (!from_handler) set_text(entry.about_role, role_of(entry.about));
  }
  describe_for_timeline(entry, kind, text, fields);
  timeline_record(entry);
  if constexpr (!from_handler) {
    if (kind != "tree") return;
    int sub = 0;
    for (const auto& [zombie, role] : zombies_in_tree) {
      timeline_entry seen;
      seen.seq = sequence;
      seen.sub = ++sub;
      seen.t_ms = ms;
      seen.pid = pid;
      seen.about = zombie;
      seen.mark = 'X';
      set_text(seen.role, current_role);
      set_text(seen.about_role, role);
      set_text(seen.kind, "zombie");
      set_text(seen.label, "exited (Z)");
      set_text(seen.note, "Z");
      timeline_record(seen);
    }
  }
}

// `text` is the template already in the reader's language; `untranslated`
// marks (in JSON) one that had to stay English.
template <typename Line, typename Fields>
void render(Line& line, std::string_view kind, std::string_view text, bool untranslated,
            const Fields& fields, bool color) {
  const long sequence = next_sequence();
  const long long ms = elapsed_ms();
  const pid_t pid = ::getpid();
  note_event(sequence, ms, pid, kind, text, fields);
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
    if (untranslated) line.append(",\"untranslated\":true");
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

// Emits a text already in the reader's language.
void emit_localized(int fd, std::string_view kind, std::string_view text, bool untranslated,
                    std::initializer_list<field> fields) {
  growing_line line;
  render(line, kind, text, untranslated, fields, settings.color && fd == STDOUT_FILENO);
  const std::string_view out = line.view();
  write_fully(fd, out.data(), out.size());
}

void emit(int fd, std::string_view kind, std::string_view text,
          std::initializer_list<field> fields) {
  bool untranslated = false;
  const std::string_view shown = localized(text, untranslated);
  emit_localized(fd, kind, shown, untranslated, fields);
}

std::string role_of(pid_t pid) {
  if (pid == ::getpid()) return current_role;
  const auto found = known_roles.find(pid);
  return found == known_roles.end() ? "" : found->second;
}

// ---- The tree view ---------------------------------------------------------

// A tree line's width: these 67 columns and the 33 a continuation line is
// indented by on a terminal make 100.
constexpr std::size_t tree_width = 67;
constexpr std::string_view tree_header = "  PID      PPID    ROLE      S WHAT";
constexpr std::string_view tree_unchanged = "(unchanged: the same processes as in the tree above)";
constexpr std::size_t detail_indent = 11;  // a process's sockets and signals, under PPID
constexpr std::size_t max_socket_lines = 4;

std::size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Columns `text` takes on a terminal, counting a wide (CJK) character as two.
std::size_t columns_of(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); i += utf8_length(static_cast<unsigned char>(text[i])))
    columns += utf8_length(static_cast<unsigned char>(text[i])) >= 3 ? 2 : 1;
  return columns;
}

// `text` in at most `width` columns; "..." marks a cut.
std::string fit(const std::string& text, std::size_t width) {
  if (columns_of(text) <= width) return text;
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(static_cast<unsigned char>(text[i]));
    const std::size_t wide = length >= 3 ? 2 : 1;
    if (columns + wide + 3 > width) break;
    out.append(text, i, length);
    columns += wide;
    i += length;
  }
  return out + "...";
}

std::string padded(std::string text, std::size_t width) {
  const std::size_t columns = columns_of(text);
  if (columns < width) text.append(width - columns, ' ');
  return text;
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

// What a tree row and a state event say of one process besides /proc/PID/stat.
struct process_view {
  std::string what;  // "zombie: exited, waiting to be reaped", "blocked in accept"
  std::string caught, blocked, pending, ignored;  // signal names: "SIGCHLD,SIGINT"
  std::vector<std::string> sockets;               // "fd 3 listening 127.0.0.1:9190"
};

std::string signal_names(unsigned long long mask) {
  std::vector<std::string> names;
  for (const int signo : signals_in(mask)) names.push_back(signal_name(signo));
  return joined(names, ",");
}

// A sleeping process: what it waits in (its wchan, in words); any other: what
// its state letter means.
std::string what_it_does(char state, const std::string& wchan) {
  if ((state == 'S' || state == 'D') && !wchan.empty()) return displayed(describe_wchan(wchan));
  return displayed(state_meaning(state));
}

process_view look_at(const proc_info& info, const std::string& wchan) {
  process_view view;
  view.what = what_it_does(info.state, wchan);
  if (info.state == 'Z' || info.state == 'X') return view;  // dead: no handlers, no descriptors
  if (const auto masks = read_signal_masks(info.pid)) {
    view.caught = signal_names(masks->caught);
    view.blocked = signal_names(masks->blocked);
    view.pending = signal_names(masks->pending);
    view.ignored = signal_names(masks->ignored);
  }
  for (const fd_info& fd : open_fds(info.pid)) {
    if (fd.socket.empty()) continue;
    std::string socket = fd.socket;
    if (socket.starts_with("tcp ")) socket.erase(0, 4);
    view.sockets.push_back("fd " + std::to_string(fd.fd) + " " + socket);
  }
  return view;
}

// "caught SIGCHLD,SIGINT; blocked SIGCHLD; pending SIGCHLD"; "" if all default.
std::string signals_line(const process_view& view) {
  std::vector<std::string> parts;
  if (!view.caught.empty()) parts.push_back(displayed("caught " + view.caught));
  if (!view.blocked.empty()) parts.push_back(displayed("blocked " + view.blocked));
  if (!view.pending.empty()) parts.push_back(displayed("pending " + view.pending));
  return joined(parts, "; ");
}

// "\n    4243   4242    child 1   Z zombie: exited, waiting to be reaped"
std::string tree_line(int depth, pid_t pid, pid_t ppid, const std::string& role, char state,
                      const std::string& what) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  const std::string line = "  " + padded(indent + std::to_string(pid), 8) + " " +
                           padded(std::to_string(ppid), 7) + " " +
                           padded(role.empty() ? "-" : role, 9) + " " + state + " " + what;
  return "\n" + fit(line, tree_width);
}

std::string detail_line(const std::string& text) {
  return "\n" + fit(std::string(detail_indent, ' ') + text, tree_width);
}

void emit_state(const proc_info& info, const std::string& wchan, const process_view& view) {
  const std::string state(1, info.state);
  say("state", "{child} is in state {state} ({meaning}), parent {ppid}",
      {{"child", info.pid},
       {"state", state},
       {"meaning", state_meaning(info.state)},
       {"ppid", info.ppid},
       {"pgid", info.pgid},
       {"wchan", wchan},
       {"child_role", role_of(info.pid)},
       {"sockets", joined(view.sockets, "; ")},
       {"caught", view.caught},
       {"blocked", view.blocked},
       {"pending", view.pending},
       {"ignored", view.ignored}});
}

struct reaped_row {
  pid_t pid;
  pid_t reaper;
  std::string role;
  std::string status;
};

// The children this process noted as reaped (a forked child's copies are its
// parent's, not its own), each once; from now on they count as shown.
std::vector<reaped_row> reaped_to_show() {
  const all_signals_blocked quiet;
  std::vector<reaped_row> rows;
  const int used = std::min(reaped_used, max_reaped);
  for (int i = 0; i < used; ++i) {
    reaped_child& r = reaped_children[i];
    if (!r.ready || r.reaper != ::getpid()) continue;
    r.shown = true;
    const auto same = [&](const reaped_row& row) { return row.pid == r.pid; };
    if (std::any_of(rows.begin(), rows.end(), same)) continue;
    rows.push_back({r.pid, r.reaper, r.role[0] != '\0' ? r.role : role_of(r.pid), r.status});
  }
  return rows;
}

}  // namespace

void start_narrator(const narrator_options& options) {
  settings = options;
  translating = settings.lang != "en";
  ::clock_gettime(CLOCK_MONOTONIC, &time_zero);
  void* page = ::mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
  shared_sequence = page == MAP_FAILED ? nullptr : static_cast<long*>(page);
  void* error_page = ::mmap(nullptr, sizeof(int), PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared_output_error = error_page == MAP_FAILED ? nullptr : static_cast<int*>(error_page);
  local_output_error = 0;
  if (options.timeline) start_timeline();
}

const narrator_options& narrator_settings() { return settings; }

int output_error() noexcept {
  const int* first = shared_output_error ? shared_output_error : &local_output_error;
  return __atomic_load_n(first, __ATOMIC_SEQ_CST);
}

void set_role(std::string_view role) {
  const std::size_t n = std::min(role.size(), sizeof current_role - 1);
  std::memcpy(current_role, role.data(), n);
  current_role[n] = '\0';
}

void name_process(pid_t pid, std::string_view role) { known_roles[pid] = role; }

void forget_process(pid_t pid) { known_roles.erase(pid); }

void set_output_patience(int milliseconds) {
  if (!dropped_count) {
    void* page = ::mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                        -1, 0);
    if (page == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    dropped_count = static_cast<long*>(page);
  }
  output_patience_ms = milliseconds;
}

long long dropped_lines() {
  return dropped_count ? __atomic_load_n(dropped_count, __ATOMIC_SEQ_CST) : 0;
}

void say(std::string_view kind, std::string_view text, std::initializer_list<field> fields) {
  emit(STDOUT_FILENO, kind, text, fields);
}

void say_localized(std::string_view kind, std::string_view text,
                   std::initializer_list<field> fields) {
  emit_localized(STDOUT_FILENO, kind, text, false, fields);
}

void say_error(std::string_view text, std::initializer_list<field> fields) {
  // The reader of our output has gone (`| head -1`): what failed now is its
  // consequence (a child killed by SIGPIPE, a pipe to it at end of file).
  // The lab ends as SIGPIPE ends any program there: quietly.
  if (output_reader_gone() && sigpipe_would_kill()) ::raise(SIGPIPE);
  bool untranslated = false;
  const std::string_view shown = localized(text, untranslated);
  if (!settings.json) {
    emit_localized(STDERR_FILENO, "error", shown, untranslated, fields);
    return;
  }
  emit_localized(STDOUT_FILENO, "error", shown, untranslated, fields);
  growing_line plain;
  plain.append(settings.program);
  plain.append(": ");
  append_text(plain, shown, fields);
  plain.append("\n");
  write_fully(STDERR_FILENO, plain.view().data(), plain.view().size());
}

void signal_say(const char* kind, const char* text, std::initializer_list<int_field> fields) noexcept {
  const int saved_errno = errno;
  fixed_line line;
  bool untranslated = false;
  const std::string_view shown = localized(text, untranslated);
  render(line, kind, shown, untranslated, fields, settings.color);
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
  const std::string wchan = read_wchan(pid);
  emit_state(*info, wchan, look_at(*info, wchan));
  return info->state;
}

void show_tree(std::string_view caption) {
  const auto rows = process_tree(::getpid());
  std::vector<process_view> views;
  for (const tree_row& row : rows) views.push_back(look_at(row.info, row.wchan));
  // Reaped rows (this process reaped them: the tree's root) go last, one level in.
  std::vector<reaped_row> reaped;
  for (reaped_row& r : reaped_to_show()) {
    const auto same = [&](const tree_row& row) { return row.info.pid == r.pid; };
    if (std::none_of(rows.begin(), rows.end(), same)) reaped.push_back(std::move(r));
  }
  bool untranslated = false;
  std::string text(localized(caption, untranslated));
  const std::size_t caption_end = text.size();
  text += "\n";
  text += localized(tree_header, untranslated);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const tree_row& row = rows[i];
    const process_view& view = views[i];
    text += tree_line(row.depth, row.info.pid, row.info.ppid, role_of(row.info.pid), row.info.state,
                      view.what);
    if (const std::string signals = signals_line(view); !signals.empty())
      text += detail_line(signals);
    for (std::size_t k = 0; k < view.sockets.size() && k < max_socket_lines; ++k)
      text += detail_line(displayed(view.sockets[k]));
    if (view.sockets.size() > max_socket_lines)
      text += detail_line(displayed(
          "+" + std::to_string(view.sockets.size() - max_socket_lines) + " more sockets"));
  }
  const bool dim = settings.color && !settings.json;
  for (const reaped_row& r : reaped) {
    const std::string what = displayed("reaped") + " (" + displayed(r.status) + ")";
    const std::string line = tree_line(1, r.pid, r.reaper, r.role, '-', what);
    text += dim ? "\n\033[2m" + line.substr(1) + "\033[0m" : line;
  }
  // The same processes, states and rows as the last tree this process drew:
  // for people the caption and one line saying so, not the same drawing again
  // (JSON keeps the whole tree, marked "unchanged").
  static std::string last_drawing;
  const std::string drawing = text.substr(caption_end);
  const bool unchanged = drawing == last_drawing;
  last_drawing = drawing;
  if (unchanged && !settings.json) {
    text.resize(caption_end);
    text += "\n";
    text += localized(tree_unchanged, untranslated);
  }
  if (settings.json) {
    tree_states_now = true;
    for (std::size_t i = 0; i < rows.size(); ++i) emit_state(rows[i].info, rows[i].wchan, views[i]);
    tree_states_now = false;
  }
  for (const tree_row& row : rows)
    if (row.info.state == 'Z') zombies_in_tree.emplace_back(row.info.pid, role_of(row.info.pid));
  emit_localized(STDOUT_FILENO, "tree", text, untranslated,
                 {{"processes", static_cast<long long>(rows.size())},
                  {"rows", static_cast<long long>(rows.size() + reaped.size())},
                  {"reaped", static_cast<long long>(reaped.size())},
                  {"unchanged", unchanged}});
  zombies_in_tree.clear();
}

void say_drawing(std::string_view kind, std::string_view caption, std::string_view drawing,
                 std::initializer_list<field> fields) {
  bool untranslated = false;
  const std::string_view shown = localized(caption, untranslated);
  if (settings.json) {
    std::string text(shown);
    text += "\n";
    text += drawing.substr(0, drawing.ends_with('\n') ? drawing.size() - 1 : drawing.size());
    emit_localized(STDOUT_FILENO, kind, text, untranslated, fields);
    return;
  }
  growing_line line;
  render(line, kind, shown, untranslated, fields, settings.color);
  line.append(drawing);
  write_fully(STDOUT_FILENO, line.view().data(), line.view().size());
}

std::vector<fd_info> show_fds(std::string_view caption, pid_t pid) {
  if (pid == 0) pid = ::getpid();
  const auto fds = open_fds(pid);
  bool untranslated = false;
  std::string text(localized(caption, untranslated));
  std::string targets;
  for (const fd_info& fd : fds) {
    std::string line = std::to_string(fd.fd) + " -> " + fd.target;
    if (!fd.socket.empty()) line += " (" + fd.socket + ")";
    text += "\n  " + line;
    targets += (targets.empty() ? "" : "; ") + line;
  }
  emit_localized(
      STDOUT_FILENO, "fds", text, untranslated,
      {{"process", pid}, {"count", static_cast<long long>(fds.size())}, {"targets", targets}});
  return fds;
}

void stage(std::string_view text) { stage(text, {}); }

void stage(std::string_view text, std::initializer_list<field> fields) {
  forget_shown_reaped();  // a reaped row stays until the first stage after a tree showed it
  say("step", text, fields);
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
