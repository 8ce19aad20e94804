#include "runtime/capture_row.hpp"

#include <algorithm>

#include "voice/narrator.hpp"

namespace lab {

namespace {

std::string padded(std::string text, std::size_t width) {
  text.resize(std::max(text.size(), width), ' ');
  return text;
}

}  // namespace

void say_capture_row(const capture_row& row, const std::vector<std::string>& lines,
                     const std::string& captured) {
  std::string listing;  // the captured lines, numbered
  for (std::size_t i = 0; i < lines.size(); ++i)
    listing += "\n  " + std::to_string(i + 1) + "| " + lines[i];
  const long long count = row.count;
  say("capture",
      row.flush ? (count == 1 ? "{output_column}child {exit_column}fflush before fork  pre-fork "
                                "line {count} time:{listing}"
                              : "{output_column}child {exit_column}fflush before fork  pre-fork "
                                "line {count} times:{listing}")
                : (count == 1 ? "{output_column}child {exit_column}no fflush           pre-fork "
                                "line {count} time:{listing}"
                              : "{output_column}child {exit_column}no fflush           pre-fork "
                                "line {count} times:{listing}"),
      {{"output_column", padded(row.output, 6)},
       {"exit_column", padded(row.child_exit + "()", 8)},
       {"listing", listing},
       {"child", row.child},
       {"output", row.output},
       {"child_exit", row.child_exit},
       {"flush", row.flush},
       {"count", count},
       {"lines", static_cast<long long>(lines.size())},
       {"captured", captured}});
}

}  // namespace lab
