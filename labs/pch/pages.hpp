// The headers the lab pages share, compiled once for all of them (Meson's
// cpp_pch: each page is compiled as if it began with this file). Each page
// still includes all it uses itself: a build without precompiled headers
// (`meson setup -Db_pch=false`, as scripts/check.sh --sanitize builds) checks it.
// (No #pragma once: it is compiled as a file of its own.)

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lab.hpp"
#include "runtime/children.hpp"
