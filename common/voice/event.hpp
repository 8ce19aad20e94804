// event: what a lab says is an event — a kind, a text, and named values (fields)
// the text may refer to as {key}. This header holds the field types and a
// uniform way to read them: `field` for the main path, `int_field` for signal
// handlers (no allocation). It knows nothing of how an event is shown.
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace lab {

// One named value of an event. Text may refer to it as {key}. A field refers
// to its key and text, it does not copy them (a line allocates nothing): it
// lives only as long as the call it is given to, and whoever keeps a value
// past that call copies it.
struct field {
  enum class type { integer, real, boolean, text };

  template <std::integral T>
  requires(!std::same_as<T, bool>) field(std::string_view k, T v)
      : key(k), kind(type::integer), integer(static_cast<long long>(v)) {}
  field(std::string_view k, bool v) : key(k), kind(type::boolean), integer(v) {}
  field(std::string_view k, double v) : key(k), kind(type::real), real(v) {}
  field(std::string_view k, std::string_view v) : key(k), kind(type::text), text(v) {}
  field(std::string_view k, const char* v) : key(k), kind(type::text), text(v) {}
  field(std::string_view k, const std::string& v) : key(k), kind(type::text), text(v) {}

  std::string_view key;
  type kind;
  long long integer = 0;
  double real = 0;
  std::string_view text;
};

// An integer field for signal_say (no allocation).
struct int_field {
  const char* key;
  long long value;
};

// ---- Reading fields, the same way for both types (async-signal-safe) ------

inline std::string_view key_of(const field& f) noexcept {
  return f.key;
}
inline std::string_view key_of(const int_field& f) noexcept {
  return f.key;
}

// An integer (or boolean) field's value; nullopt for a text or real field.
inline std::optional<long long> integer_value(const field& f) noexcept {
  if (f.kind == field::type::integer || f.kind == field::type::boolean) return f.integer;
  return std::nullopt;
}
inline std::optional<long long> integer_value(const int_field& f) noexcept {
  return f.value;
}

// A text field's value; empty for any other.
inline std::string_view text_value(const field& f) noexcept {
  return f.kind == field::type::text ? f.text : std::string_view();
}
inline std::string_view text_value(const int_field&) noexcept {
  return {};
}

// The first field named `key`, read as an integer / as text.
template <typename Fields>
std::optional<long long> integer_of(const Fields& fields, std::string_view key) noexcept {
  for (const auto& f : fields)
    if (key_of(f) == key) return integer_value(f);
  return std::nullopt;
}

template <typename Fields>
std::string_view text_of(const Fields& fields, std::string_view key) noexcept {
  for (const auto& f : fields)
    if (key_of(f) == key) return text_value(f);
  return {};
}

}  // namespace lab
