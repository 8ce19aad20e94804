#include "json_line.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace harness {
namespace {

[[noreturn]] void fail(const std::string& why, std::string_view line) {
  throw std::runtime_error("malformed JSON (" + why + "): " + std::string(line));
}

json_value value_of(const nlohmann::json& parsed, std::string_view line) {
  json_value value;
  switch (parsed.type()) {
    case nlohmann::json::value_t::null:
      break;
    case nlohmann::json::value_t::boolean:
      value.kind = json_value::type::boolean;
      value.boolean = parsed.get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      value.kind = json_value::type::number;
      value.integer = parsed.get<long long>();
      value.number = parsed.get<double>();
      break;
    case nlohmann::json::value_t::number_float:
      value.kind = json_value::type::number;
      value.number = parsed.get<double>();
      value.integer = static_cast<long long>(value.number);
      break;
    case nlohmann::json::value_t::string:
      value.kind = json_value::type::text;
      value.text = parsed.get<std::string>();
      break;
    default:
      fail("a value that is not a string, number, boolean or null", line);
  }
  return value;
}

}  // namespace

json_object parse_json_line(std::string_view line) {
  // Lines are split at '\n'; JSON would take a '\r' outside strings for space.
  if (line.find('\r') != std::string_view::npos) fail("carriage return", line);
  json_object object;
  object.line = std::string(line);
  // The callback sees each key of the object as it is read: their order, and
  // a key given twice (nlohmann would keep the last value silently).
  const auto record_key = [&](int depth, nlohmann::json::parse_event_t event,
                              nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1)
      object.keys.push_back(parsed.get<std::string>());
    return true;
  };
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(line.begin(), line.end(), record_key);
  } catch (const nlohmann::json::parse_error& error) {
    fail(error.what(), line);
  }
  if (!parsed.is_object()) fail("not an object", line);
  for (const auto& [key, value] : parsed.items()) object.fields.emplace(key, value_of(value, line));
  if (object.keys.size() != object.fields.size()) fail("a key given twice", line);
  return object;
}

const json_value& json_object::at(const std::string& key) const {
  const auto found = fields.find(key);
  if (found == fields.end()) throw std::runtime_error("no field " + key + ": " + line);
  return found->second;
}

namespace {
const json_value& typed(const json_object& object, const std::string& key, json_value::type kind,
                        const char* name) {
  const json_value& value = object.at(key);
  if (value.kind != kind) throw std::runtime_error(key + " is not a " + name + ": " + object.line);
  return value;
}
}  // namespace

std::string json_object::text(const std::string& key) const {
  return typed(*this, key, json_value::type::text, "string").text;
}
long long json_object::number(const std::string& key) const {
  return typed(*this, key, json_value::type::number, "number").integer;
}
double json_object::real(const std::string& key) const {
  return typed(*this, key, json_value::type::number, "number").number;
}
bool json_object::boolean(const std::string& key) const {
  return typed(*this, key, json_value::type::boolean, "boolean").boolean;
}

}  // namespace harness
