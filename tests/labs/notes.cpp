// notes: the notes agree with the labs they describe.
//
// - every notes/en/X.md has a notes/zh/X.md and the other way round, and the two
//   have the same number of "##" sections;
// - every lab (labs/labNN-topic.cpp) has its note NN-topic.md in both languages;
// - notes/README.md links every note, in lab order, and each of its links resolves;
// - every command a note (or notes/README.md) shows exists: a line of a fenced
//   code block, or an inline code span, that runs build/labs/labNN-... names a
//   built lab, each --option on it is listed by that lab's --help, and the lab
//   accepts the whole command line (it exits 0 when --help is appended, after
//   CLI11 has checked every value); one that runs scripts/... names a file in
//   scripts/.
//
// The notes are read from FORKLAB_SOURCE_DIR (the source root), the labs from
// FORKLAB_LABS_DIR (the build's labs/).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "harness.hpp"
#include "writing.hpp"

using namespace harness;
namespace fs = std::filesystem;

namespace {

fs::path source_root() {
  const char* root = std::getenv("FORKLAB_SOURCE_DIR");
  REQUIRE_MESSAGE(root != nullptr, "FORKLAB_SOURCE_DIR is not set (Meson sets it)");
  return fs::path(root);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The file names (X.md) of the notes in one language.
std::set<std::string> note_names(const fs::path& dir) {
  std::set<std::string> names;
  if (!fs::is_directory(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".md")
      names.insert(entry.path().filename().string());
  return names;
}

bool is_fence(const std::string& line) {
  return line.rfind("```", 0) == 0;
}

// "## " headings outside fenced code blocks.
std::vector<std::string> sections(const std::string& text) {
  std::vector<std::string> headings;
  bool in_fence = false;
  for (const auto& line : split_lines(text)) {
    if (is_fence(line))
      in_fence = !in_fence;
    else if (!in_fence && line.rfind("## ", 0) == 0)
      headings.push_back(line);
  }
  return headings;
}

// Where a note shows code: each line of a fenced block, and each inline span.
struct shown_code {
  int line = 0;
  std::string text;
};

std::vector<shown_code> code_in(const std::string& text) {
  std::vector<shown_code> code;
  bool in_fence = false;
  int number = 0;
  for (const auto& line : split_lines(text)) {
    ++number;
    if (is_fence(line)) {
      in_fence = !in_fence;
    } else if (in_fence) {
      code.push_back({number, line});
    } else {
      // Inline spans, `...`; an unpaired backtick opens nothing.
      for (std::size_t open = line.find('`'); open != std::string::npos;) {
        const std::size_t close = line.find('`', open + 1);
        if (close == std::string::npos) break;
        if (close > open + 1) code.push_back({number, line.substr(open + 1, close - open - 1)});
        open = line.find('`', close + 1);
      }
    }
  }
  return code;
}

// The commands on one line of shell: the pieces between |, ;, &, quotes and
// parentheses that start with build/labs/ or scripts/ (after an optional "$ "
// prompt), each cut at a comment or a redirection and split into words.
std::vector<std::vector<std::string>> commands_in(std::string line) {
  if (line.rfind("$ ", 0) == 0) line.erase(0, 2);
  std::vector<std::vector<std::string>> commands;
  std::string piece;
  auto take = [&] {
    std::istringstream words(piece);
    std::vector<std::string> command;
    for (std::string word; words >> word;) {
      if (word[0] == '#' || word[0] == '<' || word[0] == '>' || word.rfind("2>", 0) == 0) break;
      command.push_back(word);
    }
    if (!command.empty() &&
        (command[0].rfind("build/labs/", 0) == 0 || command[0].rfind("scripts/", 0) == 0))
      commands.push_back(command);
    piece.clear();
  };
  for (const char c : line) {
    if (std::string_view("|;&'\"()").find(c) != std::string_view::npos)
      take();
    else
      piece += c;
  }
  take();
  return commands;
}

// A lab's options as its --help lists them: the first word of each line that
// starts (after indentation) with '-', split at commas ("-h,--help").
const std::set<std::string>& options_of(const std::string& lab) {
  static std::map<std::string, std::set<std::string>> known;
  const auto found = known.find(lab);
  if (found != known.end()) return found->second;
  std::set<std::string> options;
  const auto run = run_lab(lab, {"--help"}, {.json = false});
  CHECK_MESSAGE((WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0),
                lab << " --help did not exit 0");
  for (const auto& line : run.lines) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] != '-') continue;
    std::string names = line.substr(start, line.find(' ', start) - start);
    std::istringstream parts(names);
    for (std::string name; std::getline(parts, name, ',');)
      if (name.rfind("--", 0) == 0) options.insert(name);
  }
  CHECK_MESSAGE(options.count("--help") == 1, lab << " --help lists no --help: output not parsed");
  return known[lab] = options;
}

