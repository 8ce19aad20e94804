// records: fixed-size text records ("parent record 01\n") that a parent and
// its child write into one file, each write narrated with the offset it
// landed at, and what the file holds afterwards, counted per writer. Not
// async-signal-safe.
#pragma once

#include <string>

namespace lab {

// Writes record `number` (below 100) of `who` ("parent" or "child") at the
// current offset of `fd` — a "write" event: fd, offset, bytes, record,
// record_text.
void write_record(int fd, const char* who, int number);

// A "result" event for the file's `contents` after each side wrote `records`
// records: size, written, parent_records, child_records, contents,
// separate_open.
void say_records_in(const std::string& contents, int records, bool separate_open);

}  // namespace lab
