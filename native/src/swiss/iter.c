/*
 * iter.c: the Swiss map's iterator (Go 1.24 maps.Iter: Init and Next, table.go
 * 505-1004) and its pool.
 *
 * An iteration draws two random numbers: entryOffset (where the walk of every table
 * starts: slot (entryIdx + entryOffset) & (capacity - 1)) and dirOffset (where the
 * walk of the directory starts). It walks the directory entries from dirOffset and
 * visits a table that fills several entries once (the step skips its other entries,
 * whose number it recomputes from the live globalDepth; dirIdx and dirOffset are
 * shifted when the directory has doubled since). A table is walked by chunks of up to
 * 64 slots (swiss.h I1); every step reads the candidate's control byte again, so an
 * entry deleted between two steps is never returned. When the table being
 * walked has been inserted into since its chunk was entered, the chunk's bits are read
 * again past the last entry returned (swiss.h I2), so fresh keys ahead of the walk are
 * returned as Go returns them. When the table being
 * walked has been replaced by a grow or a split (index -1), the iterator goes on
 * walking it and looks every key up in the live map: skipped if deleted, the live
 * value otherwise. The small map's group is walked the same way once the map has
 * grown into a table.
 *
 * Memory (swiss.h S4): the iterator holds a reference on the table it walks (it->tab),
 * or on the small group (it->group while dirIdx < 0), and gives it back when it moves
 * on, reaches the end, or is released. While it holds one it counts in
 * m->liveIters (stats only).
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "group.h"
#include "iter_batch.h"
#include "iter_pool.h"
#include "iter_next.h"

static inline void prefetch_group(const swiss_group *g) {
    const char *p = (const char *)g;
    __builtin_prefetch(p, 0, 3);
    __builtin_prefetch(p + 64, 0, 3);
    __builtin_prefetch(p + sizeof(swiss_group) - 1, 0, 3);
}

void swiss_iter_release(swiss_iter *it) {
    swiss_iter_release_inline(it);
}

static int finish(swiss_iter *it) {
    it->key = NULL;
    it->elem = NULL;
    swiss_iter_release(it);
    return MAP_OK;
}

/* The distance prefetch="auto" picks for a map of `used` entries (swiss.h). */
uint16_t swiss_prefetch_for(uint64_t used) {
    return used >= SWISS_PREFETCH_AUTO_MIN_ENTRIES ? SWISS_PREFETCH_AUTO_DISTANCE : 0;
}

static inline void enter_group(swiss_iter *it, const swiss_table *t);
static void prefetch_one_group_ahead(const swiss_iter *it, const swiss_table *t);
static inline bool take_next_candidate(swiss_iter *it, bool grown);

static inline uint64_t full_slots(const swiss_group *g);

/* The set-up's first step without software prefetch (the `for range { break }`): what
 * enter_group and take_next_candidate do for the start group and, where it has no full
 * slot at or after the start slot, the next one, in registers, each field of the
 * iterator written once. The same state as theirs: the start group's chunk covers its
 * slots from the start slot on (8 - from <= capacity: never the wrap), the next
 * group's starts at its slot 0 and stops at the wrap (capacity 8: the start group's
 * slots before the start slot). A directory entry's table is live (index >= 0), so
 * tab_writes_seen is t->writes; no write can come between reading a group's control
 * word and taking its full slot, so the control byte is not read twice. */
static int first_groups(swiss_iter *it, const swiss_table *t) {
    uint64_t mask = (uint64_t)t->capacity - 1;
    uint64_t e = it->entryOffset & mask; /* the start slot */
    swiss_group *g = &t->groups[e >> SWISS_GROUP_SLOTS_BITS];
    prefetch_group(g);
    unsigned from = (unsigned)(e & (SWISS_GROUP_SLOTS - 1));
    uint64_t entryIdx = SWISS_GROUP_SLOTS - from;
    uint64_t match = full_slots(g) & (0xffull << from);
    it->tabWrites = t->writes;
    if (__builtin_expect(match == 0, 0) && entryIdx <= mask) {
        g = &t->groups[((e + entryIdx) & mask) >> SWISS_GROUP_SLOTS_BITS];
        uint64_t covered = mask + 1 - entryIdx < SWISS_GROUP_SLOTS ? mask + 1 - entryIdx : SWISS_GROUP_SLOTS;
        match = full_slots(g) & ((1ull << covered) - 1);
        entryIdx += covered;
    }
    it->group = g;
    it->entryIdx = entryIdx;
    if (__builtin_expect(match == 0, 0)) {
        it->match = 0;
        return swiss_iter_next_slow(it);
    }
    unsigned j = (unsigned)__builtin_ctzll(match);
    it->match = match & (match - 1);
    it->key = &g->slots[j].key;
    it->elem = &g->slots[j].elem;
    return MAP_OK;
}

