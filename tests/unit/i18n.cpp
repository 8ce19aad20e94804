// i18n: the books. Every language has a book for each lab, for common/ and for
// the tour; each book holds exactly the templates its owner's source passes to
// the narrator (found by reading the source), each with a translation in the
// book's script that keeps exactly the id's {placeholders}; and the narrator
// speaks a language with --lang while JSON fields stay as they are.
#include "voice/i18n.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "voice/narrator.hpp"
#include "support.hpp"
#include "../support/scoped_env.hpp"
#include "../support/writing.hpp"

using harness::has_chinese;
using harness::has_hangul;
using harness::scoped_env;

using unit::capture;
using unit::json_object;
using unit::parse_json_line;

namespace {

// The {placeholders} of a template, each once.
std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> keys;
  for (std::size_t open = text.find('{'); open != std::string_view::npos;
       open = text.find('{', open + 1)) {
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    keys.emplace(text.substr(open, close - open + 1));
  }
  return keys;
}

// Whether a translation is written in its language's script. A name the
// code uses (SIG_IGN) stays itself in every language.
bool in_script(std::string_view text, const std::string& lang) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      }))
    return true;
  return lang != "en" && harness::in_script_of(text, lang);  // an unknown language: false
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- Reading C++ source: just enough to find the narrator's templates ----

struct token {
  enum class type { string, word, punct, other } kind;
  std::string text;  // a string literal's value, unescaped
};

std::vector<token> tokenize(const std::string& source) {
  std::vector<token> tokens;
  const std::size_t n = source.size();
  std::size_t i = 0;
  const auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  };
  while (i < n) {
    const char c = source[i];
    if (source.compare(i, 2, "//") == 0) {
      i = source.find('\n', i);
      if (i == std::string::npos) break;
    } else if (source.compare(i, 2, "/*") == 0) {
      i = source.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
    } else if (c == '"') {
      std::string value;
      for (++i; i < n && source[i] != '"'; ++i) {
        if (source[i] != '\\') {
          value += source[i];
          continue;
        }
        const char escaped = source[++i];
        switch (escaped) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case '\\':
            value += '\\';
            break;
          case '"':
            value += '"';
            break;
          case '\'':
            value += '\'';
            break;
          default:
            value += '\\';
            value += escaped;
        }
      }
      ++i;
      tokens.push_back({token::type::string, value});
    } else if (c == '\'') {  // a character literal: '"' must not open a string
      for (++i; i < n && source[i] != '\''; ++i)
        if (source[i] == '\\') ++i;
      ++i;
      tokens.push_back({token::type::other, "'"});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {  // 10'000: no character literal
      const std::size_t start = i;
      while (i < n && (word_char(source[i]) || source[i] == '\'' || source[i] == '.')) ++i;
      tokens.push_back({token::type::other, source.substr(start, i - start)});
    } else if (word_char(c)) {
      const std::size_t start = i;
      while (i < n && word_char(source[i])) ++i;
      tokens.push_back({token::type::word, source.substr(start, i - start)});
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else {
      tokens.push_back({token::type::punct, std::string(1, c)});
      ++i;
    }
  }
  return tokens;
}

// The functions that take an English template, and which argument it is.
// say_result: the local helpers of lab11 and lab12 that pass their text on to
// lab::say.
const std::map<std::string, std::size_t> template_argument = {
    {"say", 1},       {"signal_say", 1}, {"say_error", 0},   {"stage", 0},
    {"show_tree", 0}, {"show_fds", 0},   {"say_drawing", 1}, {"say_result", 0},
    {"reveal_unmarked", 1},
};

struct found_template {
  std::string file;
  std::string text;
};

