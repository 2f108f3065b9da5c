/*
 * kernels.c: the Swiss map's timed kernels, with the classic kernels' contracts
 * (classic/kernels.c): `loops` repetitions inside one FFI call, only the measured
 * region timed (common/timing.h), checksums that fold every key and value with
 * fold_entry so that the result is independent of the iteration order, allocation
 * counts of this thread across the timed region.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime, in timing.h */
#include <stdlib.h>

#include "swiss.h"
#include "iter_next.h"
#include "iter_pool.h"
#include "keys.h"
#include "timing.h"

static inline swiss_iter *iter_get(int storage, swiss_iter *stack) {
    switch (storage) {
    case STORAGE_HEAP:
        return mb_calloc(1, sizeof(swiss_iter)); /* Go: a maps.Iter that escapes */
    case STORAGE_POOL:
        return swiss_iter_pool_get();
    default:
        iter_zero(stack, sizeof(*stack)); /* Go: the compiler zeroes the stack Iter */
        return stack;
    }
}

static inline void iter_put(int storage, swiss_iter *it) {
    if (storage != STORAGE_POOL) swiss_iter_release_inline(it); /* the pool's put releases it */
    if (storage == STORAGE_HEAP)
        mb_free(it);
    else if (storage == STORAGE_POOL)
        swiss_iter_pool_put(it);
}

static inline int traverse(swiss_map *m, int storage, uint16_t prefetch, uint64_t *sum,
                           uint64_t *elements) {
    swiss_iter stack_it;
    swiss_iter *it = iter_get(storage, &stack_it);
    if (!it) return -MAP_ERR_NO_MEMORY;
    int err = swiss_iter_init(it, m, prefetch);
    uint64_t s = 0, n = 0;
    swiss_cursor c = swiss_cursor_of(it);
    const swiss_slot *slot = err == MAP_OK ? (const swiss_slot *)it->key : NULL;
    while (slot != NULL) {
        s += fold(slot->key, slot->elem);
        n++;
        slot = swiss_iter_step(it, &c, &err);
    }
    swiss_iter_sync(it, &c, slot);
    iter_put(storage, it);
    *sum += s;
    *elements += n;
    return err;
}

MB_NOINLINE kernel_result swiss_kernel_iterate(swiss_map *m, uint64_t loops, int storage,
                                               uint16_t prefetch) {
    uint64_t sum = 0, elements = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++)
        err = traverse(m, storage, prefetch, &sum, &elements);
    maybe_spin(r.t0);
    kernel_result res = region_end(r, elements, sum);
    res.error = err;
    return res;
}

MB_NOINLINE kernel_result swiss_kernel_iter_init(swiss_map *m, uint64_t loops, int storage) {
    uint64_t sum = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        swiss_iter stack_it;
        swiss_iter *it = iter_get(storage, &stack_it);
        if (!it) {
            err = -MAP_ERR_NO_MEMORY;
            break;
        }
        err = swiss_iter_init(it, m, 0);
        if (it->key) sum += fold(*it->key, *it->elem);
        iter_put(storage, it); /* break out of the loop: give the table back */
    }
    maybe_spin(r.t0);
    kernel_result res = region_end(r, loops, sum);
    res.error = err;
    return res;
}

/* Has the table (or small group) the iterator walks been replaced since it entered? */
static bool walking_replaced(const swiss_iter *it) {
    if (it->dirIdx < 0) return it->m->dirLen > 0;
    return it->tab != NULL && it->tab->index == -1;
}

/* Would key k be inserted into the table (or small group) the iterator walks? */
static bool lands_in_walked(const swiss_iter *it, uint64_t k) {
    const swiss_map *m = it->m;
    if (it->dirIdx < 0 || m->dirLen <= 1) return true;
    uint64_t idx = hash64(k, m->seed) >> (m->globalShift & 63);
    return swiss_directory_at(m, idx) == it->tab;
}

/* Per loop, untimed: a fresh map of n entries (keys stream_key(seed, i), values i).
 * Timed: one full iteration during which, when half of the entries have been returned,
 * the next keys of the stream are inserted (the clock stopped) into the table being walked until it is
 * replaced by a grow or a split, so the second half walks a stale table with a lookup
 * per entry, then moves on over the new tables. elements and the checksum count only
 * the n original entries (values < n), which every iteration returns exactly once, so
 * they are loops * n and loops * the fold of the stream whatever the inserted entries
 * do (they may or may not be returned; their cost is in the time). */