/* Iter.Init (table.go 556); like mapIterStart, then the first Next. The first Next of
 * a map with a directory is done here, inline: what swiss_iter_next_slow does on its
 * first call (the table at the random directory entry, its first chunk, the start
 * group, see enter_chunk), without the call chain and the checks that cannot fail
 * there (no chunk yet, no replaced table: a directory entry is live, the depth read
 * just now). About 60 of the 350 instructions of a `for range { break }`. A start
 * group without an entry past the start slot, a small map and a map being written
 * go on in the general step, as before. */
MB_NOINLINE int swiss_iter_init(swiss_iter *it, swiss_map *m, uint16_t prefetch) {
    it->key = NULL;
    it->elem = NULL;
    it->m = NULL;
    it->tab = NULL;
    it->group = NULL;
    it->entryIdx = 0;
    it->match = 0;
    it->dirIdx = 0;
    if (prefetch == SWISS_PREFETCH_AUTO) prefetch = swiss_prefetch_for(m ? m->used : 0);
    it->prefetch = prefetch;
    if (m == NULL || m->used == 0) return MAP_OK;
    it->m = m;
    it->entryOffset = fastrand64();
    it->dirOffset = fastrand64();
    it->globalDepth = m->globalDepth;
    it->clearSeq = m->clearSeq;
    if (m->dirLen <= 0) {
        it->dirIdx = -1;
        it->group = m->dirPtr;
        swiss_small_acquire(it->group);
    }
    m->liveIters++;
    if (m->dirLen <= 0 || m->writing != 0) return swiss_iter_next(it);
    int64_t dirIdx = (int64_t)(it->dirOffset & (uint64_t)(m->dirLen - 1)); /* it->dirIdx is 0 */
    swiss_table *t = swiss_directory_at(m, (uint64_t)dirIdx);
    if (t->index != dirIdx) it->dirOffset -= (uint64_t)(dirIdx - t->index); /* as the slow path */
    it->tab = t;
    swiss_table_acquire(t);
    if (prefetch == 0) return first_groups(it, t);
    prefetch_one_group_ahead(it, t);
    enter_group(it, t);
    if (take_next_candidate(it, false)) return MAP_OK;
    /* The next group, as the slow path's first step would enter it (nothing it checks
     * can have changed since: the map is not being written, the table is live, the
     * depth and t->writes were read just now). */
    if (it->entryIdx < t->capacity) {
        if (__builtin_expect(prefetch != 0, 0)) prefetch_one_group_ahead(it, t);
        enter_group(it, t);
        if (take_next_candidate(it, false)) return MAP_OK;
    }
    return swiss_iter_next_slow(it);
}

/* The entry at slot i of group g: set key/elem, looking the key up in the live map if
 * g belongs to a replaced table (or the old small group). false: the key was deleted
 * since, skip it. uint64 keys are never NaN, so Go's clearSeq test for keys not equal
 * to themselves never applies. */
static inline bool take_entry(swiss_iter *it, swiss_group *g, unsigned i, bool grown) {
    swiss_slot *s = &g->slots[i];
    if (!grown) {
        it->key = &s->key;
        it->elem = &s->elem;
        return true;
    }
    return swiss_get_with_key(it->m, s->key, &it->key, &it->elem);
}

/* The small map's group (Next, table.go 656-705). */
static int swiss_iter_next_small(swiss_iter *it) {
    bool grown = it->m->dirLen > 0;
    for (; it->entryIdx < SWISS_GROUP_SLOTS; it->entryIdx++) {
        unsigned k = (unsigned)((it->entryIdx + it->entryOffset) % SWISS_GROUP_SLOTS);
        if ((it->group->ctrl[k] & CTRL_EMPTY) == CTRL_EMPTY) continue;
        if (!take_entry(it, it->group, k, grown)) continue;
        it->entryIdx++;
        return MAP_OK;
    }
    return finish(it);
}

/* nextDirIdx (table.go 600): skip the other entries of the table just walked. */
static void next_dir_idx(swiss_iter *it) {
    int64_t entries = (int64_t)1 << (it->m->globalDepth - it->tab->localDepth);
    it->dirIdx += entries;
    swiss_table_release(it->tab);
    it->tab = NULL;
    it->group = NULL;
    it->match = 0;
    it->entryIdx = 0;
}

