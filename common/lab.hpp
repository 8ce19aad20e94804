// The whole helper module in one include, for labs.
#pragma once

#include "cli.hpp"
#include "gate.hpp"
#include "narrator.hpp"
#include "proc.hpp"
#include "quiz.hpp"
#include "signals.hpp"
#include "sys.hpp"
#include "wait_status.hpp"
