/*
 * map.h: a C11 reimplementation of Go 1.19's classic hash map (runtime/map.go,
 * runtime/map_fast64.go) for uint64 keys and values, with its iterator.
 *
 * The data structure (as in Go):
 *   A map is an array of 2^B buckets. A bucket holds 8 slots: tophash[8], then the
 *   8 keys, then the 8 values, then an overflow pointer (144 bytes, see bmap). The low
 *   B bits of hash64(key, hash0) pick the bucket, the top byte (plus minTopHash when
 *   it is below it) is stored in tophash to mark a used slot. tophash values below
 *   MIN_TOP_HASH are markers: EMPTY_REST (this slot and every later slot of the chain
 *   is empty), EMPTY_ONE, EVACUATED_X/Y (the entry moved to the low/high half of the
 *   new array), EVACUATED_EMPTY. When count would exceed 6.5 * 2^B the array doubles;
 *   when overflow buckets pile up (noverflow >= 2^min(B,15)) a same-size grow packs
 *   them. Growth is incremental: hashGrow only allocates; every later write evacuates
 *   the old bucket backing the bucket it writes plus one more at nevacuate (growWork).
 *   Evacuation keeps the old keys and values in place (they have no pointers), so an
 *   iterator that walks an old bucket can still read them.
 *   The live chains are the chains of the 2^B buckets and, while growing, those of the
 *   old buckets not yet evacuated; a live entry is a slot of one whose tophash is at
 *   least MIN_TOP_HASH.
 *   INVARIANT 4: a live entry's tophash is tophash(hash) of its key's hash, and it lies
 *                in the chain its hash picks: bucket hash & (2^B - 1), or in an old
 *                bucket not yet evacuated, hash & (noldbuckets - 1); a bucket of the new
 *                array holds entries only once the old bucket backing it is evacuated
 *                (every write evacuates it first). No key is live twice.
 *   INVARIANT 5: count is the number of live entries.
 *   INVARIANT 6: a chain ends (at most as many buckets as its generation has) and every
 *                overflow bucket belongs to the chain's generation; no live entry follows
 *                an EMPTY_REST slot in its chain; noverflow is the number of overflow
 *                buckets in the chains of the 2^B buckets while B < 16 (above, Go counts
 *                with probability 1/2^(B-15), so it is at most that number).
 *   INVARIANT 7: oldbuckets != NULL exactly while growing (FLAG_GROWING), and then
 *                0 <= nevacuate < noldbuckets and every old bucket below nevacuate is
 *                evacuated. The markers EVACUATED_X/Y/EMPTY appear only in old buckets,
 *                in every slot of an evacuated chain (X alone in a same-size grow) and
 *                in no slot of another chain. (Which of X and Y a key went to follows
 *                its hash & newbit only until a delete empties the map and reseeds
 *                hash0, as Go's does, so it is no invariant.)
 *   map_check_invariants (check.c) checks INVARIANT 1 (the map's side) and 4 to 7, as
 *   Go's checkInvariants (internal/runtime/maps/table_debug.go) does for its tables.
 *
 * Memory ownership (what replaces Go's garbage collector):
 *   A bucket array and every overflow bucket malloc'd for it form one generation
 *   (bucket_gen), freed as a whole when its reference count drops to 0.
 *   INVARIANT 1: h->buckets == h->extra->gen->array and, while growing,
 *                h->oldbuckets == h->extra->oldgen->array; the map holds one reference
 *                on each. It drops the old one when evacuation completes, and both when
 *                it is destroyed.
 *   INVARIANT 2: every bucket an iterator may dereference between two calls belongs to
 *                a generation the iterator holds a reference on: it->gen (its snapshot
 *                it->buckets, taken at mapiterinit) and it->oldgen (the old array it
 *                last walked while the map was growing). So a grow that completes in the
 *                middle of an iteration never frees memory the iterator still reads.
 *                The references are dropped when mapiternext reaches the end or by
 *                mapiterrelease (idempotent) when the caller stops early.
 *   it->key / it->elem may point into the live table (after a re-lookup); they are valid
 *   until the next write to the map. The map itself (it->h) must outlive its iterators.
 *
 * Concurrency: none. Like Go, a write sets FLAG_HASH_WRITING while it runs and every
 * operation checks it with a plain load, returning MAP_ERR_* (common.h, "concurrent map ...")
 * instead of Go's fatal error. The Python wrapper serialises all calls with a lock.
 *
 * What Python sees: the declarations between the cffi-cdef markers (common.h says how
 * native/build_map.py reads them).
 */
#ifndef MAPBENCH_MAP_H
#define MAPBENCH_MAP_H

