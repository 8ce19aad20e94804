#include "cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "catalog.hpp"
#include "narrator.hpp"
#include "quiz.hpp"
#include "sys.hpp"
#include "timeline.hpp"

namespace lab {
namespace {

std::string format_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

// Rejects "nan" and "inf", which parse as doubles: CLI::Range alone lets NaN
// through (every comparison with NaN is false). Non-numbers are left to the
// conversion's own message.
const CLI::Validator finite_number(
    [](std::string& input) {
      char* end = nullptr;
      const double value = std::strtod(input.c_str(), &end);
      if (end == input.c_str() || std::isfinite(value)) return std::string();
      return "Value " + input + " is not a finite number";
    },
    "", "FINITE");

}  // namespace

struct command_line::impl {
  CLI::App app;
  std::string program;
  bool json = false;
  bool step = false;
  bool timeline = false;
  bool no_quiz = false;
  std::string color = "auto";
  std::string lang = language_from_environment();
  impl(const std::string& about, const std::string& name) : app(about, name), program(name) {}
};

command_line::command_line(std::string program, std::string about)
    : impl_(std::make_unique<impl>(about, program)) {
  auto& app = impl_->app;
  app.set_version_flag("--version", std::string("forklab ") + FORKLAB_VERSION);
  app.add_flag("--json", impl_->json, "one JSON object per line instead of text (for tests and tools)");
  app.add_flag("--step", impl_->step,
               "pause at each stage: show the process tree and a ps command to try");
  app.add_flag("--no-quiz", impl_->no_quiz,
               "with --step: do not ask the question that lets you predict the lab's outcome");
  app.add_flag("--timeline", impl_->timeline,
               "at the end, draw the events as one lane per process");
  app.add_option("--color", impl_->color, "colour the output: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--lang", impl_->lang,
                 "language of the narration: en or zh (default: from LC_ALL, LC_MESSAGES, LANG)")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
}

command_line::~command_line() = default;

void command_line::option(const std::string& names, int& value, const std::string& help, int min,
                          int max) {
  impl_->app.add_option(names, value, help)->check(CLI::Range(min, max))->capture_default_str();
}

void command_line::option(const std::string& names, seconds& value, const std::string& help,
                          double min, double max) {
  impl_->app
      .add_option_function<double>(
          names, [&value](double s) { value = seconds(s); }, help)
      ->check(finite_number)
      ->check(CLI::Range(min, max))
      ->default_str(format_seconds(value.count()))
      ->type_name("SECONDS");
}

void command_line::option(const std::string& names, std::chrono::seconds& value,
                          const std::string& help, int min, int max) {
  impl_->app
      .add_option_function<int>(
          names, [&value](int s) { value = std::chrono::seconds(s); }, help)
      ->check(CLI::Range(min, max))
      ->default_str(std::to_string(value.count()))
      ->type_name("SECONDS");
}

void command_line::option(const std::string& names, std::string& value, const std::string& help) {
  impl_->app.add_option(names, value, help)->capture_default_str();
}

void command_line::flag(const std::string& names, bool& value, const std::string& help) {
  impl_->app.add_flag(names, value, help);
}

void command_line::choice(const std::string& names, std::string& value, const std::string& help,
                          std::initializer_list<std::string> words) {
  impl_->app.add_option(names, value, help)
      ->check(CLI::IsMember(std::vector<std::string>(words)))
      ->capture_default_str();
}

void command_line::positional(const std::string& name, std::string& value,
                              const std::string& help, bool required) {
  auto* option = impl_->app.add_option(name, value, help);
  if (required) option->required();
}

void command_line::epilogue(const std::string& text) { impl_->app.footer(text); }

int command_line::run(int argc, char** argv, const std::function<int()>& body) {
  auto& app = impl_->app;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::ostringstream out, err;
    const int status = app.exit(error, out, err);
    write_all(STDOUT_FILENO, out.str());
    write_all(STDERR_FILENO, err.str());
    // CLI11 has its own codes (105 for a failed check...); ours is 2, as for
    // any Unix tool given a bad command line.
    return status == 0 ? 0 : 2;
  }
  const bool color = impl_->color == "always" ||
                     (impl_->color == "auto" && ::isatty(STDOUT_FILENO) && !impl_->json &&
                      std::getenv("NO_COLOR") == nullptr);
  start_narrator({impl_->program, impl_->json, color, impl_->step, impl_->lang, impl_->timeline});
  enable_quiz(!impl_->no_quiz);
  const pid_t lab_pid = ::getpid();
  int status = 1;
  try {
    status = body();
  } catch (const std::system_error& error) {  // "fork: EAGAIN (Resource temporarily unavailable)"
    const int code = error.code().value();
    say_error("{call}: {errno} ({reason})",
              {{"call", failed_call(error)},
               {"errno", errno_name(code)},
               {"reason", std::strerror(code)}});
  } catch (const std::exception& error) {
    say_error("{error}", {{"error", error.what()}});
  }
  if (::getpid() != lab_pid) ::_exit(status);  // a child never returns into main
  if (impl_->timeline) show_timeline();
  return status;
}

}  // namespace lab
