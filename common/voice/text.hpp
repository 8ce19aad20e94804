// text: the one copy of the small text tools the voice needs — decimal
// integers by hand, UTF-8 (well-formed characters, display width: a CJK
// character takes two columns), fitting a text to a number of columns (cut
// between characters, at a word, with "..."), fixed-size texts for signal
// handlers, and the one placeholder filler ({key} replaced by a value).
// Whatever says "async-signal-safe" allocates nothing and calls nothing unsafe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace lab {

// ---- Integers --------------------------------------------------------------

// The decimal digits of a number, "-42". Async-signal-safe.
struct decimal_text {
  char digits[24] = {};
  std::size_t size = 0;
  std::string_view view() const noexcept { return {digits, size}; }
};
constexpr decimal_text decimal(long long value) noexcept {
  char reversed[24] = {};
  std::size_t n = 0;
  unsigned long long magnitude = value < 0 ? 0ULL - static_cast<unsigned long long>(value)
                                           : static_cast<unsigned long long>(value);
  do {
    reversed[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (value < 0) reversed[n++] = '-';
  decimal_text text;
  for (std::size_t i = 0; i < n; ++i) text.digits[i] = reversed[n - 1 - i];
  text.size = n;
  return text;
}

// ---- UTF-8 -------------------------------------------------------------------

// How many bytes of `text` fit in `room` bytes without splitting a UTF-8
// character (a Chinese role or stage text must not end in half a character).
constexpr std::size_t utf8_fit(std::string_view text, std::size_t room) noexcept {
  if (text.size() <= room) return text.size();
  std::size_t n = room;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

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

// ---- Fixed-size texts (async-signal-safe) ----------------------------------

// A short text built in a fixed buffer: no allocation, async-signal-safe.
// What does not fit is cut off.
template <std::size_t N>
class fixed_text {
 public:
  void append(std::string_view text) noexcept {
    if (full_) return;
    const std::size_t n = utf8_fit(text, N - 1 - size_);
    full_ = n < text.size();
    for (std::size_t i = 0; i < n; ++i) data_[size_++] = text[i];
    data_[size_] = '\0';
  }
  void append(long long value) noexcept { append(decimal(value).view()); }
  std::string_view view() const noexcept { return {data_, size_}; }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return full_; }  // something was cut off

 private:
  char data_[N] = {};
  std::size_t size_ = 0;
  bool full_ = false;
};

// Copies `text` into a record's field, cut to fit. Async-signal-safe.
template <std::size_t N>
void set_text(char (&field)[N], std::string_view text) noexcept {
  const std::size_t n = utf8_fit(text, N - 1);
  for (std::size_t i = 0; i < n; ++i) field[i] = text[i];
  field[n] = '\0';
}

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
