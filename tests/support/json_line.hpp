// The one JSON reader of the tests: a line a lab or the narrator printed with
// --json (a flat object of strings, numbers, booleans and nulls), read by
// nlohmann::json in json_line.cpp, the only file that includes it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

// One value of a flat JSON object.
struct json_value {
  enum class type { null, boolean, number, text } kind = type::null;
  bool boolean = false;
  double number = 0;
  long long integer = 0;  // exact for a JSON integer, else the number cut to one
  std::string text;
};

// One line, parsed. The accessors throw std::runtime_error (naming the key and
// the line) when the key is absent or its value of another type.
struct json_object {
  std::string line;                          // as printed
  std::vector<std::string> keys;             // in order of appearance
  std::map<std::string, json_value> fields;  // in name order

  bool has(const std::string& key) const { return fields.count(key) != 0; }
  const json_value& at(const std::string& key) const;
  std::string text(const std::string& key) const;
  long long number(const std::string& key) const;
  long long integer(const std::string& key) const { return number(key); }
  double real(const std::string& key) const;
  bool boolean(const std::string& key) const;
  // The fields every event of a lab has.
  std::string kind() const { return text("kind"); }
  std::string role() const { return text("role"); }
  pid_t pid() const { return static_cast<pid_t>(number("pid")); }
};

// Parses one line as a flat JSON object, strictly: RFC 8259 grammar (no raw
// control characters in strings, only the standard escapes, numbers without
// leading zeros or a bare dot, no NaN), well-formed UTF-8, no duplicate key,
// no nested array or object, no carriage return, nothing after the '}'.
// Throws std::runtime_error naming the problem and the line.
json_object parse_json_line(std::string_view line);

}  // namespace harness