/* The full slots of g as 8 bits, bit i for slot i. */
static inline uint64_t full_slots(const swiss_group *g) {
    uint64_t full = match_full(ctrl_word(g)) >> 7; /* bit 8i per full slot */
    return (full * 0x0102040810204080ull) >> 56;
}

/* The full slots of the 8 groups from g, bit 8i + k for slot k of group i. SSE2 (every
 * x86-64; Go's amd64 group code uses it too): two control words per register, one
 * movemask for 16 slots' high bits (set: empty or deleted). */
static inline uint64_t full_slots_8(const swiss_group *g) {
#if defined(__SSE2__)
#define PAIR(i) ((uint64_t)(unsigned)_mm_movemask_epi8(_mm_unpacklo_epi64(                 \
        _mm_loadl_epi64((const __m128i *)g[i].ctrl), _mm_loadl_epi64((const __m128i *)g[i + 1].ctrl))) \
                      << (8 * i))
    return ~(PAIR(0) | PAIR(2) | PAIR(4) | PAIR(6));
#undef PAIR
#else
    uint64_t match = 0;
    for (unsigned i = 0; i < 8; i++) match |= full_slots(&g[i]) << (SWISS_GROUP_SLOTS * i);
    return match;
#endif
}

/* The table the walk visits after t (the directory entry that follows t's run), or
 * NULL where t is the last one or the directory changed since the last step (the
 * next step sorts that out). For prefetching only. */
static const swiss_table *next_table(const swiss_iter *it, const swiss_table *t) {
    const swiss_map *m = it->m;
    if (it->globalDepth != m->globalDepth || t->index < 0) return NULL;
    int64_t pos = it->dirIdx + ((int64_t)1 << (m->globalDepth - t->localDepth));
    if (pos >= m->dirLen) return NULL;
    return swiss_directory_at(m, ((uint64_t)pos + it->dirOffset) & (uint64_t)(m->dirLen - 1));
}

/* walk_group: the group at walk position pos (in groups from the group where the walk
 * of t starts, wrapping) of t. group_ahead: the same or, past the end of t's walk, the
 * next table's: the software prefetch runs `prefetch` groups ahead of the walk across
 * the jump to another table, as it does inside one. *nt caches the next table (looked
 * up once per chunk). */
static inline const swiss_group *walk_group(const swiss_iter *it, const swiss_table *t, uint64_t pos) {
    uint64_t start = (it->entryOffset & (t->capacity - 1u)) >> SWISS_GROUP_SLOTS_BITS;
    return &t->groups[(start + pos) & t->lengthMask];
}

static inline const swiss_group *group_ahead(const swiss_iter *it, const swiss_table *t, uint64_t pos,
                                      const swiss_table **nt, bool *looked) {
    uint64_t tgroups = t->lengthMask + 1;
    if (pos < tgroups) return walk_group(it, t, pos);
    if (!*looked) {
        *nt = next_table(it, t);
        *looked = true;
    }
    return *nt == NULL ? NULL : walk_group(it, *nt, pos - tgroups);
}

/* The software prefetch of a chunk of ngroups groups being entered (it->prefetch set):
 * each group entered prefetches the group `prefetch` groups further on the walk
 * (group_ahead), and the first chunk of a table prefetches the header of the next
 * table, whose groups pointer group_ahead reads near the end of this one. Always
 * inlined: a separate function that only reads and prefetches looks pure to GCC, which
 * then deletes its calls (a void pure call is dead code), and the prefetch with them. */
static inline __attribute__((always_inline)) void prefetch_chunk_ahead(const swiss_iter *it, const swiss_table *t, uint64_t ngroups) {
    const swiss_table *nt = NULL;
    bool looked = false;
    if (it->entryIdx == 0) {
        const swiss_table *next = next_table(it, t);
        if (next) __builtin_prefetch(next, 0, 3); /* one line (map.c: aligned headers) */
    }
    /* The walk position, in groups, of this chunk: entryIdx counts the slots walked
     * so far (not g0's distance from the start group: the first chunk holds groups
     * the walk visits last, before the start slot). */
    uint64_t ahead = (it->entryIdx >> SWISS_GROUP_SLOTS_BITS) + it->prefetch;
    const swiss_group *a = group_ahead(it, t, ahead, &nt, &looked);
    const swiss_group *b = group_ahead(it, t, ahead + ngroups - 1, &nt, &looked);
    if (ngroups == 8 && a && b == a + 7) {
        /* The common case: 8 groups of one table, one run of memory: each of its
         * lines once (8 groups are 17 lines, 18 where the run starts mid-line). */
        const char *p = (const char *)((uintptr_t)a & ~(uintptr_t)63);
        for (unsigned k = 0; k < 18; k++) __builtin_prefetch(p + 64 * k, 0, 3);
    } else {
        for (uint64_t i = 0; i < ngroups; i++) {
            const swiss_group *g = group_ahead(it, t, ahead + i, &nt, &looked);
            if (g) prefetch_group(g);
        }
    }
}

