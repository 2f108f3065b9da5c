/*
 * map.c: creation, lookup, insert, delete, grow, split and the directory of the Swiss
 * map, following Go 1.24's internal/runtime/maps (map.go, table.go,
 * runtime_fast64_swiss.go). See swiss.h for the data structure, its invariants and
 * who owns which memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

static void fatal(const char *msg) {
    fprintf(stderr, "mapbench: fatal error: %s\n", msg);
    abort();
}

/* Go's Map.seed is a uintptr from rand(); random_seed false fixes it (benchmarks). */
static uint64_t new_seed(void) { return fastrand64(); }

static inline uint8_t depth_to_shift(uint8_t depth) { return (uint8_t)(64 - depth); }

static inline uint64_t directory_index(const swiss_map *m, uint64_t hash) {
    if (m->dirLen == 1) return 0;
    return hash >> (m->globalShift & 63);
}

static inline void directory_set(swiss_map *m, uint64_t i, swiss_table *t) {
    ((swiss_table **)m->dirPtr)[i] = t;
}

static uint64_t align_up_pow2(uint64_t n) {
    if (n <= 1) return 1;
    return 1ull << (64 - __builtin_clzll(n - 1));
}

/* ---- tables ---------------------------------------------------------------------- */

static void reset_growth_left(swiss_table *t) {
    if (t->capacity <= SWISS_GROUP_SLOTS)
        t->growthLeft = (uint16_t)(t->capacity - 1);
    else
        t->growthLeft = (uint16_t)(t->capacity * SWISS_MAX_AVG_GROUP_LOAD / SWISS_GROUP_SLOTS);
}

/* newTable (table.go 76): capacity rounded up to a power of two, at least 8. */
_Static_assert(sizeof(swiss_table) <= 64, "a table header is one cache line (mb_calloc_aligned)");

static swiss_table *swiss_table_new(uint64_t capacity, int64_t index, uint8_t localDepth) {
    if (capacity < SWISS_GROUP_SLOTS) capacity = SWISS_GROUP_SLOTS;
    if (capacity > SWISS_MAX_TABLE_CAPACITY) fatal("initial table capacity too large");
    capacity = align_up_pow2(capacity);
    /* One cache line: the iterator's set-up reads index, capacity, groups and refs of
     * a cold header (Go's 32-byte table never straddles two lines; a 40-byte malloc'd
     * one did, half the time: +0.5 misses per set-up at 2^22). */
    swiss_table *t = mb_calloc_aligned(64, sizeof(*t));
    if (!t) return NULL;
    uint64_t ngroups = capacity / SWISS_GROUP_SLOTS;
    t->groups = swiss_groups_alloc(ngroups); /* full-size tables: huge pages, table_alloc.c */
    if (!t->groups) {
        mb_free(t);
        return NULL;
    }
    for (uint64_t i = 0; i < ngroups; i++) ctrl_set_empty(&t->groups[i]);
    t->lengthMask = ngroups - 1;
    t->capacity = (uint16_t)capacity;
    t->index = index;
    t->localDepth = localDepth;
    t->refs = 1; /* the directory's (S4) */
    reset_growth_left(t);
    return t;
}

void swiss_table_free(swiss_table *t) {
    swiss_groups_free(t->groups, t->lengthMask + 1);
    mb_free(t);
}

static inline swiss_small *small_of(swiss_group *g) {
    return swiss_small_of(g);
}

void swiss_small_free(swiss_small *s) {
    mb_free(s);
}

static inline uint16_t table_tombstones(const swiss_table *t) {
    uint16_t max = t->capacity <= SWISS_GROUP_SLOTS
                       ? (uint16_t)(t->capacity - 1)
                       : (uint16_t)(t->capacity * SWISS_MAX_AVG_GROUP_LOAD / SWISS_GROUP_SLOTS);
    return (uint16_t)(max - t->used - t->growthLeft);
}

/* ---- map lifetime ---------------------------------------------------------------- */

/* NewMap (map.go 249): hint <= 8 allocates nothing (the first insert makes the small
 * group); else enough tables of at most 1024 slots for hint entries at 7/8 load. A hint
 * too large to allocate gives an empty map, as in Go. */
