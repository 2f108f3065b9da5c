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

#include "common.h"

enum { ITER_POOL_CAP = 16 };

typedef struct {
    void *spare[ITER_POOL_CAP];
    unsigned len;
} iter_pool;

/* A spare iterator, else a fresh zeroed one of `size` bytes (NULL when out of memory). */
static inline void *iter_pool_take(iter_pool *p, size_t size) {
    if (p->len) return p->spare[--p->len];
    return mb_calloc(1, size);
}

/* Zeroes the (released) iterator, then keeps it as a spare or frees it. */
static inline void iter_pool_keep(iter_pool *p, void *it, size_t size) {
    memset(it, 0, size);
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
