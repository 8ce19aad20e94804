// The whole helper module in one include, for labs.
#pragma once

#include "cli.hpp"
#include "os/gate.hpp"
#include "voice/narrator.hpp"
#include "os/proc.hpp"
#include "voice/quiz.hpp"
#include "os/signals.hpp"
#include "os/sys.hpp"
#include "os/wait_status.hpp"