// Problems with one shown command, as "file:line: reason" lines.
std::vector<std::string> check_command(const std::vector<std::string>& command,
                                       const std::string& where) {
  static std::map<std::string, int> accepted;  // command line -> wait status
  std::vector<std::string> problems;
  std::string shown;
  for (const auto& word : command) shown += (shown.empty() ? "" : " ") + word;

  if (command[0].rfind("scripts/", 0) == 0) {
    if (!fs::is_regular_file(source_root() / command[0]))
      problems.push_back(where + ": no such script: " + command[0]);
    return problems;
  }
  const std::string lab = command[0].substr(std::string("build/labs/").size());
  if (!is_lab_name(lab)) {
    problems.push_back(where + ": not a lab name: " + command[0]);
    return problems;
  }
  if (::access(lab_path(lab).c_str(), X_OK) != 0) {
    problems.push_back(where + ": no such lab was built: " + lab);
    return problems;
  }
  const auto& options = options_of(lab);
  bool names_known = true;
  for (std::size_t i = 1; i < command.size(); ++i) {
    if (command[i].rfind("--", 0) != 0) continue;
    const std::string option = command[i].substr(0, command[i].find('='));
    if (options.count(option) == 0) {
      problems.push_back(where + ": " + lab + " has no option " + option +
                         " (its --help does not list it): " + shown);
      names_known = false;
    }
  }
  if (!names_known) return problems;
  // CLI11 checks every value before it acts on --help: a value out of range or
  // not among the choices makes this exit 2.
  const std::vector<std::string> args(command.begin() + 1, command.end());
  if (accepted.count(shown) == 0) {
    std::vector<std::string> with_help = args;
    with_help.push_back("--help");
    accepted[shown] = run_lab(lab, with_help, {.json = false}).status;
  }
  const int status = accepted[shown];
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    problems.push_back(where + ": " + lab + " rejects this command line: " + shown);
  return problems;
}

void report(const std::vector<std::string>& problems) {
  for (const auto& problem : problems) FAIL_CHECK(problem);
  CHECK(problems.empty());
}

const char* const languages[] = {"en", "zh"};

}  // namespace

TEST_CASE("every note exists in both languages, with the same sections") {
  const fs::path notes = source_root() / "notes";
  const auto en = note_names(notes / "en");
  const auto zh = note_names(notes / "zh");
  REQUIRE_FALSE(en.empty());
  std::vector<std::string> problems;
  for (const auto& name : en)
    if (zh.count(name) == 0)
      problems.push_back("notes/zh/" + name + " is missing (notes/en/" + name + " exists)");
  for (const auto& name : zh)
    if (en.count(name) == 0)
      problems.push_back("notes/en/" + name + " is missing (notes/zh/" + name + " exists)");
  for (const auto& name : en) {
    if (zh.count(name) == 0) continue;
    const auto en_sections = sections(read_text(notes / "en" / name));
    const auto zh_sections = sections(read_text(notes / "zh" / name));
    if (en_sections.empty()) problems.push_back("notes/en/" + name + " has no ## section");
    if (en_sections.size() != zh_sections.size())
      problems.push_back(name + ": " + std::to_string(en_sections.size()) + " ## sections in en, " +
                         std::to_string(zh_sections.size()) + " in zh");
  }
  // Each note opens with its lab's number: "# NN · title".
  for (const char* language : languages)
    for (const auto& name : note_names(notes / language)) {
      const auto lines = split_lines(read_text(notes / language / name));
      if (lines.empty() || lines[0].rfind("# " + name.substr(0, 2) + " ", 0) != 0)
        problems.push_back(std::string("notes/") + language + "/" + name +
                           ": the first line is not \"# " + name.substr(0, 2) + " · ...\"");
    }
  report(problems);
}

