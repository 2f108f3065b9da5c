/*
 * timing.c: what the timed kernels of both maps share beyond timing.h: the calibration
 * slowdown and the roofline.
 *
 * Calibration: with set_inject_slowdown_pct(p) (MAPBENCH_INJECT_SLOWDOWN_PCT), the
 * iteration kernels spend p% of their measured loop time in calibration_spin, inside
 * the timed region, doing real work, so the slowdown shows in a flame graph. That is
 * time, for the timed comparison. With set_inject_work_pct(p) (MAPBENCH_INJECT_WORK_PCT)
 * the classic map's iteration kernels do p% more *work* instead, for the counted
 * comparison (classic/kernels.c, calibration_work).
 */
#define _POSIX_C_SOURCE 199309L
#include <stdlib.h>

#include "timing.h"

static uint32_t inject_slowdown_pct;
static uint32_t inject_work_pct;
static volatile uint64_t spin_sink;

void set_inject_slowdown_pct(uint32_t pct) { inject_slowdown_pct = pct; }
void set_inject_work_pct(uint32_t pct) { inject_work_pct = pct; }

uint64_t inject_work_share(uint64_t total) {
    return inject_work_pct ? (total * inject_work_pct + 99) / 100 : 0;
}

/* Mix a running value until ns nanoseconds have passed (clock read every 256 rounds).
 * The mixing is inline on purpose: gcc 12 gives leaf functions such as hash64 no frame
 * even with -fno-omit-frame-pointer, so perf's frame-pointer unwinding from a sample in
 * a called leaf would skip this frame and charge the spin to kernel_iterate;hash64. */
MB_NOINLINE uint64_t calibration_spin(uint64_t ns) {
    uint64_t start = now_ns(), x = start;
    for (;;) {
        for (int j = 0; j < 256; j++) {   /* splitmix64's finaliser */
            x += 0x9e3779b97f4a7c15ull;
            x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
            x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
            x ^= x >> 31;
        }
        if (now_ns() - start >= ns) break;
    }
    spin_sink = x;
    return x;
}

void maybe_spin(uint64_t t0) {
    if (inject_slowdown_pct) calibration_spin((now_ns() - t0) * inject_slowdown_pct / 100);
}

uint64_t fold_entry(uint64_t k, uint64_t v) { return fold(k, v); }

MB_NOINLINE kernel_result kernel_roofline(uint64_t nbytes, uint64_t loops) {
    uint64_t nwords = nbytes / sizeof(uint64_t);
    uint64_t *buf = malloc((nwords ? nwords : 1) * sizeof(uint64_t));
    if (!buf) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    for (uint64_t i = 0; i < nwords; i++) buf[i] = i * 0x9e3779b97f4a7c15ull;
    uint64_t sum = 0;
    region r = region_start();
    for (uint64_t l = 0; l < loops; l++) {
        /* Four independent sums, so the adds never limit the read rate. */
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
        for (; i + 4 <= nwords; i += 4) {
            s0 += buf[i];
            s1 += buf[i + 1];
            s2 += buf[i + 2];
            s3 += buf[i + 3];
        }
        for (; i < nwords; i++) s0 += buf[i];
        sum += s0 + s1 + s2 + s3;
        __asm__ volatile("" : "+r"(sum)); /* keep every pass */
    }
    kernel_result res = region_end(r, nwords * loops, sum);
    free(buf);
    return res;
}
