/*
 * range_kernels.c: the range-loop questions of the classic map (issue 27), with the
 * contracts of kernels.c (only the measured region timed, checksums independent of the
 * iteration order, allocation counts of this thread).
 *
 * A range that inserts (map_range_inserting, kernel_iterate_inserting): a map of n keys
 * stream_key(seed, i) (values i), made with the hash seed seed_hash(seed) after
 * fastrand_seed(seed), so that the map, its overflow-bucket count (which draws on
 * fastrand) and the iteration's random start are all fixed by the seed. The range then
 * puts `per` fresh keys stream_key(seed, n + j) after each key it yields, as
 *
 *     for k := range m { yields++; if len(m)+per > cap { stop }; for per times: m[fresh()] = j }
 *
 * and stops by itself (ended = 1) or at the cap (ended = 0: "did not end within the cap",
 * a result). The same loop runs in Go (benchmarks/peers/gomap/range_test.go).
 *
 * Shaped maps (map_shape_probe, kernel_iterate_shaped, kernel_copy_shaped): built untimed
 * by build_shape; SHAPE_DELETED fills n keys and deletes the first n * arg / 100 of the
 * stream (random with respect to the hash), SHAPE_COPIED then copies what is left into a
 * map made with hint len(m) (Go's answer to a map that never shrinks), SHAPE_BEFORE_GROW
 * and SHAPE_AFTER_GROW fill the stream to the entry count just before the first grow
 * past n (load 6.5 per bucket) or just after the last grow at or before n (3.25), with
 * that grow's evacuation finished (iterate-growing asks about a grow half done).
 * A shaped traversal walks with a stack iterator and no prefetch (Go's range).
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime, in timing.h */
#include <stdlib.h>

#include "map.h"
#include "iter_next.h"
#include "timing.h"

/* The map's 32-bit hash seed of a run seed (never the bare seed, so seeds 1, 2, 3 give
 * unrelated hashes). */
static uint32_t seed_hash(uint64_t seed) { return (uint32_t)(stream_key(seed, ~0ull) >> 32); }

static hmap *seeded_map(uint64_t n, uint64_t seed) {
    fastrand_seed(seed);
    hmap *h = makemap(0, seed_hash(seed), false);
    if (h) map_fill(h, n, seed);
    return h;
}

/* The loop itself, on a map built by seeded_map (fastrand seeded just before init). */
static inserting_run range_inserting(hmap *h, uint64_t n, uint32_t per, uint64_t cap,
                                     uint64_t seed) {
    inserting_run run = {0, 0, 1, MAP_OK};
    uint64_t fresh = 0;
    hiter it = {0};
    fastrand_seed(seed ^ 0x72616e6765ull); /* "range": the random start */
    int err = mapiterinit(&it, h, 0, false);
    while (err == MAP_OK && it.key != NULL) {
        run.yields++;
        if ((uint64_t)h->count + per > cap) {
            run.ended = 0;
            break;
        }
        for (uint32_t j = 0; j < per && err == MAP_OK; j++, fresh++)
            err = mapassign(h, stream_key(seed, n + fresh), n + fresh);
        if (err == MAP_OK) err = mapiternext(&it);
    }
    mapiterrelease(&it);
    run.entries = (uint64_t)h->count;
    run.error = err;
    return run;
}

inserting_run map_range_inserting(uint64_t n, uint32_t per, uint64_t cap, uint64_t seed) {
    hmap *h = seeded_map(n, seed);
    if (!h) return (inserting_run){0, 0, 0, -MAP_ERR_NO_MEMORY};
    inserting_run run = range_inserting(h, n, per, cap, seed);
    map_destroy(h);
    return run;
}

/* Per loop: a fresh seeded map (untimed), then the range that inserts (timed, inserts
 * included: they are the loop's work). elements count the n starting entries per loop
 * (pyperf's value is ns per starting entry); checksum adds up the yields. */
MB_NOINLINE kernel_result kernel_iterate_inserting(uint64_t n, uint64_t loops, uint32_t per,
                                                   uint64_t cap, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops && total.error == MAP_OK; l++) {
        hmap *h = seeded_map(n, seed);
        if (!h) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        region r = region_start();
        inserting_run run = range_inserting(h, n, per, cap, seed);
        kernel_result one = region_end(r, n, run.yields);
        map_destroy(h);
        add_result(&total, one);
        total.error = run.error;
    }
    return total;
}

/* ---- shaped maps ---------------------------------------------------------------------- */

static void finish_grow(hmap *h) {
    while (growing(h)) evacuate(h, h->nevacuate);
}

/* The entry count of a load shape: fill the stream, noting the count just after each
 * doubling grow starts; stop at the first grow past n. */
static uint64_t load_entries(uint64_t n, bool before, uint64_t seed) {
    fastrand_seed(seed);
    hmap *h = makemap(0, seed_hash(seed), false);
    if (!h) return 0;
    uint64_t after = 0, i = 0;
    for (;; i++) {
        uint8_t B = h->B;
        mapassign(h, stream_key(seed, i), i);
        if (h->B != B) {
            if (i + 1 > n) break;       /* the first grow past n: i entries came before it */
            after = i + 1;
        }
    }
    map_destroy(h);
    return before ? i : (after ? after : 1);
}

