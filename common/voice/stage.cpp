#include "voice/stage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "os/sys.hpp"
#include "voice/reaped.hpp"
#include "voice/say.hpp"
#include "voice/views.hpp"

namespace lab {
namespace {

bool pausing = true;  // false once the learner's input has ended

}  // namespace

learner_line read_learner_line(std::size_t keep) {
  unique_fd tty(::open("/dev/tty", O_RDONLY | O_CLOEXEC));
  const int input = tty ? tty.get() : STDIN_FILENO;
  learner_line line;
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(input, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      line.ended = true;
      break;
    }
    if (c == '\n') break;
    if (line.text.size() < keep) line.text += c;
  }
  return line;
}

void stage(std::string_view text) {
  stage(text, {});
}

void stage(std::string_view text, std::initializer_list<field> fields) {
  forget_shown_reaped();  // a reaped row stays until the first stage after a tree showed it
  say("step", text, fields);
  if (!narrator_settings().step || !pausing) return;
  show_tree("the processes now:");
  const pid_t pid = ::getpid();
  say("pause",
      "try in another terminal:  ps -o pid,ppid,pgid,stat,wchan:20,cmd --forest "
      "--pid {lab} --ppid {lab}    (press Enter to go on)",
      {{"lab", pid}});
  if (read_learner_line(0).ended) pausing = false;  // end of input: run on without pausing
}

}  // namespace lab
