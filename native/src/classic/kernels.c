/*
 * kernels.c: the timed kernels. Each runs `loops` repetitions of one operation inside
 * one FFI call and times only the measured region with clock_gettime(CLOCK_MONOTONIC);
 * setup (building or rebuilding a map, collecting keys) happens outside it. Allocation
 * counts are this thread's counting-allocator deltas across the timed region.
 *
 * Checksums fold every key and value with fold_entry and add them up (mod 2^64), so
 * the result is independent of the random iteration order and nothing is optimised
 * away.
 *
 * The timed region, the calibration slowdown and the roofline are shared with the
 * Swiss map's kernels (common/timing.h, common/timing.c).
 *
 * Calibration work (set_inject_work_pct, MAPBENCH_INJECT_WORK_PCT): after the timed
 * traversal of each loop, the iteration kernels traverse the first ceil(count * p / 100)
 * entries again (iterinit: ceil(loops * p / 100) more inits), the same instructions and
 * memory reads as the measured work, at least p% more per element (the extra partial
 * traversal also pays one mapiterinit). The extra entries are not counted as elements
 * and their sum goes to a sink, so elements and checksums stay what they were.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime, in timing.h */
#include <stdlib.h>

#include "map.h"
#include "iter_next.h"
#include "keys.h"
#include "timing.h"

static inline hiter *iter_get(int storage, hiter *stack) {
    switch (storage) {
    case STORAGE_HEAP:
        return mb_calloc(1, sizeof(hiter)); /* Go: new(hiter) escapes to the heap */
    case STORAGE_POOL:
        return iter_pool_get();
    default:
        /* Go's compiler zeroes a stack hiter (its GC scans the pointers); mapiterinit
         * writes every field, so C needs no zeroing. */
        return stack;
    }
}

static inline void iter_put(int storage, hiter *it) {
    if (storage != STORAGE_POOL) mapiterrelease(it); /* the pool's put releases it */
    if (storage == STORAGE_HEAP)
        mb_free(it);
    else if (storage == STORAGE_POOL)
        iter_pool_put(it);
}

/* One traversal, of at most `limit` entries when `limited`: adds their fold to *sum and
 * their number to *elements. Always inlined into its two callers, so each keeps its own
 * name in a profile, and `limited` is a constant there: the full traversal's loop has
 * no limit test per entry. */
static inline __attribute__((always_inline)) int walk(hmap *h, int storage, uint16_t prefetch,
                                                      bool atomic_snapshot, bool limited,
                                                      uint64_t limit, uint64_t *sum,
                                                      uint64_t *elements) {
    hiter stack_it;
    hiter *it = iter_get(storage, &stack_it);
    if (!it) return -MAP_ERR_NO_MEMORY;
    int err = mapiterinit(it, h, prefetch, atomic_snapshot);
    uint64_t s = 0, n = 0;
    iter_cursor c = iter_cursor_of(it);
    iter_entry e = {err == MAP_OK ? it->key : NULL, it->elem};
    while (e.key != NULL && (!limited || n < limit)) {
        s += fold(*e.key, *e.elem);
        n++;
        e = mapiter_step(it, &c, &err);
    }
    mapiter_sync(it, &c, e);
    iter_put(storage, it);
    *sum += s;
    *elements += n;
    return err;
}

/* A full traversal. */
static inline int traverse(hmap *h, int storage, uint16_t prefetch, bool atomic_snapshot,
                           uint64_t *sum, uint64_t *elements) {
    return walk(h, storage, prefetch, atomic_snapshot, false, 0, sum, elements);
}

static volatile uint64_t work_sink;

/* Calibration work: the first `limit` entries of one more traversal; the sum goes to
 * work_sink. Not inlined, so a profile names the injected work. */
MB_NOINLINE int calibration_work(hmap *h, int storage, uint16_t prefetch, bool atomic_snapshot,
                                 uint64_t limit) {
    uint64_t s = 0, n = 0;
    int err = walk(h, storage, prefetch, atomic_snapshot, true, limit, &s, &n);
    work_sink += s;
    return err;
}

/* The timed region of the full-iteration kernels: `loops` traversals, then the injected
 * calibration slowdown (if any). Always inlined, so profiles keep showing the kernel as
 * the caller of mapiterinit/mapiternext. */