// Every string literal in the template argument of those calls, adjacent
// literals joined ("a " "b" is "a b"); both arms of a ?: count. A literal
// compared with == or != (mode == "default" ? ...) is no template.
std::vector<found_template> templates_in(const std::string& file, const std::string& source) {
  const auto tokens = tokenize(source);
  std::vector<found_template> found;
  const auto is = [&](std::size_t k, const char* punct) {
    return k < tokens.size() && tokens[k].kind == token::type::punct && tokens[k].text == punct;
  };
  for (std::size_t k = 0; k + 1 < tokens.size(); ++k) {
    if (tokens[k].kind != token::type::word || !is(k + 1, "(")) continue;
    const auto which = template_argument.find(tokens[k].text);
    if (which == template_argument.end()) continue;
    std::size_t argument = 0;
    int depth = 0;
    for (std::size_t j = k + 2; j < tokens.size(); ++j) {
      const token& t = tokens[j];
      if (t.kind == token::type::punct && (t.text == "(" || t.text == "{" || t.text == "["))
        ++depth;
      if (t.kind == token::type::punct && (t.text == ")" || t.text == "}" || t.text == "]")) {
        if (depth == 0) break;
        --depth;
      }
      if (depth == 0 && is(j, ",")) {
        ++argument;
        continue;
      }
      if (argument != which->second || t.kind != token::type::string) continue;
      if (j >= 2 && is(j - 1, "=") && (is(j - 2, "=") || is(j - 2, "!"))) continue;
      std::string text;
      for (; j < tokens.size() && tokens[j].kind == token::type::string; ++j)
        text += tokens[j].text;
      --j;
      if (is(j + 1, "=") && is(j + 2, "=")) continue;
      found.push_back({file, text});
    }
  }
  // A quiz question's texts: every literal of its initializer but the id
  // (the first) and each choice's `when` (the first of an inner brace).
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k].kind != token::type::word || tokens[k].text != "quiz_question") continue;
    std::size_t j = k + 1;
    if (j < tokens.size() && tokens[j].kind == token::type::word) ++j;  // the name
    if (!is(j, "{")) continue;
    int depth = 0;
    std::vector<int> groups_in_brace;  // literal groups seen so far, per open brace
    for (; j < tokens.size(); ++j) {
      if (is(j, "{")) {
        ++depth;
        groups_in_brace.push_back(0);
      } else if (is(j, "}")) {
        groups_in_brace.pop_back();
        if (--depth == 0) break;
      } else if (tokens[j].kind == token::type::string) {
        std::string text;
        for (; j < tokens.size() && tokens[j].kind == token::type::string; ++j)
          text += tokens[j].text;
        --j;
        if (groups_in_brace.back()++ > 0) found.push_back({file, text});
      }
    }
  }
  return found;
}

// Every string literal of the source, adjacent literals joined.
std::set<std::string> literals_in(const std::string& source) {
  std::set<std::string> found;
  const auto tokens = tokenize(source);
  for (std::size_t j = 0; j < tokens.size(); ++j) {
    if (tokens[j].kind != token::type::string) continue;
    std::string text;
    for (; j < tokens.size() && tokens[j].kind == token::type::string; ++j) text += tokens[j].text;
    found.insert(text);
  }
  return found;
}

// ---- The books: labs/<lang>/<owner>.tsv ----

const std::string& source_root() {
  static const std::string root = [] {
    const char* dir = std::getenv("FORKLAB_SOURCE_DIR");
    REQUIRE_MESSAGE(dir != nullptr, "FORKLAB_SOURCE_DIR is not set (tests/unit/meson.build sets it)");
    return std::string(dir);
  }();
  return root;
}

// "\\n" -> newline, as labs/words.py reads a book.
std::string unescaped(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    const char c = field[++i];
    out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
  }
  return out;
}

struct book_file {
  std::string lang, owner;
  std::vector<std::pair<std::string, std::string>> entries;  // id, text, in file order
};

book_file read_book(const std::filesystem::path& path) {
  book_file b{path.parent_path().filename().string(), path.stem().string(), {}};
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto tab = line.find('\t');
    REQUIRE_MESSAGE(tab != std::string::npos, path << ": a line without a tab: " << line);
    b.entries.emplace_back(unescaped(line.substr(0, tab)), unescaped(line.substr(tab + 1)));
  }
  return b;
}

// Every book of every language, by language and owner.
std::vector<book_file> all_books() {
  std::vector<book_file> out;
  for (const auto& dir : std::filesystem::directory_iterator(source_root() + "/labs")) {
    if (!dir.is_directory()) continue;
    for (const auto& file : std::filesystem::directory_iterator(dir.path()))
      if (file.path().extension() == ".tsv") out.push_back(read_book(file.path()));
  }
  std::sort(out.begin(), out.end(), [](const book_file& a, const book_file& b) {
    return std::tie(a.lang, a.owner) < std::tie(b.lang, b.owner);
  });
  return out;
}

std::set<std::string> ids_of(const book_file& b) {
  std::set<std::string> ids;
  for (const auto& entry : b.entries) ids.insert(entry.first);
  return ids;
}

