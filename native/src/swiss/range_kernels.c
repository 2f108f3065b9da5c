/*
 * range_kernels.c: the range-loop questions of the Swiss map (issue 27), with the
 * classic map's contracts (classic/range_kernels.c says what each function does; the
 * loop, the seeds, the shapes and the copy are the same).
 *
 * Here the load shapes follow the Swiss map's grows: SHAPE_AFTER_GROW is the entry count
 * just after the last insert at or before n that grew or split a table (or grew the
 * small group into a table), SHAPE_BEFORE_GROW the count just before the first one past
 * n. A single-table map (n <= 896) sits at load 7/16 just after and 7/8 just before a
 * grow; a map of many tables grows one table at a time, so its load barely moves
 * between the two. Walked bytes: every group of every table, plus the directory.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime, in timing.h */
#include <stdlib.h>

#include "swiss.h"
#include "group.h"
#include "iter_next.h"
#include "timing.h"

static uint64_t seed_hash(uint64_t seed) { return stream_key(seed, ~0ull); }

static swiss_map *seeded_map(uint64_t n, uint64_t seed) {
    fastrand_seed(seed);
    swiss_map *m = swiss_new(0, seed_hash(seed), false);
    if (m) swiss_fill(m, n, seed);
    return m;
}

static inserting_run range_inserting(swiss_map *m, uint64_t n, uint32_t per, uint64_t cap,
                                     uint64_t seed) {
    inserting_run run = {0, 0, 1, MAP_OK};
    uint64_t fresh = 0;
    swiss_iter it = {0};
    fastrand_seed(seed ^ 0x72616e6765ull); /* "range": the random start */
    int err = swiss_iter_init(&it, m, 0);
    while (err == MAP_OK && it.key != NULL) {
        run.yields++;
        if (m->used + per > cap) {
            run.ended = 0;
            break;
        }
        for (uint32_t j = 0; j < per && err == MAP_OK; j++, fresh++)
            err = swiss_put(m, stream_key(seed, n + fresh), n + fresh);
        if (err == MAP_OK) err = swiss_iter_next(&it);
    }
    swiss_iter_release(&it);
    run.entries = m->used;
    run.error = err;
    return run;
}

inserting_run swiss_range_inserting(uint64_t n, uint32_t per, uint64_t cap, uint64_t seed) {
    swiss_map *m = seeded_map(n, seed);
    if (!m) return (inserting_run){0, 0, 0, -MAP_ERR_NO_MEMORY};
    inserting_run run = range_inserting(m, n, per, cap, seed);
    swiss_destroy(m);
    return run;
}

MB_NOINLINE kernel_result swiss_kernel_iterate_inserting(uint64_t n, uint64_t loops, uint32_t per,
                                                         uint64_t cap, uint64_t seed) {
    kernel_result total = {0, 0, 0, 0, 0, MAP_OK};
    for (uint64_t l = 0; l < loops && total.error == MAP_OK; l++) {
        swiss_map *m = seeded_map(n, seed);
        if (!m) {
            total.error = -MAP_ERR_NO_MEMORY;
            break;
        }
        region r = region_start();
        inserting_run run = range_inserting(m, n, per, cap, seed);
        kernel_result one = region_end(r, n, run.yields);
        swiss_destroy(m);
        add_result(&total, one);
        total.error = run.error;
    }
    return total;
}

/* ---- shaped maps ---------------------------------------------------------------------- */

/* The table key k lands in (NULL: the small map). */
static const swiss_table *table_of(const swiss_map *m, uint64_t k) {
    if (m->dirLen == 0) return NULL;
    uint64_t idx = m->dirLen <= 1 ? 0 : hash64(k, m->seed) >> (m->globalShift & 63);
    return swiss_directory_at(m, idx);
}

static uint64_t load_entries(uint64_t n, bool before, uint64_t seed) {
    fastrand_seed(seed);
    swiss_map *m = swiss_new(0, seed_hash(seed), false);
    if (!m) return 0;
    uint64_t after = 0, i = 0;
    for (;; i++) {
        uint64_t k = stream_key(seed, i);
        const swiss_table *t = table_of(m, k);
        uint16_t capacity = t ? t->capacity : 0;
        uint8_t depth = t ? t->localDepth : 0;
        swiss_put(m, k, i);
        const swiss_table *t2 = table_of(m, k);
        bool grew = t == NULL ? t2 != NULL
                              : t2 != t || t2->capacity != capacity || t2->localDepth != depth;
        if (grew) {
            if (i + 1 > n) break;
            after = i + 1;
        }
    }
    swiss_destroy(m);
    return before ? i : (after ? after : 1);
}

static swiss_map *build_shape(uint64_t n, uint32_t shape, uint32_t arg, uint64_t seed) {
    if (shape == SHAPE_BEFORE_GROW || shape == SHAPE_AFTER_GROW)
        return seeded_map(load_entries(n, shape == SHAPE_BEFORE_GROW, seed), seed);
    if (arg > 100) return NULL;
    swiss_map *m = seeded_map(n, seed);
    if (!m) return NULL;
    uint64_t gone = n * arg / 100;
    for (uint64_t i = 0; i < gone; i++) swiss_delete(m, stream_key(seed, i));
    if (shape != SHAPE_COPIED) return m;
    swiss_map *c = swiss_new(m->used, seed_hash(seed + 1), false);
    if (c) {
        swiss_iter it = {0};
        swiss_iter_init(&it, m, 0);
        for (; it.key; swiss_iter_next(&it)) swiss_put(c, *it.key, *it.elem);
        swiss_iter_release(&it);
    }
    swiss_destroy(m);
    return c;
}

