#include "voice/text.hpp"

namespace lab {
namespace {

// A character's bytes in UTF-8, from its first byte.
std::size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

}  // namespace

std::size_t utf8_character(std::string_view text, std::size_t& ill_formed) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // the second byte's range
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // no overlong form
    if (lead == 0xed) high = 0x9f;  // no surrogate
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // no overlong form
    if (lead == 0xf4) high = 0x8f;  // nothing past U+10FFFF
  }
  std::size_t i = 1;
  for (; i < length && i < text.size(); ++i) {
    const unsigned char c = byte(i);
    if (c < (i == 1 ? low : 0x80) || c > (i == 1 ? high : 0xbf)) break;
  }
  if (length > 0 && i == length) return length;
  ill_formed = i;  // 1 for a byte that cannot start a character
  return 0;
}

std::size_t columns_of(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); i += utf8_length(static_cast<unsigned char>(text[i])))
    columns += utf8_length(static_cast<unsigned char>(text[i])) >= 3 ? 2 : 1;
  return columns;
}

std::string cut(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(static_cast<unsigned char>(text[i]));
    const std::size_t wide = length >= 3 ? 2 : 1;
    if (columns + wide > width) break;
    out.append(text.substr(i, length));
    columns += wide;
    i += length;
  }
  return out;
}

std::string fit(std::string_view text, std::size_t width) {
  constexpr std::string_view ellipsis = "...";
  if (columns_of(text) <= width) return std::string(text);
  return (width > ellipsis.size() ? cut(text, width - ellipsis.size()) : std::string()) +
         std::string(ellipsis);
}

std::string pad_to(std::string text, std::size_t width) {
  const std::size_t columns = columns_of(text);
  if (columns < width) text.append(width - columns, ' ');
  return text;
}

std::string fit_words(std::string_view text, std::size_t width, bool already_cut) {
  if (!already_cut && columns_of(text) <= width) return std::string(text);
  constexpr std::string_view ellipsis = "...";
  if (width <= ellipsis.size()) return cut(text, width);
  std::string kept = cut(text, width - ellipsis.size());
  // A character after which, or before which, the text may be cut: one of
  // three bytes or more (Chinese is cut between any two characters) — but not
  // Hangul: Korean puts spaces between its words and is cut at one, as English.
  const auto breaks_anywhere = [](std::string_view in, std::size_t at) {
    const auto lead = static_cast<unsigned char>(in[at]);
    if (lead >= 0xF0) return true;
    if (lead < 0xE0 || at + 2 >= in.size()) return lead >= 0xE0;
    const auto bits = [&](std::size_t i) {
      return static_cast<char32_t>(static_cast<unsigned char>(in[at + i]) & 0x3F);
    };
    const char32_t code = (static_cast<char32_t>(lead & 0x0F) << 12) | (bits(1) << 6) | bits(2);
    const bool hangul = (code >= 0x1100 && code <= 0x11FF) || (code >= 0x3130 && code <= 0x318F) ||
                        (code >= 0xA960 && code <= 0xA97F) || (code >= 0xAC00 && code <= 0xD7FF);
    return !hangul;
  };

  // The last character kept, and the first one cut off (unknown when the
  // record cut it: then it may have been in the middle of a word).
  std::size_t last = kept.size();
  while (last > 0 && (static_cast<unsigned char>(kept[last - 1]) & 0xC0) == 0x80) --last;
  if (last > 0) --last;
  const bool ends_at_space = !kept.empty() && kept.back() == ' ';
  const bool next_known = kept.size() < text.size();
  const bool next_is_space = next_known && text[kept.size()] == ' ';
  const bool between_wide =
      !kept.empty() &&
      (breaks_anywhere(kept, last) || (next_known && breaks_anywhere(text, kept.size())));
  if (!ends_at_space && !next_is_space && !between_wide) {
    const auto space = kept.rfind(' ');
    if (space != std::string::npos && space > 0) kept.resize(space);  // else: one long word
  }
  while (!kept.empty() &&
         (kept.back() == ' ' || kept.back() == ',' || kept.back() == ';' || kept.back() == ':'))
    kept.pop_back();
  return kept + std::string(ellipsis);
}

std::string filled(std::string_view text, text_values values) {
  std::string out;
  fill_placeholders(out, text, [&](std::string& to, std::string_view key) {
    for (const auto& [name, value] : values)
      if (name == key) {
        to.append(value);
        return true;
      }
    return false;
  });
  return out;
}

}  // namespace lab
