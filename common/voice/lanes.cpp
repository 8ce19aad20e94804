#include "voice/lanes.hpp"

#include <algorithm>
#include <cstdio>

#include "voice/text.hpp"

namespace lab {
namespace {

constexpr std::size_t time_width = 8;  // "  12.345 "
constexpr std::size_t max_columns = 6;
constexpr std::size_t max_cell = 26;  // a mark, a space, a whole label, a space

struct lane {
  pid_t pid = 0;
  std::string role;
  bool role_is_own = false;  // said by the process itself, not by its parent
  std::size_t column = 0;
  bool in_others = false;
  enum class life { unborn, alive, zombie, gone } state = life::unborn;
  bool exited = false;
};

std::string trim_right(std::string text) {
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string seconds_text(long long ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%7.3f ", static_cast<double>(ms) / 1000.0);
  return text;
}

// How a process ended, from a reap's note: "exit 3", "killed SIGKILL".
std::string ending_text(std::string_view note) {
  if (note.empty()) return "exited";
  if (note.starts_with("SIG")) return "killed " + std::string(note);
  return "exit " + std::string(note);
}

class drawer {
 public:
  drawer(const timeline_contents& contents, std::size_t width)
      : contents_(contents), width_(width) {}

  timeline_drawing draw() {
    find_lanes();
    if (lanes_.empty()) {
      out_.text = "(no events were recorded)\n";
      return out_;
    }
    header();
    for (const timeline_entry& entry : contents_.entries) take(entry);
    footer();
    return out_;
  }

 private:
  lane& lane_of(pid_t pid) {
    return *std::find_if(lanes_.begin(), lanes_.end(),
                         [pid](const lane& l) { return l.pid == pid; });
  }

  void add_lane(pid_t pid) {
    if (pid == 0) return;
    if (std::none_of(lanes_.begin(), lanes_.end(), [pid](const lane& l) { return l.pid == pid; })) {
      lane added;
      added.pid = pid;
      lanes_.push_back(added);
    }
  }

  // Lanes in order of first appearance; roles as each process said them
  // itself, else as its parent named it.
  void find_lanes() {
    for (const timeline_entry& entry : contents_.entries) {
      add_lane(entry.pid);
      add_lane(entry.about);
      lane& speaker = lane_of(entry.pid);
      if (!speaker.role_is_own && entry.role[0] != '\0') {
        speaker.role = entry.role;
        speaker.role_is_own = true;
      }
      if (entry.about != 0) {
        lane& subject = lane_of(entry.about);
        if (subject.role.empty() && entry.about_role[0] != '\0') subject.role = entry.about_role;
      }
    }
    const bool fold = lanes_.size() > max_columns;
    columns_ = std::min(lanes_.size(), max_columns);
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      lanes_[i].in_others = fold && i >= max_columns - 1;
      lanes_[i].column = std::min(i, max_columns - 1);
    }
    out_.processes = static_cast<int>(lanes_.size());
    out_.lanes = static_cast<int>(fold ? max_columns - 1 : lanes_.size());
    cell_width_ = std::min(max_cell, (width_ - time_width) / columns_);
  }

  void line(const std::string& text) { out_.text += cut(trim_right(text), width_) + "\n"; }

  std::string padded(const std::string& text) const {
    return pad_to(cut(text, cell_width_ - 1), cell_width_);
  }

  void header() {
    std::string roles = "  t (s) ", pids = std::string(time_width, ' ');
    std::string rule = std::string(time_width - 1, '-') + " ";
    for (std::size_t c = 0; c < columns_; ++c) {
      const lane& l = lanes_[c];
      const bool others = l.in_others;
      const auto folded = lanes_.size() - (max_columns - 1);
      roles += padded(others ? "others" : l.role.empty() ? "?" : l.role);
      pids += padded(others ? "(" + std::to_string(folded) + " processes)" : std::to_string(l.pid));
      rule += padded(std::string(cell_width_ - 1, '-'));
    }
    line(roles);
    line(pids);
    line(rule);
  }

  void footer() {
    line(std::string(time_width - 1, '-'));
    line(
        "+ = fork  X = exit  R = reap  ! = signal  A = alarm  ^ = wake  E = EINTR   "
        "| alive  z zombie");
    if (contents_.dropped > 0)
      line("(the oldest " + std::to_string(contents_.dropped) +
           " events were overwritten: the ring keeps the latest)");
  }

  std::string glyph(std::size_t column) const {
    for (const lane& l : lanes_) {
      if (l.column != column || l.in_others) continue;
      if (l.state == lane::life::alive) return "|";
      if (l.state == lane::life::zombie) return "z";
    }
    return "";
  }

  // One row: `text` in the column of `who`, the lifelines elsewhere.
  void row(long long t_ms, const lane& who, char mark, std::string_view label) {
    std::string cell;
    if (mark != ' ') cell += std::string(1, mark) + " ";
    if (who.in_others) cell += std::to_string(who.pid) + " ";
    cell += label;
    std::string text = seconds_text(t_ms);
    for (std::size_t c = 0; c < columns_; ++c) text += padded(c == who.column ? cell : glyph(c));
    line(text);
  }

  void exit_row(long long t_ms, lane& who, const std::string& how) {
    if (who.state == lane::life::unborn) who.state = lane::life::alive;
    row(t_ms, who, 'X', how);
    who.exited = true;
    if (who.state != lane::life::gone) who.state = lane::life::zombie;
    out_.exits += 1;
  }

  void take(const timeline_entry& entry) {
    lane& speaker = lane_of(entry.pid);
    lane* subject = entry.about != 0 ? &lane_of(entry.about) : nullptr;
    const std::string_view kind = entry.kind;
    const std::string_view note = entry.note;
    if (entry.sub > 0) {  // an observation: a tree saw `about` as a zombie
      if (subject && !subject->exited) exit_row(entry.t_ms, *subject, "exited (Z)");
      return;
    }
    out_.events += 1;
    if (speaker.state == lane::life::unborn) speaker.state = lane::life::alive;
    if (kind == "step") {
      const std::string start = seconds_text(entry.t_ms) + "-- ";
      const std::size_t room = width_ > columns_of(start) + 3 ? width_ - columns_of(start) - 3 : 0;
      line(start + fit_words(entry.label, room, entry.label_cut) + " --");
      return;
    }
    if (subject && kind == "fork" && subject->state == lane::life::unborn)
      subject->state = lane::life::alive;
    if (subject && !subject->exited) {
      if (kind == "reap") exit_row(entry.t_ms, *subject, ending_text(note));
      if (kind == "state" && note == "Z") exit_row(entry.t_ms, *subject, "exited (Z)");
    }
    const bool own_exit = kind == "exit" && !speaker.exited;
    row(entry.t_ms, speaker, entry.mark, entry.label);
    if (own_exit) {
      speaker.exited = true;
      speaker.state = lane::life::zombie;
      out_.exits += 1;
    }
    if (subject && kind == "reap") subject->state = lane::life::gone;
  }

  const timeline_contents& contents_;
  const std::size_t width_;
  std::vector<lane> lanes_;
  std::size_t columns_ = 0;
  std::size_t cell_width_ = max_cell;
  timeline_drawing out_;
};

}  // namespace

timeline_drawing draw_timeline(const timeline_contents& contents, std::size_t width) {
  width = std::max<std::size_t>(width, 40);
  return drawer(contents, width).draw();
}

}  // namespace lab
