// lab_main: the lab runtime — what happens around a lab's body once its
// command line is parsed (cli.hpp: command_line::run is defined with it):
// descriptors 0-2 made safe, the narrator started with the common options,
// exceptions turned into error lines, the exit status decided, and with
// --timeline the timeline drawn at the end.
#pragma once

#include <functional>

#include "runtime/cli.hpp"

namespace lab {

// Opens /dev/null on whichever of descriptors 0, 1 and 2 is closed: when a lab
// is started with one closed, the first file or socket it opens would take
// that number and receive its output or be read as its input. Children
// inherit the three.
void open_standard_descriptors();

// Starts the narrator and the quiz as `options` say, runs `body` and returns
// the lab's exit status (as command_line::run describes). In a forked child
// that returns here, the child ends with _exit instead of returning.
int run_lab(const common_options& options, const std::function<int()>& body);

}  // namespace lab
