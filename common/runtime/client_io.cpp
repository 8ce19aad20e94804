#include "runtime/client_io.hpp"

#include <algorithm>
#include <array>

#include "os/sys.hpp"
#include "voice/narrator.hpp"

namespace lab {

std::optional<std::string> input_lines::next() {
  const auto q_line = [&] {
    return q_quits_ && line_start_ && (buffer_.starts_with('q') || buffer_.starts_with('Q'));
  };
  while (!end_ && (buffer_.empty() || (q_line() && buffer_.size() == 1))) {
    std::array<char, 4096> chunk;
    const std::size_t n = read_some(fd_, chunk);
    buffer_.append(chunk.data(), n);
    end_ = n == 0;
  }
  // assign(1, 'q'), not = "q": there GCC 12 sees an overlapping copy (a -Wrestrict false alarm).
  if (q_line() && (buffer_.size() == 1 || buffer_[1] == '\n')) reason_.assign(1, 'q');
  if (buffer_.empty() || reason_ == "q") return std::nullopt;
  const std::size_t newline = buffer_.find('\n');
  const std::size_t size =
      std::min<std::size_t>(newline == std::string::npos ? buffer_.size() : newline + 1, 4096);
  std::string line = buffer_.substr(0, size);
  buffer_.erase(0, size);
  line_start_ = line.back() == '\n';
  return line;
}

std::span<char> echo_output::buffer() {
  return std::span(buffer_).first(json_ ? json_read_size : sizeof buffer_);
}

void echo_output::take(std::string_view data, bool last) {
  received += static_cast<long long>(data.size());
  lines += std::count(data.begin(), data.end(), '\n');
  if (!json_) return write_all(data_out_, data);
  held_ += data;
  std::size_t complete = held_.size();
  for (std::size_t back = 1; back <= 3 && back <= held_.size() && !last; ++back) {
    const auto byte = static_cast<unsigned char>(held_[held_.size() - back]);
    if ((byte & 0xc0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (length > back) complete = held_.size() - back;
    break;
  }
  if (complete == 0) return;
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (const char c : std::string_view(held_).substr(0, complete))
    hex += {digits[(c >> 4) & 0xf], digits[c & 0xf]};
  say("echo", "received {bytes} bytes",
      {{"bytes", complete}, {"data", held_.substr(0, complete)}, {"data_hex", hex}});
  held_.erase(0, complete);
}

void echo_output::finish_at_end_of_file() {
  finish();
  say("close", "end of file from the server after {bytes} bytes echoed", {{"bytes", received}});
}

}  // namespace lab
