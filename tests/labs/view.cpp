// view: what the labs show of their processes — the tree (--step and at each
// key moment) with one row per process, zombies never folded, sockets, signal
// masks by name and greyed rows of reaped children; and --timeline, the lanes
// drawn when a lab ends. Each claim is checked against /proc.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "harness.hpp"
#include "shared.hpp"
#include "os/net.hpp"
#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"

using namespace harness;

// Every --step run here passes --no-quiz: a quiz would read the Enter lines
// meant for the stages.

namespace {

// Tree lines fit 67 columns: a terminal indents them by 33, and 100 is the limit.
constexpr std::size_t tree_width = 67;
constexpr std::size_t screen_width = 100;

// The tree's row of `pid` (its first column after the depth indent), and the
// detail lines under it (sockets, signals) up to the next row.
struct tree_entry {
  std::string row;
  std::vector<std::string> details;
};

bool is_row_of(const std::string& line, pid_t pid) {
  std::istringstream fields(line);
  std::string first;
  fields >> first;
  return first == std::to_string(pid);
}

bool is_row(const std::string& line) {
  std::istringstream fields(line);
  std::string first, second;
  fields >> first >> second;  // a row: "pid ppid ..."; a detail line starts with a word
  return !first.empty() && std::all_of(first.begin(), first.end(), ::isdigit) && !second.empty() &&
         std::all_of(second.begin(), second.end(), ::isdigit);
}

std::optional<tree_entry> entry_of(const std::string& tree_text, pid_t pid) {
  const auto lines = lines_of(tree_text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!is_row(lines[i]) || !is_row_of(lines[i], pid)) continue;
    tree_entry entry{lines[i], {}};
    for (std::size_t k = i + 1; k < lines.size() && !is_row(lines[k]); ++k)
      entry.details.push_back(lines[k]);
    return entry;
  }
  return std::nullopt;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return contains(line, part); });
}

void check_tree_width(const std::string& tree_text) {
  for (const auto& line : lines_of(tree_text)) {
    CAPTURE(line);
    CHECK(line.size() <= tree_width);
  }
}

// The kernel's own list of the signals `pid` catches (SigCgt), by name.
std::string caught_by_kernel(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (!line.starts_with("SigCgt:")) continue;
    const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    std::string names;
    for (int signo = 1; signo <= 64; ++signo)
      if (mask & (1ULL << (signo - 1)))
        names += (names.empty() ? "" : ",") + lab::signal_name(signo);
    return names;
  }
  return "?";
}

// The state event a tree printed just before it for `pid`.
event state_before(const std::vector<event>& events, const event& tree, pid_t pid) {
  const auto at = std::find_if(events.begin(), events.end(), [&](const event& e) {
    return e.number("seq") == tree.number("seq");
  });
  REQUIRE(at != events.end());
  for (auto it = std::make_reverse_iterator(at); it != events.rend(); ++it) {
    if (it->kind() != "state") break;
    if (it->number("child") == pid) return *it;
  }
  FAIL("no state event for " << pid << " before the tree");
  return tree;
}

std::set<pid_t> children_forked_by(const std::vector<event>& events, pid_t lab) {
  std::set<pid_t> pids;
  for (const auto& e : events)
    if (e.kind() == "fork" && e.pid() == lab && e.has("child"))
      pids.insert(static_cast<pid_t>(e.number("child")));
  return pids;
}

