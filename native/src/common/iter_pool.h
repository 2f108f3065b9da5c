/*
 * iter_pool.h: the iterator pool both maps share, like Go's sync.Pool: a per-thread free
 * list (Go: per-P) of spare iterators. iter_pool_keep zeroes an iterator before keeping
 * it, so a pooled iterator never carries a stale pointer into its next use; beyond
 * ITER_POOL_CAP spares, iterators are freed. Each map keeps its own MB_TLS iter_pool
 * and wraps these with its iterator type (classic/iter.c, swiss/iter.c). Static inline:
 * the pool kernels' timed path stays free of an extra call.
 */
#ifndef MAPBENCH_ITER_POOL_H
#define MAPBENCH_ITER_POOL_H

#include <stdbool.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common.h"

enum { ITER_POOL_CAP = 16 };

typedef struct {
    void *spare[ITER_POOL_CAP];
    unsigned len;
} iter_pool;

/* Zero an iterator of `size` bytes (a compile-time constant) with 16-byte stores, as
 * Go's compiler zeroes a hiter or an Iter (MOVUPS of a zero register; DUFFZERO for
 * larger). A memset or `= {0}` of 96 bytes compiles to `rep stosq` at -O2 (x86-64),
 * whose start-up costs more than the 6 stores themselves, and which callgrind counts
 * as a mispredicted branch per set-up. */
static inline void iter_zero(void *it, size_t size) {
#if defined(__SSE2__)
    __m128i z = _mm_setzero_si128();
    __asm__("" : "+x"(z)); /* an opaque zero: the loop is not turned back into memset */
    size_t i = 0;
#pragma GCC unroll 16
    for (; i + 16 <= size; i += 16) _mm_storeu_si128((__m128i *)((char *)it + i), z);
    memset((char *)it + i, 0, size - i); /* the tail: none for the 96-byte iterators */
#else
    memset(it, 0, size);
#endif
}

/* A spare iterator, else a fresh zeroed one of `size` bytes (NULL when out of memory). */
static inline void *iter_pool_take(iter_pool *p, size_t size) {
    if (p->len) return p->spare[--p->len];
    return mb_calloc(1, size);
}

/* Zeroes the (released) iterator, then keeps it as a spare or frees it. */
static inline void iter_pool_keep(iter_pool *p, void *it, size_t size) {
    iter_zero(it, size);
    if (p->len < ITER_POOL_CAP)
        p->spare[p->len++] = it;
    else
        mb_free(it);
}

/* Test hook's check: are all `size` bytes of `it` zero? */
static inline bool iter_pool_all_zero(const void *it, size_t size) {
    const unsigned char *b = it;
    for (size_t i = 0; i < size; i++)
        if (b[i]) return false;
    return true;
}

#endif