// What an owner's source passes to the narrator (must be in its books), and
// every literal it holds (a book may hold no id that is not one of them).
struct owner_source {
  std::set<std::string> templates, literals;
};

owner_source source_of(const std::string& owner) {
  owner_source out;
  std::vector<std::string> files;
  if (owner == "common") {
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(source_root() + "/common"))
      if (entry.path().extension() == ".cpp" || entry.path().extension() == ".hpp")
        files.push_back(entry.path().string());
  } else {
    files.push_back(source_root() + "/labs/" + owner + ".cpp");
  }
  for (const auto& file : files) {
    const std::string text = read_file(file);
    for (const auto& t : templates_in(file, text)) out.templates.insert(t.text);
    const auto all = literals_in(text);
    out.literals.insert(all.begin(), all.end());
  }
  return out;
}

// The tour's words: the purposes of its catalogue and the templates it gives
// say, words and cannot_save.
std::set<std::string> tour_templates() {
  const std::string script = read_file(source_root() + "/scripts/tour.sh");
  std::set<std::string> found;
  std::istringstream lines(script);
  for (std::string line; std::getline(lines, line);) {
    // A row of the catalogue: "NN|labNN-name|purpose|...".
    const auto open = line.find('"');
    if (open != std::string::npos && open + 7 <= line.size() &&
        line.compare(open + 3, 4, "|lab") == 0 &&
        std::isdigit(static_cast<unsigned char>(line[open + 1])) != 0) {
      const auto first = line.find('|', open + 4);
      const auto second = line.find('|', first + 1);
      found.insert(line.substr(first + 1, second - first - 1));
      continue;
    }
    // say "...", words "...", cannot_save "..." (a literal with no $ in it).
    for (const std::string call : {"say \"", "words \"", "cannot_save \""}) {
      for (auto at = line.find(call); at != std::string::npos; at = line.find(call, at + 1)) {
        if (at > 0 && (std::isalnum(static_cast<unsigned char>(line[at - 1])) != 0 ||
                       line[at - 1] == '_'))
          continue;
        const auto start = at + call.size();
        const auto end = line.find('"', start);
        const std::string text = line.substr(start, end - start);
        if (end != std::string::npos && text.find('$') == std::string::npos) found.insert(text);
      }
    }
  }
  return found;
}


// Two messages of labs, in a book of this test's own: a lookup searches every
// book of the language, common/'s and a lab's alike.
constexpr lab::translation chinese[] = {
    {"forked child {child}", "fork 出子进程 {child}"},
    {"SIGINT: CTRL+C pressed", "SIGINT：按下了 CTRL+C"},
};
const lab::enrol_book chinese_book("unit-i18n", "zh", chinese);

void start(const char* lang) {
  lab::start_narrator(
      {.program = "unit-i18n", .json = true, .color = false, .step = false, .lang = lang});
  lab::set_role("parent");
}

std::vector<json_object> events_in(const std::string& text) {
  std::vector<json_object> events;
  for (const auto& line : unit::lines_of(text).lines) events.push_back(parse_json_line(line));
  return events;
}

}  // namespace

TEST_CASE("every language has the same books: one per lab, one for common/, one for the tour") {
  const auto books = all_books();
  std::map<std::string, std::set<std::string>> owners;  // lang -> owners
  for (const auto& b : books) owners[b.lang].insert(b.owner);
  REQUIRE(owners.count("zh") == 1);
  REQUIRE(owners.count("ko") == 1);
  std::set<std::string> expected{"common", "tour"};
  for (const auto& entry : std::filesystem::directory_iterator(source_root() + "/labs"))
    if (entry.path().extension() == ".cpp" && entry.path().filename().string().starts_with("lab"))
      expected.insert(entry.path().stem().string());
  CHECK(expected.size() == 18);
  for (const auto& [lang, have] : owners) CHECK_MESSAGE(have == expected, "labs/" << lang << "/");
}

TEST_CASE("every translation is in its language's script, not empty, each id once, and keeps "
          "exactly its id's placeholders") {
  for (const auto& b : all_books()) {
    std::set<std::string> seen;
    for (const auto& [id, text] : b.entries) {
      INFO("labs/" << b.lang << "/" << b.owner << ".tsv: " << id);
      CHECK(seen.insert(id).second);
      CHECK(!text.empty());
      CHECK(in_script(text, b.lang));
      CHECK(placeholders(text) == placeholders(id));
      if (b.owner == "tour") CHECK(text.find('\\') == std::string::npos);  // bash reads it raw
    }
  }
}

