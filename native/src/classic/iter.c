/*
 * iter.c: mapiterinit / mapiternext (go1.19 runtime/map.go 815-990) and the
 * sync.Pool-like iterator pool.
 *
 * An iteration snapshots B and the bucket array, starts at a random bucket and a
 * random slot offset (the same rotation is used in every bucket), and walks every
 * bucket once. If the map is growing and the iterator was started during this grow
 * (it->B == h->B), a bucket whose old bucket is not evacuated yet is read from the old
 * array, keeping only the entries that belong to the current new bucket (checkBucket).
 * An entry marked EVACUATED_X/Y (it moved after the iteration started) is looked up
 * again in the live map: skipped if deleted, else the live key and value are returned.
 * As in Go, an entry inserted during the iteration is returned iff its slot is still
 * ahead of the walk: the cached slots of a group are read again after an insert
 * (map.h INVARIANT 8).
 *
 * Memory: see map.h INVARIANT 2. The iterator references the generation of its
 * snapshot and of the old array it walks, and drops both at the end.
 */
#include <stdatomic.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "iter_batch.h"
#include "iter_pool.h"
#include "map.h"
#include "iter_next.h"

static inline void prefetch_bucket(const bmap *b) {
    const char *p = (const char *)b;
    __builtin_prefetch(p, 0, 3);
    __builtin_prefetch(p + 64, 0, 3);
    __builtin_prefetch(p + sizeof(bmap) - 1, 0, 3);
}

/* The distance PREFETCH_AUTO stands for with 2^B buckets (map.h). */
uint16_t prefetch_for(uint8_t B) {
    return bucketShift(B) * sizeof(bmap) >= PREFETCH_AUTO_MIN_BYTES ? PREFETCH_AUTO_DISTANCE : 0;
}

/* Bit s set when slot s holds an entry to visit: tophash not EMPTY_REST, EMPTY_ONE or
 * EVACUATED_EMPTY (so >= MIN_TOP_HASH, or EVACUATED_X/Y). Exact per-byte SWAR tests. */
static inline unsigned occupied_slots(const bmap *b) {
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, hi = 0x8080808080808080ull;
    uint64_t x;
    memcpy(&x, b->tophash, sizeof(x));
    uint64_t ge2 = (((x & lo7) + 0x7e7e7e7e7e7e7e7eull) | x) & hi; /* byte >= 2 */
    uint64_t t = x ^ 0x0404040404040404ull;
    uint64_t eq4 = ~(((t & lo7) + lo7) | t) & hi;                  /* byte == 4 */
    uint64_t m = (ge2 & ~eq4) >> 7;                                /* bit 8s per slot */
    return (unsigned)((m * 0x0102040810204080ull) >> 56);
}

void mapiterrelease(hiter *it) {
    gen_release(it->gen);
    gen_release(it->oldgen);
    it->gen = NULL;
    it->oldgen = NULL;
}

static inline unsigned rotated_slots(const bmap *b, unsigned offset);

/* The iterator holds no entry and no group; the walk goes on at `bucket` (wrapped: it
 * has passed the array's end). mapiterinit's exits before a first group. */
static inline void between_groups(hiter *it, uintptr_t bucket, bool wrapped) {
    it->key = NULL;
    it->elem = NULL;
    it->bptr = NULL;
    it->slots = 0;
    it->glen = 0;
    it->pos = 0;
    it->bucket = bucket;
    it->wrapped = wrapped;
}

MB_NOINLINE int mapiternext_slow(hiter *it);

/* mapiterinit does what Go's does (snapshot, random start, iterator flags), then enters
 * the start bucket *alone* (a group of one, INVARIANT 3) and returns its first entry
 * without calling mapiternext: a loop that breaks after one entry touches one bucket
 * (two cache lines), not the group of 8 that mapiternext_slow would enter (about 250
 * instructions and 16 cache lines that `for k := range m { break }` never uses). The
 * groups start at the next bucket. While the map grows with the iterator's B, the start
 * bucket is entered by mapiternext_slow, which reads the old bucket as Go does.
 * Every field is written here, each once (so the stores need not wait for the fastrand
 * call, and a caller need not zero the iterator as Go's compiler does for its GC). */
