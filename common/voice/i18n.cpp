#include "voice/i18n.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>

#include "voice/text.hpp"

namespace lab {
namespace {

// Most specific first: "killed by {signal}" would also match a core dump.
constexpr std::string_view patterns[] = {
    "killed by {signal} (core dumped)",
    "killed by {signal}",
    "stopped by {signal}",
    "exited {code}",
    "handler {address}",
    "child {number}",
    // the details of a tree row
    "caught {signals}",
    "blocked {signals}",
    "pending {signals}",
    "fd {fd} listening {address}",
    "fd {fd} connected {local} <-> {remote}",
    "fd {fd} closing {local} <-> {remote}",
    "+{count} more sockets",
};

using captures = std::vector<std::pair<std::string_view, std::string_view>>;

// Does `value` read as `pattern`, each {key} standing for a word (one or more
// characters, no space: "child {number}" is "child 2", not "child  record
// 01")? Fills `found` with what each key stood for.
bool matches(std::string_view pattern, std::string_view value, captures& found) {
  const auto open = pattern.find('{');
  if (open == std::string_view::npos) return pattern == value;
  const auto close = pattern.find('}', open);
  if (close == std::string_view::npos) return pattern == value;
  if (value.substr(0, open) != pattern.substr(0, open)) return false;
  const std::string_view key = pattern.substr(open + 1, close - open - 1);
  const std::string_view rest = pattern.substr(close + 1);
  value.remove_prefix(open);
  if (value.empty()) return false;
  for (std::size_t n = 1; n <= value.size() && value[n - 1] != ' '; ++n) {
    found.emplace_back(key, value.substr(0, n));
    if (matches(rest, value.substr(n), found)) return true;
    found.pop_back();
  }
  return false;
}

}  // namespace

namespace {

constexpr int max_books = 64;
// Filled before main (static initialisation is single-threaded), only read after.
book enrolled[max_books];
int enrolled_count = 0;

// Every book this program holds, in the order they enrolled.
std::span<const book> books() noexcept {
  return {enrolled, static_cast<std::size_t>(enrolled_count)};
}

}  // namespace

enrol_book::enrol_book(std::string_view owner, std::string_view lang,
                       std::span<const translation> entries) noexcept {
  if (enrolled_count == max_books) {  // a build that links too many: never silently
    constexpr std::string_view message = "forklab: more than 64 books linked into one program\n";
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, message.data(), message.size());
    std::abort();
  }
  enrolled[enrolled_count++] = book{owner, lang, entries};
}

bool is_language(std::string_view lang) noexcept {
  if (lang == "en") return true;
  for (const book& b : books())
    if (b.lang == lang) return true;
  return false;
}

std::vector<std::string> languages() {
  std::vector<std::string> names{"en"};
  for (const book& b : books())
    if (std::find(names.begin(), names.end(), b.lang) == names.end()) names.emplace_back(b.lang);
  return names;
}

std::string language_list() {
  const auto names = languages();
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  return list;
}

std::optional<std::string_view> translate(std::string_view id, std::string_view lang) noexcept {
  if (lang == "en") return id;
  for (const book& b : books()) {
    if (b.lang != lang) continue;
    for (const translation& message : b.entries)
      if (message.id == id) return message.text;
  }
  return std::nullopt;
}

std::span<const std::string_view> value_patterns() {
  return patterns;
}

std::string translate_value(std::string_view value, std::string_view lang) {
  if (lang == "en" || value.empty()) return std::string(value);
  if (const auto text = translate(value, lang)) return std::string(*text);
  for (const std::string_view pattern : patterns) {
    captures found;
    if (!matches(pattern, value, found)) continue;
    if (const auto text = translate(pattern, lang)) return filled(*text, found);
  }
  return std::string(value);
}

std::string language_from_environment() {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    const std::string_view prefix = std::string_view(value).substr(0, 2);
    return is_language(prefix) ? std::string(prefix) : "en";
  }
  return "en";
}

}  // namespace lab