swiss_map *swiss_new(uint64_t hint, uint64_t seed, bool random_seed) {
    swiss_map *m = mb_calloc(1, sizeof(*m));
    if (!m) return NULL;
    m->seed = random_seed ? new_seed() : seed;
    if (hint <= SWISS_GROUP_SLOTS) return m;
    if (hint > ((uint64_t)1 << 40)) return m; /* Go: more than maxAlloc */
    uint64_t target = hint * SWISS_GROUP_SLOTS / SWISS_MAX_AVG_GROUP_LOAD;
    uint64_t dirSize = align_up_pow2((target + SWISS_MAX_TABLE_CAPACITY - 1) / SWISS_MAX_TABLE_CAPACITY);
    swiss_table **dir = mb_calloc(dirSize, sizeof(*dir));
    if (!dir) {
        mb_free(m);
        return NULL;
    }
    m->globalDepth = (uint8_t)__builtin_ctzll(dirSize);
    m->globalShift = depth_to_shift(m->globalDepth);
    m->dirPtr = dir;
    m->dirLen = (int64_t)dirSize;
    for (uint64_t i = 0; i < dirSize; i++) {
        dir[i] = swiss_table_new(target / dirSize, (int64_t)i, m->globalDepth);
        if (!dir[i]) {
            swiss_destroy(m);
            return NULL;
        }
    }
    return m;
}

void swiss_destroy(swiss_map *m) {
    if (!m) return;
    if (m->dirLen == 0) {
        swiss_small_release(m->dirPtr);
    } else {
        swiss_table *last = NULL;
        for (int64_t i = 0; i < m->dirLen; i++) {
            swiss_table *t = swiss_directory_at(m, (uint64_t)i);
            if (t == last || t == NULL) continue; /* NULL: a failed swiss_new */
            swiss_table_release(t);
            last = t;
        }
        mb_free(m->dirPtr);
    }
    mb_free(m);
}

/* ---- directory ------------------------------------------------------------------- */

/* replaceTable (map.go 365): nt takes every entry that its index and depth cover. */
static void replace_table(swiss_map *m, swiss_table *nt) {
    uint64_t entries = 1ull << (m->globalDepth - nt->localDepth);
    for (uint64_t i = 0; i < entries; i++) directory_set(m, (uint64_t)nt->index + i, nt);
}

/* installTableSplit (map.go 372): the directory doubles first when the old table used
 * a single entry; every table's index doubles with it (S1). */
static void install_table_split(swiss_map *m, swiss_table *old, swiss_table *left,
                                swiss_table *right) {
    if (old->localDepth == m->globalDepth) {
        uint64_t n = (uint64_t)m->dirLen;
        swiss_table **nd = mb_malloc(2 * n * sizeof(*nd));
        if (!nd) fatal("out of memory");
        for (uint64_t i = 0; i < n; i++) {
            swiss_table *t = swiss_directory_at(m, i);
            nd[2 * i] = t;
            nd[2 * i + 1] = t;
            if (t->index == (int64_t)i) t->index = (int64_t)(2 * i);
        }
        mb_free(m->dirPtr);
        m->globalDepth++;
        m->globalShift--;
        m->dirPtr = nd;
        m->dirLen = (int64_t)(2 * n);
    }
    left->index = old->index;
    replace_table(m, left);
    uint64_t entries = 1ull << (m->globalDepth - left->localDepth);
    right->index = left->index + (int64_t)entries;
    replace_table(m, right);
}

/* uncheckedPutSlot (table.go 318): an entry known to be absent into a table with room
 * and no tombstones' concern (a fresh table). */
static void swiss_unchecked_put_slot(swiss_table *t, uint64_t hash, uint64_t key, uint64_t elem) {
    if (t->growthLeft == 0) fatal("invariant failed: growthLeft is unexpectedly 0");
    for (probe_seq s = probe_start(hash, t->lengthMask);; probe_next(&s)) {
        swiss_group *g = &t->groups[s.offset];
        bitset match = match_empty_or_deleted(ctrl_word(g));
        if (match) {
            unsigned i = bitset_first(match);
            g->slots[i].key = key;
            g->slots[i].elem = elem;
            t->growthLeft--;
            t->used++;
            g->ctrl[i] = h2(hash);
            return;
        }
    }
}

