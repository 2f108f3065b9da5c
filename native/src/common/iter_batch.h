/*
 * iter_batch.h: the batch copy both maps' iterators hand Python (one FFI call a batch,
 * native/pyiter.py). DEFINE_ITER_BATCH(name, iter_type, next) defines, for one map,
 *
 *   size_t name(iter_type *it, bool advance_first, uint64_t *keys, uint64_t *vals,
 *               size_t cap, int *err);
 *
 * which copies up to cap entries. With advance_first it first steps past the entry
 * returned last time (the step is taken lazily, so a key deleted between two batches is
 * never returned). On return it->key points at the last entry copied, or is NULL at
 * the end. A macro rather than a function taking a step pointer, so that each map's
 * copy calls its own `next` directly.
 */
#ifndef MAPBENCH_ITER_BATCH_H
#define MAPBENCH_ITER_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEFINE_ITER_BATCH(name, iter_type, next)                                          \
    size_t name(iter_type *it, bool advance_first, uint64_t *keys, uint64_t *vals,        \
                size_t cap, int *err) {                                                   \
        size_t n = 0;                                                                     \
        *err = MAP_OK;                                                                    \
        if (advance_first && it->key) {                                                   \
            *err = next(it);                                                              \
            if (*err) return 0;                                                           \
        }                                                                                 \
        while (it->key && n < cap) {                                                      \
            keys[n] = *it->key;                                                           \
            vals[n] = *it->elem;                                                          \
            n++;                                                                          \
            if (n == cap) break;                                                          \
            *err = next(it);                                                              \
            if (*err) break;                                                              \
        }                                                                                 \
        return n;                                                                         \
    }

#endif
