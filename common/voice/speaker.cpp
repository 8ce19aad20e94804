#include "voice/speaker.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "os/sys.hpp"
#include "voice/i18n.hpp"

namespace lab {
namespace {

narrator_options settings;
bool not_english = false;  // settings.lang != "en"; a plain bool, for signal handlers
timespec time_zero{};
long* shared_sequence = nullptr;  // MAP_SHARED: parent and children count together
char own_role[32] = "parent";
std::map<pid_t, std::string> known_roles;

}  // namespace

void start_speaker(const narrator_options& options) {
  settings = options;
  not_english = settings.lang != "en";
  ::clock_gettime(CLOCK_MONOTONIC, &time_zero);
  void* page =
      ::mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  shared_sequence = page == MAP_FAILED ? nullptr : static_cast<long*>(page);
}

const narrator_options& narrator_settings() {
  return settings;
}

std::string_view localized(std::string_view text, bool& untranslated) noexcept {
  if (!not_english) return text;
  if (const auto translated = translate(text, settings.lang)) return *translated;
  untranslated = true;
  return text;
}

bool translating() noexcept {
  return not_english;
}

std::string displayed(std::string_view words) {
  return translate_value(words, settings.lang);
}

void set_role(std::string_view role) {
  const std::size_t n = std::min(role.size(), sizeof own_role - 1);
  std::memcpy(own_role, role.data(), n);
  own_role[n] = '\0';
}

std::string_view current_role() noexcept {
  return own_role;
}

void name_process(pid_t pid, std::string_view role) {
  known_roles[pid] = role;
}

void forget_process(pid_t pid) {
  known_roles.erase(pid);
}

std::string_view role_of(pid_t pid) {
  if (pid == ::getpid()) return own_role;
  const auto found = known_roles.find(pid);
  return found == known_roles.end() ? std::string_view() : std::string_view(found->second);
}

long next_sequence() noexcept {
  static long local_sequence = 0;
  if (!shared_sequence) return ++local_sequence;
  return __atomic_add_fetch(shared_sequence, 1, __ATOMIC_SEQ_CST);
}

long long elapsed_ms() noexcept {
  timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - time_zero.tv_sec) * 1000LL + (now.tv_nsec - time_zero.tv_nsec) / 1'000'000;
}

pid_t fork_as(std::string_view role, if_parent_dies policy) {
  const pid_t parent = ::getpid();
  const pid_t pid = check(::fork(), "fork");
  if (pid == 0) {
    set_role(role);
    // The parent's table of roles stays as it is: clearing it would free, and
    // so copy, heap pages the child shares with its parent (a fork server's
    // children would each pay for every child forked before them).
    if (policy == if_parent_dies::kill_child) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the parent died before we could ask
    }
    return 0;
  }
  name_process(pid, role);
  return pid;
}

}  // namespace lab
