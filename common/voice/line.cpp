#include "voice/line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "voice/speaker.hpp"
#include "voice/text.hpp"

namespace lab {
namespace {

template <typename Line>
void append_integer(Line& line, long long value, std::size_t min_width = 0,
                    char pad = ' ') noexcept {
  const decimal_text digits = decimal(value);
  for (std::size_t i = digits.size; i < min_width; ++i) line.append(std::string_view(&pad, 1));
  for (std::size_t i = 0; i < digits.size; ++i) line.append(std::string_view(&digits.digits[i], 1));
}

// The characters of a JSON string, escaped, without the quotes. Whatever the
// bytes of `text` (a read that ended inside a character, binary data), the
// result is valid JSON in valid UTF-8: well-formed characters are copied,
// each ill-formed sequence becomes \ufffd (U+FFFD, the replacement
// character), control characters \uXXXX. Where the exact bytes matter, a lab
// carries them in a field of their own (base64). Async-signal-safe.
template <typename Line>
void append_json_characters(Line& line, std::string_view text) noexcept {
  while (!text.empty()) {
    const char c = text.front();
    std::size_t used = 1;
    switch (c) {
      case '"':
        line.append("\\\"");
        break;
      case '\\':
        line.append("\\\\");
        break;
      case '\n':
        line.append("\\n");
        break;
      case '\t':
        line.append("\\t");
        break;
      case '\r':
        line.append("\\r");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char hex[] = "0123456789abcdef";
          const char escaped[] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
          line.append(std::string_view(escaped, sizeof escaped));
        } else if (std::size_t ill_formed = 0; (used = utf8_character(text, ill_formed)) > 0) {
          line.append(text.substr(0, used));  // at most 4 bytes: a fixed line never splits it
        } else {
          line.append("\\ufffd");
          used = ill_formed;
        }
    }
    text.remove_prefix(used);
  }
}

template <typename Line>
void append_json_string(Line& line, std::string_view text) noexcept {
  line.append("\"");
  append_json_characters(line, text);
  line.append("\"");
}

template <typename Line>
void append_value(Line& line, const int_field& f, bool) noexcept {
  append_integer(line, f.value);
}

template <typename Line>
void append_value(Line& line, const field& f, bool as_json) {
  switch (f.kind) {
    case field::type::integer:
      append_integer(line, f.integer);
      break;
    case field::type::boolean:
      line.append(f.integer ? "true" : "false");
      break;
    case field::type::real: {
      if (as_json && !std::isfinite(f.real)) {  // JSON has no inf or nan
        line.append("null");
        break;
      }
      char text[32];
      std::snprintf(text, sizeof text, as_json ? "%.6g" : "%.3f", f.real);
      line.append(text);
      break;
    }
    case field::type::text:
      if (as_json)
        append_json_string(line, f.text);
      else if (translating())
        line.append(displayed(f.text));  // the text only, never JSON
      else
        line.append(f.text);
      break;
  }
}

template <typename Line, typename Fields>
void fill_text(Line& line, std::string_view text, const Fields& fields) {
  fill_placeholders(line, text, [&](Line& out, std::string_view key) {
    const auto* found =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return key_of(f) == key; });
    if (found == fields.end()) return false;
    append_value(out, *found, false);
    return true;
  });
}

const char* role_color(std::string_view role) noexcept {
  if (role.starts_with("parent")) return "\033[34m";
  if (role.starts_with("child")) return "\033[32m";
  if (role.starts_with("server")) return "\033[35m";
  if (role.starts_with("worker")) return "\033[36m";
  if (role.starts_with("reader")) return "\033[33m";
  if (role.starts_with("writer")) return "\033[36m";
  return "\033[39m";
}

template <typename Line, typename Fields>
void render_event(Line& line, const event_head& head, std::string_view text, bool untranslated,
                  const Fields& fields, bool json, bool color) {
  if (json) {
    line.append("{\"seq\":");
    append_integer(line, head.seq);
    line.append(",\"t_ms\":");
    append_integer(line, head.t_ms);
    line.append(",\"pid\":");
    append_integer(line, head.pid);
    line.append(",\"role\":");
    append_json_string(line, head.role);
    line.append(",\"kind\":");
    append_json_string(line, head.kind);
    for (const auto& f : fields) {
      line.append(",");
      append_json_string(line, key_of(f));
      line.append(":");
      append_value(line, f, true);
    }
    if (untranslated) line.append(",\"untranslated\":true");
    // The text last, so the fields a test reads come first in a long line.
    line.append(",\"text\":\"");
    append_json_characters(line, text);
    line.end("\"}\n");
    return;
  }
  // "  1.234 parent   4242 fork    fork() returned 4243 in the parent"
  append_integer(line, head.t_ms / 1000, 3);
  line.append(".");
  append_integer(line, head.t_ms % 1000, 3, '0');
  line.append(" ");
  if (color) line.append(role_color(head.role));
  line.append(head.role);
  for (std::size_t i = head.role.size(); i < 8; ++i) line.append(" ");
  append_integer(line, head.pid, 7);
  if (color) line.append(head.kind == "error" ? "\033[31m" : "\033[2m");
  line.append(" ");
  line.append(head.kind);
  for (std::size_t i = head.kind.size(); i < 8; ++i) line.append(" ");
  line.append(" ");  // a kind of eight letters ("shutdown") still stands apart
  if (color) line.append("\033[0m");
  // Continuation lines of a multi-line text line up under the first.
  for (bool first = true; !text.empty(); first = false) {
    const auto end = text.find('\n');
    if (!first) line.append("\n                                 ");
    line.append(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  line.end("\n");
}

}  // namespace

void fixed_line::append(std::string_view text) noexcept {
  if (cut_) return;
  const std::size_t room = sizeof data_ - end_room - size_;
  if (text.size() > room) {
    cut_ = true;
    if (text.size() <= 8) return;
    text = text.substr(0, room);
  }
  std::memcpy(data_ + size_, text.data(), text.size());
  size_ += text.size();
}

void fixed_line::end(std::string_view text) noexcept {
  const std::size_t n = std::min(text.size(), sizeof data_ - size_);
  std::memcpy(data_ + size_, text.data(), n);
  size_ += n;
}

void growing_line::spill(std::string_view text) {
  if (!spilled_) {
    long_.reserve(2 * (size_ + text.size()));
    long_.assign(data_, size_);
    spilled_ = true;
  }
  long_.append(text);
}

void append_text(growing_line& line, std::string_view text, std::initializer_list<field> fields) {
  fill_text(line, text, fields);
}

void append_text(fixed_line& line, std::string_view text,
                 std::initializer_list<int_field> fields) noexcept {
  fill_text(line, text, fields);
}

void render(growing_line& line, const event_head& head, std::string_view text, bool untranslated,
            std::initializer_list<field> fields, bool json, bool color) {
  render_event(line, head, text, untranslated, fields, json, color);
}

void render(fixed_line& line, const event_head& head, std::string_view text, bool untranslated,
            std::initializer_list<int_field> fields, bool json, bool color) noexcept {
  render_event(line, head, text, untranslated, fields, json, color);
}

}  // namespace lab