MB_NOINLINE kernel_result swiss_kernel_iterate_growing(uint64_t n, uint64_t loops, int storage,
                                                       uint16_t prefetch, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops && total.error == MAP_OK; l++) {
        swiss_map *m = swiss_new(0, seed, false);
        if (!m) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        swiss_fill(m, n, seed);
        uint64_t sum = 0, elements = 0, paused_ns = 0, fresh = 0;
        uint64_t paused_allocs = 0, paused_bytes = 0;
        swiss_iter stack_it;
        region r = region_start();
        swiss_iter *it = iter_get(storage, &stack_it);
        int err = it ? swiss_iter_init(it, m, prefetch) : -MAP_ERR_NO_MEMORY;
        while (err == MAP_OK && it->key != NULL) {
            if (*it->elem < n) { /* an original entry (an inserted one may come too) */
                sum += fold(*it->key, *it->elem);
                elements++;
            }
            if (elements == n / 2 + 1 && fresh == 0) {
                uint64_t p0 = now_ns();
                alloc_counts a0 = alloc_thread_counts();
                /* Only keys that land in the walked table can make it grow or split:
                 * insert those (a big map has thousands of tables). */
                while (!walking_replaced(it)) {
                    uint64_t k = stream_key(seed, n + fresh); /* never an original key */
                    if (lands_in_walked(it, k)) swiss_put(m, k, n + fresh);
                    fresh++;
                }
                alloc_counts a1 = alloc_thread_counts();
                paused_allocs += a1.allocs - a0.allocs;
                paused_bytes += a1.bytes - a0.bytes;
                paused_ns += now_ns() - p0;
            }
            err = swiss_iter_next(it);
        }
        if (it) iter_put(storage, it);
        maybe_spin(r.t0 + paused_ns); /* the calibration share of the timed part only */
        kernel_result one = region_end(r, elements, sum);
        one.seconds -= (double)paused_ns * 1e-9;
        one.allocs -= paused_allocs;
        one.alloc_bytes -= paused_bytes;
        swiss_destroy(m);
        add_result(&total, one);
        total.error = err;
    }
    return total;
}

MB_NOINLINE kernel_result swiss_kernel_insert(uint64_t n, uint64_t loops, bool hint, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops; l++) {
        swiss_map *m = swiss_new(hint ? n : 0, seed, false);
        if (!m) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        region r = region_start();
        for (uint64_t i = 0; i < n; i++) swiss_put(m, stream_key(seed, i), i);
        kernel_result one = region_end(r, n, m->used);
        swiss_destroy(m);
        add_result(&total, one);
    }
    return total;
}

/* Keys to look up in a shuffled order, as the classic kernel_lookup's: hits are the
 * map's own keys, misses come from another stream and are checked absent. */
static uint64_t *lookup_keys(swiss_map *m, bool hit, uint64_t *nkeys) {
    uint64_t n = m->used, got = 0;
    uint64_t *keys = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!keys) return NULL;
    if (hit) {
        swiss_iter it = {0};
        swiss_iter_init(&it, m, 0);
        while (it.key && got < n) {
            keys[got++] = *it.key;
            swiss_iter_next(&it);
        }
        swiss_iter_release(&it);
    } else {
        uint64_t v;
        for (uint64_t i = 0; got < n; i++) {
            uint64_t k = stream_key(KEYS_MISS_SEED, i);
            if (swiss_get(m, k, &v) == 0) keys[got++] = k;
        }
    }
    keys_shuffle(keys, got);
    *nkeys = got;
    return keys;
}

MB_NOINLINE kernel_result swiss_kernel_lookup(swiss_map *m, uint64_t loops, bool hit) {
    if (m->writing) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_READ_WRITE};
    uint64_t nkeys = 0;
    uint64_t *keys = lookup_keys(m, hit, &nkeys);
    if (!keys) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    uint64_t sum = 0, v;
    region r = region_start();
    for (uint64_t l = 0; l < loops; l++)
        for (uint64_t i = 0; i < nkeys; i++)
            if (swiss_get(m, keys[i], &v) > 0) sum += fold(keys[i], v);
    kernel_result res = region_end(r, nkeys * loops, sum);
    free(keys);
    return res;
}

MB_NOINLINE kernel_result swiss_kernel_delete(uint64_t n, uint64_t loops, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops; l++) {
        swiss_map *m = swiss_new(0, seed, false);
        if (!m) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        swiss_fill(m, n, seed);
        uint64_t deleted = 0;
        region r = region_start();
        for (uint64_t i = 0; i < n; i++) deleted += (uint64_t)swiss_delete(m, stream_key(seed, i));
        kernel_result one = region_end(r, n, deleted);
        swiss_destroy(m);
        add_result(&total, one);
    }
    return total;
}
