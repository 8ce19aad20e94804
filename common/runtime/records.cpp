#include "runtime/records.hpp"

#include <unistd.h>

#include <cstdio>

#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {

namespace {
constexpr std::size_t record_size = 17;  // "parent record 01\n"
}

void write_record(int fd, const char* who, int number) {
  char record[32];  // numbers stay below 100: each record is record_size bytes
  std::snprintf(record, sizeof record, "%-6s record %02d\n", who, number);
  const off_t offset = check(::lseek(fd, 0, SEEK_CUR), "lseek");
  write_all(fd, {record, record_size});
  say("write", "fd {fd}: \"{record_text}\" written at offset {offset}",
      {{"fd", fd},
       {"offset", offset},
       {"bytes", record_size},
       {"record", number},
       {"record_text", std::string(record, record_size - 1)}});
}

void say_records_in(const std::string& contents, int records, bool separate_open) {
  int parent_records = 0;
  int child_records = 0;
  for (std::size_t at = 0; at + record_size <= contents.size(); at += record_size) {
    if (contents.compare(at, 6, "parent") == 0) ++parent_records;
    if (contents.compare(at, 6, "child ") == 0) ++child_records;
  }
  say("result",
      "the file holds {size} bytes of the {written} written: {parent_records} parent and "
      "{child_records} child records\n{contents}",
      {{"part", "file"},
       {"contents", contents.substr(0, contents.size() - 1)},
       {"separate_open", separate_open},
       {"written", 2 * records * static_cast<long long>(record_size)},
       {"size", static_cast<long long>(contents.size())},
       {"parent_records", parent_records},
       {"child_records", child_records}});
}

}  // namespace lab
