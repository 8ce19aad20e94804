// The headers nearly every test file includes, compiled once for all of them
// (Meson's cpp_pch: each test file is compiled as if it began with this file).
// Only headers whose inclusion changes nothing but compile time belong here.
// (No #pragma once: it is compiled as a file of its own.)

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "checks.hpp"
#include "harness.hpp"
#include "os/proc.hpp"
#include "voice/narrator.hpp"
