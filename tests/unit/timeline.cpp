// timeline: the shared ring (records from every process and from signal
// handlers, the oldest overwritten when full), the lanes drawn from it, what
// the narrator records for each event — and the tree view's reaped rows,
// which the same events feed.
#include "voice/timeline.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "os/signals.hpp"
#include "support.hpp"
#include "voice/lanes.hpp"
#include "voice/narrator.hpp"
#include "voice/text.hpp"

using unit::capture;
using unit::child_process;
using unit::json_object;
using unit::parse_json_line;

namespace {

lab::timeline_entry entry(long seq, pid_t pid, std::string_view role, std::string_view kind,
                          char mark, std::string_view label, pid_t about = 0,
                          std::string_view about_role = "", std::string_view note = "") {
  lab::timeline_entry e;
  e.seq = seq;
  e.t_ms = seq * 10;
  e.pid = pid;
  e.about = about;
  e.mark = mark;
  lab::set_text(e.role, role);
  lab::set_text(e.about_role, about_role);
  lab::set_text(e.kind, kind);
  lab::set_text(e.label, label);
  lab::set_text(e.note, note);
  return e;
}

std::vector<std::string> lines(const std::string& text) {
  return unit::lines_of(text).lines;
}

std::size_t widest(const std::string& text) {
  std::size_t width = 0;
  for (const auto& line : lines(text)) width = std::max(width, line.size());
  return width;
}

// How often `what` occurs in the drawing's rows (not its header or legend): a
// row starts with its time, "  0.010".
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (const auto& line : lines(text)) {
    if (line.size() < 8 || line[3] != '.' || !std::isdigit(static_cast<unsigned char>(line[2])))
      continue;
    for (auto at = line.find(what); at != std::string::npos; at = line.find(what, at + 1)) ++n;
  }
  return n;
}

std::vector<json_object> events_in(const std::string& text) {
  std::vector<json_object> events;
  for (const auto& line : lines(text)) events.push_back(parse_json_line(line));
  return events;
}

void narrate_json(bool timeline) {
  lab::start_narrator({.program = "unit-timeline", .json = true, .timeline = timeline});
  lab::set_role("parent");
}

volatile sig_atomic_t handler_seq = 0;

void record_in_handler(int) {
  lab::timeline_entry e;
  e.seq = handler_seq;
  lab::set_text(e.kind, "signal");
  lab::set_text(e.label, "from a handler");
  lab::timeline_record(e);
}

void narrate_in_handler(int signo) {
  lab::signal_say("signal", "caught {signo}", {{"signo", signo}});
}

}  // namespace

TEST_CASE("fixed texts are cut to fit, never inside a UTF-8 character") {
  lab::fixed_text<8> text;
  text.append("fork ");
  text.append(-42LL);
  CHECK(text.view() == "fork -4");
  text.append("more");
  CHECK(text.view() == "fork -4");

  char field[6];
  lab::set_text(field, "\xe5\xad\x90\xe8\xbf\x9b");  // two Chinese characters, 6 bytes
  CHECK(std::string(field) == "\xe5\xad\x90");       // the second does not fit whole
  CHECK(lab::utf8_fit("abc", 10) == 3);
  CHECK(lab::standard_signal_name(SIGCHLD) == std::string("SIGCHLD"));
  CHECK(lab::standard_signal_name(SIGSYS) == std::string("SIGSYS"));
  CHECK(lab::standard_signal_name(0) == nullptr);
  CHECK(lab::standard_signal_name(SIGRTMIN) == nullptr);
}

TEST_CASE("the ring keeps the records of every process, in seq order") {
  REQUIRE(lab::start_timeline(64));
  std::vector<std::unique_ptr<child_process>> children;
  for (int c = 1; c <= 3; ++c)
    children.push_back(std::make_unique<child_process>([c] {
      for (int i = 0; i < 5; ++i)
        lab::timeline_record(entry(c * 100 + i, ::getpid(), "child", "x", ' ', ""));
      return 0;
    }));
  for (int i = 0; i < 5; ++i)
    lab::timeline_record(entry(i + 1, ::getpid(), "parent", "x", ' ', ""));
  for (auto& child : children) {
    const auto status = child->wait_end();
    REQUIRE(status);
    CHECK(*status == 0);
  }
  const auto contents = lab::read_timeline();
  CHECK(contents.dropped == 0);
  REQUIRE(contents.entries.size() == 20);
  CHECK(std::is_sorted(contents.entries.begin(), contents.entries.end(),
                       [](const auto& a, const auto& b) { return a.seq < b.seq; }));
  std::set<pid_t> writers;
  for (const auto& e : contents.entries) writers.insert(e.pid);
  CHECK(writers.size() == 4);
}