MB_NOINLINE int mapiterinit(hiter *it, hmap *h, uint16_t prefetch, bool atomic_snapshot) {
    it->h = h;
    it->gen = NULL;
    it->oldgen = NULL;
    it->oldslots = 0;
    it->checking = false;
    it->prefetch = prefetch;
    /* An empty map: the end already (a later mapiternext says so too). A map being
     * written: Go's mapiternext would throw; this iterator ends, holding nothing. */
    bool writing = h != NULL && h->count != 0 && (h->flags & FLAG_HASH_WRITING);
    if (h == NULL || h->count == 0 || writing) {
        between_groups(it, 0, true);
        it->writes = 0;
        it->B = 0;
        it->buckets = NULL;
        it->offset = 0;
        it->startBucket = 0;
        return writing ? -MAP_ERR_ITERATION_WRITE : MAP_OK;
    }

    /* The snapshot. The atomic variant orders these loads with acquire semantics (what
     * the article claims Go does); go1.19 itself uses plain loads. */
    uint8_t B;
    bmap *buckets;
    if (atomic_snapshot) {
        B = atomic_load_explicit((_Atomic uint8_t *)&h->B, memory_order_acquire);
        buckets = atomic_load_explicit((bmap *_Atomic *)&h->buckets, memory_order_acquire);
    } else {
        B = h->B;
        buckets = h->buckets;
    }
    bucket_gen *gen = h->extra->gen;
    gen_acquire(gen);

    /* Random start: 32 random bits are enough unless B > 28 (map.go 845-852). */
    uint64_t r = B > 28 ? fastrand64() : fastrand();
    uintptr_t start = r & bucketMask(B);
    unsigned offset = (unsigned)(r >> B) & (BUCKET_CNT - 1);
    if (prefetch == PREFETCH_AUTO) prefetch = prefetch_for(B);
    it->prefetch = prefetch;
    it->B = B;
    it->buckets = buckets;
    it->gen = gen;
    it->writes = gen->writes; /* INVARIANT 8: the start bucket's bits are read below */
    it->startBucket = start;
    it->offset = (uint8_t)offset;

    /* Remember we have an iterator: a plain check, then an atomic OR only if needed. */
    if ((h->flags & (FLAG_ITERATOR | FLAG_OLD_ITERATOR)) != (FLAG_ITERATOR | FLAG_OLD_ITERATOR))
        atomic_fetch_or((_Atomic uint8_t *)&h->flags, FLAG_ITERATOR | FLAG_OLD_ITERATOR);

    /* At large n the start bucket is a cold miss (it is random). Its tophash, key and
     * value lines are asked for together here, so reading the key after the tophash
     * (which picks the slot) is not a second miss in a row: one miss, not two. */
    bmap *b = &buckets[start];
    prefetch_bucket(b);
    if (prefetch) prefetch_bucket(&buckets[(start + prefetch) & bucketMask(B)]);
    if (h->oldbuckets != NULL) { /* growing: the old bucket may hold our entries */
        between_groups(it, start, false);
        return mapiternext_slow(it);
    }
    uintptr_t next = start + 1;
    bool wrapped = next == bucketShift(B);
    it->bucket = wrapped ? 0 : next;
    it->wrapped = wrapped;
    it->bptr = b;
    it->glen = 1;
    uint64_t slots = rotated_slots(b, offset);
    if (__builtin_expect(slots == 0, 0)) { /* an empty start bucket: the slow path goes on */
        it->key = NULL;
        it->elem = NULL;
        it->slots = 0;
        it->pos = 0;
        return mapiternext_slow(it);
    }
    /* The first candidate: its tophash was read just now, and outside a grow the array
     * holds no EVACUATED_X/Y marks, so the check below never sends it to the slow path. */
    unsigned offi = ((unsigned)__builtin_ctzll(slots) + offset) & (BUCKET_CNT - 1);
    if (__builtin_expect(b->tophash[offi] < MIN_TOP_HASH, 0)) { /* never when not growing */
        it->key = NULL;
        it->elem = NULL;
        it->slots = slots;
        it->pos = 0;
        return mapiternext_slow(it);
    }
    it->slots = slots & (slots - 1);
    it->pos = (uint8_t)__builtin_ctzll(slots);
    it->key = &b->keys[offi];
    it->elem = &b->elems[offi];
    return MAP_OK;
}

/* The slots of b to visit, in iteration order: bit j stands for slot (j + offset) & 7. */
static inline unsigned rotated_slots(const bmap *b, unsigned offset) {
    unsigned live = occupied_slots(b);
    return ((live >> offset) | (live << (BUCKET_CNT - offset))) & 0xffu;
}

enum { GROUP_MAX = 8 }; /* 8 buckets x 8 slots: one uint64 of candidate slots */

