#include "voice/reaped.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "os/signals.hpp"
#include "voice/text.hpp"

namespace lab {
namespace {

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

template <typename Fields>
void remember(pid_t child, const Fields& fields, std::string_view role) noexcept {
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
    if (const char* name = standard_signal_name(static_cast<int>(*killed_by)))
      status.append(name);
    else
      status.append(*killed_by);
  } else if (code) {
    status.append("exited ");
    status.append(*code);
  }
  set_text(r.status, status.view());
  set_text(r.role, role);
  r.ready = 1;
}

}  // namespace

void note_reaped(pid_t child, std::initializer_list<field> fields, std::string_view role) {
  remember(child, fields, role);
}

void note_reaped(pid_t child, std::initializer_list<int_field> fields) noexcept {
  remember(child, fields, "");
}

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
    rows.push_back({r.pid, r.reaper, r.role, r.status});
  }
  return rows;
}

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

}  // namespace lab
