/*
 * count_region.c: callgrind client requests for the count pass (see count_region.h).
 */
#include "count_region.h"

#include "vendor/valgrind/callgrind.h"
#include "vendor/valgrind/valgrind.h"

bool count_armed;

/* Not inlined: the client request stays out of the kernels' own code. */
__attribute__((noinline)) void count_toggle_collect(void) { CALLGRIND_TOGGLE_COLLECT; }

void count_set_armed(bool on) { count_armed = on; }

void count_set_instrumented(bool on) {
    if (on)
        CALLGRIND_START_INSTRUMENTATION;
    else
        CALLGRIND_STOP_INSTRUMENTATION;
}

void count_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }

unsigned count_running_on_valgrind(void) { return (unsigned)RUNNING_ON_VALGRIND; }