/* The candidate slots of b[0..n) (1 <= n <= 8) as a group mask (INVARIANT 3): byte i
 * for bucket i, each byte rotated so that bit r stands for slot (r + offset) & 7. The
 * same exact per-byte tests as occupied_slots, 8 buckets at a time. */
static inline uint64_t group_slots(const bmap *b, unsigned n, unsigned offset) {
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t m = 0;
#ifdef __SSE2__
    /* Two buckets per 16-byte vector: byte >= 2 (max(x, 2) == x) and not 4. A lone
     * last bucket leaves the upper half zero, which tests as empty. */
    const __m128i two = _mm_set1_epi8(2), four = _mm_set1_epi8(4);
    unsigned i = 0;
    for (; i < n; i += 2) {
        __m128i x = _mm_loadl_epi64((const __m128i *)b[i].tophash);
        if (i + 1 < n) x = _mm_unpacklo_epi64(x, _mm_loadl_epi64((const __m128i *)b[i + 1].tophash));
        __m128i ge2 = _mm_cmpeq_epi8(_mm_max_epu8(x, two), x);
        __m128i occ = _mm_andnot_si128(_mm_cmpeq_epi8(x, four), ge2);
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(occ) << (BUCKET_CNT * i);
    }
#else
    for (unsigned i = 0; i < n; i++) m |= (uint64_t)occupied_slots(&b[i]) << (BUCKET_CNT * i);
#endif
    if (offset) {
        uint64_t low = ones * (0xffu >> offset); /* bits that move down by offset */
        m = ((m >> offset) & low) | ((m << (BUCKET_CNT - offset)) & ~low);
    }
    return m;
}

/* Everything but the common case: candidates that need a check, the end of a group,
 * the overflow chain, the next buckets, the old bucket mid-grow, the end.
 *
 * Groups: when it enters a bucket and the map is not growing with the iterator's B
 * (Go's condition for reading old buckets), the iterator enters up to 8 consecutive
 * buckets of its snapshot at once and caches their candidate slots in one uint64
 * (INVARIANT 3), stopping after a bucket with an overflow chain, at the wrap point
 * and at startBucket after the wrap. mapiternext then crosses from one bucket of the
 * group to the next without a branch on "bucket done" (which mispredicts about once
 * per bucket), and the 8 tophash loads are issued together. Go checks for a grow at
 * every bucket it enters: so does this code, when it first visits a slot of a later
 * bucket of the group (the fast path only runs while the map is not growing). If the
 * map then grows with the iterator's B, the rest of the group is dropped and the
 * iterator enters that bucket the way Go does. As before, each candidate's tophash is
 * read again when it is reached. Go reads every slot's tophash, and every bucket's
 * overflow pointer, when its walk gets there, so it returns the entries inserted ahead
 * of it: when an insert filled a slot of the iterator's generation since the group's
 * bits were read, refresh_group reads them again past the entry last returned
 * (INVARIANT 8). */
/* The group bit of the entry last returned (map.h INVARIANT 3): read off it->key while
 * that points into the group's buckets, as every entry the fast path returns does (it
 * keeps no position of its own); else pos, the slow path's record of its own last
 * entry (a re-looked-up entry lives in a newer array than the group's, which holds its
 * EVACUATED mark). */
static inline unsigned last_pos(const hiter *it) {
    uintptr_t k = (uintptr_t)it->key, base = (uintptr_t)it->bptr;
    if (base != 0 && k >= base && k < base + it->glen * sizeof(bmap)) {
        uintptr_t d = k - base;
        unsigned i = (unsigned)(d / sizeof(bmap));
        unsigned slot = (unsigned)((d % sizeof(bmap) - offsetof(bmap, keys)) / sizeof(uint64_t));
        return i * BUCKET_CNT + ((slot - it->offset) & (BUCKET_CNT - 1));
    }
    return it->pos;
}

static MB_NOINLINE void refresh_group(hiter *it) {
    it->writes = it->gen->writes;
    bmap *b = it->bptr;
    /* No group held, or an old bucket mid-grow (checking), never inserted into. */
    if (b == NULL || it->checking) return;
    unsigned glen = it->glen, pos = last_pos(it);
    /* A bucket from the current one on, before the group's last, that has an overflow
     * chain now: Go walks that chain right after it, so the group ends there and the
     * buckets after it are entered afresh (the chain of the last is followed anyway). */
    for (unsigned k = pos >> BUCKET_CNT_BITS; k + 1 < glen; k++) {
        if (b[k].overflow != NULL) {
            if (it->bucket == 0) it->wrapped = false; /* this group did the wrap */
            it->bucket = (uintptr_t)(b - it->buckets) + k + 1;
            glen = k + 1;
            it->glen = (uint8_t)glen;
            break;
        }
    }
    uint64_t past = pos >= 63 ? 0 : ~0ull << (pos + 1); /* the slots after pos's */
    it->slots = group_slots(b, glen, it->offset) & past;
}