#include "common.h"

enum {
    BUCKET_CNT_BITS = 3,
    BUCKET_CNT = 8,
    LOAD_FACTOR_NUM = 13, /* load factor 6.5 = 13/2 */
    LOAD_FACTOR_DEN = 2,
};

/* tophash markers (map.go 93-98) */
enum {
    EMPTY_REST = 0,
    EMPTY_ONE = 1,
    EVACUATED_X = 2,
    EVACUATED_Y = 3,
    EVACUATED_EMPTY = 4,
    MIN_TOP_HASH = 5,
};

/* hmap.flags bits (map.go 101-104, and FLAG_GROWING) */
enum {
    FLAG_ITERATOR = 1,
    FLAG_OLD_ITERATOR = 2,
    FLAG_HASH_WRITING = 4,
    FLAG_SAME_SIZE_GROW = 8,
    /* Not Go's: set exactly while oldbuckets != NULL, so mapiternext's fast path tests
     * one byte for "being written or growing". */
    FLAG_GROWING = 16,
};

#define NO_CHECK UINTPTR_MAX

/* cffi-cdef: begin */
typedef struct bmap bmap;
typedef struct hmap hmap;
/* cffi-cdef: end */

struct bmap {
    uint8_t tophash[BUCKET_CNT];
    uint64_t keys[BUCKET_CNT];
    uint64_t elems[BUCKET_CNT];
    struct bmap *overflow;
};

typedef struct bucket_gen {
    bmap *array;            /* 2^B buckets, then the preallocated overflow buckets */
    uintptr_t nbuckets;     /* 2^B */
    uintptr_t nalloc;       /* buckets in array (nbuckets + preallocated) */
    bmap **overflow;        /* overflow buckets malloc'd for this array (Go: extra.overflow) */
    size_t noverflow_alloc;
    size_t overflow_cap;
    uint64_t refs;
    uint32_t writes;        /* inserts that filled a slot of this generation (wraps; INVARIANT 8) */
} bucket_gen;

typedef struct mapextra {
    bucket_gen *gen;        /* owns buckets */
    bucket_gen *oldgen;     /* owns oldbuckets while growing */
    bmap *nextOverflow;     /* next free preallocated overflow bucket */
} mapextra;

struct hmap {
    intptr_t count;
    uint8_t flags;
    uint8_t B;
    uint16_t noverflow;
    uint32_t hash0;
    bmap *buckets;
    bmap *oldbuckets;
    uintptr_t nevacuate;
    mapextra *extra;
};

/* Go's hiter is 12 words; ours is 12 too: no type pointer t, and gen/oldgen play the
 * role of Go's overflow/oldoverflow (keeping buckets alive). Go's slot index i becomes
 * a mask of the slots still to visit in a *group* of up to 8 consecutive buckets (see
 * iter.c); the fields mapiternext's fast path touches come first (one cache line).
 * Go's checkBucket is not stored: while it is set (checking), it is the bucket entered
 * last, (bucket - 1) & (2^B - 1), and its word holds the snapshot of INVARIANT 8.
 * INVARIANT 3: bptr[0..glen) are the group's buckets (glen > 1 only for buckets of the
 * it->buckets array, never across the wrap point nor past startBucket after the wrap);
 * bit 8*i + r of slots stands for slot (r + offset) & 7 of bptr[i]; the entry last
 * returned is at group bit p (the bucket the iterator is in: p >> 3), which key tells
 * while it points into the group (the fast path keeps no position) and pos otherwise (a
 * re-looked-up entry the slow path returned; iter.c, last_pos); bucket is the
 * next bucket to enter after the group's last bucket and its overflow chain. While
 * checking (an old bucket mid-grow, glen 1) the slots to visit are in oldslots and slots
 * is 0, so the fast path needs one test for "not the common case".
 * INVARIANT 8: gen->writes counts the inserts that filled a slot of the generation
 * (its array and overflow buckets; an evacuation into it counts too). writes is the
 * count seen when slots was last read from the group's tophash bytes. While the iterator
 * holds a group and a step is not running, writes == gen->writes, or the step about to
 * run reads the live tophash bytes of the group's slots past p again (and ends the
 * group at its first bucket from p >> 3 that has an overflow chain now, whose chain Go
 * walks before the next bucket). Inserts only turn an empty slot full, so those bits are
 * exactly the candidates Go's walk, which reads each slot's tophash and each bucket's
 * overflow pointer when it gets there, would still meet in the group. Old buckets read
 * while checking, and arrays the map has grown away from, are never inserted into.
 * Without it a range that inserts missed the keys landing just ahead of it: yields/n
 * 0.7% under go1.19's at n=1024, PER=1..8 (z -13 to -27 over 500 draws). */
