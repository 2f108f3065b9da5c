/*
 * clocks.c: three clocks read back to back, for the clock study (benchmarks/studies/clockstudy.py):
 *   out[0] CLOCK_MONOTONIC         wall time, what the kernels' timings use;
 *   out[1] CLOCK_THREAD_CPUTIME_ID this thread's CPU time (with the kernel's paravirtual
 *                                  steal accounting, time the host stole is not in it);
 *   out[2] the time-stamp counter  (rdtsc; 0 where the CPU has none).
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "common.h"

static uint64_t ns_of(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void clocks_read(uint64_t out[3]) {
    out[0] = ns_of(CLOCK_MONOTONIC);
    out[1] = ns_of(CLOCK_THREAD_CPUTIME_ID);
#if defined(__x86_64__) || defined(__i386__)
    out[2] = __rdtsc();
#else
    out[2] = 0;
#endif
}
