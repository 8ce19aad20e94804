// catalog: the narration in each language forklab speaks, English and Chinese.
// A message's id is its English template, exactly as a lab writes it ("forked
// child {child}"); the Chinese catalogue maps each id to a Chinese template
// with the same {placeholders}. Both catalogues are constant tables compiled
// into the program (messages_en.cpp, messages_zh.cpp): nothing is loaded at
// run time, and a lookup is async-signal-safe, so signal_say uses it too.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lab {

// One message of a catalogue: its id (the English template) and its text in
// the catalogue's language.
struct translation {
  std::string_view id;
  std::string_view text;
};

// Every message id: the English catalogue.
std::span<const std::string_view> english_messages();
// Every message id with its Chinese template: the Chinese catalogue.
std::span<const translation> chinese_messages();

// True for the languages there is a catalogue for: "en" and "zh".
bool is_language(std::string_view lang);

// The template of message `id` in `lang`: `id` itself in English, the
// catalogue's text in Chinese; nullopt when the catalogue has no such id.
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
// LANG that is set and not empty decides — "zh..." (zh_CN.UTF-8, zh_TW...)
// gives "zh", anything else "en"; none set gives "en".
std::string language_from_environment();

}  // namespace lab
