// i18n: one lookup for every language forklab speaks. A message's id is its
// English template, exactly as the code writes it ("forked child {child}"); a
// translation maps the id to a template in another language with the same
// {placeholders}. Translations come in books: the words of one owner (a lab,
// "common", the tour) in one language, written as labs/<lang>/<owner>.tsv and
// compiled into the programs that speak them (labs/words.py makes each book a
// constant table that enrols itself before main). Nothing is loaded at run
// time, and a lookup is async-signal-safe, so signal_say uses it too. A
// language exists when some book is written in it: adding one adds files,
// nothing here.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "voice/book.hpp"

namespace lab {

// True for "en" and every language a book of this program is written in.
bool is_language(std::string_view lang) noexcept;
// The languages, "en" first, the others in the order their books enrolled.
std::vector<std::string> languages();
// The same in words, for --help and error messages: "en, zh or ko".
std::string language_list();

// The template of message `id` in `lang`: `id` itself in English, else the
// text of the first book in `lang` that holds it; nullopt when none does.
// Async-signal-safe: a search of constant tables, no allocation.
std::optional<std::string_view> translate(std::string_view id, std::string_view lang) noexcept;

// The value patterns translate_value tries, most specific first: "exited
// {code}", "killed by {signal}"... Each is a message id.
std::span<const std::string_view> value_patterns();

// A field's value in the words of `lang`, for the text a person reads (never
// for a JSON value): a value that is itself a message id ("sleeping
// (interruptible)") is translated, and so is one a value pattern matches
// ("killed by SIGKILL" as "killed by {signal}", SIGKILL kept). Any other
// value comes back unchanged. Not async-signal-safe (it allocates).
std::string translate_value(std::string_view value, std::string_view lang);

// The language the environment asks for: the first of LC_ALL, LC_MESSAGES and
// LANG that is set and not empty decides — its first two letters when they
// name a language of this program ("zh_CN.UTF-8" gives "zh", "ko_KR.UTF-8"
// "ko"), else "en"; none set gives "en".
std::string language_from_environment();

}  // namespace lab
