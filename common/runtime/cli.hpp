// cli: the command line every lab shares — --help, --version, --json, --step,
// --color, --lang (en or zh; by default from LC_ALL, LC_MESSAGES, LANG) —
// plus the lab's own options. Built on CLI11, which only cli.cpp
// includes (it is heavy to compile). What runs the lab once its command line
// is parsed is the lab runtime (lab_main.hpp). Bad values are rejected with CLI11's
// message and exit status 2; numbers are decimal only ("0x10", "+3", " 5",
// "1e1" are not numbers), and "--help=VALUE" is a bad command line too.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace lab {

// Timing options: fractions of a second accepted ("0.2").
using seconds = std::chrono::duration<double>;

// The options every lab has, as given on its command line.
struct common_options {
  std::string program;  // "lab02-zombie"
  bool json = false;
  bool step = false;
  bool timeline = false;
  bool no_quiz = false;
  std::string color = "auto";  // auto, always, never
  std::string lang;            // en or zh
};

class command_line {
 public:
  // `about`: the --help text's first paragraph (what the lab shows).
  command_line(std::string program, std::string about);
  ~command_line();
  command_line(const command_line&) = delete;
  command_line& operator=(const command_line&) = delete;

  // An integer option within [min, max].
  void option(const std::string& names, int& value, const std::string& help, int min, int max);
  // A duration in seconds, fractions allowed, within [min, max] seconds.
  void option(const std::string& names, seconds& value, const std::string& help, double min,
              double max);
  // A duration in whole seconds (for alarm(2) and sleep(3)), within [min, max].
  void option(const std::string& names, std::chrono::seconds& value, const std::string& help,
              int min, int max);
  void option(const std::string& names, std::string& value, const std::string& help);
  void flag(const std::string& names, bool& value, const std::string& help);
  // One of a fixed set of words ("once", "loop").
  void choice(const std::string& names, std::string& value, const std::string& help,
              std::initializer_list<std::string> words);
  // A positional argument, optional unless `required`.
  void positional(const std::string& name, std::string& value, const std::string& help,
                  bool required = false);
  // Text shown after the options in --help (e.g. what to watch for).
  void epilogue(const std::string& text);

  // Parses argv. Returns -1 when the lab is to run (common() then holds the
  // options every lab has); else the exit status, its output already written:
  // 0 for --help/--version, 2 for a bad command line.
  int parse(int argc, char** argv);
  const common_options& common() const;

  // The lab runtime (defined in lab_main.cpp): first opens /dev/null on
  // whichever of descriptors 0-2 is closed (so that nothing the lab opens
  // takes those numbers). Then parses argv, starts the narrator, runs `body`
  // and returns the exit status: 0 for --help/--version, 2 for a bad command
  // line, body's result otherwise — but 1 instead of 0 when the lab's output
  // could not be written (output.hpp: output_error). A std::exception
  // escaping `body` is narrated as an error ("fork: EAGAIN (Resource
  // temporarily unavailable)") and gives status 1; in a forked child the child
  // then ends with _exit(1) instead of returning into main.
  int run(int argc, char** argv, const std::function<int()>& body);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace lab