MB_NOINLINE int mapiternext_slow(hiter *it) {
    if (it->gen != NULL && it->writes != it->gen->writes) refresh_group(it);
    hmap *h = it->h;
    uintptr_t checkBucket = it->checking ? (it->bucket - 1) & bucketMask(it->B) : NO_CHECK;
    uint64_t slots = checkBucket != NO_CHECK ? it->oldslots : it->slots;
    bmap *b = it->bptr;
    /* The bucket the walk is in matters only while the group has slots left (the common
     * way here, a group used up, skips working it out). */
    unsigned cur = slots ? last_pos(it) >> BUCKET_CNT_BITS : 0, glen = it->glen;
    uintptr_t bucket = it->bucket;
    for (;;) {
        while (slots) {
            unsigned j = (unsigned)__builtin_ctzll(slots);
            unsigned i = j >> BUCKET_CNT_BITS;
            if (i != cur) {
                /* Entering bucket i of the group (i > 0, so b is in it->buckets). */
                if (h->oldbuckets != NULL && it->B == h->B) {
                    if (bucket == 0) it->wrapped = false; /* this group did the wrap */
                    bucket = (uintptr_t)(b - it->buckets) + i;
                    slots = 0;
                    b = NULL;
                    break;
                }
                cur = i;
            }
            slots &= slots - 1;
            bmap *bb = b + i;
            unsigned offi = (j + it->offset) & (BUCKET_CNT - 1);
            uint8_t top = bb->tophash[offi];
            /* Re-read: the slot may have been emptied or evacuated since we entered. */
            if (isEmpty(top) || top == EVACUATED_EMPTY) continue;
            uint64_t *k = &bb->keys[offi];
            uint64_t *e = &bb->elems[offi];
            if (checkBucket != NO_CHECK && !sameSizeGrow(h)) {
                /* Walking an old bucket mid-grow: keep only the entries that go to the
                 * new bucket we are on (the others come from their own new bucket). */
                uint64_t hash = hash64(*k, h->hash0);
                if ((hash & bucketMask(it->B)) != checkBucket) continue;
            }
            if (top >= MIN_TOP_HASH) {
                it->key = k;
                it->elem = e;
            } else {
                /* EVACUATED_X/Y: moved since we started; the copy may be stale, or
                 * the key deleted. Look it up in the live map. */
                uint64_t *rk, *re;
                if (!mapaccessK(h, *k, &rk, &re)) continue;
                it->key = rk;
                it->elem = re;
            }
            it->bucket = bucket;
            it->bptr = b;
            if (checkBucket != NO_CHECK) { /* only the slow path may visit these */
                it->oldslots = (uint8_t)slots;
                slots = 0;
            }
            it->slots = slots;
            it->pos = (uint8_t)j;
            it->glen = (uint8_t)glen;
            it->checking = checkBucket != NO_CHECK;
            return MAP_OK;
        }
        /* The group is done: go on with the overflow chain of its last bucket. */
        if (b != NULL) b = b[glen - 1].overflow;
        glen = 1;
        cur = 0;
        if (b == NULL) {
            if (bucket == it->startBucket && it->wrapped) {
                it->key = NULL;
                it->elem = NULL;
                it->bptr = NULL;
                it->slots = 0;
                mapiterrelease(it);
                return MAP_OK;
            }
            uintptr_t nbuckets = bucketShift(it->B);
            if (h->oldbuckets != NULL && it->B == h->B) {
                /* Started during this grow: the old bucket may still hold our entries. */
                uintptr_t oldbucket = bucket & oldbucketmask(h);
                b = &h->oldbuckets[oldbucket];
                if (!evacuated(b)) {
                    checkBucket = bucket;
                    bucket_gen *og = h->extra->oldgen;
                    if (it->oldgen != og) { /* INVARIANT 2: hold what we will read */
                        gen_release(it->oldgen);
                        gen_acquire(og);
                        it->oldgen = og;
                    }
                } else {
                    b = &it->buckets[bucket];
                    checkBucket = NO_CHECK;
                }
                if (it->prefetch)
                    prefetch_bucket(&it->buckets[(bucket + it->prefetch) & bucketMask(it->B)]);
                bucket++;
                slots = rotated_slots(b, it->offset);
            } else {
                /* A group: up to 8 buckets, INVARIANT 3. */
                uintptr_t limit = it->wrapped ? it->startBucket : nbuckets;
                uintptr_t room = limit - bucket;
                unsigned most = room < GROUP_MAX ? (unsigned)room : GROUP_MAX;
                b = &it->buckets[bucket];
                checkBucket = NO_CHECK;
                glen = 1;
                while (glen < most && b[glen - 1].overflow == NULL) glen++;
                if (it->prefetch)
                    for (unsigned k = 0; k < glen; k++)
                        prefetch_bucket(
                            &it->buckets[(bucket + k + it->prefetch) & bucketMask(it->B)]);
                slots = group_slots(b, glen, it->offset);
                bucket += glen;
            }
            if (bucket == nbuckets) {
                bucket = 0;
                it->wrapped = true;
            }
            if (it->prefetch && b[glen - 1].overflow) prefetch_bucket(b[glen - 1].overflow);
        } else {
            if (it->prefetch && b->overflow) prefetch_bucket(b->overflow);
            slots = rotated_slots(b, it->offset);
        }
    }
}

