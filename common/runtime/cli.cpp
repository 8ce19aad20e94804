#include "runtime/cli.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "os/sys.hpp"
#include "voice/i18n.hpp"

namespace lab {
namespace {

std::string format_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

// Numbers on a command line are decimal and nothing else: CLI11's own
// conversion also takes "0x10", "+3", " 5", "0x1p-3" and "1e-400" (and
// strtod "nan" and "inf"). These checks run before CLI11 converts the text, so
// "abc" is reported as not a number, not as out of range.
bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// [-]DIGITS
bool is_decimal_integer(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  return all_digits(text);
}

// [-]DIGITS[.DIGITS] or [-].DIGITS, no exponent; and not so small (or large)
// that it cannot be a double.
bool is_decimal_number(const std::string& input) {
  std::string_view text = input;
  if (text.starts_with('-')) text.remove_prefix(1);
  const auto point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  if (point == std::string_view::npos) {
    if (!all_digits(whole)) return false;
  } else {
    const std::string_view fraction = text.substr(point + 1);
    if (whole.empty() && fraction.empty()) return false;
    if (!whole.empty() && !all_digits(whole)) return false;
    if (!fraction.empty() && !all_digits(fraction)) return false;
  }
  errno = 0;
  const double value = std::strtod(input.c_str(), nullptr);
  return errno != ERANGE && std::isfinite(value);
}

const CLI::Validator decimal_integer(
    [](std::string& input) {
      if (is_decimal_integer(input)) return std::string();
      return "Value " + input + " is not a number (decimal digits only)";
    },
    "", "DECIMAL");

const CLI::Validator decimal_number(
    [](std::string& input) {
      if (is_decimal_number(input)) return std::string();
      return "Value " + input + " is not a number (decimal, such as 2 or 0.25)";
    },
    "", "DECIMAL");

// "--help=foo", "--version=1": CLI11 would show the help and return 0.
std::string value_for_no_value_option(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    for (const std::string_view name : {"--help=", "--version="})
      if (arg.starts_with(name))
        return std::string(name.substr(0, name.size() - 1)) + " takes no value: " +
               std::string(arg);
  }
  return {};
}

}  // namespace

struct command_line::impl {
  CLI::App app;
  common_options common;
  impl(const std::string& about, const std::string& name) : app(about, name) {
    common.program = name;
    common.lang = language_from_environment();
  }
};

command_line::command_line(std::string program, std::string about)
    : impl_(std::make_unique<impl>(about, program)) {
  auto& app = impl_->app;
  auto& common = impl_->common;
  app.set_version_flag("--version", std::string("forklab ") + FORKLAB_VERSION);
  app.add_flag("--json", common.json, "one JSON object per line instead of text (for tests and tools)");
  app.add_flag("--step", common.step,
               "pause at each stage: show the process tree and a ps command to try");
  app.add_flag("--no-quiz", common.no_quiz,
               "with --step: do not ask the question that lets you predict the lab's outcome");
  app.add_flag("--timeline", common.timeline,
               "at the end, draw the events as one lane per process");
  app.add_option("--color", common.color, "colour the output: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  app.add_option("--lang", common.lang,
                 "language of the narration: " + language_list() +
                     " (default: from LC_ALL, LC_MESSAGES, LANG)")
      ->check(CLI::IsMember(languages()))
      ->capture_default_str();
}

command_line::~command_line() = default;

void command_line::option(const std::string& names, int& value, const std::string& help, int min,
                          int max) {
  impl_->app.add_option(names, value, help)
      ->check(decimal_integer)
      ->check(CLI::Range(min, max))
      ->capture_default_str();
}

void command_line::option(const std::string& names, seconds& value, const std::string& help,
                          double min, double max) {
  impl_->app
      .add_option_function<double>(
          names, [&value](double s) { value = seconds(s); }, help)
      ->check(decimal_number)
      ->check(CLI::Range(min, max))
      ->default_str(format_seconds(value.count()))
      ->type_name("SECONDS");
}

void command_line::option(const std::string& names, std::chrono::seconds& value,
                          const std::string& help, int min, int max) {
  impl_->app
      .add_option_function<int>(
          names, [&value](int s) { value = std::chrono::seconds(s); }, help)
      ->check(decimal_integer)
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

int command_line::parse(int argc, char** argv) {
  auto& app = impl_->app;
  if (const std::string bad = value_for_no_value_option(argc, argv); !bad.empty()) {
    write_all(STDERR_FILENO, bad + "\nRun with --help for more information.\n");
    return 2;
  }
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
  return -1;
}

const common_options& command_line::common() const { return impl_->common; }

}  // namespace lab
