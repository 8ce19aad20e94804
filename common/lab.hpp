// The whole helper module in one include, for labs: the lab runtime (the
// command line, run()), the voice and the system.
#pragma once

#include "runtime/cli.hpp"
#include "runtime/lab_main.hpp"
#include "os/gate.hpp"
#include "os/proc.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "os/wait_status.hpp"
#include "voice/narrator.hpp"
#include "voice/quiz.hpp"
