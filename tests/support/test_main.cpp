// doctest's main, plus: this test process is a child subreaper
// (PR_SET_CHILD_SUBREAPER), so every process a lab orphans is re-parented to
// it and reaped by the harness instead of being left to init.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>

int main(int argc, char** argv) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::signal(SIGPIPE, SIG_IGN);  // a lab that dies early must not kill the test
  doctest::Context context(argc, argv);
  return context.run();
}
