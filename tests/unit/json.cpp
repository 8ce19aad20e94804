// The tests' one JSON reader (tests/support/json_line.hpp) is strict: a line
// a lab or the narrator prints that is not a flat, valid JSON object in
// well-formed UTF-8 fails the test that reads it, in the unit tests
// (parse_json_line) as in the lab tests (lab_process::expect).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness.hpp"
#include "support.hpp"

using unit::json_value;
using unit::parse_json_line;

TEST_CASE("a narrator's line: keys in order, each value of its type, escapes decoded") {
  const auto e = parse_json_line(
      R"({"seq":1,"t_ms":0,"pid":4242,"role":"parent","kind":"fork","ok":true,"rate":null,)"
      R"("ratio":0.25,"big":-1.5e300,"text":"a \"q\" \\ \n\t\u0001 \u4e2d \ud83d\ude00"})");
  CHECK(e.keys == std::vector<std::string>{"seq", "t_ms", "pid", "role", "kind", "ok", "rate",
                                           "ratio", "big", "text"});
  CHECK(e.number("seq") == 1);
  CHECK(e.integer("pid") == 4242);
  CHECK(e.pid() == 4242);
  CHECK(e.kind() == "fork");
  CHECK(e.role() == "parent");
  CHECK(e.boolean("ok"));
  CHECK(e.at("rate").kind == json_value::type::null);
  CHECK(e.real("ratio") == 0.25);
  CHECK(e.real("big") == -1.5e300);
  CHECK(e.text("text") == "a \"q\" \\ \n\t\x01 \xe4\xb8\xad \xf0\x9f\x98\x80");
  CHECK(e.line.starts_with("{\"seq\":1,"));
  // Integers are exact past 2^53, where a double is not.
  CHECK(parse_json_line(R"({"n":9007199254740993})").number("n") == 9007199254740993LL);
  CHECK(parse_json_line(R"( { } )").keys.empty());
  // A key absent, or of another type: an error naming the key and the line.
  CHECK_THROWS_WITH_AS(e.text("seq"), doctest::Contains("seq is not a string"), std::runtime_error);
  CHECK_THROWS_WITH_AS(e.number("nothing"), doctest::Contains("no field nothing"),
                       std::runtime_error);
}

TEST_CASE("malformed lines are refused, as the hand-written readers refused them, and more") {
  const std::vector<std::string> bad = {
      "",
      "not json",
      R"({"kind":"x")",               // cut short (a torn line)
      R"({"kind":"x"} trailing)",     // text after the object
      R"({"kind":"x"}{"kind":"y"})",  // two objects glued together
      R"({"kind":"x","kind":"y"})",   // a key twice
      R"({"kind":'x'})",              // not JSON quotes
      R"({kind:"x"})",                // a bare key
      R"({"n":01})",                  // a leading zero
      R"({"n":.5})",                  // a bare dot
      R"({"n":1.})",                  // a dot without digits
      R"({"n":NaN})",                 // no NaN in JSON
      R"({"n":Infinity})",
      R"({"n":1,})",                      // a trailing comma
      R"({"s":"\x41"})",                  // not a JSON escape
      R"({"s":"\u12"})",                  // a short \u escape
      R"({"s":"\ud800"})",                // a lone surrogate
      std::string("{\"s\":\"a\x01z\"}"),  // a raw control character in a string
      std::string("{\"s\":\"a\tz\"}"),    // a raw tab in a string
      "{\"kind\":\"x\"}\r",               // a carriage return (CRLF line ends)
      R"(["kind","x"])",                  // not an object
      R"("kind")",
      R"({"kind":"x","list":[1,2]})",  // not flat
      R"({"kind":"x","inner":{"a":1}})",
  };
  for (const auto& line : bad) {
    CAPTURE(line);
    CHECK_THROWS_AS(parse_json_line(line), std::runtime_error);
  }
}

TEST_CASE("ill-formed UTF-8 is refused, in a value as in a key") {
  const std::vector<std::string> bad = {
      "\xe4\xb8",          // cut short
      "\xad\xe6\x96\x87",  // a stray continuation byte
      "\xc0\xaf",          // overlong
      "\xed\xa0\x80",      // a surrogate
      "\xf4\x90\x80\x80",  // past U+10FFFF
      "\xff",
  };
  for (const auto& bytes : bad) {
    CAPTURE(bytes);
    CHECK_FALSE(unit::valid_utf8(bytes));
    CHECK_THROWS_AS(parse_json_line("{\"text\":\"" + bytes + "\"}"), std::runtime_error);
    CHECK_THROWS_AS(parse_json_line("{\"" + bytes + "\":1}"), std::runtime_error);
  }
  CHECK(parse_json_line("{\"text\":\"\xe4\xb8\xad\xe6\x96\x87\"}").text("text") ==
        "\xe4\xb8\xad\xe6\x96\x87");
}

TEST_CASE("a lab whose --json line is not valid JSON or not UTF-8 fails the lab test") {
  // A stand-in for a lab: sh prints a good event, then the bad line (the
  // harness adds --json, which sh takes for $0). The harness reads both at
  // once: waiting for any event fails, naming the line.
  for (const std::string bad : {R"({"kind":"x","text":"cut)", "{\"kind\":\"x\",\"text\":\"\\377\"}",
                                R"({"kind":"x","kind":"y"})"}) {
    CAPTURE(bad);
    harness::lab_process lab(
        "/bin/sh", {"-c", "printf '%s\\n' '{\"kind\":\"start\"}'; printf '" + bad + "\\n'"});
    CHECK_THROWS_WITH_AS(lab.expect("x"), doctest::Contains("malformed JSON"),
                         harness::lab_failure);
  }
}
