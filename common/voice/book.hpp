// book: the words of one owner in one language, as labs/words.py writes them
// into a program — the types a generated book needs and nothing more, so that
// each compiles in a moment. Looked up through i18n.hpp.
#pragma once

#include <span>
#include <string_view>

namespace lab {

// One message: its id (the English template) and its text in a book's language.
struct translation {
  std::string_view id;
  std::string_view text;
};

// The words of one owner ("lab07-reaper", "common") in one language ("zh").
struct book {
  std::string_view owner;
  std::string_view lang;
  std::span<const translation> entries;
};

// Enrols a book: a namespace-scope `const lab::enrol_book` in the book's
// generated file, constructed before main. A program holds at most 64 books
// (a 65th stops it at once, with a message: a build that links too many).
struct enrol_book {
  enrol_book(std::string_view owner, std::string_view lang,
             std::span<const translation> entries) noexcept;
};

}  // namespace lab
