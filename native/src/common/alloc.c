/*
 * alloc.c: the counting allocator. Every byte the map, its generations and heap or
 * pooled iterators allocate goes through mb_malloc/mb_calloc/mb_free, so a kernel can
 * report Go's allocs/op and B/op. Counts are kept twice: process-wide (relaxed
 * atomics, alloc_totals) and per thread (alloc_thread_counts), so a kernel's delta is
 * not polluted by other threads. "bytes" is the total requested, never decremented.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "common.h"

static _Atomic uint64_t total_allocs, total_frees, total_bytes;
static _Thread_local alloc_counts thread_counts;

static void count_alloc(size_t bytes) {
    atomic_fetch_add_explicit(&total_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&total_bytes, bytes, memory_order_relaxed);
    thread_counts.allocs++;
    thread_counts.bytes += bytes;
}

void *mb_malloc(size_t size) {
    void *p = malloc(size);
    if (p) count_alloc(size);
    return p;
}

void *mb_calloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (p) count_alloc(n * size);
    return p;
}

void mb_free(void *p) {
    if (!p) return;
    mb_count_free();
    free(p);
}

/* For memory a map takes from elsewhere than malloc (swiss/table_alloc.c). */
void mb_count_alloc(size_t bytes) { count_alloc(bytes); }

void mb_count_free(void) {
    atomic_fetch_add_explicit(&total_frees, 1, memory_order_relaxed);
    thread_counts.frees++;
}

alloc_counts alloc_totals(void) {
    alloc_counts c = {
        atomic_load_explicit(&total_allocs, memory_order_relaxed),
        atomic_load_explicit(&total_frees, memory_order_relaxed),
        atomic_load_explicit(&total_bytes, memory_order_relaxed),
    };
    return c;
}

alloc_counts alloc_thread_counts(void) { return thread_counts; }
