// text: the one copy of integer formatting, UTF-8 width and fitting, and the
// placeholder filler every part of the voice uses.
#include "voice/text.hpp"

#include <doctest/doctest.h>

#include <climits>
#include <string>
#include <utility>
#include <vector>

namespace {

const std::string two_chinese = "\xe5\xad\x90\xe8\xbf\x9b";  // 子进: 2 characters, 4 columns

}  // namespace

TEST_CASE("decimal: every long long, by hand") {
  CHECK(lab::decimal(0).view() == "0");
  CHECK(lab::decimal(42).view() == "42");
  CHECK(lab::decimal(-7).view() == "-7");
  CHECK(lab::decimal(LLONG_MAX).view() == std::to_string(LLONG_MAX));
  CHECK(lab::decimal(LLONG_MIN).view() == std::to_string(LLONG_MIN));
}

TEST_CASE("columns: a wide (CJK) character takes two") {
  CHECK(lab::columns_of("") == 0);
  CHECK(lab::columns_of("fork") == 4);
  CHECK(lab::columns_of(two_chinese) == 4);
  CHECK(lab::columns_of("a" + two_chinese) == 5);
}

TEST_CASE("cut, fit, pad_to: widths in columns, never inside a character") {
  CHECK(lab::cut("abcdef", 3) == "abc");
  CHECK(lab::cut(two_chinese, 3) == "\xe5\xad\x90");  // the second would need columns 3-4
  CHECK(lab::fit("short", 10) == "short");
  CHECK(lab::fit("a longer text", 8) == "a lon...");
  CHECK(lab::columns_of(lab::fit("a longer text", 8)) == 8);
  CHECK(lab::fit("abcdef", 3) == "...");
  CHECK(lab::fit("a" + two_chinese, 4) == "a...");
  CHECK(lab::pad_to("ab", 4) == "ab  ");
  CHECK(lab::pad_to(two_chinese, 5) == two_chinese + " ");
  CHECK(lab::pad_to("abcdef", 3) == "abcdef");
}

TEST_CASE("fit_words: at a word, with \"...\"") {
  CHECK(lab::fit_words("the child exits first", 14) == "the child...");
  CHECK(lab::fit_words("fits", 10) == "fits");
  CHECK(lab::fit_words("fits", 10, true) == "fits...");
}

TEST_CASE("fit_words: Chinese between any two characters, Korean at a space") {
  // 子进程退出了 (12 columns) in 9: 3 characters and "..."
  CHECK(lab::fit_words("\u5b50\u8fdb\u7a0b\u9000\u51fa\u4e86", 9) == "\u5b50\u8fdb\u7a0b...");
  // 자식 프로세스가 종료했다 in 16 columns: "자식 프로세스가" is 15, "..." does not fit after
  // it, so the cut falls at the space before it, never inside a word.
  const std::string korean = "\uc790\uc2dd \ud504\ub85c\uc138\uc2a4\uac00 \uc885\ub8cc\ud588\ub2e4";
  CHECK(lab::fit_words(korean, 16) == "\uc790\uc2dd...");
  CHECK(lab::fit_words(korean, 18) == "\uc790\uc2dd \ud504\ub85c\uc138\uc2a4\uac00...");
}

TEST_CASE("utf8_character: well-formed lengths; ill-formed parts one U+FFFD each") {
  std::size_t ill = 0;
  CHECK(lab::utf8_character("a", ill) == 1);
  CHECK(lab::utf8_character(two_chinese, ill) == 3);
  CHECK(lab::utf8_character("\xe5\xad", ill) == 0);  // cut short: one replacement
  CHECK(ill == 2);
  CHECK(lab::utf8_character("\xc0\xaf", ill) == 0);  // overlong: the lead byte alone
  CHECK(ill == 1);
  CHECK(lab::utf8_character("\xed\xa0\x80", ill) == 0);  // a surrogate
  CHECK(ill == 1);
}

TEST_CASE("filled: each {key} its value; unknown keys and lone braces stay as written") {
  const std::vector<std::pair<std::string_view, std::string_view>> values = {
      {"child", "4243"}, {"code", "3"}, {"child", "second"}};
  CHECK(lab::filled("reaped {child}: exited {code}", values) == "reaped 4243: exited 3");
  CHECK(lab::filled("{nobody} {child}", values) == "{nobody} 4243");
  CHECK(lab::filled("a { lone} brace}", values) == "a { lone} brace}");
  CHECK(lab::filled("open { only", values) == "open { only");
  CHECK(lab::filled("", values).empty());
  CHECK(lab::filled("{}", values) == "{}");
}

TEST_CASE("fill_placeholders writes into a fixed text too, cut where it is full") {
  lab::fixed_text<12> out;
  lab::fill_placeholders(out, "pid {pid} and more", [](auto& to, std::string_view key) {
    if (key != "pid") return false;
    to.append(4242LL);
    return true;
  });
  CHECK(out.view() == "pid 4242 an");
  CHECK(out.full());
}
