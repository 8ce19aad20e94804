#include "voice/timeline.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <type_traits>

#include "os/signals.hpp"
#include "voice/text.hpp"

namespace lab {
namespace {

// The ring: a header, then the records, in one MAP_SHARED mapping.
struct ring_header {
  long next;  // how many records were ever stored; the next slot is next % capacity
  long capacity;
};

ring_header* ring = nullptr;
timeline_entry* slots = nullptr;
std::size_t mapped_size = 0;

// ---- The feed ----------------------------------------------------------------

// The short label of most kinds: the kind, then one integer field framed
// ("alarm(2)", "wake, 3 s left", "tree (4)") when the event has it.
struct label_shape {
  std::string_view kind;
  char mark;
  std::string_view number;  // the field shown; "" for none
  std::string_view before, after;
};
constexpr label_shape shapes[] = {
    {"fork", '+', "child", " ", ""},       {"exit", 'X', "code", " ", ""},
    {"reap", 'R', "child", " ", ""},       {"signal", '!', "", "", ""},
    {"alarm", 'A', "seconds", "(", ")"},   {"wake", '^', "left", ", ", " s left"},
    {"sleep", ' ', "asked", "(", ")"},     {"state", ' ', "child", " ", ""},
    {"tree", ' ', "processes", " (", ")"}, {"step", ' ', "", "", ""},
};

template <std::size_t N>
void append_signal(fixed_text<N>& text, std::optional<long long> signo) noexcept {
  if (const char* name = signo ? standard_signal_name(static_cast<int>(*signo)) : nullptr)
    text.append(name);
}

// The timeline's mark, short label and note for an event.
template <typename Fields>
void describe(timeline_entry& entry, const timeline_event& event, const Fields& fields) {
  constexpr bool from_handler = std::is_same_v<Fields, std::initializer_list<int_field>>;
  fixed_text<sizeof entry.label> label;
  fixed_text<sizeof entry.note> note;
  const std::string_view kind = event.kind;
  const auto number = [&](std::string_view key) { return integer_of(fields, key); };
  const auto* shape = std::find_if(std::begin(shapes), std::end(shapes),
                                   [&](const label_shape& s) { return s.kind == kind; });
  bool interrupted = false;  // a field says EINTR
  for (const auto& f : fields) interrupted = interrupted || text_value(f) == "EINTR";
  if (shape != std::end(shapes)) {
    entry.mark = shape->mark;
    if (kind == "step") {
      label.append(event.text);
    } else if (kind == "signal") {
      const std::string_view name = text_of(fields, "signal");
      if (!name.empty())
        label.append(name);
      else
        append_signal(label, number("signo"));
      if (label.empty()) label.append("signal");
      if (from_handler) label.append(" handler");
    } else {
      label.append(kind);
      if (const auto value = shape->number.empty() ? std::nullopt : number(shape->number)) {
        label.append(shape->before);
        label.append(*value);
        label.append(shape->after);
      } else if (kind == "fork") {
        label.append(" (child)");
      }
    }
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
  if (kind == "state") {  // "state 4243 Z", noted Z
    const std::string_view state = text_of(fields, "state");
    label.append(" ");
    label.append(state);
    note.append(state);
  } else if (kind == "reap") {  // how the child ended: "3", "SIGKILL"
    const std::string_view how = text_of(fields, "how");
    if (how == "killed" || number("killed_by")) {
      append_signal(note, how == "killed" ? number("code") : number("killed_by"));
      if (note.empty()) note.append("SIG?");
    } else if (const auto code = number("code"); code && (how.empty() || how == "exited")) {
      note.append(*code);
    }
  }
  set_text(entry.label, label.view());
  entry.label_cut = label.full();
  set_text(entry.note, note.view());
}

timeline_entry entry_for(const timeline_event& event) noexcept {
  timeline_entry entry;
  entry.seq = event.seq;
  entry.t_ms = event.t_ms;
  entry.pid = event.pid;
  set_text(entry.role, event.role);
  return entry;
}

template <typename Fields>
void note(const timeline_event& event, const Fields& fields) {
  if (!timeline_started()) return;
  timeline_entry entry = entry_for(event);
  set_text(entry.kind, event.kind);
  if (const auto child = integer_of(fields, "child")) {
    entry.about = static_cast<pid_t>(*child);
    set_text(entry.about_role, event.about_role);
  }
  describe(entry, event, fields);
  timeline_record(entry);
}

}  // namespace

bool start_timeline(std::size_t capacity) {
  if (ring) {
    ::munmap(ring, mapped_size);
    ring = nullptr;
    slots = nullptr;
  }
  if (capacity == 0) return false;
  const std::size_t size = sizeof(ring_header) + capacity * sizeof(timeline_entry);
  void* page = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return false;
  mapped_size = size;
  ring = static_cast<ring_header*>(page);  // zero-filled: every slot's seq is 0
  ring->capacity = static_cast<long>(capacity);
  slots = reinterpret_cast<timeline_entry*>(ring + 1);
  return true;
}

bool timeline_started() noexcept {
  return ring != nullptr;
}

void timeline_record(const timeline_entry& entry) noexcept {
  if (!ring || entry.seq == 0) return;
  const long index = __atomic_fetch_add(&ring->next, 1, __ATOMIC_SEQ_CST);
  timeline_entry* slot = &slots[index % ring->capacity];
  // A reader takes a slot only once its seq is set: the seq goes in last.
  __atomic_store_n(&slot->seq, 0L, __ATOMIC_RELAXED);
  timeline_entry copy = entry;
  copy.seq = 0;
  *slot = copy;
  __atomic_store_n(&slot->seq, entry.seq, __ATOMIC_RELEASE);
}

timeline_contents read_timeline() {
  timeline_contents contents;
  if (!ring) return contents;
  const long written = __atomic_load_n(&ring->next, __ATOMIC_ACQUIRE);
  const long kept = std::min(written, ring->capacity);
  for (long i = 0; i < kept; ++i) {
    if (__atomic_load_n(&slots[i].seq, __ATOMIC_ACQUIRE) == 0) continue;
    contents.entries.push_back(slots[i]);
  }
  std::sort(contents.entries.begin(), contents.entries.end(),
            [](const timeline_entry& a, const timeline_entry& b) {
              return a.seq != b.seq ? a.seq < b.seq : a.sub < b.sub;
            });
  contents.dropped = written - kept;
  return contents;
}

void timeline_note(const timeline_event& event, std::initializer_list<field> fields) {
  note(event, fields);
}

void timeline_note(const timeline_event& event, std::initializer_list<int_field> fields) noexcept {
  note(event, fields);
}

void timeline_note_zombies(const timeline_event& tree,
                           const std::vector<std::pair<pid_t, std::string>>& zombies) {
  if (!timeline_started()) return;
  int sub = 0;
  for (const auto& [zombie, role] : zombies) {
    timeline_entry seen = entry_for(tree);
    seen.sub = ++sub;
    seen.about = zombie;
    seen.mark = 'X';
    set_text(seen.about_role, role);
    set_text(seen.kind, "zombie");
    set_text(seen.label, "exited (Z)");
    set_text(seen.note, "Z");
    timeline_record(seen);
  }
}

}  // namespace lab