TEST_CASE("each book holds exactly what its owner says: every template, and nothing else") {
  std::map<std::string, owner_source> sources;
  for (const auto& b : all_books()) {
    INFO("labs/" << b.lang << "/" << b.owner << ".tsv");
    const auto ids = ids_of(b);
    if (b.owner == "tour") {
      const auto said = tour_templates();
      for (const auto& t : said) CHECK_MESSAGE(ids.count(t) == 1, "not translated: \"" << t << "\"");
      for (const auto& id : ids) CHECK_MESSAGE(said.count(id) == 1, "no longer said: \"" << id << "\"");
      continue;
    }
    if (!sources.count(b.owner)) sources[b.owner] = source_of(b.owner);
    const owner_source& source = sources[b.owner];
    for (const auto& t : source.templates)
      CHECK_MESSAGE(ids.count(t) == 1, "not translated: \"" << t << "\"");
    for (const auto& id : ids)
      CHECK_MESSAGE(source.literals.count(id) == 1, "no longer said: \"" << id << "\"");
  }
  // The scanner itself works: it sees the model lab's templates, joined, and its quiz.
  const auto lab02 = source_of("lab02-zombie").templates;
  CHECK(lab02.size() > 10);
  CHECK(lab02.count("parent exits with status {code}: init (or the subreaper) adopts its zombies "
                    "and reaps them") == 1);
  const auto common = source_of("common").templates;
  CHECK(common.size() > 10);
  CHECK(common.count("woke after {slept} s of {asked}: sleep() returned {left} (seconds left)") == 1);
  CHECK(tour_templates().size() > 25);
}

