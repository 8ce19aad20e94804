/* lab06's eyes inside a signal handler: whether /proc/self/status lists a
   signal as pending. A handler may call only async-signal-safe functions:
   open, read and close are; the parsing below is plain code, with no
   allocation, no stdio and no locale. */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

int lab06_pending_in_proc(int signo);

/* The hex mask after "\n<key>:" in text, or 0 if the key is absent. */
static uint64_t mask_after(const char* text, const char* key) {
  for (const char* at = text; *at; ++at) {
    if (*at != '\n') continue;
    const char* k = key;
    const char* t = at + 1;
    while (*k && *t == *k) ++k, ++t;
    if (*k) continue;
    while (*t == ':' || *t == '\t' || *t == ' ') ++t;
    uint64_t mask = 0;
    for (;; ++t) {
      const char c = *t;
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return mask;
      mask = mask * 16 + (uint64_t)digit;
    }
  }
  return 0;
}

/* 1 if SigPnd (this thread's pending set) lists signo, 2 if ShdPnd (the
   process's) does, 3 for both, 0 for neither; -1 if /proc could not be read. */
int lab06_pending_in_proc(int signo) {
  static char text[8192]; /* static: a handler may run on a small stack */
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t used = 0;
  for (;;) {
    const ssize_t n = read(fd, text + used, sizeof text - 1 - used);
    if (n <= 0) break;
    used += (size_t)n;
  }
  close(fd);
  text[used] = '\0';
  if (used == 0) return -1;
  const uint64_t bit = (uint64_t)1 << (signo - 1);
  return ((mask_after(text, "SigPnd") & bit) ? 1 : 0) |
         ((mask_after(text, "ShdPnd") & bit) ? 2 : 0);
}