static void note_rebuild(swiss_map *m) {
    if (m->liveIters) m->grewWhileIterating = 1;
}

/* grow (table.go 1090): a table of twice the capacity with the same index and depth
 * replaces t; tombstones are dropped. t stays readable for iterators that hold it. */
static MB_NOINLINE void swiss_table_grow(swiss_map *m, swiss_table *t, uint16_t newCapacity) {
    swiss_table *nt = swiss_table_new(newCapacity, t->index, t->localDepth);
    if (!nt) fatal("out of memory");
    for (uint64_t i = 0; i <= t->lengthMask; i++) {
        swiss_group *g = &t->groups[i];
        for (unsigned j = 0; j < SWISS_GROUP_SLOTS; j++) {
            if ((g->ctrl[j] & CTRL_EMPTY) == CTRL_EMPTY) continue;
            uint64_t key = g->slots[j].key;
            swiss_unchecked_put_slot(nt, hash64(key, m->seed), key, g->slots[j].elem);
        }
    }
    replace_table(m, nt);
    t->index = -1;
    t->writes++; /* I2: iterators on t leave the fast path (and stay off it: stale) */
    note_rebuild(m);
    swiss_table_release(t); /* the directory's reference */
}

/* split (table.go 1040): two tables of the maximum capacity, one localDepth deeper;
 * the entries go left or right by the hash bit just below the old depth's bits. */
static MB_NOINLINE void swiss_table_split(swiss_map *m, swiss_table *t) {
    uint8_t localDepth = (uint8_t)(t->localDepth + 1);
    swiss_table *left = swiss_table_new(SWISS_MAX_TABLE_CAPACITY, -1, localDepth);
    swiss_table *right = swiss_table_new(SWISS_MAX_TABLE_CAPACITY, -1, localDepth);
    if (!left || !right) fatal("out of memory");
    uint64_t mask = 1ull << (64 - localDepth);
    for (uint64_t i = 0; i <= t->lengthMask; i++) {
        swiss_group *g = &t->groups[i];
        for (unsigned j = 0; j < SWISS_GROUP_SLOTS; j++) {
            if ((g->ctrl[j] & CTRL_EMPTY) == CTRL_EMPTY) continue;
            uint64_t key = g->slots[j].key;
            uint64_t hash = hash64(key, m->seed);
            swiss_unchecked_put_slot((hash & mask) == 0 ? left : right, hash, key, g->slots[j].elem);
        }
    }
    install_table_split(m, t, left, right);
    t->index = -1;
    t->writes++; /* I2: iterators on t leave the fast path (and stay off it: stale) */
    note_rebuild(m);
    swiss_table_release(t);
}

/* rehash (table.go 1026): double while within the maximum capacity, else split. */
static void swiss_table_rehash(swiss_map *m, swiss_table *t) {
    uint32_t newCapacity = 2u * t->capacity;
    if (newCapacity <= SWISS_MAX_TABLE_CAPACITY)
        swiss_table_grow(m, t, (uint16_t)newCapacity);
    else
        swiss_table_split(m, t);
}

/* growToSmall (map.go 621): the small map's single group. */
static void grow_to_small(swiss_map *m) {
    swiss_small *s = mb_malloc(sizeof(*s));
    if (!s) fatal("out of memory");
    s->refs = 1;
    ctrl_set_empty(&s->group);
    m->dirPtr = &s->group;
}

/* growToTable (map.go 631): the 9th insert moves the small group into a 16-slot table
 * behind a one-entry directory. */
