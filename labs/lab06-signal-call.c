/* lab06's signal() call, compiled twice by labs/meson.build from this one
   source: once as strict C11 (-std=c11, no feature-test macro), once with
   -D_GNU_SOURCE. The call is the same; what <signal.h> makes of it is not:
   without _DEFAULT_SOURCE (which _GNU_SOURCE implies) glibc redirects signal()
   to __sysv_signal. lab06 reads back, with sigaction(), what each installed.
   LAB06_INSTALL names the function (lab06_signal_strict, lab06_signal_gnu). */
#include <signal.h>

int LAB06_INSTALL(int signo, void (*handler)(int));

int LAB06_INSTALL(int signo, void (*handler)(int)) {
  return signal(signo, handler) == SIG_ERR ? -1 : 0;
}
