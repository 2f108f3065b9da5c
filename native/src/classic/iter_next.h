/*
 * iter_next.h: the classic iterator's step (Go: mapiternext), inline where the caller
 * is a tight loop (the kernels); everything but the common case is iter.c's
 * mapiternext_slow. The common case: the map is neither being written nor growing,
 * and the next candidate slot of the group (map.h INVARIANT 3) still holds an entry.
 *
 * The loop keeps the iterator's hot fields in registers (iter_cursor) and reads the
 * entry through the pointers returned, so the common case writes nothing to the
 * iterator: per element it would otherwise wait for its own store of it->slots to
 * reach the next step's load (store-to-load forwarding, most of the in-cache cost per
 * element). The iterator in memory is made whole (slots, key) before the slow path
 * takes over; the loop gives the cursor back (mapiter_sync) before anything else uses
 * the iterator. The common case still does what Go's mapiternext does per step: the
 * concurrent-write check and a fresh read of the entry's tophash; and one of ours, that
 * no insert filled a slot of the iterator's generation since the group's bits were read
 * (map.h INVARIANT 8: else the slow path reads them again). The Swiss map's
 * kernels step the same way (swiss/iter_next.h), so the two maps' iteration differs by
 * design, not by how the kernel calls the iterator.
 */
#ifndef MAPBENCH_CLASSIC_ITER_NEXT_H
#define MAPBENCH_CLASSIC_ITER_NEXT_H

#include "map.h"

int mapiternext_slow(hiter *it);

/* INVARIANT: equal to the iterator's own fields except slots and last (it->key), which
 * the loop advances alone between two calls of the slow path. */
typedef struct iter_cursor {
    uint64_t slots;          /* it->slots */
    bmap *bptr;              /* it->bptr */
    const hmap *h;           /* it->h */
    const bucket_gen *gen;   /* it->gen (not NULL while slots != 0: INVARIANT 2) */
    uint64_t *last;          /* it->key: the entry last returned, which tells the slow path
                              * where the walk is (iter.c, last_pos) */
    uint32_t writes;         /* it->writes */
    uint8_t offset;          /* it->offset */
} iter_cursor;

typedef struct iter_entry {
    uint64_t *key;    /* NULL at the end or on an error */
    uint64_t *elem;
} iter_entry;

static inline iter_cursor iter_cursor_of(const hiter *it) {
    iter_cursor c = {it->slots, it->bptr, it->h, it->gen, it->key, it->writes, it->offset};
    return c;
}

static inline __attribute__((always_inline)) iter_entry mapiter_step(hiter *it, iter_cursor *c, int *err) {
    uint8_t flags = c->h->flags;
    if (__builtin_expect((flags & (FLAG_HASH_WRITING | FLAG_GROWING)) == 0, 1)) {
        uint64_t slots = c->slots;
        /* A group is held, and no slot of its generation was filled since its bits were
         * read (INVARIANT 8; slots != 0: gen is held, INVARIANT 2). */
        if (__builtin_expect(slots != 0 && c->gen->writes == c->writes, 1)) {
            unsigned j = (unsigned)__builtin_ctzll(slots);
            bmap *b = c->bptr + (j >> BUCKET_CNT_BITS);
            unsigned offi = (j + c->offset) & (BUCKET_CNT - 1);
            /* Read the tophash again: the entry may be gone since. */
            if (__builtin_expect(b->tophash[offi] >= MIN_TOP_HASH, 1)) {
                c->slots = slots & (slots - 1);
                iter_entry e = {c->last = &b->keys[offi], &b->elems[offi]};
                return e;
            }
        }
    }
    it->slots = c->slots;
    it->key = c->last;
    if (flags & FLAG_HASH_WRITING) {
        *err = -MAP_ERR_ITERATION_WRITE;
        iter_entry none = {NULL, NULL};
        return none;
    }
    *err = mapiternext_slow(it);
    *c = iter_cursor_of(it);
    iter_entry e = {*err ? NULL : it->key, it->elem};
    return e;
}

/* Give the loop's copy of slots back to the iterator, with key and elem for the
 * entry last returned (e.key != NULL). */
static inline void mapiter_sync(hiter *it, const iter_cursor *c, iter_entry e) {
    it->slots = c->slots;
    if (e.key) {
        it->key = e.key;
        it->elem = e.elem;
    }
}

#endif