static MB_NOINLINE void swiss_grow_to_table(swiss_map *m) {
    swiss_table *t = swiss_table_new(2 * SWISS_GROUP_SLOTS, 0, 0);
    swiss_table **dir = mb_malloc(sizeof(*dir));
    if (!t || !dir) fatal("out of memory");
    swiss_group *g = m->dirPtr;
    for (unsigned i = 0; i < SWISS_GROUP_SLOTS; i++) {
        if ((g->ctrl[i] & CTRL_EMPTY) == CTRL_EMPTY) continue;
        uint64_t key = g->slots[i].key;
        swiss_unchecked_put_slot(t, hash64(key, m->seed), key, g->slots[i].elem);
    }
    dir[0] = t;
    m->dirPtr = dir;
    m->dirLen = 1;
    m->globalDepth = 0;
    m->globalShift = depth_to_shift(0);
    note_rebuild(m);
    swiss_small_release(g); /* the map's reference; an iterator may hold another */
}

/* ---- lookup ---------------------------------------------------------------------- */

/* The slot of key among the slots of g whose control byte is h (w: g's control word),
 * or NULL: every lookup, insert and delete checks a group's h2 matches so. */
static inline swiss_slot *group_match(swiss_group *g, uint64_t w, uint8_t h, uint64_t key) {
    for (bitset match = match_h2(w, h); match; match = bitset_remove_first(match)) {
        unsigned i = bitset_first(match);
        if (g->slots[i].key == key) return &g->slots[i];
    }
    return NULL;
}

/* The slot of key in table t, or NULL (getWithKey, table.go 140). Ours: the first
 * group's other two cache lines are prefetched while its control word loads, so in a
 * table that is not in cache the key compare does not wait for a second miss after
 * the match (a group is 136 bytes; its slots after the first three or so sit on the
 * next lines). */
static inline swiss_slot *table_find(swiss_table *t, uint64_t hash, uint64_t key) {
    uint8_t h = h2(hash);
    const char *first = (const char *)&t->groups[h1(hash) & t->lengthMask];
    __builtin_prefetch(first + 64, 0, 3);
    __builtin_prefetch(first + sizeof(swiss_group) - 1, 0, 3);
    for (probe_seq s = probe_start(hash, t->lengthMask);; probe_next(&s)) {
        swiss_group *g = &t->groups[s.offset];
        uint64_t w = ctrl_word(g);
        swiss_slot *found = group_match(g, w, h, key);
        if (found) return found;
        if (match_empty(w)) return NULL;
    }
}

/* The small map without hashing (runtime_mapaccess2_fast64, fast64 path): compare the
 * key of every full slot. */
static inline swiss_slot *small_find(swiss_group *g, uint64_t key) {
    for (bitset full = match_full(ctrl_word(g)); full; full = bitset_remove_first(full)) {
        unsigned i = bitset_first(full);
        if (g->slots[i].key == key) return &g->slots[i];
    }
    return NULL;
}

static inline swiss_slot *map_find(swiss_map *m, uint64_t key) {
    if (m->dirLen == 0) return small_find(m->dirPtr, key);
    uint64_t hash = hash64(key, m->seed);
    return table_find(swiss_directory_at(m, directory_index(m, hash)), hash, key);
}

/* runtime_mapaccess2_fast64 (runtime_fast64_swiss.go 72). */
MB_NOINLINE int swiss_get(swiss_map *m, uint64_t key, uint64_t *out) {
    if (m->used == 0) return 0;
    if (m->writing != 0) return -MAP_ERR_READ_WRITE;
    swiss_slot *s = map_find(m, key);
    if (!s) return 0;
    *out = s->elem;
    return 1;
}

/* getWithKey (map.go 419): what the iterator uses to re-find a key in the live map. */
MB_NOINLINE bool swiss_get_with_key(swiss_map *m, uint64_t key, uint64_t **k, uint64_t **e) {
    if (m->used == 0) return false;
    swiss_slot *s = map_find(m, key);
    if (!s) return false;
    *k = &s->key;
    *e = &s->elem;
    return true;
}

/* ---- insert ---------------------------------------------------------------------- */

/* putSlotSmallFast64 (runtime_fast64_swiss.go 150). */
static swiss_slot *small_put_slot(swiss_map *m, uint64_t hash, uint64_t key) {
    swiss_group *g = m->dirPtr;
    uint64_t w = ctrl_word(g);
    swiss_slot *found = group_match(g, w, h2(hash), key);
    if (found) return found;
    bitset match = match_empty_or_deleted(w);
    if (!match) fatal("small map with no empty slot (concurrent map writes?)");
    unsigned i = bitset_first(match);
    g->slots[i].key = key;
    g->ctrl[i] = h2(hash);
    m->used++;
    return &g->slots[i];
}

