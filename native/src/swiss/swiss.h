/*
 * swiss.h: a C11 reimplementation of Go 1.24's Swiss-table map (internal/runtime/maps:
 * map.go, table.go, group.go, runtime_fast64_swiss.go) for uint64 keys and values,
 * with its iterator (maps.Iter). Line references are to go1.24.
 *
 * The data structure (as in Go):
 *   hash64(key, seed) gives h. H1 = h >> 7 picks where probing starts, H2 = h & 0x7f
 *   goes in the slot's control byte. A group is 8 slots: an 8-byte control word (byte
 *   i for slot i: EMPTY 0x80, DELETED 0xFE, full = H2, so "full" is ctrl & 0x80 == 0),
 *   then 8 {key, elem} pairs (136 bytes). A table is a power-of-two array of groups,
 *   probed triangularly over groups (offset += 1, 2, 3, ... mod groups), at most
 *   MAX_TABLE_CAPACITY slots, filled to 7/8 (growthLeft counts the inserts left).
 *   A map with a directory indexes its tables by the top globalDepth bits of h
 *   (extendible hashing): a table with localDepth < globalDepth fills the
 *   2^(globalDepth - localDepth) consecutive entries starting at its index. A full
 *   table doubles while it stays within MAX_TABLE_CAPACITY slots (grow), else splits
 *   in two by its localDepth bit (split), doubling the directory first when
 *   localDepth == globalDepth. A map of up to 8 entries is one group and no directory
 *   (dirLen == 0, dirPtr points at the group; its lookups do not hash).
 *   INVARIANT S1: for every table t in the directory, t->index is the first directory
 *   entry that holds t, the 2^(globalDepth - t->localDepth) entries from there hold t
 *   and no other entry does; a table no longer in the directory has index -1 (stale).
 *   INVARIANT S2: t->used + t->growthLeft + tombstones(t) == capacity * 7/8 (a
 *   one-group table: capacity - 1). A delete empties its slot when the group still has
 *   an EMPTY slot (no probe sequence can pass through this group then), else leaves a
 *   DELETED tombstone; tombstones go only when the table is rebuilt (grow or split).
 *   INVARIANT S3: every probe sequence for a key present in a table ends no later than
 *   the first group (in probe order) with an EMPTY slot; lookups stop there. So every
 *   table keeps an EMPTY slot, and a key is in its table once (a lookup finds it at the
 *   first full slot holding it, in probe order).
 *   INVARIANT S5: a control byte is EMPTY, DELETED or full; a full slot's is H2 of its
 *   key's hash; a key in a table belongs to it: the top globalDepth bits of its hash
 *   name one of the table's directory entries. The small group keeps no DELETED.
 *   INVARIANT S6: m->used is the number of full slots of the map: the sum of t->used
 *   over the directory's tables, or the small group's full slots.
 *   swiss_check_invariants (check.c) checks S1, S2 (with t->used equal to the table's
 *   full slots), S3, S5 and S6, as Go's checkInvariants (table_debug.go) checks S2 and
 *   S3 for its tables; S4 and I1 concern iterators and are left to the tests.
 *   Tables are never rehashed in place: moving entries inside a table would break
 *   iteration (an iterator walks a table in slot order).
 *
 * Memory ownership (what replaces Go's garbage collector):
 *   A table is reference counted. The directory holds one reference on each table in
 *   it and drops it when a grow or split replaces the table (index becomes -1). An
 *   iterator holds a reference on the table it walks (it->tab), so a table replaced
 *   mid-iteration stays readable until the iterator moves on (INVARIANT S4). The
 *   small map's group lives in a swiss_small block with its own count: the map holds
 *   one until growToTable replaces the group by a table; an iterator started on the
 *   small map holds one until it ends. The directory array itself is owned by the
 *   map alone (iterators re-read m->dirPtr on every step, as Go's do).
 *   it->key / it->elem may point into the live map (after a re-lookup); they are valid
 *   until the next write. The map itself (it->m) must outlive its iterators.
 *
 * Concurrency: none. Like Go, a write toggles m->writing while it runs and every
 * operation checks it with a plain load, returning MAP_ERR_* instead of Go's fatal
 * error. The Python wrapper serialises all calls with a lock.
 *
 * What Python sees: the declarations between the cffi-cdef markers (common.h says how
 * native/build_map.py reads them).
 */
#ifndef MAPBENCH_SWISS_H
#define MAPBENCH_SWISS_H

#include "common.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the control-word matching (group.h) assumes a little-endian machine, as Go's amd64/arm64 code"
#endif