static inline __attribute__((always_inline)) kernel_result
timed_traversals(hmap *h, uint64_t loops, int storage, uint16_t prefetch, bool atomic_snapshot) {
    uint64_t sum = 0, elements = 0;
    int err = MAP_OK;
    region r = region_start();
    uint64_t extra = inject_work_share((uint64_t)h->count);
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        err = traverse(h, storage, prefetch, atomic_snapshot, &sum, &elements);
        if (extra && err == MAP_OK)
            err = calibration_work(h, storage, prefetch, atomic_snapshot, extra);
    }
    maybe_spin(r.t0);
    kernel_result res = region_end(r, elements, sum);
    res.error = err;
    return res;
}

MB_NOINLINE kernel_result kernel_iterate(hmap *h, uint64_t loops, int storage, uint16_t prefetch,
                                         bool atomic_snapshot) {
    return timed_traversals(h, loops, storage, prefetch, atomic_snapshot);
}

MB_NOINLINE kernel_result kernel_iter_init(hmap *h, uint64_t loops, int storage) {
    uint64_t sum = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        hiter stack_it;
        hiter *it = iter_get(storage, &stack_it);
        if (!it) {
            err = -MAP_ERR_NO_MEMORY;
            break;
        }
        err = mapiterinit(it, h, 0, false);
        if (it->key) sum += fold(*it->key, *it->elem);
        iter_put(storage, it); /* break out of the loop: drop the references */
    }
    for (uint64_t l = inject_work_share(loops); l > 0 && err == MAP_OK; l--)
        err = calibration_work(h, storage, 0, false, 1);  /* calibration: p% more inits */
    maybe_spin(r.t0);
    kernel_result res = region_end(r, loops, sum);
    res.error = err;
    return res;
}

MB_NOINLINE kernel_result kernel_iterate_growing(uint64_t n, uint64_t loops, int storage,
                                                 uint16_t prefetch, uint64_t seed) {
    hmap *h = makemap(0, (uint32_t)seed, false);
    if (!h) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    map_fill(h, n, seed);
    map_half_grow(h); /* iteration never evacuates: the grow stays half done */
    kernel_result res = timed_traversals(h, loops, storage, prefetch, false);
    map_destroy(h);
    return res;
}

MB_NOINLINE kernel_result kernel_insert(uint64_t n, uint64_t loops, bool hint, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops; l++) {
        hmap *h = makemap(hint ? n : 0, (uint32_t)seed, false);
        if (!h) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        region r = region_start();
        for (uint64_t i = 0; i < n; i++) mapassign(h, stream_key(seed, i), i);
        kernel_result one = region_end(r, n, (uint64_t)h->count);
        map_destroy(h);
        add_result(&total, one);
    }
    return total;
}

/* Keys to look up, in a shuffled order: hits come from the map itself; misses are
 * drawn from another stream and checked absent. Built outside the timed region. */
static uint64_t *lookup_keys(hmap *h, bool hit, uint64_t *nkeys) {
    uint64_t n = (uint64_t)h->count, got = 0;
    uint64_t *keys = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!keys) return NULL;
    if (hit) {
        hiter it = {0};
        mapiterinit(&it, h, 0, false);
        while (it.key && got < n) {
            keys[got++] = *it.key;
            mapiternext(&it);
        }
        mapiterrelease(&it);
    } else {
        uint64_t v;
        for (uint64_t i = 0; got < n; i++) {
            uint64_t k = stream_key(KEYS_MISS_SEED, i);
            if (mapaccess(h, k, &v) == 0) keys[got++] = k;
        }
    }
    keys_shuffle(keys, got);
    *nkeys = got;
    return keys;
}

MB_NOINLINE kernel_result kernel_lookup(hmap *h, uint64_t loops, bool hit) {
    if (h->flags & FLAG_HASH_WRITING) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_READ_WRITE};
    uint64_t nkeys = 0;
    uint64_t *keys = lookup_keys(h, hit, &nkeys);
    if (!keys) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    uint64_t sum = 0, v;
    region r = region_start();
    for (uint64_t l = 0; l < loops; l++)
        for (uint64_t i = 0; i < nkeys; i++)
            if (mapaccess(h, keys[i], &v) > 0) sum += fold(keys[i], v);
    kernel_result res = region_end(r, nkeys * loops, sum);
    free(keys);
    return res;
}

MB_NOINLINE kernel_result kernel_delete(uint64_t n, uint64_t loops, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops; l++) {
        hmap *h = makemap(0, (uint32_t)seed, false);
        if (!h) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        map_fill(h, n, seed);
        uint64_t deleted = 0;
        region r = region_start();
        for (uint64_t i = 0; i < n; i++) deleted += (uint64_t)mapdelete(h, stream_key(seed, i));
        kernel_result one = region_end(r, n, deleted);
        map_destroy(h);
        add_result(&total, one);
    }
    return total;
}