static hmap *build_shape(uint64_t n, uint32_t shape, uint32_t arg, uint64_t seed) {
    if (shape == SHAPE_BEFORE_GROW || shape == SHAPE_AFTER_GROW) {
        hmap *h = seeded_map(load_entries(n, shape == SHAPE_BEFORE_GROW, seed), seed);
        if (h) finish_grow(h);
        return h;
    }
    if (arg > 100) return NULL;
    hmap *h = seeded_map(n, seed);
    if (!h) return NULL;
    uint64_t gone = n * arg / 100;
    for (uint64_t i = 0; i < gone; i++) mapdelete(h, stream_key(seed, i));
    if (shape != SHAPE_COPIED) return h;
    hmap *c = makemap((uint64_t)h->count, seed_hash(seed + 1), false);
    if (c) {
        hiter it = {0};
        mapiterinit(&it, h, 0, false);
        for (; it.key; mapiternext(&it)) mapassign(c, *it.key, *it.elem);
        mapiterrelease(&it);
    }
    map_destroy(h);
    return c;
}

static shape_info shape_of(const hmap *h) {
    shape_info s = {(uint64_t)h->count, 0, bucketShift(h->B), 0, MAP_OK};
    uint64_t chains = 0;
    for (uintptr_t b = 0; b < bucketShift(h->B); b++)
        for (const bmap *o = h->buckets[b].overflow; o; o = o->overflow) chains++;
    s.extra = chains;
    s.walk_bytes = (s.units + chains) * sizeof(bmap);
    return s;
}

shape_info map_shape_probe(uint64_t n, uint32_t shape, uint32_t arg, uint64_t seed) {
    if (shape > SHAPE_AFTER_GROW) return (shape_info){0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    hmap *h = build_shape(n, shape, arg, seed);
    if (!h) return (shape_info){0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    shape_info s = shape_of(h);
    map_destroy(h);
    return s;
}

/* Untimed: the shaped map, once per call. Timed: `loops` full traversals. */
MB_NOINLINE kernel_result kernel_iterate_shaped(uint64_t n, uint64_t loops, uint32_t shape,
                                                uint32_t arg, uint64_t seed) {
    hmap *h = shape <= SHAPE_AFTER_GROW ? build_shape(n, shape, arg, seed) : NULL;
    if (!h) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    uint64_t sum = 0, elements = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        hiter it = {0};
        err = mapiterinit(&it, h, 0, false);
        iter_cursor c = iter_cursor_of(&it);
        iter_entry e = {err == MAP_OK ? it.key : NULL, it.elem};
        while (e.key != NULL) {
            sum += fold(*e.key, *e.elem);
            elements++;
            e = mapiter_step(&it, &c, &err);
        }
        mapiter_sync(&it, &c, e);
        mapiterrelease(&it);
    }
    kernel_result res = region_end(r, elements, sum);
    res.error = err;
    map_destroy(h);
    return res;
}

/* Untimed: the shaped map, once per call (a copy leaves it as it was). Timed, per loop:
 * Go's copy, make(map, len(m)) then a range that puts every entry, and dropping the
 * copy. elements: the entries copied. */
MB_NOINLINE kernel_result kernel_copy_shaped(uint64_t n, uint64_t loops, uint32_t shape,
                                             uint32_t arg, uint64_t seed) {
    hmap *h = shape <= SHAPE_AFTER_GROW ? build_shape(n, shape, arg, seed) : NULL;
    if (!h) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    uint64_t sum = 0, copied = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        hmap *c = makemap((uint64_t)h->count, seed_hash(seed + 1), false);
        if (!c) {
            err = -MAP_ERR_NO_MEMORY;
            break;
        }
        hiter it = {0};
        for (err = mapiterinit(&it, h, 0, false); err == MAP_OK && it.key; err = mapiternext(&it)) {
            err = mapassign(c, *it.key, *it.elem);
            if (err != MAP_OK) break;
            sum += fold(*it.key, *it.elem);
            copied++;
        }
        mapiterrelease(&it);
        map_destroy(c);
    }
    kernel_result res = region_end(r, copied, sum);
    res.error = err;
    map_destroy(h);
    return res;
}

/* The suite's kernels, one C symbol each (benchmarks/catalog/families.py): the shapes above
 * by name. */
MB_NOINLINE kernel_result kernel_iterate_after_delete(uint64_t n, uint64_t loops, uint32_t deleted,
                                                      bool copied, uint64_t seed) {
    return kernel_iterate_shaped(n, loops, copied ? SHAPE_COPIED : SHAPE_DELETED, deleted, seed);
}

MB_NOINLINE kernel_result kernel_copy_after_delete(uint64_t n, uint64_t loops, uint32_t deleted,
                                                   uint64_t seed) {
    return kernel_copy_shaped(n, loops, SHAPE_DELETED, deleted, seed);
}

MB_NOINLINE kernel_result kernel_iterate_load(uint64_t n, uint64_t loops, bool before_grow,
                                              uint64_t seed) {
    return kernel_iterate_shaped(n, loops, before_grow ? SHAPE_BEFORE_GROW : SHAPE_AFTER_GROW, 0, seed);
}