enum {
    SWISS_GROUP_SLOTS_BITS = 3,
    SWISS_GROUP_SLOTS = 8,
    SWISS_MAX_AVG_GROUP_LOAD = 7, /* 7 of 8 slots: the load factor 7/8 */
    SWISS_MAX_TABLE_CAPACITY = 1024,
};

typedef struct swiss_slot {
    uint64_t key;
    uint64_t elem;
} swiss_slot;

typedef struct swiss_group {
    uint8_t ctrl[SWISS_GROUP_SLOTS]; /* Go: ctrlGroup, one uint64 */
    swiss_slot slots[SWISS_GROUP_SLOTS];
} swiss_group;

/* Go's table plus refs (S4) and writes (I2). */
typedef struct swiss_table {
    uint16_t used;
    uint16_t capacity;   /* slots: a power of two, 8 <= capacity <= 1024 */
    uint16_t growthLeft; /* inserts left before the table must grow or split (S2) */
    uint8_t localDepth;
    int64_t index;       /* first directory entry holding it, -1 once replaced (S1) */
    swiss_group *groups; /* Go: groups.data */
    uint64_t lengthMask; /* groups - 1 */
    uint32_t refs;       /* ours (S4): the directory's and iterators'; 2^32 iterators do not fit in memory */
    uint32_t writes;     /* ours (I2): bumped by every insert that fills a slot of this table (wraps) */
} swiss_table;

/* The small map's group with its reference count (dirPtr points at .group). */
typedef struct swiss_small {
    uint64_t refs;
    swiss_group group;
} swiss_small;

/* cffi-cdef: begin */
typedef struct swiss_map swiss_map;
/* cffi-cdef: end */

/* Go's Map is 48 bytes: so is this one. growIters and liveIters use padding that Go
 * leaves after writing; they exist for stats() only. */
struct swiss_map {
    uint64_t used;
    uint64_t seed;
    void *dirPtr;        /* swiss_table *[dirLen], or the small group, or NULL */
    int64_t dirLen;      /* 0 for the small map */
    uint8_t globalDepth;
    uint8_t globalShift; /* 64 - globalDepth */
    uint8_t writing;
    uint8_t grewWhileIterating; /* ours: a grow or split happened with liveIters > 0 */
    uint32_t liveIters;  /* ours: iterators started and not yet finished or released */
    uint64_t clearSeq;
};

/* Go's Iter is 12 words; so is ours: no type pointer, the prefetch distance fits in the
 * padding after globalDepth, and the 12th word caches the candidate slots of a chunk.
 * Go reads one control byte per step and, past an empty slot, matchFull of one group;
 * over a table at the 7/16 to 7/8 load it runs at, that is a branch on a coin toss
 * per slot. Ours reads the control words of up to 8 groups (64 slots, a chunk) when it
 * enters them and walks the cached bits, reading each candidate's control byte again
 * before returning it, so deletes between steps are still seen. Entries inserted into
 * the chunk's slots still ahead of the walk after it was entered are returned, as Go's
 * live read of each slot returns them (I2).
 * INVARIANT I1: match != 0 only while tab is held; then bit j of match stands for
 * slot j & 7 of group[j >> 3], every set bit is a slot of the current walk of tab not
 * visited yet, and entryIdx counts the slots of tab from the walk's start (slot
 * entryOffset & (capacity - 1)) up to the end of the chunk. The walk of a table covers
 * its slots in Go's order: upwards from the start slot, wrapping.
 * INVARIANT I2: tab->writes counts the inserts into tab and its replacement (index -1);
 * tabWrites is the count seen when match was read, one less for a replaced table (never
 * equal again: every step on it leaves the fast path for the re-lookup). While tab is
 * held and a step is not running, tabWrites == tab->writes, or tab is replaced, or the
 * last entry returned lies in the current chunk (group) and the step about to
 * run refreshes match from the chunk's live control bytes past that entry (a table is
 * written only while it is live, and an insert only turns an EMPTY or DELETED slot full,
 * so those bits are exactly the candidates Go's walk would still meet there). Without
 * it a range that inserts misses the fresh keys that land just ahead of it: measured
 * yields/n 5% under go1.27's at n=1024, PER=4 (tests/native/test_native_iteration.py). */
