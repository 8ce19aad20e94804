#include "runtime/lab_main.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <system_error>

#include "os/sys.hpp"
#include "voice/lanes.hpp"
#include "voice/narrator.hpp"
#include "voice/quiz.hpp"

namespace lab {
namespace {

// The "timeline" event: draws what the ring holds. Fields: events, processes,
// lanes, exits, dropped. In human mode the drawing starts at the left margin.
void show_timeline() {
  const timeline_contents contents = read_timeline();
  const timeline_drawing drawing = draw_timeline(contents);
  say_drawing("timeline", "what happened, one lane per process:", drawing.text,
              {{"events", drawing.events},
               {"processes", drawing.processes},
               {"lanes", drawing.lanes},
               {"exits", drawing.exits},
               {"dropped", contents.dropped}});
}

}  // namespace

void open_standard_descriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null = ::open("/dev/null", O_RDWR);  // takes the lowest free number: fd
    if (null >= 0 && null != fd) {
      ::dup2(null, fd);
      ::close(null);
    }
  }
}

int run_lab(const common_options& options, const std::function<int()>& body) {
  const bool color =
      options.color == "always" || (options.color == "auto" && ::isatty(STDOUT_FILENO) &&
                                    !options.json && std::getenv("NO_COLOR") == nullptr);
  start_narrator(
      {options.program, options.json, color, options.step, options.lang, options.timeline});
  enable_quiz(!options.no_quiz);
  const pid_t lab_pid = ::getpid();
  int status = 1;
  try {
    status = body();
  } catch (const std::system_error& error) {  // "fork: EAGAIN (Resource temporarily unavailable)"
    const int code = error.code().value();
    say_error("{call}: {errno} ({reason})", {{"call", failed_call(error)},
                                             {"errno", errno_name(code)},
                                             {"reason", std::strerror(code)}});
  } catch (const std::exception& error) {
    say_error("{error}", {{"error", error.what()}});
  }
  // Output that could not be written (reported on stderr as it happened) fails
  // a lab that would otherwise have succeeded.
  const auto final_status = [&] { return status == 0 && output_error() != 0 ? 1 : status; };
  if (::getpid() != lab_pid) ::_exit(final_status());  // a child never returns into main
  if (options.timeline) show_timeline();
  return final_status();
}

int command_line::run(int argc, char** argv, const std::function<int()>& body) {
  open_standard_descriptors();  // first: before CLI11 or the narrator write or open anything
  if (const int status = parse(argc, argv); status >= 0) return status;
  return run_lab(common(), body);
}

}  // namespace lab
