/*
 * count_region.h: marks the kernels' timed regions for valgrind's callgrind (the count pass).
 *
 * The count pass (benchmarks/counts/count_pass.py) runs the kernels under
 *   valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no --cache-sim=yes ...
 * and must count only what the timed region executes, as the timing does. So:
 *   count_set_armed(true)      -> every region_start/region_end of the kernels toggles
 *                                 callgrind's collection on/off (CALLGRIND_TOGGLE_COLLECT);
 *   count_set_instrumented(b)  -> callgrind simulates (caches, branches) only while on;
 *                                 the set-up of a map runs uninstrumented (much faster);
 *   count_dump(name)           -> callgrind writes the events collected since the last dump
 *                                 into a file whose "desc: Trigger" line names the benchmark.
 * INVARIANT: collection is on exactly between count_region_enter and count_region_leave of an
 * armed kernel, so a dump holds the timed regions of one benchmark and nothing else.
 *
 * Outside valgrind a client request is a few register rotates that change nothing (the
 * headers are vendored, see vendor/README.md), and count_armed is false, so the timed path
 * pays one predictable branch per region, not per element.
 */
#ifndef MAPBENCH_COUNT_REGION_H
#define MAPBENCH_COUNT_REGION_H

#include <stdbool.h>

extern bool count_armed;
void count_toggle_collect(void);

static inline void count_region_enter(void) {
    if (__builtin_expect(count_armed, 0)) count_toggle_collect();
}

static inline void count_region_leave(void) {
    if (__builtin_expect(count_armed, 0)) count_toggle_collect();
}

/* cffi-cdef: begin */
void count_set_armed(bool on);
void count_set_instrumented(bool on);
void count_dump(const char *name);
unsigned count_running_on_valgrind(void);
/* cffi-cdef: end */

#endif