/* The table part of runtime_mapassign_fast64 (runtime_fast64_swiss.go 210): the slot
 * of key, found or claimed, or NULL after a rehash (the caller looks again). The first
 * tombstone on the probe path is reused only once the key is known to be absent, i.e.
 * at the first group with an EMPTY slot (S3). */
static swiss_slot *table_put_slot(swiss_map *m, swiss_table *t, uint64_t hash, uint64_t key) {
    uint8_t h = h2(hash);
    swiss_group *firstDeletedGroup = NULL;
    unsigned firstDeletedSlot = 0;
    for (probe_seq s = probe_start(hash, t->lengthMask);; probe_next(&s)) {
        swiss_group *g = &t->groups[s.offset];
        uint64_t w = ctrl_word(g);
        swiss_slot *found = group_match(g, w, h, key);
        if (found) return found;
        bitset match = match_empty_or_deleted(w);
        if (!match) continue; /* nothing but full slots: keep probing */
        unsigned i = bitset_first(match);
        if (g->ctrl[i] == CTRL_DELETED) {
            if (!firstDeletedGroup) {
                firstDeletedGroup = g;
                firstDeletedSlot = i;
            }
            /* As Go: probe on even if a later slot of g is EMPTY (then the key is
             * absent by S3, and the next EMPTY found sends us back here). */
            continue;
        }
        if (firstDeletedGroup) {
            g = firstDeletedGroup;
            i = firstDeletedSlot;
            t->growthLeft++; /* reusing a tombstone costs no growth */
        }
        if (t->growthLeft > 0) {
            g->slots[i].key = key;
            g->ctrl[i] = h;
            t->growthLeft--;
            t->used++;
            m->used++;
            t->writes++; /* I2: an iterator on t may have this slot ahead of it */
            return &g->slots[i];
        }
        swiss_table_rehash(m, t);
        return NULL;
    }
}

/* runtime_mapassign_fast64 (runtime_fast64_swiss.go 187). */
MB_NOINLINE int swiss_put(swiss_map *m, uint64_t key, uint64_t value) {
    if (m->writing != 0) return -MAP_ERR_CONCURRENT_WRITES;
    uint64_t hash = hash64(key, m->seed);
    m->writing ^= 1; /* after hashing, as Go */
    if (m->dirPtr == NULL) grow_to_small(m);
    swiss_slot *slot = NULL;
    if (m->dirLen == 0) {
        /* As Go: a full small group becomes a table even if key is in it. */
        if (m->used < SWISS_GROUP_SLOTS)
            slot = small_put_slot(m, hash, key);
        else
            swiss_grow_to_table(m);
    }
    while (slot == NULL) {
        swiss_table *t = swiss_directory_at(m, directory_index(m, hash));
        slot = table_put_slot(m, t, hash, key);
    }
    slot->elem = value;
    if (m->writing == 0) return -MAP_ERR_CONCURRENT_WRITES;
    m->writing ^= 1;
    return MAP_OK;
}

/* ---- delete ---------------------------------------------------------------------- */

/* table.Delete (table.go 366): the slot becomes EMPTY if its group has an EMPTY slot
 * (no probe sequence continues past this group, S3), else a DELETED tombstone. */
static int table_delete(swiss_map *m, swiss_table *t, uint64_t hash, uint64_t key) {
    uint8_t h = h2(hash);
    for (probe_seq s = probe_start(hash, t->lengthMask);; probe_next(&s)) {
        swiss_group *g = &t->groups[s.offset];
        uint64_t w = ctrl_word(g);
        swiss_slot *found = group_match(g, w, h, key);
        if (found) {
            unsigned i = (unsigned)(found - g->slots);
            t->used--;
            m->used--;
            g->slots[i].elem = 0;
            if (match_empty(w)) {
                g->ctrl[i] = CTRL_EMPTY;
                t->growthLeft++;
            } else {
                g->ctrl[i] = CTRL_DELETED;
            }
            return 1;
        }
        if (match_empty(w)) return 0;
    }
}