/* cffi-cdef: begin */
typedef struct swiss_iter {
    uint64_t *key;       /* must be first: NULL at the end of the iteration */
    uint64_t *elem;
    /* cffi-cdef: opaque from here */
    swiss_map *m;        /* NULL for an empty map, and once finished or released */
    uint64_t entryOffset;
    uint64_t dirOffset;
    uint64_t clearSeq;
    uint8_t globalDepth;
    uint16_t prefetch;   /* ours: software prefetch distance in groups, 0 = off (auto resolved) */
    uint32_t tabWrites;  /* ours (I2): tab->writes when match was last read from the chunk */
    int64_t dirIdx;      /* -1: walking the small map's group */
    swiss_table *tab;    /* the table being walked; holds a reference (S4) */
    swiss_group *group;  /* the chunk's first group (the small map's group: a reference) */
    uint64_t entryIdx;
    uint64_t match;      /* ours: candidate slots of the chunk (I1) */
} swiss_iter;
/* cffi-cdef: end */

enum { ITER_CHUNK_SLOTS = 64 }; /* 8 groups: one uint64 of candidate bits */

/* prefetch="auto" (the classic PREFETCH_AUTO's value): SWISS_PREFETCH_AUTO_DISTANCE
 * groups from SWISS_PREFETCH_AUTO_MIN_ENTRIES entries on, else off. Measured on the
 * 2-vCPU AMD EPYC guest, 2026-12-02, median of 9 interleaved in-process rounds
 * (benchmarks/studies/maps_sweep.py's kernels), ns/element at distance 0 / 16 / 64: 2^14
 * 1.49 / 1.56 / 1.62, 2^16 2.42 / 2.34 / 2.40, 2^18 3.21 / 1.78 / 1.71, 2^22
 * 8.41 / 3.19 / 2.37. 64 groups is half a full table (8.7 KB ahead): at 2^22 the
 * walk needs ~40 lines in flight to keep up with it. */
#define SWISS_PREFETCH_AUTO UINT16_MAX
enum { SWISS_PREFETCH_AUTO_DISTANCE = 64, SWISS_PREFETCH_AUTO_MIN_ENTRIES = 1 << 16 };

/* The groups of a table (table_alloc.c): full-size tables from huge-page chunks. */
swiss_group *swiss_groups_alloc(uint64_t ngroups);
void swiss_groups_free(swiss_group *g, uint64_t ngroups);

/* The map (map.c). */
/* cffi-cdef: begin */
swiss_map *swiss_new(uint64_t hint, uint64_t seed, bool random_seed);
void swiss_destroy(swiss_map *m);
int swiss_get(swiss_map *m, uint64_t key, uint64_t *out);       /* 1 found, 0 absent, <0 error */
int swiss_put(swiss_map *m, uint64_t key, uint64_t value);      /* 0 or <0 error */
int swiss_delete(swiss_map *m, uint64_t key);                   /* 1 deleted, 0 absent, <0 error */
/* cffi-cdef: end */
bool swiss_get_with_key(swiss_map *m, uint64_t key, uint64_t **k, uint64_t **e);
/* References (S4), inline: an iterator's set-up takes one and its release gives it
 * back, and a call each way was a fifth of a `for range { break }`'s instructions
 * beyond the classic map's. Freeing is out of line (map.c). */
void swiss_table_free(swiss_table *t);
void swiss_small_free(swiss_small *s);
static inline void swiss_table_acquire(swiss_table *t) {
    if (t) t->refs++;
}
static inline void swiss_table_release(swiss_table *t) {
    if (t && --t->refs == 0) swiss_table_free(t);
}
static inline swiss_small *swiss_small_of(swiss_group *g) {
    return (swiss_small *)((char *)g - offsetof(swiss_small, group));
}
static inline void swiss_small_acquire(swiss_group *g) {
    if (g) swiss_small_of(g)->refs++;
}
static inline void swiss_small_release(swiss_group *g) {
    if (g && --swiss_small_of(g)->refs == 0) swiss_small_free(swiss_small_of(g));
}

static inline swiss_table *swiss_directory_at(const swiss_map *m, uint64_t i) {
    return ((swiss_table **)m->dirPtr)[i];
}

/* The iterator (iter.c). */
/* cffi-cdef: begin */
int swiss_iter_init(swiss_iter *it, swiss_map *m, uint16_t prefetch);
uint16_t swiss_prefetch_for(uint64_t used);
int swiss_iter_next(swiss_iter *it);
void swiss_iter_release(swiss_iter *it);
size_t swiss_iter_batch(swiss_iter *it, bool advance_first, uint64_t *keys, uint64_t *vals,
                        size_t cap, int *err);
size_t swiss_iter_fill(swiss_iter *it, swiss_iter *saved, bool advance_first, uint64_t *keys,
                       uint64_t *vals, size_t cap, int *err);
