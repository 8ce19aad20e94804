#include "os/signals.hpp"

#include <string.h>

#include <cstdio>
#include <utility>


#include "os/sys.hpp"

namespace lab {

struct sigaction install_handler(int signo, signal_handler handler, int flags,
                                 std::initializer_list<int> also_block) {
  struct sigaction action {};
  action.sa_handler = handler;  // a macro in glibc: assign, never designate
  sigemptyset(&action.sa_mask);
  for (int s : also_block) sigaddset(&action.sa_mask, s);
  action.sa_flags = flags;
  struct sigaction previous {};
  check(::sigaction(signo, &action, &previous), "sigaction");
  return previous;
}

void restore_action(int signo, const struct sigaction& previous) {
  check(::sigaction(signo, &previous, nullptr), "sigaction");
}

signal_block::signal_block(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (const int error = ::pthread_sigmask(SIG_BLOCK, &set, &previous_))
    throw std::system_error(error, std::generic_category(), "pthread_sigmask");
}

signal_block::~signal_block() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

const char* standard_signal_name(int signo) noexcept {
  static const char* const names[] = {
      nullptr,     "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
      "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
      "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
      "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
  if (signo <= 0 || signo >= static_cast<int>(sizeof names / sizeof names[0])) return nullptr;
  return names[signo];
}

std::string signal_name(int signo) {
  return std::string(signal_name_text(signo).view());
}

fixed_text<24> signal_name_text(int signo) noexcept {
  fixed_text<24> name;
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
    name.append("SIGRTMIN");
    if (signo > SIGRTMIN) {
      name.append("+");
      name.append(signo - SIGRTMIN);
    }
  } else if (const char* abbrev = ::sigabbrev_np(signo)) {
    name.append("SIG");
    name.append(abbrev);
  } else {
    name.append("signal ");
    name.append(signo);
  }
  return name;
}

std::vector<int> pending_signals() {
  sigset_t set;
  check(::sigpending(&set), "sigpending");
  std::vector<int> out;
  for (int s = 1; s < NSIG; ++s)
    if (sigismember(&set, s) == 1) out.push_back(s);
  return out;
}

bool is_pending(int signo) {
  sigset_t set;
  check(::sigpending(&set), "sigpending");
  return sigismember(&set, signo) == 1;
}

std::string describe_action(const struct sigaction& action) {
  if (!(action.sa_flags & SA_SIGINFO)) {
    if (action.sa_handler == SIG_DFL) return "default";
    if (action.sa_handler == SIG_IGN) return "ignored";
  }
  return "handler " + address_text(reinterpret_cast<const void*>(action.sa_handler));
}

std::string describe_flags(int flags) {
  // SA_RESTORER is in the kernel's <asm/signal.h>, which clashes with
  // <signal.h>: its value is given where it exists.
  static const std::pair<unsigned, const char*> names[] = {
    {SA_NOCLDSTOP, "SA_NOCLDSTOP"},
    {SA_NOCLDWAIT, "SA_NOCLDWAIT"},
    {SA_SIGINFO, "SA_SIGINFO"},
    {SA_ONSTACK, "SA_ONSTACK"},
    {SA_RESTART, "SA_RESTART"},
    {SA_NODEFER, "SA_NODEFER"},
    {SA_RESETHAND, "SA_RESETHAND"},
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || defined(__arm__) || \
    defined(__powerpc__) || defined(__s390__)
    {0x04000000u, "SA_RESTORER"},
#endif
  };
  unsigned left = static_cast<unsigned>(flags);
  std::string text;
  for (const auto& [bit, name] : names) {
    if (!(left & bit)) continue;
    left &= ~bit;
    text += (text.empty() ? "" : "|") + std::string(name);
  }
  if (left != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%#x", left);
    text += (text.empty() ? "" : "|") + std::string(hex);
  }
  return text.empty() ? "0" : text;
}

}  // namespace lab