/* mapiternext, out of line (cffi, batches, rewinds): iter_next.h's step. The step
 * keeps it->slots, which caches which slots of the group's buckets were occupied when
 * the iterator entered them (one SWAR pass over the 8 tophash bytes of each bucket
 * instead of a data-dependent, mispredicting branch per slot and per bucket); each
 * candidate's tophash is read again before it is returned, so a delete or an
 * evacuation between two calls is seen, and after an insert the group's bits past the
 * entry last returned are read again (INVARIANT 8), so an insert ahead is seen too. */
MB_NOINLINE int mapiternext(hiter *it) {
    iter_cursor c = iter_cursor_of(it);
    int err = MAP_OK;
    mapiter_sync(it, &c, mapiter_step(it, &c, &err));
    return err;
}

/* mapiter_batch: common/iter_batch.h. */
DEFINE_ITER_BATCH(mapiter_batch, hiter, mapiternext)

/* ---- batched iteration with exact rewind (Python's keys/values/items) -------------
 * Python fetches entries in batches (one FFI call each) and hands them out from a list,
 * so a mutation between two of its next() calls finds the native iterator up to a
 * batch ahead of what the caller has seen. Before the map is written, the wrapper
 * rewinds it: mapiter_fill keeps a copy of the iterator as it was before the batch
 * (`saved`, with its own generation references, so INVARIANT 2 holds for it too), and
 * mapiter_rewind replays from that copy the steps the caller actually consumed. The
 * map has not changed since the batch was fetched, so the replay walks exactly the same
 * path: the iterator ends bit for bit where a per-element iteration would be. */

static void iter_copy_holding(hiter *dst, const hiter *src) {
    *dst = *src;
    gen_acquire(dst->gen);
    gen_acquire(dst->oldgen);
}

/* mapiter_batch, after saving *it in *saved (dropping what saved held before). */
size_t mapiter_fill(hiter *it, hiter *saved, bool advance_first, uint64_t *keys,
                    uint64_t *vals, size_t cap, int *err) {
    mapiterrelease(saved);
    iter_copy_holding(saved, it);
    return mapiter_batch(it, advance_first, keys, vals, cap, err);
}

/* Make *it the saved iterator stepped `steps` times; saved's references move to it. */
int mapiter_rewind(hiter *it, hiter *saved, size_t steps) {
    mapiterrelease(it);
    *it = *saved;
    saved->gen = NULL;
    saved->oldgen = NULL;
    for (size_t i = 0; i < steps && it->key; i++) {
        int err = mapiternext(it);
        if (err) return err;
    }
    return MAP_OK;
}

/* ---- the pool (common/iter_pool.h) ---------------------------------------------- */
static MB_TLS iter_pool pool;

hiter *iter_pool_get(void) {
    return iter_pool_take(&pool, sizeof(hiter));
}

void iter_pool_put(hiter *it) {
    mapiterrelease(it);
    iter_pool_keep(&pool, it, sizeof(*it));
}

/* Test hook: does the iterator the pool hands out next hold no stale state? */
bool iter_pool_check_zeroed(void) {
    hiter *it = iter_pool_get();
    bool ok = it && iter_pool_all_zero(it, sizeof(*it));
    if (it) iter_pool_put(it);
    return ok;
}

uint16_t mapiter_debug_prefetch(const hiter *it) { return it->prefetch; }
