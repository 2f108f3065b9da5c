/*
 * iter_next.h: the Swiss iterator's step (Go: Iter.Next), inline where the caller
 * is a tight loop (the kernels); everything but the common case is iter.c's
 * swiss_iter_next_slow. The common case: the table being walked is live and the
 * next candidate of the chunk (swiss.h I1) still holds an entry.
 */
#ifndef MAPBENCH_SWISS_ITER_NEXT_H
#define MAPBENCH_SWISS_ITER_NEXT_H

#include <stddef.h>

#include "group.h"

int swiss_iter_next_slow(swiss_iter *it);

/* Where candidate bit j of a chunk (swiss.h I1: slot j & 7 of group j >> 3) lives,
 * in bytes from the chunk's first group: its control byte and its slot. A table
 * lookup is 2 loads where the arithmetic (j >> 3) * sizeof(swiss_group) + ... is
 * 9 instructions per element. */
#define CHUNK_CTRL_OFFSET(j) ((j) / SWISS_GROUP_SLOTS * sizeof(swiss_group) + (j) % SWISS_GROUP_SLOTS)
#define CHUNK_SLOT_OFFSET(j) ((j) / SWISS_GROUP_SLOTS * sizeof(swiss_group) + offsetof(swiss_group, slots) \
                              + (j) % SWISS_GROUP_SLOTS * sizeof(swiss_slot))
#define CHUNK_OFFSETS_8(F, j) F(j), F(j + 1), F(j + 2), F(j + 3), F(j + 4), F(j + 5), F(j + 6), F(j + 7)
#define CHUNK_OFFSETS_64(F) CHUNK_OFFSETS_8(F, 0), CHUNK_OFFSETS_8(F, 8), CHUNK_OFFSETS_8(F, 16), \
    CHUNK_OFFSETS_8(F, 24), CHUNK_OFFSETS_8(F, 32), CHUNK_OFFSETS_8(F, 40), CHUNK_OFFSETS_8(F, 48), \
    CHUNK_OFFSETS_8(F, 56)
static const uint16_t chunk_ctrl_offset[ITER_CHUNK_SLOTS] = {CHUNK_OFFSETS_64(CHUNK_CTRL_OFFSET)};
static const uint16_t chunk_slot_offset[ITER_CHUNK_SLOTS] = {CHUNK_OFFSETS_64(CHUNK_SLOT_OFFSET)};

/* A loop's register copy of the iterator's hot fields. INVARIANT: equal to the
 * iterator's own except match, which the loop advances alone between two calls of
 * the slow path (swiss_iter_step). */
typedef struct swiss_cursor {
    uint64_t match;
    const char *group;        /* it->group */
    const swiss_table *tab;   /* it->tab */
    const swiss_map *m;       /* it->m */
    const swiss_slot *last;   /* the entry last returned (it->key), for I2's refresh */
    uint32_t writes;          /* it->tabWrites */
} swiss_cursor;

static inline swiss_cursor swiss_cursor_of(const swiss_iter *it) {
    swiss_cursor c = {it->match, (const char *)it->group, it->tab, it->m,
                      (const swiss_slot *)it->key, it->tabWrites};
    return c;
}

/* One step for a tight loop: the entry's slot, or NULL at the end or on an error
 * (*err). The loop keeps the iterator's hot fields in registers (*c) and reads the
 * entry through the slot returned, so the common case writes nothing to the
 * iterator: per element it would otherwise wait for its own store of it->match to
 * reach the next step's load (store-to-load forwarding, most of the in-cache cost per
 * element). The iterator in memory is made whole (match, key, elem) before the slow
 * path takes over; the loop gives the cursor back (swiss_iter_sync) before anything
 * else uses the iterator. Every entry the iterator returns is a whole slot (its own,
 * or the live map's after a re-lookup). The common case still does what Go's Next
 * does per step: the concurrent-write check, the replaced-table check and a fresh
 * read of the entry's control byte; and one of ours, that no insert went into the table
 * since the chunk's bits were read (I2: else the slow path reads them again). */
static inline const swiss_slot *swiss_iter_step(swiss_iter *it, swiss_cursor *c, int *err) {
    uint64_t mt = c->match;
    if (__builtin_expect(mt != 0, 1)) {
        /* match != 0 only while it->tab is held (I1): it->m is set */
        if (__builtin_expect(c->m->writing != 0, 0)) {
            it->match = mt;
            *err = -MAP_ERR_ITERATION_WRITE;
            return NULL;
        }
        /* The table is live and nothing was inserted into it since match was read: one
         * compare, as a table replaced by a grow or split counts as written and its
         * iterators' snapshot never matches it again (I2). */
        if (__builtin_expect(c->tab->writes == c->writes, 1)) {
            unsigned j = (unsigned)__builtin_ctzll(mt);
            /* Read the control byte again: the entry may be gone since. */
            if (__builtin_expect((c->group[chunk_ctrl_offset[j]] & CTRL_EMPTY) == 0, 1)) {
                c->match = mt & (mt - 1);
                return c->last = (const swiss_slot *)(c->group + chunk_slot_offset[j]);
            }
        }
    }
    it->match = mt;
    if (c->last) { /* the slow path's I2 refresh starts past it */
        it->key = (uint64_t *)&c->last->key;
        it->elem = (uint64_t *)&c->last->elem;
    }
    *err = swiss_iter_next_slow(it);
    *c = swiss_cursor_of(it);
    return *err ? NULL : (const swiss_slot *)it->key;
}

/* Give the loop's copy of the candidate bits back to the iterator, with key and elem
 * for the entry last returned (slot). */
static inline void swiss_iter_sync(swiss_iter *it, const swiss_cursor *c, const swiss_slot *slot) {
    it->match = c->match;
    if (slot) {
        it->key = (uint64_t *)&slot->key;
        it->elem = (uint64_t *)&slot->elem;
    }
}

/* Give the iterator's references back (swiss_iter_release), inline for the kernels'
 * `for range { break }`: with the reference counts inline (swiss.h) it is a leaf. */
static inline void swiss_iter_release_inline(swiss_iter *it) {
    if (it->m) {
        it->m->liveIters--;
        if (it->dirIdx < 0) swiss_small_release(it->group);
        it->m = NULL;
    }
    swiss_table_release(it->tab);
    it->tab = NULL;
    it->group = NULL;
    it->match = 0;
}

#endif
