// fixed_text: short texts built in fixed buffers — decimal integers by hand, a
// text cut to its room without splitting a UTF-8 character. No allocation,
// async-signal-safe: for signal handlers, and for the words (a signal's name,
// a wait status, an errno name) said on a line for every child or connection.
#pragma once

#include <cstddef>
#include <string_view>

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

// How many bytes of `text` fit in `room` bytes without splitting a UTF-8
// character (a Chinese role or stage text must not end in half a character).
constexpr std::size_t utf8_fit(std::string_view text, std::size_t room) noexcept {
  if (text.size() <= room) return text.size();
  std::size_t n = room;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

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

}  // namespace lab
