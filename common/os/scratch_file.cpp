#include "os/scratch_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace lab {

unique_fd nameless_file(const std::string& prefix) {
  std::string path = "/tmp/" + prefix + "-XXXXXX";
  unique_fd file(check(::mkostemp(path.data(), O_CLOEXEC), "mkstemp"));
  check(::unlink(path.c_str()), "unlink");
  return file;
}

unique_fd open_again(int fd) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  return unique_fd(check(::open(path.c_str(), O_WRONLY | O_CLOEXEC), "open"));
}

std::string contents_of(int fd) {
  struct stat file_stat {};
  check(::fstat(fd, &file_stat), "fstat");
  std::string contents(static_cast<std::size_t>(file_stat.st_size), '\0');
  check(::pread(fd, contents.data(), contents.size(), 0), "pread");
  return contents;
}

}  // namespace lab
