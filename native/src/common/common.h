/*
 * common.h: what every map in native/src shares: the counting allocator (alloc.c), the
 * hash, randomness and key stream (hash.c), the error codes the operations return
 * negated, the timed kernels' result and storage modes (timing.c), and the layout
 * introspection record. The classic map (classic/map.h) and the Swiss map
 * (swiss/swiss.h) both include it.
 *
 * The declarations between the cffi-cdef markers are what the Python module sees:
 * native/build_map.py reads them from this header, count_region.h, map.h and swiss.h
 * (in that order) into cffi's cdef. Between the markers: declarations only (no inline
 * function, no preprocessor line but `#define NAME value`, whose value cffi asks the
 * compiler for); a struct whose fields below a `cffi-cdef: opaque from here` comment
 * are private reaches cffi as a partial struct (`...;`), its size from the compiler.
 */
#ifndef MAPBENCH_COMMON_H
#define MAPBENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB_NOINLINE __attribute__((noinline))
/* gcc gives a function that needs no stack frame none, even with -fno-omit-frame-pointer
 * (and -mno-omit-leaf-frame-pointer does not change that in gcc 12). perf's frame-pointer
 * unwinding from a sample in such a leaf then skips the leaf's caller: samples in
 * hash64 showed as kernel_lookup;hash64, without mapaccess. Taking the frame address
 * forces the frame (push rbp; mov rsp,rbp). hash64 gets it (a lookup costs 15-35 ns,
 * two instructions are noise there); mapiternext's fast path does not: at ~4 ns per
 * element it would cost measurable time, so frame-pointer profiles show its samples
 * directly under the kernel's FFI call (`--call-graph dwarf` shows kernel_iterate). */
#define MB_KEEP_FRAME() __asm__ volatile("" : : "r"(__builtin_frame_address(0)))
/* Thread-locals on hot paths (fastrand, the iterator pools, the allocation counts) use the
 * initial-exec TLS model: in a shared object such as the cffi module the default model
 * calls __tls_get_addr on every access (22 of 250 instructions of an iterator init, by
 * callgrind). The module's static TLS is under 200 bytes, well within the surplus glibc
 * keeps for modules loaded with dlopen. */
#define MB_TLS _Thread_local __attribute__((tls_model("initial-exec")))

/* Error codes (returned negated by the operations of every map). */
enum {
    MAP_OK = 0,
    MAP_ERR_CONCURRENT_WRITES = 1,  /* "concurrent map writes" */
    MAP_ERR_ITERATION_WRITE = 2,    /* "concurrent map iteration and map write" */
    MAP_ERR_READ_WRITE = 3,         /* "concurrent map read and map write" */
    MAP_ERR_NO_MEMORY = 4,
};

/* The counting allocator (alloc.c). */
/* cffi-cdef: begin */
typedef struct alloc_counts {
    uint64_t allocs;
    uint64_t frees;
    uint64_t bytes;
} alloc_counts;
alloc_counts alloc_totals(void);        /* process-wide */
/* cffi-cdef: end */
alloc_counts alloc_thread_counts(void); /* this thread's, for kernel deltas */

void *mb_malloc(size_t size);
void *mb_calloc(size_t n, size_t size);
void mb_free(void *p);
void mb_count_alloc(size_t bytes); /* memory not from malloc, counted as one allocation */
void mb_count_free(void);

/* Hashing, randomness and the benchmarks' key stream (hash.c). */
/* cffi-cdef: begin */
uint64_t hash64(uint64_t key, uint64_t seed);
uint64_t stream_key(uint64_t seed, uint64_t i);
void fastrand_seed(uint64_t seed);
/* cffi-cdef: end */
/* fastrand: wyrand on a per-thread state (Go: per-M), inline (an iterator init draws one). */
extern MB_TLS uint64_t mb_rand_state;
extern MB_TLS bool mb_rand_seeded;
void fastrand_seed_from_clock(void);
static inline uint64_t mb_mum(uint64_t a, uint64_t b) {
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}
static inline uint64_t fastrand64(void) {
    if (__builtin_expect(!mb_rand_seeded, 0)) fastrand_seed_from_clock();
    uint64_t s = mb_rand_state += 0xa0761d6478bd642full;
    return mb_mum(s, s ^ 0xe7037ed1a0b428dbull);
}
static inline uint32_t fastrand(void) { return (uint32_t)fastrand64(); }

/* Timed kernels: storage of the iterator, the result, the calibration knob (timing.c;
 * the region helpers are in timing.h). */
enum { STORAGE_STACK = 0, STORAGE_HEAP = 1, STORAGE_POOL = 2 };
/* cffi-cdef: begin */
typedef struct kernel_result {
    double seconds;
    uint64_t elements;
    uint64_t checksum;
    uint64_t allocs;
    uint64_t alloc_bytes;
    int32_t error;
} kernel_result;
void set_inject_slowdown_pct(uint32_t pct);
void set_inject_work_pct(uint32_t pct);
uint64_t fold_entry(uint64_t k, uint64_t v);
kernel_result kernel_roofline(uint64_t nbytes, uint64_t loops);
/* One range loop that inserts `per` fresh keys after each key it yields (range_kernels.c
 * of each map): yields, len(m) when it stopped, and whether it ended by itself (0: it
 * was stopped at the cap of entries). */
typedef struct inserting_run {
    uint64_t yields;
    uint64_t entries;
    uint8_t ended;
    int32_t error;
} inserting_run;
/* The map a shaped traversal walks (range_kernels.c of each map): live entries, the
 * bytes a full traversal walks (classic: every bucket of the array and of its overflow
 * chains; Swiss: every group of every table plus the directory), its buckets or groups,
 * and its overflow buckets (classic) or tombstones (Swiss). */
typedef struct shape_info {
    uint64_t live;
    uint64_t walk_bytes;
    uint64_t units;
    uint64_t extra;
    int32_t error;
} shape_info;
/* cffi-cdef: end */
/* Shapes of range_kernels.c: deleted (arg: percent), deleted then copied into a new map
 * made with hint len(m), the last entry count before the next grow at or past n, and
 * the entry count just after the last grow at or before n. */
enum { SHAPE_DELETED = 0, SHAPE_COPIED = 1, SHAPE_BEFORE_GROW = 2, SHAPE_AFTER_GROW = 3 };
uint64_t calibration_spin(uint64_t ns);

/* Layout introspection: one record per struct field (classic/layout.c, swiss/layout.c). */
/* cffi-cdef: begin */
typedef struct layout_field {
    const char *type;
    const char *name;
    size_t offset;
    size_t size;
    size_t type_size;
} layout_field;
/* cffi-cdef: end */

/* Three clocks read back to back into out[0..3), for the clock study (clocks.c). */
/* cffi-cdef: begin */
void clocks_read(uint64_t out[3]);
/* cffi-cdef: end */

#endif