TEST_CASE("a full ring overwrites the oldest records and says how many") {
  REQUIRE(lab::start_timeline(8));
  for (long seq = 1; seq <= 20; ++seq) lab::timeline_record(entry(seq, 1, "parent", "x", ' ', ""));
  const auto contents = lab::read_timeline();
  CHECK(contents.dropped == 12);
  REQUIRE(contents.entries.size() == 8);
  CHECK(contents.entries.front().seq == 13);
  CHECK(contents.entries.back().seq == 20);
  const auto drawing = lab::draw_timeline(contents);
  CHECK(drawing.text.find("oldest 12 events") != std::string::npos);
}

TEST_CASE("a signal handler can record") {
  REQUIRE(lab::start_timeline(8));
  handler_seq = 7;
  struct sigaction action {};
  action.sa_handler = record_in_handler;
  sigemptyset(&action.sa_mask);
  struct sigaction old {};
  REQUIRE(::sigaction(SIGUSR1, &action, &old) == 0);
  ::raise(SIGUSR1);
  ::sigaction(SIGUSR1, &old, nullptr);
  const auto contents = lab::read_timeline();
  REQUIRE(contents.entries.size() == 1);
  CHECK(contents.entries[0].seq == 7);
  CHECK(std::string(contents.entries[0].label) == "from a handler");
}

TEST_CASE("the narrator records each event with its seq, mark and short label") {
  narrate_json(true);
  capture out(STDOUT_FILENO);
  lab::stage("a stage");
  const pid_t child = lab::fork_as("child 1");
  if (child == 0) {  // child
    lab::say("exit", "child ends with {code}", {{"code", 3}});
    ::_exit(3);
  }
  // parent
  lab::say("fork", "forked {child}", {{"child", child}});
  const auto status = unit::reap(child);
  REQUIRE(status);
  struct sigaction action {};
  action.sa_handler = narrate_in_handler;
  sigemptyset(&action.sa_mask);
  struct sigaction old {};
  REQUIRE(::sigaction(SIGUSR2, &action, &old) == 0);
  ::raise(SIGUSR2);
  ::sigaction(SIGUSR2, &old, nullptr);
  lab::say_reap(child, *status);
  lab::say("result", "read failed", {{"call", "read"}, {"error", "EINTR"}});
  auto events = events_in(out.text());
  // The ring is in seq order; the lines in the order they were written, where
  // the child's exit (seq 2) may come after the parent's fork (seq 3).
  std::sort(events.begin(), events.end(),
            [](const auto& a, const auto& b) { return a.integer("seq") < b.integer("seq"); });
  const auto contents = lab::read_timeline();
  REQUIRE(contents.entries.size() == events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    CAPTURE(i);
    CHECK(contents.entries[i].seq == events[i].integer("seq"));
    CHECK(contents.entries[i].pid == events[i].integer("pid"));
    CHECK(std::string(contents.entries[i].kind) == events[i].text("kind"));
  }
  std::map<std::string, const lab::timeline_entry*> by_kind;
  for (const auto& e : contents.entries) by_kind[e.kind] = &e;
  REQUIRE(by_kind.size() == 6);
  CHECK(std::string(by_kind["step"]->label) == "a stage");
  CHECK(by_kind["fork"]->mark == '+');
  CHECK(by_kind["fork"]->about == child);
  CHECK(std::string(by_kind["fork"]->about_role) == "child 1");
  CHECK(std::string(by_kind["fork"]->label) == "fork " + std::to_string(child));
  CHECK(by_kind["exit"]->mark == 'X');
  CHECK(by_kind["exit"]->pid == child);
  CHECK(std::string(by_kind["exit"]->role) == "child 1");
  CHECK(std::string(by_kind["exit"]->label) == "exit 3");
  CHECK(by_kind["signal"]->mark == '!');
  CHECK(std::string(by_kind["signal"]->label) == "SIGUSR2 handler");
  CHECK(by_kind["reap"]->mark == 'R');
  CHECK(std::string(by_kind["reap"]->note) == "3");
  CHECK(by_kind["result"]->mark == 'E');
  CHECK(std::string(by_kind["result"]->label) == "read: EINTR");
}