/* Enter the next chunk of t (INVARIANT I1): the up to 64 slots of the aligned run
 * of groups that holds the slot at entryIdx, from that slot on and, where the walk
 * wraps back into its first chunk, only up to the slot it started at. The walk's
 * first two chunks are one group each, the start group (from the start slot) and
 * the next: Go's first Next reads the start group's control word, and the next
 * group's where the start group has no entry at or after the start slot (often: an
 * insert takes a group's lowest empty slot, so its entries sit low). At a large n
 * every group's control word is a cold line of its own, and entering 8 groups made a
 * `for range { break }` wait for 8 lines where Go's waits for 1 or 2 (count pass,
 * 2^22: 8.5 of its 11.4 D1 misses per set-up). */
/* The snapshot of t->writes an iterator keeps (I2): t->writes while t is live; for a
 * replaced table, which is never written again, a value it never equals, so that every
 * step on it takes the slow path and looks its key up in the live map. */
static inline uint32_t tab_writes_seen(const swiss_table *t) {
    return t->writes - (t->index < 0);
}

/* The one-group chunk's prefetch, out of line (noipa: GCC must not find it pure and
 * delete the call), so enter_group stays a small leaf for the set-up. */
__attribute__((noinline, noipa)) static void prefetch_one_group_ahead(const swiss_iter *it,
                                                                      const swiss_table *t) {
    prefetch_chunk_ahead(it, t, 1);
}

/* The walk's first or second chunk of t (it->entryIdx <= 8: the first ends at a group's
 * end): one group, from the slot at entryIdx on. A leaf without calls, inlined into
 * the set-up: its callers run the software prefetch (prefetch_one_group_ahead) first. */
static inline __attribute__((always_inline)) void enter_group(swiss_iter *it, const swiss_table *t) {
    uint64_t capacity = t->capacity;
    uint64_t e = (it->entryIdx + it->entryOffset) & (capacity - 1); /* the slot at entryIdx */
    swiss_group *g = &t->groups[e >> SWISS_GROUP_SLOTS_BITS];
    /* The start group: request its slot lines with its control word, so the entry's
     * read after the control byte's is not a second miss in a row (a `for range
     * { break }` pays one memory latency for the group, not two). */
    if (it->entryIdx == 0) prefetch_group(g);
    uint64_t from = e & (SWISS_GROUP_SLOTS - 1);
    uint64_t covered = SWISS_GROUP_SLOTS - from;
    if (covered > capacity - it->entryIdx) covered = capacity - it->entryIdx; /* the wrap */
    uint64_t match = full_slots(g) >> from;
    it->match = (match & ((1ull << covered) - 1)) << from;
    it->group = g;
    it->entryIdx += covered;
    it->tabWrites = tab_writes_seen(t);
}

static void enter_chunk(swiss_iter *it, const swiss_table *t) {
    if (it->entryIdx <= SWISS_GROUP_SLOTS) {
        if (it->prefetch) prefetch_one_group_ahead(it, t);
        enter_group(it, t);
        return;
    }
    uint64_t capacity = t->capacity, mask = capacity - 1;
    uint64_t e = (it->entryIdx + it->entryOffset) & mask; /* the slot at entryIdx */
    uint64_t chunkSlots = capacity < ITER_CHUNK_SLOTS ? capacity : ITER_CHUNK_SLOTS;
    uint64_t first = e & ~(chunkSlots - 1), from = e - first;
    uint64_t g0 = first >> SWISS_GROUP_SLOTS_BITS, ngroups = chunkSlots >> SWISS_GROUP_SLOTS_BITS;
    uint64_t match = 0;
    if (ngroups == 8) {
        match = full_slots_8(&t->groups[g0]);
    } else {
        for (uint64_t i = 0; i < ngroups; i++)
            match |= full_slots(&t->groups[g0 + i]) << (SWISS_GROUP_SLOTS * i);
    }
    if (it->prefetch) prefetch_chunk_ahead(it, t, ngroups);
    uint64_t covered = chunkSlots - from;
    if (covered > capacity - it->entryIdx) covered = capacity - it->entryIdx; /* the wrap */
    match >>= from;
    if (covered < 64) match &= (1ull << covered) - 1;
    it->match = match << from;
    it->group = &t->groups[g0];
    it->entryIdx += covered;
    it->tabWrites = tab_writes_seen(t);
}

