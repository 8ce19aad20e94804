#include "runtime/capture.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <system_error>

#include "os/pty.hpp"
#include "voice/narrator.hpp"

namespace lab {

std::string output_capture::read_to_end() {
  return to_pty ? read_pty_to_end(reader.get()) : read_all(reader.get());
}

output_capture make_output_capture(bool to_pty) {
  if (to_pty) {
    auto ends = make_pty();
    return {true, std::move(ends.controller), std::move(ends.terminal)};
  }
  auto ends = make_pipe();
  return {false, std::move(ends.read_end), std::move(ends.write_end)};
}

std::string terminal_unavailable() {
  try {
    make_pty();
    return "";
  } catch (const std::system_error& error) {
    return failed_call(error) + ": " + errno_name(error.code().value());
  }
}

pid_t spawn_with_output(std::string_view role, std::vector<std::string> args, int out) {
  const pid_t pid = fork_as(role);
  if (pid == 0) {  // child: becomes the program, its stdout the pty or the pipe
    check(::dup2(out, STDOUT_FILENO), "dup2");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    say_error("execv {path}: {errno}", {{"path", args[0]}, {"errno", errno_name(errno)}});
    ::_exit(127);
  }
  return pid;  // parent
}

std::string own_executable() {
  char self[PATH_MAX];
  const ssize_t n = check(::readlink("/proc/self/exe", self, sizeof self - 1), "readlink");
  return std::string(self, static_cast<std::size_t>(n));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
    if (!lines.back().empty() && lines.back().back() == '\r') lines.back().pop_back();
  }
  return lines;
}

}  // namespace lab
