// What the tests read in a text: the script it is written in (for the tests
// of the languages: UTF-8 lead bytes of the Basic Multilingual Plane's blocks),
// and the shape of a lab's name. Plain code, not std::regex (which costs
// seconds of compile time per file, and g++ 12 warns inside <regex> under
// -fsanitize).
#pragma once

#include <algorithm>
#include <string_view>

namespace harness {

// True if `text` holds a CJK ideograph (U+4E00..U+9FFF: UTF-8 E4..E9 first),
// not only full-width punctuation.
inline bool has_chinese(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xE4 && lead <= 0xE9) return true;
  }
  return false;
}

// True if `text` holds a Hangul syllable (U+AC00..U+D7A3: UTF-8 EA..ED first).
inline bool has_hangul(std::string_view text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xEA && lead <= 0xED) return true;
  }
  return false;
}

// Whether `text` is in the script of `lang`: Chinese for "zh", Korean for
// "ko", neither for "en"; false for a language these tests do not know yet.
inline bool in_script_of(std::string_view text, std::string_view lang) {
  if (lang == "zh") return has_chinese(text);
  if (lang == "ko") return has_hangul(text);
  if (lang == "en") return !has_chinese(text) && !has_hangul(text);
  return false;
}

// "lab02-zombie": "lab", two digits, '-', then lower-case letters, digits and '-'.
inline bool is_lab_name(std::string_view name) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto topic = [&](char c) { return (c >= 'a' && c <= 'z') || digit(c) || c == '-'; };
  return name.size() > 6 && name.starts_with("lab") && digit(name[3]) && digit(name[4]) &&
         name[5] == '-' && std::all_of(name.begin() + 6, name.end(), topic);
}

}  // namespace harness