TEST_CASE("without --timeline nothing is recorded") {
  REQUIRE(lab::start_timeline(0) == false);  // unmaps the ring of the tests before
  narrate_json(false);
  capture out(STDOUT_FILENO);
  lab::say("step", "hello");
  out.text();
  CHECK_FALSE(lab::timeline_started());
  CHECK(lab::read_timeline().entries.empty());
}

TEST_CASE("lanes: one per process, exits marked once, from the event or from what revealed it") {
  const pid_t lab = 100, a = 101, b = 102, c = 103;
  lab::timeline_contents contents;
  auto& e = contents.entries;
  e.push_back(entry(1, lab, "parent", "step", ' ', "SIGCHLD blocked"));
  e.push_back(entry(2, lab, "parent", "fork", '+', "fork 101", a, "child 1"));
  e.push_back(entry(3, lab, "parent", "fork", '+', "fork 102", b, "child 2"));
  e.push_back(entry(4, lab, "parent", "fork", '+', "fork 103", c, "child 3"));
  e.push_back(entry(5, a, "child 1", "exit", 'X', "exit 0"));  // said by the child itself
  e.push_back(entry(6, lab, "parent", "tree", ' ', "tree (4)"));
  for (const pid_t zombie : {a, b, c}) {  // the tree saw all three as zombies
    auto seen = entry(6, lab, "parent", "zombie", 'X', "exited (Z)", zombie, "", "Z");
    seen.sub = zombie - lab;
    e.push_back(seen);
  }
  e.push_back(entry(7, lab, "parent", "signal", '!', "SIGCHLD handler"));
  e.push_back(entry(8, lab, "parent", "reap", 'R', "reap 101", a, "", "0"));
  e.push_back(entry(9, lab, "parent", "reap", 'R', "reap 102", b, "", "0"));
  const auto drawing = lab::draw_timeline(contents);
  CAPTURE(drawing.text);
  CHECK(drawing.processes == 4);
  CHECK(drawing.lanes == 4);
  CHECK(drawing.events == 9);
  CHECK(drawing.exits == 3);
  CHECK(count(drawing.text, "X exit") == 3);
  CHECK(count(drawing.text, "! SIGCHLD") == 1);
  CHECK(count(drawing.text, "R reap") == 2);
  CHECK(widest(drawing.text) <= 100);
  const auto rows = lines(drawing.text);
  REQUIRE(rows.size() > 3);
  for (const auto* role : {"parent", "child 1", "child 2", "child 3"})
    CHECK(rows[0].find(role) != std::string::npos);
  for (const auto* pid : {"100", "101", "102", "103"})
    CHECK(rows[1].find(pid) != std::string::npos);
  // Child 3 was never reaped: still a zombie on the last row.
  CHECK(drawing.text.find("z") != std::string::npos);
}

TEST_CASE("a reap reveals an exit nobody narrated; a killed child says its signal") {
  lab::timeline_contents contents;
  contents.entries.push_back(entry(1, 100, "parent", "fork", '+', "fork 101", 101, "victim"));
  contents.entries.push_back(entry(2, 100, "parent", "reap", 'R', "reap 101", 101, "", "SIGKILL"));
  contents.entries.push_back(entry(3, 100, "parent", "reap", 'R', "reap 101", 101, "", "SIGKILL"));
  const auto drawing = lab::draw_timeline(contents);
  CAPTURE(drawing.text);
  CHECK(drawing.exits == 1);
  CHECK(count(drawing.text, "X killed SIGKILL") == 1);
  CHECK(drawing.text.find("victim") != std::string::npos);
}

TEST_CASE("past six processes: five lanes and 'others', where no exit is folded away") {
  lab::timeline_contents contents;
  long seq = 1;
  for (pid_t child = 201; child <= 209; ++child)
    contents.entries.push_back(entry(seq++, 200, "parent", "fork", '+', "fork", child, "child"));
  for (pid_t child = 201; child <= 209; ++child)
    contents.entries.push_back(entry(seq++, child, "child", "exit", 'X', "exit 0"));
  for (const std::size_t width : {100, 80, 60}) {
    CAPTURE(width);
    const auto drawing = lab::draw_timeline(contents, width);
    CAPTURE(drawing.text);
    CHECK(drawing.processes == 10);
    CHECK(drawing.lanes == 5);
    CHECK(drawing.exits == 9);
    CHECK(count(drawing.text, "X ") == 9);
    CHECK(widest(drawing.text) <= width);
    CHECK(lines(drawing.text)[0].find("others") != std::string::npos);
    for (pid_t folded = 205; folded <= 209; ++folded)  // the folded lanes' exits name their pid
      CHECK(drawing.text.find("X " + std::to_string(folded)) != std::string::npos);
  }
}