TEST_CASE("the scanner joins adjacent literals, takes both arms of ?:, skips comparisons, reads a "
          "quiz question") {
  const auto found = templates_in("x.cpp", R"(
    // lab::say("kind", "in a comment");
    lab::say("kind", "one " "two {x}", {{"x", '"'}});
    lab::stage(mode == "default" ? "first" : "second", {{"n", 10'000}});
    lab::say_error(std::string("built ") + name);
    void say(std::string_view kind, std::string_view text);
    constexpr lab::quiz_question question{"lab99.id", "asked {n}?",
        {{{"1", "one " "choice"}, {"2+", "more"}}}, "why {actual}"};
  )");
  std::vector<std::string> texts;
  for (const auto& t : found) texts.push_back(t.text);
  CHECK(texts == std::vector<std::string>{"one two {x}", "first", "second", "built ", "asked {n}?",
                                          "one choice", "more", "why {actual}"});
}

TEST_CASE("translate: English is the id itself; other languages from the books; unknown has none") {
  CHECK(lab::translate("no such message", "en") ==
        std::optional<std::string_view>("no such message"));
  CHECK(!lab::translate("no such message", "zh"));
  const auto zh = lab::translate("forked child {child}", "zh");
  REQUIRE(zh);
  CHECK(has_chinese(*zh));
  CHECK(lab::is_language("en"));
  CHECK(lab::is_language("zh"));
  CHECK(lab::is_language("ko"));
  CHECK(!lab::is_language("xx"));
  CHECK(lab::language_list() == "en, zh or ko");
  const auto ko = lab::translate("{child} no longer exists (reaped)", "ko");
  REQUIRE(ko);
  CHECK(has_hangul(*ko));
}

TEST_CASE("translate_value: display words and value patterns, everything else unchanged") {
  CHECK(lab::translate_value("zombie: exited, waiting to be reaped", "en") ==
        "zombie: exited, waiting to be reaped");
  CHECK(lab::translate_value("zombie: exited, waiting to be reaped", "zh") ==
        *lab::translate("zombie: exited, waiting to be reaped", "zh"));
  const std::string killed = lab::translate_value("killed by SIGKILL", "zh");
  CHECK(has_chinese(killed));
  CHECK(killed.find("SIGKILL") != std::string::npos);
  const std::string dumped = lab::translate_value("killed by SIGSEGV (core dumped)", "zh");
  CHECK(dumped.find("SIGSEGV") != std::string::npos);
  CHECK(dumped.find("core dumped") == std::string::npos);  // the core-dump pattern, not "killed by"
  const std::string exited = lab::translate_value("exited 24", "zh");
  CHECK(has_chinese(exited));
  CHECK(exited.find("24") != std::string::npos);
  CHECK(lab::translate_value("127.0.0.1:9190", "zh") == "127.0.0.1:9190");
  // A placeholder stands for one word: a role is translated, a record is data.
  CHECK(has_chinese(lab::translate_value("child 2", "zh")));
  CHECK(lab::translate_value("child  record 01", "zh") == "child  record 01");
  CHECK(lab::translate_value("killed by ", "zh") == "killed by ");
  CHECK(lab::translate_value("", "zh") == "");
  for (const std::string_view pattern : lab::value_patterns())
    CHECK_MESSAGE(lab::translate(pattern, "zh"), "pattern not in common's book: " << pattern);
}

TEST_CASE("the language comes from LC_ALL, then LC_MESSAGES, then LANG") {
  scoped_env all("LC_ALL", nullptr), messages("LC_MESSAGES", nullptr), lang("LANG", nullptr);
  CHECK(lab::language_from_environment() == "en");
  {
    scoped_env set("LANG", "zh_CN.UTF-8");
    CHECK(lab::language_from_environment() == "zh");
    scoped_env c("LC_MESSAGES", "C");
    CHECK(lab::language_from_environment() == "en");
    scoped_env zh("LC_ALL", "zh_TW.UTF-8");
    CHECK(lab::language_from_environment() == "zh");
    scoped_env ko("LC_ALL", "ko_KR.UTF-8");
    CHECK(lab::language_from_environment() == "ko");
    scoped_env other("LC_ALL", "fr_FR.UTF-8");  // no book in French
    CHECK(lab::language_from_environment() == "en");
  }
  scoped_env empty("LC_ALL", "");  // set but empty: the next one decides
  scoped_env set("LANG", "en_US.UTF-8");
  CHECK(lab::language_from_environment() == "en");
}

TEST_CASE("--lang zh: texts in Chinese, JSON fields and kinds unchanged, gaps marked") {
  const auto run = [](const char* lang) {
    start(lang);
    capture out(STDOUT_FILENO);
    lab::say("fork", "forked child {child}", {{"child", 4242}});
    lab::say("step", "a text the catalogue does not hold {n}", {{"n", 1}});
    lab::signal_say("signal", "SIGINT: CTRL+C pressed", {{"signo", SIGINT}});
    lab::say("state", "{child} is in state {state} ({meaning}), parent {ppid}",
             {{"child", 1},
              {"state", "Z"},
              {"meaning", "zombie: exited, waiting to be reaped"},
              {"ppid", 0}});
    int status = 0;
    const pid_t child = lab::check(::fork(), "fork");
    if (child == 0) ::_exit(3);
    lab::check(::waitpid(child, &status, 0), "waitpid");
    lab::say_reap(child, status);
    return events_in(out.text());
  };
  const auto english = run("en");
  const auto chinese = run("zh");
  lab::start_narrator({.program = "unit-i18n", .json = false});
  REQUIRE(english.size() == 5);
  REQUIRE(chinese.size() == 5);
  for (std::size_t i = 0; i < english.size(); ++i) {
    INFO("event " << i << ": " << chinese[i].text("text"));
    std::vector<std::string> english_keys = english[i].keys, chinese_keys = chinese[i].keys;
    CHECK(!english[i].has("untranslated"));
    if (i == 1) {  // the one the catalogue lacks: English text, marked
      CHECK(chinese[i].boolean("untranslated"));
      CHECK(chinese[i].text("text") == english[i].text("text"));
      chinese_keys.erase(std::find(chinese_keys.begin(), chinese_keys.end(), "untranslated"));
    } else {
      CHECK(!chinese[i].has("untranslated"));
      CHECK(has_chinese(chinese[i].text("text")));
    }
    CHECK(chinese_keys == english_keys);
    for (const std::string& key : english_keys) {
      if (key == "text" || key == "seq" || key == "t_ms" || key == "child") continue;
      const auto& a = english[i].at(key);
      const auto& b = chinese[i].at(key);
      CHECK_MESSAGE(a.text == b.text, key);
      CHECK_MESSAGE(a.number == b.number, key);
    }
  }
  // The wait status is a JSON value in English, words in the Chinese text.
  CHECK(chinese[4].text("status") == "exited 3");
  CHECK(chinese[4].text("text").find("exited") == std::string::npos);
  CHECK(chinese[3].text("meaning") == "zombie: exited, waiting to be reaped");
  CHECK(chinese[3].text("text").find("zombie") == std::string::npos);
}