/* I2: entries were inserted into it->tab since the chunk's bits were read. Read the
 * chunk's control bytes again and keep, as candidates, the full slots past the entry
 * last returned (it->key: a slot of this chunk, since the table was live when it was
 * returned) up to the chunk's last slot of the walk. Go's walk reads every slot's
 * control byte when it gets there, so it returns those entries; the slots behind the
 * walk it does not revisit, nor does this. */
static void refresh_chunk(swiss_iter *it) {
    const swiss_table *t = it->tab;
    it->tabWrites = tab_writes_seen(t);
    uint64_t mask = (uint64_t)t->capacity - 1;
    uint64_t chunkSlots = t->capacity < ITER_CHUNK_SLOTS ? t->capacity : ITER_CHUNK_SLOTS;
    uint64_t first = (uint64_t)(it->group - t->groups) << SWISS_GROUP_SLOTS_BITS;
    uint64_t end = ((it->entryIdx - 1 + it->entryOffset) & mask) - first; /* the chunk's last */
    /* The chunk's groups: from it->group to the one holding its last slot (one for the
     * walk's first two chunks, enter_group, whose it->group need not start a run). */
    uint64_t ngroups = (end < chunkSlots ? end : chunkSlots - 1) / SWISS_GROUP_SLOTS + 1;
    const char *base = (const char *)it->group, *k = (const char *)it->key;
    if (k == NULL || k < base || k >= base + ngroups * sizeof(swiss_group)) return;
    uint64_t off = (uint64_t)(k - base);
    uint64_t last = off / sizeof(swiss_group) * SWISS_GROUP_SLOTS +
                    (off % sizeof(swiss_group) - offsetof(swiss_group, slots)) / sizeof(swiss_slot);
    if (end >= chunkSlots || end <= last) {
        it->match = 0;
        return;
    }
    uint64_t live = 0;
    if (ngroups == 8) {
        live = full_slots_8(it->group);
    } else {
        for (uint64_t i = 0; i < ngroups; i++)
            live |= full_slots(&it->group[i]) << (SWISS_GROUP_SLOTS * i);
    }
    uint64_t upto = end >= 63 ? ~0ull : (2ull << end) - 1; /* last < end <= 63 */
    it->match = live & upto & (~0ull << (last + 1));
}

/* Take the chunk's next candidate that still holds an entry (key, elem, and match
 * past it); false, with match 0, when the chunk has none left. */
static inline bool take_next_candidate(swiss_iter *it, bool grown) {
    uint64_t match = it->match;
    while (match) {
        unsigned j = (unsigned)__builtin_ctzll(match);
        match &= match - 1;
        swiss_group *g = it->group + (j >> SWISS_GROUP_SLOTS_BITS);
        unsigned slot = j & (SWISS_GROUP_SLOTS - 1);
        /* Read the control byte again: the entry may be gone since. */
        if ((g->ctrl[slot] & CTRL_EMPTY) == CTRL_EMPTY) continue;
        if (take_entry(it, g, slot, grown)) {
            it->match = match;
            return true;
        }
    }
    it->match = 0;
    return false;
}

/* Everything but the common case: the small map, the first step into a table, a
 * chunk used up, an entry deleted since its chunk was entered, a replaced table, the
 * end (Go: Next, table.go 707-1004, with chunks in place of its per-group matchFull). */