TEST_CASE("tree: a reaped child keeps a reaped row until the first stage after a tree showed it") {
  narrate_json(false);
  capture out(STDOUT_FILENO);
  const pid_t child = lab::fork_as("child 1");
  if (child == 0) ::_exit(3);  // child
  // parent
  const auto status = unit::reap(child);
  REQUIRE(status);
  lab::say_reap(child, *status);
  lab::stage("a stage before any tree showed it: the row stays");
  lab::show_tree("after the reap:");
  lab::show_tree("again, no stage between:");
  lab::stage("the next stage");
  lab::show_tree("after the stage:");
  const std::string text = out.text();
  const auto first = text.find("after the reap:");
  const auto second = text.find("again, no stage between:");
  const auto third = text.find("after the stage:");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  REQUIRE(third != std::string::npos);
  const std::string row = std::to_string(child);
  CHECK(text.substr(first, second - first).find("reaped (exited 3)") != std::string::npos);
  CHECK(text.substr(first, second - first).find(row) != std::string::npos);
  CHECK(text.substr(second, third - second).find("reaped (exited 3)") != std::string::npos);
  CHECK(text.substr(third).find("reaped") == std::string::npos);
}

TEST_CASE("tree: a reap narrated by a signal handler gets its row too; JSON counts the rows") {
  narrate_json(true);
  {
    capture earlier(STDOUT_FILENO);  // rows the tests before may have left
    lab::show_tree("");
    lab::stage("");
  }
  capture out(STDOUT_FILENO);
  lab::signal_say("reap", "removed child {child}; it sent {code}",
                  {{"child", 999999}, {"code", 12}});
  lab::signal_say("reap", "removed child {child}; killed",
                  {{"child", 999998}, {"killed_by", SIGKILL}});
  lab::show_tree("now:");
  const auto events = events_in(out.text());
  REQUIRE(!events.empty());
  const json_object& tree = events.back();
  CHECK(tree.text("kind") == "tree");
  CHECK(tree.integer("reaped") == 2);
  CHECK(tree.integer("rows") == tree.integer("processes") + 2);
  const std::string text = tree.text("text");
  CHECK(text.find("999999") != std::string::npos);
  CHECK(text.find("reaped (exited 12)") != std::string::npos);
  CHECK(text.find("reaped (killed by SIGKILL)") != std::string::npos);
  for (const auto& line : lines(text)) CHECK(line.size() <= 67);
  capture quiet(STDOUT_FILENO);
  lab::stage("clears them");
}

