/*
 * timing.h: the timed region every kernel of every map shares. A region reads this
 * thread's allocation counts and then CLOCK_MONOTONIC at its start; region_end reads
 * the clock first, so the result's seconds cover only the measured loop, and its
 * allocs/alloc_bytes are this thread's counting-allocator deltas (alloc.c).
 */
#ifndef MAPBENCH_TIMING_H
#define MAPBENCH_TIMING_H

/* Includers define _POSIX_C_SOURCE 199309L before any header (clock_gettime). */
#include <time.h>

#include "common.h"
#include "count_region.h"

static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The checksum term of one entry (fold_entry is the exported copy for tests). */
static inline uint64_t fold(uint64_t k, uint64_t v) { return k * 0x9e3779b97f4a7c15ull + v; }

typedef struct region {
    uint64_t t0;
    alloc_counts a0;
} region;

static inline region region_start(void) {
    region r;
    r.a0 = alloc_thread_counts();
    r.t0 = now_ns();
    count_region_enter();      /* the count pass collects from here (count_region.h) */
    return r;
}

static inline kernel_result region_end(region r, uint64_t elements, uint64_t checksum) {
    count_region_leave();      /* ... to here: the clock reads are not counted */
    uint64_t t1 = now_ns();
    alloc_counts a1 = alloc_thread_counts();
    kernel_result res = {(double)(t1 - r.t0) * 1e-9, elements, checksum,
                         a1.allocs - r.a0.allocs, a1.bytes - r.a0.bytes, MAP_OK};
    return res;
}

/* Sum of the per-map timed regions of the kernels that build a fresh map per loop. */
static inline void add_result(kernel_result *total, kernel_result one) {
    total->seconds += one.seconds;
    total->elements += one.elements;
    total->checksum += one.checksum;
    total->allocs += one.allocs;
    total->alloc_bytes += one.alloc_bytes;
}

/* The calibration slowdown (set_inject_slowdown_pct): spend that share of the time
 * since t0 in calibration_spin, inside the timed region. */
void maybe_spin(uint64_t t0);

/* The calibration work (set_inject_work_pct): ceil(total * pct / 100) more units of the
 * kernel's own work, 0 when off (timing.c; the classic iteration kernels use it). */
uint64_t inject_work_share(uint64_t total);

#endif