TEST_CASE("every lab has a note in both languages") {
  const fs::path root = source_root();
  std::vector<std::string> problems;
  int labs = 0;
  for (const auto& entry : fs::directory_iterator(root / "labs")) {
    const std::string file = entry.path().filename().string();
    const std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".cpp" || !is_lab_name(stem)) continue;
    ++labs;
    const std::string note = stem.substr(3) + ".md";  // lab02-zombie.cpp -> 02-zombie.md
    for (const char* language : languages)
      if (!fs::is_regular_file(root / "notes" / language / note))
        problems.push_back(std::string("labs/") + file + " has no notes/" + language + "/" + note);
  }
  CHECK(labs > 0);
  report(problems);
}

TEST_CASE("notes/README.md links every note, in lab order, and its links resolve") {
  const fs::path notes = source_root() / "notes";
  const std::string index = read_text(notes / "README.md");
  std::vector<std::string> problems;
  std::map<std::string, std::vector<std::string>> linked;  // language -> notes, in order
  // Markdown links: [text](target).
  for (std::size_t at = index.find("]("); at != std::string::npos; at = index.find("](", at + 2)) {
    const std::size_t end = index.find_first_of(") \n", at + 2);
    if (end == std::string::npos || index[end] != ')' || end == at + 2) continue;
    std::string target = index.substr(at + 2, end - at - 2);
    if (target.find("://") != std::string::npos || target[0] == '#') continue;
    target = target.substr(0, target.find('#'));
    if (!fs::exists(notes / target))
      problems.push_back("notes/README.md links " + target + ", which does not exist");
    const fs::path path(target);
    const std::string language = path.parent_path().string();
    if (language == "en" || language == "zh") linked[language].push_back(path.filename().string());
  }
  for (const char* language : languages) {
    const auto& order = linked[language];
    for (const auto& name : note_names(notes / language))
      if (std::find(order.begin(), order.end(), name) == order.end())
        problems.push_back(std::string("notes/README.md does not link ") + language + "/" + name);
    if (!std::is_sorted(order.begin(), order.end()))
      problems.push_back(std::string("notes/README.md: the ") + language +
                         " notes are not in lab order");
  }
  report(problems);
}

TEST_CASE("every command a note (or the index) shows exists, with options its lab has") {
  const fs::path notes = source_root() / "notes";
  std::vector<std::string> problems;
  int commands = 0;
  std::vector<std::string> files = {"README.md"};
  for (const char* language : languages)
    for (const auto& name : note_names(notes / language))
      files.push_back(std::string(language) + "/" + name);
  for (const auto& name : files) {
    const std::string file = "notes/" + name;
    for (const auto& code : code_in(read_text(notes / name)))
      for (const auto& command : commands_in(code.text)) {
        ++commands;
        const auto found = check_command(command, file + ":" + std::to_string(code.line));
        problems.insert(problems.end(), found.begin(), found.end());
      }
  }
  MESSAGE(commands << " commands checked in " << files.size() << " files");
  CHECK(commands > 0);
  report(problems);
}

TEST_CASE("the command check itself: what it finds on a line, and what it rejects") {
  using words = std::vector<std::string>;
  CHECK(commands_in("build/labs/lab02-zombie --children 3   # three zombies") ==
        std::vector<words>{{"build/labs/lab02-zombie", "--children", "3"}});
  CHECK(commands_in("$ printf 'a\\nb\\n' | build/labs/lab09-echo-cli 127.0.0.1 9190 < in") ==
        std::vector<words>{{"build/labs/lab09-echo-cli", "127.0.0.1", "9190"}});
  CHECK(commands_in("sudo unshare --pid bash -c 'build/labs/lab14-orphan --hold 1; true'") ==
        std::vector<words>{{"build/labs/lab14-orphan", "--hold", "1"}});
  CHECK(commands_in("24679 24375 S    hrtimer_nanosleep    build/labs/lab04-waitpid").empty());
  CHECK(commands_in("scripts/zombies.sh") == std::vector<words>{{"scripts/zombies.sh"}});

  CHECK(check_command({"build/labs/lab02-zombie", "--children", "3"}, "x").empty());
  CHECK(check_command({"build/labs/lab02-zombie", "--no-such-option"}, "x").size() == 1);
  CHECK(check_command({"build/labs/lab02-zombie", "--children", "1000"}, "x").size() == 1);
  CHECK(check_command({"build/labs/lab99-nothing"}, "x").size() == 1);
  CHECK(check_command({"scripts/no-such-script.sh"}, "x").size() == 1);
}