static uint64_t tombstones(const swiss_group *g, uint64_t groups) {
    uint64_t t = 0;
    for (uint64_t i = 0; i < groups; i++)
        for (unsigned s = 0; s < SWISS_GROUP_SLOTS; s++) t += g[i].ctrl[s] == CTRL_DELETED;
    return t;
}

static shape_info shape_of(const swiss_map *m) {
    shape_info s = {m->used, 0, 0, 0, MAP_OK};
    if (m->dirLen == 0) {
        if (m->dirPtr) {
            s.units = 1;
            s.extra = tombstones((const swiss_group *)m->dirPtr, 1);
        }
    } else {
        for (int64_t i = 0; i < m->dirLen; i++) {
            const swiss_table *t = swiss_directory_at(m, (uint64_t)i);
            if (t->index != i) continue; /* a table spans several directory entries */
            s.units += t->lengthMask + 1;
            s.extra += tombstones(t->groups, t->lengthMask + 1);
        }
    }
    s.walk_bytes = s.units * sizeof(swiss_group) + (uint64_t)m->dirLen * sizeof(void *);
    return s;
}

shape_info swiss_shape_probe(uint64_t n, uint32_t shape, uint32_t arg, uint64_t seed) {
    if (shape > SHAPE_AFTER_GROW) return (shape_info){0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    swiss_map *m = build_shape(n, shape, arg, seed);
    if (!m) return (shape_info){0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    shape_info s = shape_of(m);
    swiss_destroy(m);
    return s;
}

MB_NOINLINE kernel_result swiss_kernel_iterate_shaped(uint64_t n, uint64_t loops, uint32_t shape,
                                                      uint32_t arg, uint64_t seed) {
    swiss_map *m = shape <= SHAPE_AFTER_GROW ? build_shape(n, shape, arg, seed) : NULL;
    if (!m) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    uint64_t sum = 0, elements = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        swiss_iter it = {0};
        err = swiss_iter_init(&it, m, 0);
        swiss_cursor c = swiss_cursor_of(&it);
        const swiss_slot *slot = err == MAP_OK ? (const swiss_slot *)it.key : NULL;
        while (slot != NULL) {
            sum += fold(slot->key, slot->elem);
            elements++;
            slot = swiss_iter_step(&it, &c, &err);
        }
        swiss_iter_sync(&it, &c, slot);
        swiss_iter_release(&it);
    }
    kernel_result res = region_end(r, elements, sum);
    res.error = err;
    swiss_destroy(m);
    return res;
}

MB_NOINLINE kernel_result swiss_kernel_copy_shaped(uint64_t n, uint64_t loops, uint32_t shape,
                                                   uint32_t arg, uint64_t seed) {
    swiss_map *m = shape <= SHAPE_AFTER_GROW ? build_shape(n, shape, arg, seed) : NULL;
    if (!m) return (kernel_result){0, 0, 0, 0, 0, -MAP_ERR_NO_MEMORY};
    uint64_t sum = 0, copied = 0;
    int err = MAP_OK;
    region r = region_start();
    for (uint64_t l = 0; l < loops && err == MAP_OK; l++) {
        swiss_map *c = swiss_new(m->used, seed_hash(seed + 1), false);
        if (!c) {
            err = -MAP_ERR_NO_MEMORY;
            break;
        }
        swiss_iter it = {0};
        for (err = swiss_iter_init(&it, m, 0); err == MAP_OK && it.key; err = swiss_iter_next(&it)) {
            err = swiss_put(c, *it.key, *it.elem);
            if (err != MAP_OK) break;
            sum += fold(*it.key, *it.elem);
            copied++;
        }
        swiss_iter_release(&it);
        swiss_destroy(c);
    }
    kernel_result res = region_end(r, copied, sum);
    res.error = err;
    swiss_destroy(m);
    return res;
}

/* The suite's kernels, one C symbol each (benchmarks/catalog/families.py): the shapes above
 * by name. */
MB_NOINLINE kernel_result swiss_kernel_iterate_after_delete(uint64_t n, uint64_t loops, uint32_t deleted,
                                                      bool copied, uint64_t seed) {
    return swiss_kernel_iterate_shaped(n, loops, copied ? SHAPE_COPIED : SHAPE_DELETED, deleted, seed);
}

MB_NOINLINE kernel_result swiss_kernel_copy_after_delete(uint64_t n, uint64_t loops, uint32_t deleted,
                                                   uint64_t seed) {
    return swiss_kernel_copy_shaped(n, loops, SHAPE_DELETED, deleted, seed);
}

MB_NOINLINE kernel_result swiss_kernel_iterate_load(uint64_t n, uint64_t loops, bool before_grow,
                                              uint64_t seed) {
    return swiss_kernel_iterate_shaped(n, loops, before_grow ? SHAPE_BEFORE_GROW : SHAPE_AFTER_GROW, 0, seed);
}
