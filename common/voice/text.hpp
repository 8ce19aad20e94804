// text: the one copy of the small text tools the voice needs — UTF-8
// (well-formed characters, display width: a CJK character takes two columns),
// fitting a text to a number of columns (cut between characters, at a word,
// with "..."), and the one placeholder filler ({key} replaced by a value);
// decimal integers and fixed-size texts come from os/fixed_text.hpp.
// Whatever says "async-signal-safe" allocates nothing and calls nothing unsafe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "os/fixed_text.hpp"

namespace lab {

// ---- UTF-8 -------------------------------------------------------------------

// How much of `text` (not empty) one UTF-8 character takes: its length when
// the bytes at the front are a well-formed sequence (Unicode 3.9, table 3-7:
// no overlong form, no surrogate, nothing past U+10FFFF), else 0 — and then
// `ill_formed` is the length of the maximal ill-formed part to replace by one
// U+FFFD (a sequence cut short counts as one; a stray byte as one).
// Async-signal-safe.
std::size_t utf8_character(std::string_view text, std::size_t& ill_formed) noexcept;

// Columns `text` takes on a terminal, counting a wide (CJK) character as two.
std::size_t columns_of(std::string_view text);

// ---- Fitting to columns ------------------------------------------------------

// `text` in at most `width` columns, cut between characters (never inside one).
std::string cut(std::string_view text, std::size_t width);
// `text` in at most `width` columns; when it must be cut, "..." marks the cut.
std::string fit(std::string_view text, std::size_t width);
// `text` and spaces up to `width` columns (a longer text stays as it is).
std::string pad_to(std::string text, std::size_t width);
// `text` in at most `width` columns. Cut (or `already_cut`, by a fixed-size
// record), it ends at a word boundary and "..." says so; text with no space
// to cut at (one long word, or Chinese, which may be cut between any two
// characters) is cut between characters, never inside one.
std::string fit_words(std::string_view text, std::size_t width, bool already_cut = false);

// ---- The placeholder filler ------------------------------------------------

// Copies `text` to `out` (anything with append(std::string_view)), each {key}
// replaced by what `put_value(out, key)` appends; when put_value returns false
// (it knows no such key) the {key} stays as written, and so does a lone brace.
// Async-signal-safe when `out` and `put_value` are.
template <typename Out, typename PutValue>
void fill_placeholders(Out& out, std::string_view text, PutValue&& put_value) {
  while (!text.empty()) {
    const auto open = text.find('{');
    const auto close = text.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) break;
    const std::string_view key = text.substr(open + 1, close - open - 1);
    out.append(text.substr(0, open));
    if (!put_value(out, key)) out.append(text.substr(open, close - open + 1));
    text.remove_prefix(close + 1);
  }
  out.append(text);
}

// `text` with each {key} replaced by its value in `values` (the first pair
// with that key).
using text_values = std::span<const std::pair<std::string_view, std::string_view>>;
std::string filled(std::string_view text, text_values values);

}  // namespace lab