/* cffi-cdef: begin */
typedef struct hiter {
    uint64_t *key;          /* must be first: nil at the end of the iteration */
    uint64_t *elem;
    /* cffi-cdef: opaque from here */
    hmap *h;
    bmap *bptr;             /* current bucket, or the first bucket of the current group */
    uint64_t slots;         /* slots of the group still to visit (Go: i), see iter.c */
    uint32_t writes;        /* gen->writes when slots was read (INVARIANT 8) */
    bool checking;          /* Go: checkBucket != noCheck (an old bucket mid-grow) */
    uint8_t offset;         /* intra-bucket start slot */
    bool wrapped;
    uint8_t B;
    uint8_t pos;            /* group bit of the entry the slow path last returned */
    uint16_t prefetch;      /* software prefetch distance in buckets, 0 = off */
    uint8_t glen;           /* buckets in the current group */
    uint8_t oldslots;       /* slots still to visit of an old bucket (checking) */
    bmap *buckets;          /* bucket array snapshot at mapiterinit */
    bucket_gen *gen;        /* reference on the generation of buckets */
    bucket_gen *oldgen;     /* reference on the old array last walked mid-grow */
    uintptr_t startBucket;
    uintptr_t bucket;
} hiter;
/* cffi-cdef: end */

/* The map (map.c). */
/* cffi-cdef: begin */
hmap *makemap(uint64_t hint, uint32_t seed, bool random_seed);
void map_destroy(hmap *h);
int mapaccess(hmap *h, uint64_t key, uint64_t *out);      /* 1 found, 0 absent, <0 error */
int mapassign(hmap *h, uint64_t key, uint64_t value);     /* 0 or <0 error */
int mapdelete(hmap *h, uint64_t key);                     /* 1 deleted, 0 absent, <0 error */
/* cffi-cdef: end */
bool mapaccessK(hmap *h, uint64_t key, uint64_t **k, uint64_t **e);
void hashGrow(hmap *h);
void hash_grow(hmap *h, bool bigger);
void growWork(hmap *h, uintptr_t bucket);
void evacuate(hmap *h, uintptr_t oldbucket);
void gen_free(bucket_gen *g);
/* Taking and dropping a reference is a plain increment (the map is single-threaded, see
 * Concurrency above), inline so that an iterator's init and release cost no calls. */
static inline void gen_acquire(bucket_gen *g) {
    if (g) g->refs++;
}
static inline void gen_release(bucket_gen *g) {
    if (g && --g->refs == 0) gen_free(g);
}

static inline uintptr_t bucketShift(uint8_t B) { return (uintptr_t)1 << B; }
static inline uintptr_t bucketMask(uint8_t B) { return bucketShift(B) - 1; }
static inline bool isEmpty(uint8_t x) { return x <= EMPTY_ONE; }
static inline bool evacuated(const bmap *b) {
    uint8_t h = b->tophash[0];
    return h > EMPTY_ONE && h < MIN_TOP_HASH;
}
static inline bool sameSizeGrow(const hmap *h) { return (h->flags & FLAG_SAME_SIZE_GROW) != 0; }
static inline bool growing(const hmap *h) { return h->oldbuckets != NULL; }
static inline uintptr_t noldbuckets(const hmap *h) {
    uint8_t oldB = h->B;
    if (!sameSizeGrow(h)) oldB--;
    return bucketShift(oldB);
}
static inline uintptr_t oldbucketmask(const hmap *h) { return noldbuckets(h) - 1; }

/* The iterator (iter.c). mapiterinit's prefetch is a distance in buckets (0: off), or
 * PREFETCH_AUTO: PREFETCH_AUTO_DISTANCE when the bucket array has at least
 * PREFETCH_AUTO_MIN_BYTES, else off. Measured (docs/speed-of-the-map.md): up to 2^14
 * entries (590 KB, inside L2) prefetch cost 5-9% or nothing; from 2^16 to 2^20 (2.4 to
 * 37 MB) sweeps disagreed by more than any effect, and 2^18 was slower in two of three;
 * at 2^22 (151 MB) it gained 12-19% in four of five sweeps. The threshold sits between. */
#define PREFETCH_AUTO_MIN_BYTES ((uint64_t)64 << 20)
enum { PREFETCH_AUTO_DISTANCE = 16 };
/* cffi-cdef: begin */
#define PREFETCH_AUTO UINT16_MAX
uint16_t prefetch_for(uint8_t B);
int mapiterinit(hiter *it, hmap *h, uint16_t prefetch, bool atomic_snapshot);
int mapiternext(hiter *it);
void mapiterrelease(hiter *it);
size_t mapiter_batch(hiter *it, bool advance_first, uint64_t *keys, uint64_t *vals,
                     size_t cap, int *err);
