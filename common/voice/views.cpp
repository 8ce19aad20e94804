#include "voice/views.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "os/signals.hpp"
#include "voice/reaped.hpp"
#include "voice/say.hpp"
#include "voice/text.hpp"
#include "voice/timeline.hpp"

namespace lab {
namespace {

// A tree line's width: these 67 columns and the 33 a continuation line is
// indented by on a terminal make 100.
constexpr std::size_t tree_width = 67;
constexpr std::string_view tree_header = "  PID      PPID    ROLE      S WHAT";
constexpr std::string_view tree_unchanged = "(unchanged: the same processes as in the tree above)";
constexpr std::size_t detail_indent = 11;  // a process's sockets and signals, under PPID
constexpr std::size_t max_socket_lines = 4;

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
std::string tree_line(int depth, pid_t pid, pid_t ppid, std::string_view role, char state,
                      const std::string& what) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  const std::string line =
      "  " + pad_to(indent + std::to_string(pid), 8) + " " + pad_to(std::to_string(ppid), 7) + " " +
      pad_to(std::string(role.empty() ? "-" : role), 9) + " " + state + " " + what;
  return "\n" + fit(line, tree_width);
}

std::string detail_line(const std::string& text) {
  return "\n" + fit(std::string(detail_indent, ' ') + text, tree_width);
}

// A "state" event; one of a tree's own (`in_tree`) is kept out of the timeline,
// where the tree's entry stands for it (it then looks the same with and
// without --json).
void emit_state(const proc_info& info, const std::string& wchan, const process_view& view,
                bool in_tree = false) {
  const std::string state(1, info.state);
  bool untranslated = false;
  const std::string_view text =
      localized("{child} is in state {state} ({meaning}), parent {ppid}", untranslated);
  emit_localized(STDOUT_FILENO, "state", text, untranslated,
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
                  {"ignored", view.ignored}},
                 !in_tree);
}

}  // namespace

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
    if (r.role.empty()) r.role = role_of(r.pid);
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
      text += detail_line(displayed("+" + std::to_string(view.sockets.size() - max_socket_lines) +
                                    " more sockets"));
  }
  const narrator_options& settings = narrator_settings();
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
  if (settings.json)
    for (std::size_t i = 0; i < rows.size(); ++i)
      emit_state(rows[i].info, rows[i].wchan, views[i], true);
  // The zombies the tree saw: the timeline marks their exits.
  std::vector<std::pair<pid_t, std::string>> zombies;
  for (const tree_row& row : rows)
    if (row.info.state == 'Z') zombies.emplace_back(row.info.pid, role_of(row.info.pid));
  const event_head tree =
      emit_localized(STDOUT_FILENO, "tree", text, untranslated,
                     {{"processes", static_cast<long long>(rows.size())},
                      {"rows", static_cast<long long>(rows.size() + reaped.size())},
                      {"reaped", static_cast<long long>(reaped.size())},
                      {"unchanged", unchanged}});
  timeline_note_zombies({tree.seq, tree.t_ms, tree.pid, tree.role, tree.kind, ""}, zombies);
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

}  // namespace lab