int swiss_iter_rewind(swiss_iter *it, swiss_iter *saved, size_t steps);
bool swiss_iter_pool_check_zeroed(void);
/* cffi-cdef: end */
swiss_iter *swiss_iter_pool_get(void);
void swiss_iter_pool_put(swiss_iter *it);

/* The invariant checker and its corruption hook (check.c). swiss_check_invariants
 * returns 0 for a sound map, else n of the first broken invariant S<n> (1, 2, 3, 5,
 * 6), having written one line saying what broke where into why (why_len bytes, NUL
 * included). Read-only, safe on any state the operations above leave. */
/* cffi-cdef: begin */
int swiss_check_invariants(const swiss_map *m, char *why, size_t why_len);
int swiss_debug_corrupt(swiss_map *m, const char *what);
/* cffi-cdef: end */

/* Stats, test hooks, fill (map.c). */
/* cffi-cdef: begin */
typedef struct swiss_stats {
    uint64_t count;
    uint64_t tables;         /* distinct tables in the directory (0 for a small map) */
    uint32_t global_depth;
    uint64_t dir_len;
    uint64_t groups;         /* groups of every table, or 1 for the small map */
    uint64_t capacity;       /* slots of every table (8 for the small map) */
    uint64_t tombstones;
    uint64_t growth_left;    /* summed over the tables */
    uint64_t min_growth_left; /* of the table closest to a grow or split */
    uint64_t group_bytes;    /* groups * sizeof(swiss_group): the roofline's byte count */
    bool small;
    bool grew_while_iterating;
    uint32_t live_iterators;
    uint64_t seed;
} swiss_stats;
swiss_stats swiss_get_stats(const swiss_map *m);
void swiss_fill(swiss_map *m, uint64_t n, uint64_t key_seed);
uint64_t swiss_len(const swiss_map *m); /* O(1); swiss_get_stats walks the directory */
void swiss_debug_set_writing(swiss_map *m, bool on);
/* Test hook: the prefetch distance the iterator took (auto resolved by swiss_iter_init). */
uint16_t swiss_iter_debug_prefetch(const swiss_iter *it);
void swiss_debug_ctrl_census(const swiss_map *m, uint64_t *counts);
/* cffi-cdef: end */

/* Timed kernels (kernels.c): the classic kernels' contracts, for the Swiss map. */
/* cffi-cdef: begin */
kernel_result swiss_kernel_iterate(swiss_map *m, uint64_t loops, int storage, uint16_t prefetch);
kernel_result swiss_kernel_iter_init(swiss_map *m, uint64_t loops, int storage);
kernel_result swiss_kernel_iterate_growing(uint64_t n, uint64_t loops, int storage,
                                           uint16_t prefetch, uint64_t seed);
kernel_result swiss_kernel_insert(uint64_t n, uint64_t loops, bool hint, uint64_t seed);
kernel_result swiss_kernel_lookup(swiss_map *m, uint64_t loops, bool hit);
kernel_result swiss_kernel_delete(uint64_t n, uint64_t loops, uint64_t seed);
/* cffi-cdef: end */

/* The range-loop questions (range_kernels.c), with the classic map's contracts. */
/* cffi-cdef: begin */
inserting_run swiss_range_inserting(uint64_t n, uint32_t per, uint64_t cap, uint64_t seed);
kernel_result swiss_kernel_iterate_inserting(uint64_t n, uint64_t loops, uint32_t per,
                                             uint64_t cap, uint64_t seed);
kernel_result swiss_kernel_iterate_after_delete(uint64_t n, uint64_t loops, uint32_t deleted,
                                          bool copied, uint64_t seed);
kernel_result swiss_kernel_copy_after_delete(uint64_t n, uint64_t loops, uint32_t deleted, uint64_t seed);
kernel_result swiss_kernel_iterate_load(uint64_t n, uint64_t loops, bool before_grow, uint64_t seed);
shape_info swiss_shape_probe(uint64_t n, uint32_t shape, uint32_t arg, uint64_t seed);
kernel_result swiss_kernel_iterate_shaped(uint64_t n, uint64_t loops, uint32_t shape,
                                          uint32_t arg, uint64_t seed);
kernel_result swiss_kernel_copy_shaped(uint64_t n, uint64_t loops, uint32_t shape, uint32_t arg,
                                       uint64_t seed);
/* cffi-cdef: end */

/* Layout introspection (layout.c). */
/* cffi-cdef: begin */
size_t swiss_layout_fields(const layout_field **out);
/* cffi-cdef: end */

#endif
