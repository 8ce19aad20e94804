// scratch_file: a temporary file for a lab to write — nameless from the start
// (unlinked at once: nothing to clean up, even after a crash), opened again
// through /proc for a second open file description, and read back whole.
// Prints nothing; may throw std::system_error.
#pragma once

#include <string>

#include "os/sys.hpp"

namespace lab {

// mkostemp("/tmp/<prefix>-XXXXXX", O_CLOEXEC), then unlink: an open, nameless file.
unique_fd nameless_file(const std::string& prefix);

// What open(path, O_WRONLY) would give for the file behind `fd`: a new open
// file description, with its own offset at 0 (the path is /proc/self/fd/N).
unique_fd open_again(int fd);

// The whole file behind `fd` (fstat, pread from 0: the offset is not moved).
std::string contents_of(int fd);

}  // namespace lab
