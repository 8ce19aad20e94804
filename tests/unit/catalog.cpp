// catalog: the English and Chinese catalogues hold the same message ids, every
// translation keeps the placeholders of its id, every template the labs and
// common/ pass to the narrator is an id (found by reading their source), and
// the narrator speaks Chinese with --lang zh while JSON fields stay as they are.
#include "voice/catalog.hpp"

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "voice/narrator.hpp"
#include "support.hpp"
#include "../support/scoped_env.hpp"

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

std::set<std::string> english_ids() {
  std::set<std::string> ids;
  for (const std::string_view id : lab::english_messages()) ids.emplace(id);
  return ids;
}

// True if `text` holds a CJK ideograph (U+4E00..U+9FFF: UTF-8 E4..E9 first),
// not only full-width punctuation.
bool has_chinese(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xE4 && lead <= 0xE9) return true;
  }
  return false;
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
  return found;
}

// Every .cpp file under `dir`, its subdirectories too, in name order.
std::vector<std::string> cpp_files(const std::string& dir) {
  std::vector<std::string> files;
  REQUIRE_MESSAGE(std::filesystem::is_directory(dir), "cannot read " << dir);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".cpp")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void start(const char* lang) {
  lab::start_narrator(
      {.program = "unit-catalog", .json = true, .color = false, .step = false, .lang = lang});
  lab::set_role("parent");
}

std::vector<json_object> events_in(const std::string& text) {
  std::vector<json_object> events;
  for (const auto& line : unit::lines_of(text).lines) events.push_back(parse_json_line(line));
  return events;
}

}  // namespace

TEST_CASE("both catalogues hold the same ids, each once") {
  const auto english = lab::english_messages();
  const auto chinese = lab::chinese_messages();
  REQUIRE(english.size() > 100);
  std::set<std::string> english_set, chinese_set;
  for (const std::string_view id : english)
    CHECK_MESSAGE(english_set.emplace(id).second, "twice in English: " << id);
  for (const lab::translation& message : chinese)
    CHECK_MESSAGE(chinese_set.emplace(message.id).second, "twice in Chinese: " << message.id);
  for (const std::string& id : english_set)
    CHECK_MESSAGE(chinese_set.count(id) == 1, "only in English: " << id);
  for (const std::string& id : chinese_set)
    CHECK_MESSAGE(english_set.count(id) == 1, "only in Chinese: " << id);
}

TEST_CASE("every translation is Chinese, not empty, and keeps exactly its id's placeholders") {
  for (const lab::translation& message : lab::chinese_messages()) {
    INFO("id: " << message.id);
    CHECK(!message.text.empty());
    CHECK(message.text != message.id);
    CHECK(has_chinese(message.text));
    CHECK(placeholders(message.text) == placeholders(message.id));
  }
}

TEST_CASE("every template the labs and common/ pass to the narrator is a message id") {
  const char* root = std::getenv("FORKLAB_SOURCE_DIR");
  REQUIRE_MESSAGE(root != nullptr,
                  "FORKLAB_SOURCE_DIR is not set (tests/unit/meson.build sets it)");
  const auto ids = english_ids();
  std::vector<found_template> found;
  for (const char* dir : {"/labs", "/common"})
    for (const std::string& file : cpp_files(std::string(root) + dir)) {
      const auto in_file = templates_in(file, read_file(file));
      found.insert(found.end(), in_file.begin(), in_file.end());
    }
  // The scanner itself works: it sees the model lab's templates, joined.
  const auto seen = [&](const std::string& text) {
    return std::any_of(found.begin(), found.end(),
                       [&](const found_template& t) { return t.text == text; });
  };
  CHECK(found.size() > 150);
  CHECK(seen("fork() returned {returned} in the parent: the child's pid"));
  CHECK(
      seen("parent exits with status {code}: init (or the subreaper) adopts its zombies and "
           "reaps them"));
  for (const found_template& t : found)
    CHECK_MESSAGE(ids.count(t.text) == 1,
                  t.file << ": \"" << t.text << "\" is not a message id (add it to both "
                         << "catalogues; a text built at run time must use {placeholders})");
}

TEST_CASE("the scanner joins adjacent literals, takes both arms of ?:, skips comparisons") {
  const auto found = templates_in("x.cpp", R"(
    // lab::say("kind", "in a comment");
    lab::say("kind", "one " "two {x}", {{"x", '"'}});
    lab::stage(mode == "default" ? "first" : "second", {{"n", 10'000}});
    lab::say_error(std::string("built ") + name);
    void say(std::string_view kind, std::string_view text);
  )");
  std::vector<std::string> texts;
  for (const auto& t : found) texts.push_back(t.text);
  CHECK(texts == std::vector<std::string>{"one two {x}", "first", "second", "built "});
}

TEST_CASE("translate: English is the id itself; Chinese from the catalogue; unknown has none") {
  CHECK(lab::translate("no such message", "en") ==
        std::optional<std::string_view>("no such message"));
  CHECK(!lab::translate("no such message", "zh"));
  const auto zh = lab::translate("forked child {child}", "zh");
  REQUIRE(zh);
  CHECK(has_chinese(*zh));
  CHECK(lab::is_language("en"));
  CHECK(lab::is_language("zh"));
  CHECK(!lab::is_language("xx"));
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
  const auto ids = english_ids();
  for (const std::string_view pattern : lab::value_patterns())
    CHECK_MESSAGE(ids.count(std::string(pattern)) == 1, "pattern not an id: " << pattern);
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
  lab::start_narrator({.program = "unit-catalog", .json = false});
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