// How often `part` occurs in the timeline's rows (lines that start with a
// time, "  0.012"), not in its header or legend.
std::size_t in_rows(const std::string& drawing, const std::string& part) {
  std::size_t n = 0;
  for (const auto& line : lines_of(drawing)) {
    if (line.size() < 8 || line[3] != '.' || !std::isdigit(static_cast<unsigned char>(line[2])))
      continue;
    for (auto at = line.find(part); at != std::string::npos; at = line.find(part, at + 1)) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("lab02 --step: every zombie has its own row, Z and what it means") {
  lab_process lab("lab02-zombie", {"--step", "--no-quiz", "--children", "3", "--hold", "0"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // before fork
  lab.write_stdin("\n");
  const event tree = lab.expect("tree");  // the zombies' stage
  lab.expect("pause");
  const auto children = children_forked_by(lab.events(), lab.pid());
  REQUIRE(children.size() == 3);
  const std::string text = tree.text("text");
  CAPTURE(text);
  int zombie_rows = 0;
  for (const auto& line : lines_of(text))
    if (contains(line, " Z zombie: exited, waiting to be reaped")) ++zombie_rows;
  CHECK(zombie_rows == 3);  // never folded together, as pstree would
  for (const pid_t child : children) {
    CAPTURE(child);
    const auto info = lab::read_proc(child);  // the lab waits for Enter: still as shown
    REQUIRE(info);
    CHECK(info->state == 'Z');
    const auto entry = entry_of(text, child);
    REQUIRE(entry);
    CHECK(contains(entry->row, std::to_string(lab.pid())));  // its parent, the PPID column
    CHECK(contains(entry->row, " Z zombie: exited, waiting to be reaped"));
    CHECK(contains(entry->row, "child "));  // its role
    const event state = state_before(lab.events(), tree, child);
    CHECK(state.text("state") == "Z");
    CHECK(state.text("child_role").starts_with("child "));
  }
  CHECK(tree.number("processes") == 4);
  CHECK(tree.number("rows") == 4);
  check_tree_width(text);
  lab.write_stdin("\n\n");
  CHECK(exited_with(lab.wait_exit(), 0));
  CHECK(lab.group_gone());
}

// The trees of a human-mode run: each its event line, then continuation lines
// indented by 33 (the drawing).
struct drawn_tree {
  std::string caption;               // the event line
  std::vector<std::string> drawing;  // its continuation lines
  bool unchanged() const {
    return drawing.size() == 1 && contains(drawing[0], "(unchanged: the same processes");
  }
};

std::vector<drawn_tree> trees_of(const std::vector<std::string>& lines) {
  std::vector<drawn_tree> trees;
  bool in_tree = false;
  for (const auto& line : lines) {
    if (!line.starts_with(std::string(33, ' '))) {
      in_tree = contains(line, " tree ");
      if (in_tree) trees.push_back({line, {}});
    } else if (in_tree) {
      trees.back().drawing.push_back(line);
    }
  }
  return trees;
}

TEST_CASE("lab02 --step for people: the tree's lines fit 100 columns") {
  const auto run =
      run_lab("lab02-zombie", {"--step", "--no-quiz", "--children", "3", "--hold", "0"},
              {.json = false, .stdin_pipe = true, .stdin_data = "\n\n\n"});
  CHECK(exited_with(run.status, 0));
  for (const auto& line : run.lines) {
    CAPTURE(line);
    if (line.starts_with(std::string(33, ' '))) CHECK(line.size() <= screen_width);
  }
  CAPTURE(run.lines);
  const auto trees = trees_of(run.lines);
  REQUIRE(trees.size() >= 2);
  const auto zombie_rows = [](const drawn_tree& tree) {
    return std::count_if(tree.drawing.begin(), tree.drawing.end(), [](const std::string& line) {
      return contains(line, " Z zombie: exited, waiting to be reaped");
    });
  };
  CHECK(zombie_rows(trees.front()) == 0);  // before fork
  CHECK(zombie_rows(trees[1]) == 3);
  for (std::size_t i = 2; i < trees.size(); ++i) CHECK((zombie_rows(trees[i]) == 3 || trees[i].unchanged()));
}

TEST_CASE("--step never draws the same tree twice in a row: one line says it is unchanged") {
  // lab02: the stage's tree of the zombies, the lab's own tree of them, the
  // last stage's tree: the same processes three times.
  const auto run =
      run_lab("lab02-zombie", {"--step", "--no-quiz", "--children", "2", "--hold", "0"},
              {.json = false, .stdin_pipe = true, .stdin_data = "\n\n\n"});
  CHECK(exited_with(run.status, 0));
  CAPTURE(run.lines);
  const auto trees = trees_of(run.lines);
  REQUIRE(trees.size() == 4);
  int unchanged = 0;
  const std::vector<std::string>* last_drawing = nullptr;
  for (const auto& tree : trees) {
    CAPTURE(tree.caption);
    if (tree.unchanged()) {
      ++unchanged;
      REQUIRE(last_drawing);  // the first tree is always drawn
      continue;
    }
    if (last_drawing) CHECK(tree.drawing != *last_drawing);
    last_drawing = &tree.drawing;
  }
  CHECK(unchanged == 2);
  // The lab's own caption stays, with the note under it.
  CHECK(contains(trees[2].caption, "the children are zombies"));
  CHECK(trees[2].unchanged());

  // In JSON every tree is whole, and marked: unchanged exactly when its
  // drawing is the one before it.
  lab_process lab("lab02-zombie", {"--step", "--no-quiz", "--children", "2", "--hold", "0"},
                  {.stdin_pipe = true, .stdin_data = "\n\n\n"});
  CHECK(exited_with(lab.wait_exit(), 0));
  const auto json_trees = lab.events_of("tree");
  REQUIRE(json_trees.size() == 4);
  const auto drawing = [](const event& e) {
    const std::string text = e.text("text");
    return text.substr(text.find('\n'));
  };
  CHECK_FALSE(json_trees[0].boolean("unchanged"));
  for (std::size_t i = 1; i < json_trees.size(); ++i) {
    CAPTURE(i);
    CHECK(json_trees[i].boolean("unchanged") == (drawing(json_trees[i]) == drawing(json_trees[i - 1])));
  }
  CHECK(json_trees[2].boolean("unchanged"));
  CHECK(json_trees[3].boolean("unchanged"));
}

TEST_CASE("lab08: the server's row shows its listening socket, the child's its connection") {
  lab_process lab("lab08-echo-serv", {"--port", "0"});
  const auto port = static_cast<std::uint16_t>(lab.expect("listen").number("port"));
  const std::string listening = "listening 127.0.0.1:" + std::to_string(port);
  auto client = lab::connect_tcp("127.0.0.1", port);
  const std::string client_end = lab::local_address(client.get());
  const event tree = lab.expect("tree", [](const event& e) { return e.number("processes") >= 2; });
  const std::string text = tree.text("text");
  CAPTURE(text);

  // The kernel's truth first: the server holds a listening socket on that port.
  bool kernel_says_listening = false;
  for (const auto& fd : lab::open_fds(lab.pid()))
    kernel_says_listening = kernel_says_listening || fd.socket == "tcp " + listening;
  CHECK(kernel_says_listening);

  const auto server = entry_of(text, lab.pid());
  REQUIRE(server);
  CHECK(contains(server->row, "server"));
  CHECK(any_contains(server->details, listening));
  CHECK(contains(state_before(lab.events(), tree, lab.pid()).text("sockets"), listening));

  const auto children = children_forked_by(lab.events(), lab.pid());
  REQUIRE(children.size() == 1);
  const pid_t child = *children.begin();
  const std::string connection =
      "connected 127.0.0.1:" + std::to_string(port) + " <-> " + client_end;
  const auto child_entry = entry_of(text, child);
  REQUIRE(child_entry);
  CHECK(any_contains(child_entry->details, connection));
  CHECK(contains(state_before(lab.events(), tree, child).text("sockets"), connection));
  check_tree_width(text);

  client.reset();
  lab.signal(SIGTERM);
  CHECK(exited_with(lab.wait_exit(), 0));
  CHECK(lab.group_gone());
}

TEST_CASE("lab07 --step: the rows name the caught signals, as SigCgt says; reaped rows follow") {
  lab_process lab("lab07-reaper",
                  {"--step", "--no-quiz", "--child-sleep", "1", "--rounds", "2", "--interval", "3"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // before sigaction
  lab.write_stdin("\n");
  const event tree = lab.expect("tree");
  lab.expect("pause");  // the handler is installed, the children run
  const std::string kernel = caught_by_kernel(lab.pid());
  CAPTURE(kernel);
  CHECK(contains(kernel, "SIGCHLD"));
  const event state = state_before(lab.events(), tree, lab.pid());
  CHECK(state.text("caught") == kernel);
  const auto parent = entry_of(tree.text("text"), lab.pid());
  REQUIRE(parent);
  CHECK(any_contains(parent->details, "caught " + kernel));
  check_tree_width(tree.text("text"));

  // The children end (1 s and 1.3 s after fork) and the handler reaps them,
  // cutting the rounds' sleeps short. At the next stage the tree keeps a row
  // for each: reaped, with its status.
  lab.write_stdin("\n");
  const event after = lab.expect("tree");
  lab.expect("pause");
  const auto children = children_forked_by(lab.events(), lab.pid());
  REQUIRE(children.size() == 2);
  CHECK(after.number("reaped") == 2);
  CHECK(after.number("processes") == 1);
  const std::string text = after.text("text");
  CAPTURE(text);
  for (const pid_t child : children) {
    CHECK_FALSE(lab::read_proc(child));  // the kernel: gone for good
    const auto row = entry_of(text, child);
    REQUIRE(row);
    CHECK(contains(row->row, " - reaped (exited "));
  }
  CHECK(contains(text, "reaped (exited 12)"));
  CHECK(contains(text, "reaped (exited 24)"));
  lab.write_stdin("\n");
  CHECK(exited_with(lab.wait_exit(), 0));
  CHECK(lab.group_gone());
}

TEST_CASE("lab05 --step: after signal(), the row names SIGINT and SIGALRM as caught") {
  lab_process lab("lab05-signal",
                  {"--step", "--no-quiz", "--alarm", "1", "--sleep", "30", "--rounds", "1"},
                  {.stdin_pipe = true});
  const event before = lab.expect("tree");
  lab.expect("pause");
  CHECK(state_before(lab.events(), before, lab.pid()).text("caught") ==
        caught_by_kernel(lab.pid()));
  lab.write_stdin("\n");
  const event tree = lab.expect("tree");
  lab.expect("pause");  // handlers registered, the alarm not yet asked for
  const std::string kernel = caught_by_kernel(lab.pid());
  CAPTURE(kernel);
  CHECK(contains(kernel, "SIGINT"));
  CHECK(contains(kernel, "SIGALRM"));
  CHECK(state_before(lab.events(), tree, lab.pid()).text("caught") == kernel);
  const auto row = entry_of(tree.text("text"), lab.pid());
  REQUIRE(row);
  CHECK(any_contains(row->details, "caught " + kernel));
  lab.write_stdin("\n\n");
  CHECK(exited_with(lab.wait_exit(), 0));
  CHECK(lab.group_gone());
}

TEST_CASE("lab10 --step: a reaped row appears after the reap and is gone after the next stage") {
  lab_process lab("lab10-coalesce",
                  {"--step", "--no-quiz", "--children", "3", "--reaper", "loop", "--hold", "0"},
                  {.stdin_pipe = true});
  lab.expect("pause");  // SIGCHLD blocked
  lab.write_stdin("\n");
  lab.expect("pause");  // the zombies
  lab.write_stdin("\n");
  lab.expect("result");
  const event after_reap = lab.expect("tree");
  const event next_stage = lab.expect("tree");  // the hold's stage
  lab.expect("pause");
  const auto children = children_forked_by(lab.events(), lab.pid());
  REQUIRE(children.size() == 3);
  CHECK(lab.events_of("reap").size() == 3);
  CHECK(after_reap.number("reaped") == 3);
  CHECK(after_reap.number("rows") == after_reap.number("processes") + 3);
  for (const pid_t child : children) {
    CAPTURE(child);
    CHECK_FALSE(lab::read_proc(child));
    const auto row = entry_of(after_reap.text("text"), child);
    REQUIRE(row);
    CHECK(contains(row->row, "reaped (exited 0)"));
    CHECK_FALSE(entry_of(next_stage.text("text"), child));
  }
  CHECK(next_stage.number("reaped") == 0);
  CHECK_FALSE(contains(next_stage.text("text"), "reaped"));
  lab.write_stdin("\n\n");
  CHECK(exited_with(lab.wait_exit(), 0));
  CHECK(lab.group_gone());
}

TEST_CASE("lab10 --timeline: one lane per process, an exit mark per child, one SIGCHLD") {
  for (const std::string reaper : {"once", "loop"}) {
    CAPTURE(reaper);
    const auto run = run_lab("lab10-coalesce",
                             {"--timeline", "--children", "3", "--reaper", reaper, "--hold", "0"});
    CHECK(exited_with(run.status, 0));
    CHECK(check_each_line_once(run.events) == "");
    const auto timelines = run.of("timeline");
    REQUIRE(timelines.size() == 1);
    const event& timeline = timelines[0];
    CHECK(run.events.back().kind() == "timeline");  // drawn when the lab ends
    const std::string text = timeline.text("text");
    CAPTURE(text);
    const pid_t lab_pid = timeline.pid();
    const auto children = children_forked_by(run.events, lab_pid);
    REQUIRE(children.size() == 3);
    CHECK(timeline.number("processes") == 4);
    CHECK(timeline.number("lanes") == 4);
    CHECK(timeline.number("exits") == 3);
    CHECK(timeline.number("events") ==
          static_cast<long long>(run.events.size() - 1 - run.of("state").size()));
    const auto lines = lines_of(text);
    REQUIRE(lines.size() > 4);
    // lines[0] is the caption; then the lanes' roles and pids.
    for (const auto* role : {"parent", "child 1", "child 2", "child 3"})
      CHECK(contains(lines[1], role));
    CHECK(contains(lines[2], std::to_string(lab_pid)));
    for (const pid_t child : children) CHECK(contains(lines[2], std::to_string(child)));
    CHECK(in_rows(text, "X exit") == 3);     // three exits...
    CHECK(in_rows(text, "! SIGCHLD") == 1);  // ...one SIGCHLD, one handler run
    CHECK(in_rows(text, "R reap") == 3);
    for (const auto& line : lines) {
      CAPTURE(line);
      CHECK(line.size() <= screen_width);
    }
  }
}

TEST_CASE("--timeline for people: the drawing starts at the margin and fits 100 columns") {
  const auto run = run_lab("lab10-coalesce",
                           {"--timeline", "--children", "5", "--reaper", "once", "--hold", "0"},
                           {.json = false});
  CHECK(exited_with(run.status, 0));
  const auto at = std::find_if(run.lines.begin(), run.lines.end(), [](const std::string& line) {
    return contains(line, " timeline ");
  });
  REQUIRE(at != run.lines.end());
  REQUIRE(run.lines.end() - at > 5);
  CHECK(contains(*(at + 1), "parent"));
  CHECK(contains(*(at + 1), "child 5"));  // six processes: six lanes, none folded
  std::size_t exits = 0;
  for (auto line = at + 1; line != run.lines.end(); ++line) {
    CAPTURE(*line);
    CHECK(line->size() <= screen_width);
    CHECK_FALSE(line->starts_with(std::string(33, ' ')));
    if (line->size() > 8 && (*line)[3] == '.') exits += in_rows(*line, "X exit");
  }
  CHECK(exits == 5);
}

TEST_CASE("--timeline: in --help; SIGINT during the hold leaves no process behind") {
  const auto help = run_lab("lab02-zombie", {"--help"}, {.json = false});
  CHECK(exited_with(help.status, 0));
  CHECK(any_contains(help.lines, "--timeline"));
  lab_process lab("lab02-zombie", {"--timeline", "--children", "2", "--hold", "60"});
  lab.expect("sleep");
  lab.signal_group(SIGINT);
  const int status = lab.wait_exit();
  CHECK(WIFSIGNALED(status));
  CHECK(lab.group_gone());
  CHECK(lab.events_of("timeline").empty());
}

TEST_CASE("--timeline: each stage's text whole, or cut at a word with \"...\" (never mid-word)") {
  for (const std::string lang : {"en", "zh"}) {
    CAPTURE(lang);
    const auto run = run_lab("lab07-reaper", {"--timeline", "--lang", lang, "--child-sleep", "0.3",
                                              "--rounds", "2"});
    CHECK(exited_with(run.status, 0));
    const auto timelines = run.of("timeline");
    REQUIRE(timelines.size() == 1);
    const std::string drawing = timelines[0].text("text");
    CAPTURE(drawing);
    std::vector<std::string> stages;
    for (const auto& e : run.of("step")) stages.push_back(e.text("text"));
    REQUIRE(!stages.empty());
    int step_lines = 0, cut = 0;
    for (const auto& line : lines_of(drawing)) {
      const auto open = line.find("-- ");
      if (open == std::string::npos || !line.ends_with(" --") || line.starts_with("---")) continue;
      ++step_lines;
      const std::string shown = line.substr(open + 3, line.size() - open - 6);
      CAPTURE(shown);
      const bool whole = std::find(stages.begin(), stages.end(), shown) != stages.end();
      bool at_word = false;
      if (!whole && shown.ends_with("...")) {
        ++cut;
        const std::string kept = shown.substr(0, shown.size() - 3);
        for (const auto& stage : stages) {
          if (!stage.starts_with(kept) || stage.size() == kept.size()) continue;
          const auto next = static_cast<unsigned char>(stage[kept.size()]);
          const auto last = static_cast<unsigned char>(kept.back());
          // the next character a space (or the punctuation before one), or
          // either side Chinese (a wide character: its lead byte is >= 0xE0)
          const std::string rest = stage.substr(kept.size());
          at_word = at_word || next == ' ' || next >= 0xE0 || (last & 0xC0) == 0x80 ||
                    rest.find_first_not_of(",;:") == rest.find(' ');
        }
      }
      CHECK((whole || at_word));
    }
    CHECK(step_lines == static_cast<int>(stages.size()));
  }
}