/* deleteSmall (map.go 709): the small map never keeps tombstones. */
static int small_delete(swiss_map *m, uint64_t hash, uint64_t key) {
    swiss_group *g = m->dirPtr;
    swiss_slot *found = group_match(g, ctrl_word(g), h2(hash), key);
    if (!found) return 0;
    unsigned i = (unsigned)(found - g->slots);
    m->used--;
    g->slots[i].elem = 0;
    g->ctrl[i] = CTRL_EMPTY;
    return 1;
}

/* Map.Delete (map.go 676). */
MB_NOINLINE int swiss_delete(swiss_map *m, uint64_t key) {
    if (m->used == 0) return 0;
    if (m->writing != 0) return -MAP_ERR_CONCURRENT_WRITES;
    uint64_t hash = hash64(key, m->seed);
    m->writing ^= 1;
    int found;
    if (m->dirLen == 0)
        found = small_delete(m, hash, key);
    else
        found = table_delete(m, swiss_directory_at(m, directory_index(m, hash)), hash, key);
    /* Go reseeds an emptied map. Safe for a directory too: entries are placed by the
     * seed only when they are inserted, and there are none. */
    if (m->used == 0) m->seed = new_seed();
    if (m->writing == 0) return -MAP_ERR_CONCURRENT_WRITES;
    m->writing ^= 1;
    return found;
}

/* ---- helpers for the wrapper, kernels and tests ---------------------------------- */

void swiss_debug_set_writing(swiss_map *m, bool on) { m->writing = on ? 1 : 0; }

/* Test hook: how many slots of the live map hold each control byte; counts must have
 * 256 entries. */
void swiss_debug_ctrl_census(const swiss_map *m, uint64_t *counts) {
    if (m->dirPtr == NULL) return;
    if (m->dirLen == 0) {
        const swiss_group *g = m->dirPtr;
        for (unsigned s = 0; s < SWISS_GROUP_SLOTS; s++) counts[g->ctrl[s]]++;
        return;
    }
    const swiss_table *last = NULL;
    for (int64_t i = 0; i < m->dirLen; i++) {
        const swiss_table *t = swiss_directory_at(m, (uint64_t)i);
        if (t == last) continue;
        last = t;
        for (uint64_t gi = 0; gi <= t->lengthMask; gi++)
            for (unsigned s = 0; s < SWISS_GROUP_SLOTS; s++) counts[t->groups[gi].ctrl[s]]++;
    }
}

swiss_stats swiss_get_stats(const swiss_map *m) {
    swiss_stats s;
    memset(&s, 0, sizeof(s));
    s.count = m->used;
    s.global_depth = m->globalDepth;
    s.dir_len = (uint64_t)m->dirLen;
    s.seed = m->seed;
    s.grew_while_iterating = m->grewWhileIterating != 0;
    s.live_iterators = m->liveIters;
    if (m->dirLen == 0) {
        s.small = m->dirPtr != NULL;
        if (s.small) {
            s.groups = 1;
            s.capacity = SWISS_GROUP_SLOTS;
            s.growth_left = SWISS_GROUP_SLOTS - m->used;
            s.min_growth_left = s.growth_left;
        }
    } else {
        const swiss_table *last = NULL;
        s.min_growth_left = UINT64_MAX;
        for (int64_t i = 0; i < m->dirLen; i++) {
            const swiss_table *t = swiss_directory_at(m, (uint64_t)i);
            if (t == last) continue;
            last = t;
            if (t->growthLeft < s.min_growth_left) s.min_growth_left = t->growthLeft;
            s.tables++;
            s.groups += t->lengthMask + 1;
            s.capacity += t->capacity;
            s.tombstones += table_tombstones(t);
            s.growth_left += t->growthLeft;
        }
    }
    s.group_bytes = s.groups * sizeof(swiss_group);
    return s;
}

uint64_t swiss_len(const swiss_map *m) { return m->used; }

void swiss_fill(swiss_map *m, uint64_t n, uint64_t key_seed) {
    for (uint64_t i = 0; i < n; i++) swiss_put(m, stream_key(key_seed, i), i);
}