MB_NOINLINE int swiss_iter_next_slow(swiss_iter *it) {
    swiss_map *m = it->m;
    if (m == NULL) { /* an empty map, or finished or released */
        it->key = NULL;
        it->elem = NULL;
        return MAP_OK;
    }
    if (m->writing != 0) return -MAP_ERR_ITERATION_WRITE;
    swiss_table *live = it->tab;
    if (live != NULL && it->group != NULL && it->tabWrites != live->writes) refresh_chunk(it);
    if (__builtin_expect(it->match == 0 && live != NULL && live->index >= 0 &&
                         it->globalDepth == m->globalDepth, 1)) {
        /* The common way here: the chunk is used up and the table is still live. Enter
         * its next chunks until one has an entry (the general loop below does the same
         * after its checks). */
        while (it->entryIdx < live->capacity) {
            enter_chunk(it, live);
            if (take_next_candidate(it, false)) return MAP_OK;
        }
    }
    if (it->dirIdx < 0) return swiss_iter_next_small(it);

    if (it->globalDepth != m->globalDepth) {
        /* The directory doubled (once or more) since we last looked: the same position
         * in the new directory is dirIdx << orders. */
        unsigned orders = (unsigned)(m->globalDepth - it->globalDepth);
        it->dirIdx <<= orders;
        it->dirOffset <<= orders;
        it->globalDepth = m->globalDepth;
    }

    for (; it->dirIdx < m->dirLen; next_dir_idx(it)) {
        if (it->tab == NULL) {
            int64_t dirIdx = (int64_t)(((uint64_t)it->dirIdx + it->dirOffset) & (uint64_t)(m->dirLen - 1));
            swiss_table *newTab = swiss_directory_at(m, (uint64_t)dirIdx);
            if (newTab->index != dirIdx) {
                /* We landed inside a table's run of entries: start at its first, and
                 * shift dirOffset so that the walk goes on from there. */
                int64_t diff = dirIdx - newTab->index;
                it->dirOffset -= (uint64_t)diff;
            }
            it->tab = newTab;
            swiss_table_acquire(newTab);
        }
        swiss_table *t = it->tab;
        bool grown = t->index == -1;
        for (;;) {
            if (take_next_candidate(it, grown)) return MAP_OK;
            if (it->entryIdx >= t->capacity) break; /* this table is done */
            enter_chunk(it, t);
        }
    }
    return finish(it);
}

/* Iter.Next, out of line (cffi, batches, rewinds): iter_next.h's step. */
MB_NOINLINE int swiss_iter_next(swiss_iter *it) {
    swiss_cursor c = swiss_cursor_of(it);
    int err = MAP_OK;
    const swiss_slot *slot = swiss_iter_step(it, &c, &err);
    swiss_iter_sync(it, &c, slot);
    return err;
}

/* swiss_iter_batch: common/iter_batch.h, as the classic mapiter_batch. */
DEFINE_ITER_BATCH(swiss_iter_batch, swiss_iter, swiss_iter_next)

/* Python's batched iteration (native/pyiter.py), as the classic mapiter_fill and
 * mapiter_rewind: a batch first saves a copy of the iterator that holds its own
 * references (and counts as live), so a rewind can replay, from the copy, the steps the
 * caller actually consumed before a write. */
static void iter_copy_holding(swiss_iter *dst, const swiss_iter *src) {
    *dst = *src;
    if (!dst->m) return;
    dst->m->liveIters++;
    swiss_table_acquire(dst->tab);
    if (dst->dirIdx < 0) swiss_small_acquire(dst->group);
}

size_t swiss_iter_fill(swiss_iter *it, swiss_iter *saved, bool advance_first, uint64_t *keys,
                       uint64_t *vals, size_t cap, int *err) {
    swiss_iter_release(saved);
    iter_copy_holding(saved, it);
    return swiss_iter_batch(it, advance_first, keys, vals, cap, err);
}

/* Make *it the saved iterator stepped `steps` times; saved's references move to it. */
int swiss_iter_rewind(swiss_iter *it, swiss_iter *saved, size_t steps) {
    swiss_iter_release(it);
    *it = *saved;
    saved->m = NULL;
    saved->tab = NULL;
    saved->group = NULL;
    saved->match = 0;
    for (size_t i = 0; i < steps && it->key; i++) {
        int err = swiss_iter_next(it);
        if (err) return err;
    }
    return MAP_OK;
}

/* ---- the pool, the classic map's (common/iter_pool.h) -------------------------- */
static MB_TLS iter_pool pool;

swiss_iter *swiss_iter_pool_get(void) {
    return iter_pool_take(&pool, sizeof(swiss_iter));
}

void swiss_iter_pool_put(swiss_iter *it) {
    swiss_iter_release(it);
    iter_pool_keep(&pool, it, sizeof(*it));
}

bool swiss_iter_pool_check_zeroed(void) {
    swiss_iter *it = swiss_iter_pool_get();
    bool ok = it && iter_pool_all_zero(it, sizeof(*it));
    if (it) swiss_iter_pool_put(it);
    return ok;
}

uint16_t swiss_iter_debug_prefetch(const swiss_iter *it) { return it->prefetch; }