size_t mapiter_fill(hiter *it, hiter *saved, bool advance_first, uint64_t *keys,
                    uint64_t *vals, size_t cap, int *err);
int mapiter_rewind(hiter *it, hiter *saved, size_t steps);
bool iter_pool_check_zeroed(void);
/* cffi-cdef: end */
hiter *iter_pool_get(void);
void iter_pool_put(hiter *it);

/* The invariant checker and its corruption hook (check.c). map_check_invariants returns
 * 0 for a sound map, else the number of the first broken invariant (1, 4, 5, 6, 7),
 * having written one line saying what broke where into why (why_len bytes, NUL
 * included). Read-only, safe on any state the operations above leave. */
/* cffi-cdef: begin */
int map_check_invariants(const hmap *h, char *why, size_t why_len);
int map_debug_corrupt(hmap *h, const char *what);
/* cffi-cdef: end */

/* Test hooks and stats (map.c). */
/* cffi-cdef: begin */
void map_debug_set_writing(hmap *h, bool on);
/* Test hook: the prefetch distance the iterator took (PREFETCH_AUTO resolved by mapiterinit). */
uint16_t mapiter_debug_prefetch(const hiter *it);
void map_debug_tophash_census(const hmap *h, uint64_t *counts);
typedef struct map_stats {
    int64_t count;
    uint32_t B;
    uint32_t noverflow;
    bool growing;
    bool same_size_grow;
    uint32_t flags;
    uint32_t hash0;
    uint64_t nevacuate;
    uint64_t buckets;
    uint64_t oldbuckets;
    uint64_t bucket_bytes;      /* 2^B * sizeof(bmap): the roofline's byte count */
    uint64_t array_bytes;       /* the whole bucket array incl. preallocated overflow */
    uint64_t overflow_malloced; /* overflow buckets malloc'd for the current array */
} map_stats;
map_stats map_get_stats(const hmap *h);
void map_fill(hmap *h, uint64_t n, uint64_t key_seed);
void map_half_grow(hmap *h);
/* cffi-cdef: end */

/* Timed kernels (kernels.c). */
/* cffi-cdef: begin */
kernel_result kernel_iterate(hmap *h, uint64_t loops, int storage, uint16_t prefetch,
                             bool atomic_snapshot);
kernel_result kernel_iter_init(hmap *h, uint64_t loops, int storage);
kernel_result kernel_iterate_growing(uint64_t n, uint64_t loops, int storage,
                                     uint16_t prefetch, uint64_t seed);
kernel_result kernel_insert(uint64_t n, uint64_t loops, bool hint, uint64_t seed);
kernel_result kernel_lookup(hmap *h, uint64_t loops, bool hit);
kernel_result kernel_delete(uint64_t n, uint64_t loops, uint64_t seed);
/* cffi-cdef: end */

/* The range-loop questions (range_kernels.c): a range that inserts, and traversals of
 * maps shaped by mass deletes or by where the load factor sits between grows. */
/* cffi-cdef: begin */
inserting_run map_range_inserting(uint64_t n, uint32_t per, uint64_t cap, uint64_t seed);
kernel_result kernel_iterate_inserting(uint64_t n, uint64_t loops, uint32_t per, uint64_t cap,
                                       uint64_t seed);
kernel_result kernel_iterate_after_delete(uint64_t n, uint64_t loops, uint32_t deleted,
                                          bool copied, uint64_t seed);
kernel_result kernel_copy_after_delete(uint64_t n, uint64_t loops, uint32_t deleted, uint64_t seed);
kernel_result kernel_iterate_load(uint64_t n, uint64_t loops, bool before_grow, uint64_t seed);
shape_info map_shape_probe(uint64_t n, uint32_t shape, uint32_t arg, uint64_t seed);
kernel_result kernel_iterate_shaped(uint64_t n, uint64_t loops, uint32_t shape, uint32_t arg,
                                    uint64_t seed);
kernel_result kernel_copy_shaped(uint64_t n, uint64_t loops, uint32_t shape, uint32_t arg,
                                 uint64_t seed);
/* cffi-cdef: end */

/* Layout introspection and build facts (layout.c). */
/* cffi-cdef: begin */
size_t layout_fields(const layout_field **out);
const char *build_compiler(void);
const char *build_cflags(void);
bool build_sanitized(void);
/* cffi-cdef: end */

#endif