TEST_CASE("a Chinese label is cut between characters, and counted as wide") {
  lab::timeline_contents contents;
  long seq = 1;
  for (pid_t child = 301; child <= 305; ++child)
    contents.entries.push_back(entry(seq++, 300, "parent", "fork", '+', "fork", child, "child"));
  contents.entries.push_back(
      entry(seq++, 300, "parent", "step", ' ', "\xe7\x88\xb6\xe8\xbf\x9b\xe7\xa8\x8b"));
  contents.entries.push_back(entry(seq++, 301, "child", "exit", 'X',
                                   "\xe5\xad\x90\xe8\xbf\x9b\xe7\xa8\x8b\xe9\x80\x80"
                                   "\xe5\x87\xba\xe4\xba\x86"));
  for (const std::size_t width : {100, 60}) {
    CAPTURE(width);
    const auto drawing = lab::draw_timeline(contents, width);
    CAPTURE(drawing.text);
    for (const auto& line : lines(drawing.text)) {
      std::size_t columns = 0;
      for (std::size_t i = 0; i < line.size();) {
        const auto lead = static_cast<unsigned char>(line[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        REQUIRE(i + length <= line.size());
        for (std::size_t k = 1; k < length; ++k)  // continuation bytes only
          CHECK((static_cast<unsigned char>(line[i + k]) & 0xC0) == 0x80);
        columns += length >= 3 ? 2 : 1;
        i += length;
      }
      CHECK(columns <= width);
    }
    CHECK(count(drawing.text, "X \xe5\xad\x90") == 1);
  }
}

// The text between "-- " and " --" of each step line of a drawing.
std::vector<std::string> step_texts(const std::string& drawing) {
  std::vector<std::string> texts;
  for (const auto& line : lines(drawing)) {
    const auto open = line.find("-- ");
    if (open == std::string::npos || !line.ends_with(" --") || line.starts_with("---")) continue;
    texts.push_back(line.substr(open + 3, line.size() - open - 6));
  }
  return texts;
}

// True when `shown` is `original` whole, or a cut of it at a word boundary:
// a prefix of it followed there by a space, then "...".
bool whole_or_cut_at_word(const std::string& shown, const std::string& original) {
  if (shown == original) return true;
  if (!shown.ends_with("...")) return false;
  const std::string kept = shown.substr(0, shown.size() - 3);
  if (!original.starts_with(kept) || kept.empty()) return false;
  const char next = original[kept.size()];
  // After the words kept: a space, or the punctuation the cut dropped before one.
  const auto rest = original.substr(kept.size());
  return next == ' ' || rest.find_first_not_of(",;:") == rest.find(' ');
}

TEST_CASE("fit_words: a cut text ends at a word boundary with \"...\"; Chinese between characters") {
  CHECK(lab::fit_words("short enough", 20) == "short enough");
  CHECK(lab::fit_words("the parent reaps every child", 20) == "the parent reaps...");
  CHECK(lab::fit_words("the parent reaps every child", 19) == "the parent reaps...");
  CHECK(lab::fit_words("the parent reaps every child", 18) == "the parent...");
  CHECK(lab::fit_words("waiting, then reaping", 13) == "waiting...");   // no "waiting,..."
  CHECK(lab::fit_words("supercalifragilistic", 10) == "superca...");  // one word: cut in it
  // Cut already by the record: the last word may be a piece; it goes.
  CHECK(lab::fit_words("the parent rea", 40, true) == "the parent...");
  CHECK(lab::fit_words("the parent ", 40, true) == "the parent...");
  // Chinese: any two characters are a boundary (each two columns wide).
  const std::string zh = "\xe7\x88\xb6\xe8\xbf\x9b\xe7\xa8\x8b\xe5\x9b\x9e\xe6\x94\xb6";  // 5 chars
  CHECK(lab::fit_words(zh, 10) == zh);
  CHECK(lab::fit_words(zh, 9) == zh.substr(0, 9) + "...");  // 3 characters, 6 columns + 3
  CHECK(lab::fit_words(zh, 8) == zh.substr(0, 6) + "...");
}

TEST_CASE("a stage text too long for its line is cut at a word, never inside one") {
  const std::string long_stage =
      "every child has exited and none was waited for: they are zombies until the parent "
      "reaps them or itself exits, and init adopts and reaps them";
  lab::timeline_contents contents;
  contents.entries.push_back(entry(1, 300, "parent", "step", ' ', long_stage));
  contents.entries.back().label_cut = long_stage.size() >= sizeof contents.entries[0].label;
  contents.entries.push_back(entry(2, 300, "parent", "fork", '+', "fork 301", 301, "child"));
  contents.entries.push_back(entry(3, 300, "parent", "step", ' ', "a short stage"));
  for (const std::size_t width : {100, 72, 60, 45}) {
    CAPTURE(width);
    const auto drawing = lab::draw_timeline(contents, width);
    CAPTURE(drawing.text);
    CHECK(widest(drawing.text) <= width);
    const auto texts = step_texts(drawing.text);
    REQUIRE(texts.size() == 2);
    CHECK(texts[0].ends_with("..."));
    CHECK(whole_or_cut_at_word(texts[0], long_stage));
    CHECK(texts[1] == "a short stage");
  }
}

TEST_CASE("the narrator keeps a stage's whole text; one longer than the record is cut at a word") {
  narrate_json(true);
  capture out(STDOUT_FILENO);
  const std::string stage_text =
      "the parent sleeps in rounds while the children exit one after the other and the "
      "SIGCHLD handler reaps each of them in a waitpid loop with WNOHANG, saving errno";
  REQUIRE(stage_text.size() > 128);
  lab::stage("a stage of medium length, longer than any lane's cell");
  lab::stage(stage_text);
  out.text();
  const auto contents = lab::read_timeline();
  REQUIRE(contents.entries.size() == 2);
  CHECK(std::string(contents.entries[0].label) ==
        "a stage of medium length, longer than any lane's cell");
  CHECK_FALSE(contents.entries[0].label_cut);
  CHECK(contents.entries[1].label_cut);
  const auto drawing = lab::draw_timeline(contents, 100);
  CAPTURE(drawing.text);
  const auto texts = step_texts(drawing.text);
  REQUIRE(texts.size() == 2);
  CHECK(texts[0] == "a stage of medium length, longer than any lane's cell");
  CHECK(texts[1].ends_with("..."));
  CHECK(whole_or_cut_at_word(texts[1], stage_text));
}
