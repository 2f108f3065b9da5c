/*
 * check.c: map_check_invariants, the structural invariants of map.h (1 for the map's
 * own references, 4 to 7) checked in code, as Go 1.24's internal/runtime/maps checks
 * its tables after writes in debug builds (table_debug.go checkInvariants); Go 1.19's
 * map has no such check. Also map_debug_corrupt, the test hook that breaks one
 * invariant on purpose so the tests can see the checker name it.
 *
 * The checker only reads. It trusts nothing it has not checked first: a bucket pointer
 * is followed only once it is known to be a bucket of the generation that owns the
 * chain, and a chain longer than the generation has buckets is reported as a cycle, so
 * a broken map gives a message rather than a crash. Cost: one hash per live entry and
 * per evacuated entry, plus a scan of each chain for duplicate keys (chains are short).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_report.h"
#include "map.h"

static inline uint8_t tophash_of(uint64_t hash) {
    uint8_t top = (uint8_t)(hash >> 56);
    if (top < MIN_TOP_HASH) top += MIN_TOP_HASH;
    return top;
}

/* Write the first violation into why (one line) and return its invariant number. */
static int fail(char *why, size_t why_len, int invariant, const char *fmt, ...) {
    static const char *const names[] = {[1] = "generations", [4] = "placement",
                                        [5] = "count", [6] = "chains", [7] = "evacuation"};
    va_list ap;
    va_start(ap, fmt);
    check_reportv(why, why_len, "", invariant, names[invariant], fmt, ap);
    va_end(ap);
    return invariant;
}

/* b is a bucket of g: in its array (the 2^B buckets or the preallocated spares) or one
 * of the overflow buckets malloc'd for it. */
static bool gen_owns(const bucket_gen *g, const bmap *b) {
    uintptr_t p = (uintptr_t)b, base = (uintptr_t)g->array;
    if (p >= base && p < base + g->nalloc * sizeof(bmap)) return (p - base) % sizeof(bmap) == 0;
    for (size_t i = 0; i < g->noverflow_alloc; i++)
        if (g->overflow[i] == b) return true;
    return false;
}

/* What a walk of the chains gathers for the map-wide checks. */
typedef struct walk {
    const hmap *h;
    char *why;
    size_t why_len;
    uint64_t live;      /* full slots of live chains (INVARIANT 5) */
    uint64_t overflow;  /* overflow buckets in the chains of h->buckets (INVARIANT 6) */
} walk;

static int duplicate(walk *w, const char *arr, uintptr_t bucket, uint64_t key, size_t pos1,
                     unsigned slot1, size_t pos2, unsigned slot2) {
    return fail(w->why, w->why_len, 4, "%s %zu: key %llu at chain position %zu slot %u and "
                "again at position %zu slot %u", arr, (size_t)bucket, (unsigned long long)key,
                pos1, slot1, pos2, slot2);
}

/* One chain: the new array's bucket `bucket` (old == false) or the old array's (old ==
 * true). INVARIANT 6 (the chain ends inside its generation, EMPTY_REST ends it), 4
 * (every live entry sits where its hash sends it, under its tophash, once) and 7 (the
 * markers of evacuation, only in old buckets and all or none of a chain). */
static int check_chain(walk *w, bool old, uintptr_t bucket) {
    const hmap *h = w->h;
    const bucket_gen *g = old ? h->extra->oldgen : h->extra->gen;
    const char *arr = old ? "old bucket" : "bucket";
    const bmap *first = old ? &h->oldbuckets[bucket] : &h->buckets[bucket];
    bool evac = old && evacuated(first);
    uintptr_t newbit = growing(h) ? noldbuckets(h) : 0;
    /* While growing, a new bucket may hold entries only once the old bucket that backs
     * it is evacuated: every write evacuates that old bucket first (growWork). */
    bool backing_done = true;
    if (!old && growing(h)) backing_done = evacuated(&h->oldbuckets[bucket & (newbit - 1)]);
    size_t limit = g->nalloc + g->noverflow_alloc, pos = 0;
    bool rest = false; /* an EMPTY_REST was seen earlier in the chain */
    for (const bmap *b = first; b != NULL; b = b->overflow, pos++) {
        if (pos == limit)
            return fail(w->why, w->why_len, 6, "%s %zu: overflow chain longer than its "
                        "generation's %zu buckets (a cycle)", arr, (size_t)bucket, limit);
        if (pos > 0 && !old) w->overflow++;
        if (b->overflow && !gen_owns(g, b->overflow))
            return fail(w->why, w->why_len, 6, "%s %zu chain position %zu: overflow pointer %p "
                        "is no bucket of its generation", arr, (size_t)bucket, pos, (void *)b->overflow);
        for (unsigned i = 0; i < BUCKET_CNT; i++) {
            uint8_t top = b->tophash[i];
            if (evac) {
                if (top == EVACUATED_EMPTY) continue;
                if (top != EVACUATED_X && top != EVACUATED_Y)
                    return fail(w->why, w->why_len, 7, "old bucket %zu chain position %zu slot %u: "
                                "tophash %u in an evacuated chain (want EVACUATED_X/Y/EMPTY)",
                                (size_t)bucket, pos, i, top);
                /* Whether X or Y matches the key's hash is not checked: a delete that
                 * empties the map reseeds hash0 (as Go's), and the keys evacuated
                 * before that hash differently now. */
                if (top == EVACUATED_Y && sameSizeGrow(h))
                    return fail(w->why, w->why_len, 7, "old bucket %zu chain position %zu slot %u: "
                                "EVACUATED_Y in a same-size grow", (size_t)bucket, pos, i);
                continue;
            }
            if (top > EMPTY_ONE && top < MIN_TOP_HASH)
                return fail(w->why, w->why_len, 7, "%s %zu chain position %zu slot %u: evacuation "
                            "marker %u in a %s", arr, (size_t)bucket, pos, i, top,
                            old ? "chain that is not evacuated" : "bucket of the new array");
            if (top == EMPTY_REST) {
                rest = true;
                continue;
            }
            if (top == EMPTY_ONE) continue;
            if (rest)
                return fail(w->why, w->why_len, 6, "%s %zu chain position %zu slot %u: live entry "
                            "after an EMPTY_REST slot", arr, (size_t)bucket, pos, i);
            uint64_t key = b->keys[i], hash = hash64(key, h->hash0);
            if (top != tophash_of(hash))
                return fail(w->why, w->why_len, 4, "%s %zu chain position %zu slot %u: tophash "
                            "%u, but key %llu has tophash %u", arr, (size_t)bucket, pos, i, top,
                            (unsigned long long)key, tophash_of(hash));
            uintptr_t home = old ? hash & (newbit - 1) : hash & bucketMask(h->B);
            if (home != bucket)
                return fail(w->why, w->why_len, 4, "%s %zu chain position %zu slot %u: key %llu "
                            "hashes to %s %zu", arr, (size_t)bucket, pos, i,
                            (unsigned long long)key, arr, (size_t)home);
            if (!backing_done)
                return fail(w->why, w->why_len, 4, "bucket %zu chain position %zu slot %u: live "
                            "entry while old bucket %zu that backs it is not evacuated",
                            (size_t)bucket, pos, i, (size_t)(bucket & (newbit - 1)));
            /* Once: no earlier live slot of the chain holds the key (a lookup, which
             * returns the first, would find that one). */
            size_t cpos = 0;
            for (const bmap *c = first; c != b; c = c->overflow, cpos++)
                for (unsigned j = 0; j < BUCKET_CNT; j++)
                    if (c->tophash[j] >= MIN_TOP_HASH && c->keys[j] == key)
                        return duplicate(w, arr, bucket, key, cpos, j, pos, i);
            for (unsigned j = 0; j < i; j++)
                if (b->tophash[j] >= MIN_TOP_HASH && b->keys[j] == key)
                    return duplicate(w, arr, bucket, key, pos, j, pos, i);
            w->live++;
        }
    }
    return 0;
}

int map_check_invariants(const hmap *h, char *why, size_t why_len) {
    if (why && why_len) why[0] = '\0';
    const mapextra *x = h->extra;
    if (x == NULL) return fail(why, why_len, 1, "the map has no extra record");
    /* INVARIANT 1 (the map's references): the arrays are their generations' arrays. */
    if ((h->buckets == NULL) != (x->gen == NULL) || (x->gen && h->buckets != x->gen->array))
        return fail(why, why_len, 1, "buckets %p is not the array of the current generation",
                    (void *)h->buckets);
    if (x->gen && (x->gen->nbuckets != bucketShift(h->B) || x->gen->refs == 0))
        return fail(why, why_len, 1, "the current generation has %zu buckets and %llu "
                    "references for B = %u", (size_t)x->gen->nbuckets,
                    (unsigned long long)x->gen->refs, h->B);
    if (h->buckets == NULL) {
        if (h->count != 0 || growing(h))
            return fail(why, why_len, 5, "no bucket array but count %lld%s",
                        (long long)h->count, growing(h) ? " and growing" : "");
        return 0;
    }
    bool flag = (h->flags & FLAG_GROWING) != 0;
    if (growing(h) != flag || growing(h) != (x->oldgen != NULL) ||
        (x->oldgen && h->oldbuckets != x->oldgen->array))
        return fail(why, why_len, 1, "oldbuckets %p, old generation %p and FLAG_GROWING %d "
                    "disagree", (void *)h->oldbuckets, (void *)x->oldgen, flag);
    /* INVARIANT 7: the grow's state. */
    if (!growing(h) && sameSizeGrow(h))
        return fail(why, why_len, 7, "FLAG_SAME_SIZE_GROW set while not growing");
    if (growing(h)) {
        if (!sameSizeGrow(h) && h->B == 0)
            return fail(why, why_len, 7, "a doubling grow with B = 0");
        uintptr_t nold = noldbuckets(h);
        if (x->oldgen->nbuckets != nold || x->oldgen->refs == 0)
            return fail(why, why_len, 1, "the old generation has %zu buckets and %llu "
                        "references, the grow needs %zu", (size_t)x->oldgen->nbuckets,
                        (unsigned long long)x->oldgen->refs, (size_t)nold);
        if (h->nevacuate >= nold)
            return fail(why, why_len, 7, "nevacuate %zu outside [0, %zu) while growing",
                        (size_t)h->nevacuate, (size_t)nold);
        for (uintptr_t ob = 0; ob < h->nevacuate; ob++)
            if (!evacuated(&h->oldbuckets[ob]))
                return fail(why, why_len, 7, "old bucket %zu is below nevacuate %zu but not "
                            "evacuated", (size_t)ob, (size_t)h->nevacuate);
    }
    walk w = {h, why, why_len, 0, 0};
    int r;
    if (growing(h))
        for (uintptr_t ob = 0; ob < noldbuckets(h); ob++)
            if ((r = check_chain(&w, true, ob)) != 0) return r;
    for (uintptr_t bucket = 0; bucket < bucketShift(h->B); bucket++)
        if ((r = check_chain(&w, false, bucket)) != 0) return r;
    /* INVARIANT 5: the count. */
    if (h->count < 0 || (uint64_t)h->count != w.live)
        return fail(why, why_len, 5, "count %lld but %llu live slots", (long long)h->count,
                    (unsigned long long)w.live);
    /* INVARIANT 6: noverflow counts the overflow buckets of the current array exactly
     * while B < 16 (incrnoverflow), and never more than there are above. */
    if (h->B < 16 ? h->noverflow != (uint16_t)w.overflow : h->noverflow > w.overflow)
        return fail(why, why_len, 6, "noverflow %u but the chains of the bucket array have "
                    "%llu overflow buckets (B = %u)", h->noverflow,
                    (unsigned long long)w.overflow, h->B);
    return 0;
}

/* ---- test hook: break one invariant ---------------------------------------------- */

/* The first bucket (in array order, old array first) satisfying pick, or NULL. */
static bmap *find_bucket(hmap *h, bool (*pick)(bmap *, unsigned *, unsigned *), unsigned *i,
                         unsigned *j) {
    for (int old = 1; old >= 0; old--) {
        bmap *arr = old ? h->oldbuckets : h->buckets;
        if (arr == NULL) continue;
        uintptr_t n = old ? noldbuckets(h) : bucketShift(h->B);
        for (uintptr_t k = 0; k < n; k++)
            for (bmap *b = &arr[k]; b != NULL; b = b->overflow)
                if ((!old || !evacuated(&arr[k])) && pick(b, i, j)) return b;
    }
    return NULL;
}

/* The first two live slots of b, when their tophash values differ. */
static bool two_tophashes(bmap *b, unsigned *i, unsigned *j) {
    int first = -1;
    for (unsigned s = 0; s < BUCKET_CNT; s++) {
        if (b->tophash[s] < MIN_TOP_HASH) continue;
        if (first < 0) {
            first = (int)s;
            continue;
        }
        if (b->tophash[s] == b->tophash[first]) return false;
        *i = (unsigned)first;
        *j = s;
        return true;
    }
    return false;
}

static bool rest_then_live(bmap *b, unsigned *i, unsigned *j) {
    for (unsigned s = 0; s + 1 < BUCKET_CNT; s++)
        if (b->tophash[s] == EMPTY_REST && b->tophash[s + 1] >= MIN_TOP_HASH) {
            *i = s;
            *j = s + 1;
            return true;
        }
    return false;
}

static bool live_then_rest(bmap *b, unsigned *i, unsigned *j) {
    for (unsigned s = 0; s + 1 < BUCKET_CNT; s++)
        if (b->tophash[s] >= MIN_TOP_HASH && b->tophash[s + 1] == EMPTY_REST) {
            *i = s;
            *j = s + 1;
            return true;
        }
    return false;
}

/* Each corruption is its own inverse, so a test can undo it and destroy the map:
 *   "tophash"    swap the tophash of the first two live slots of a bucket (INVARIANT 4)
 *   "count"      flip the low bit of count (INVARIANT 5)
 *   "empty_rest" swap a live slot with the EMPTY_REST slot after it, leaving an entry
 *                behind an EMPTY_REST (INVARIANT 6); the second call finds and swaps back
 *   "nevacuate"  mid-grow, move nevacuate past the old buckets (INVARIANT 7), or back
 * Returns 0, or -1 for an unknown name or a map with no place for it. */
int map_debug_corrupt(hmap *h, const char *what) {
    unsigned i = 0, j = 0;
    bmap *b;
    if (strcmp(what, "count") == 0) {
        h->count ^= 1;
        return 0;
    }
    if (strcmp(what, "nevacuate") == 0) {
        if (!growing(h)) return -1;
        uintptr_t nold = noldbuckets(h);
        h->nevacuate = h->nevacuate >= nold ? h->nevacuate - nold : h->nevacuate + nold;
        return 0;
    }
    if (strcmp(what, "tophash") == 0) {
        if ((b = find_bucket(h, two_tophashes, &i, &j)) == NULL) return -1;
        uint8_t t = b->tophash[i];
        b->tophash[i] = b->tophash[j];
        b->tophash[j] = t;
        return 0;
    }
    if (strcmp(what, "empty_rest") == 0) {
        if ((b = find_bucket(h, rest_then_live, &i, &j)) == NULL &&
            (b = find_bucket(h, live_then_rest, &i, &j)) == NULL)
            return -1;
        uint8_t t = b->tophash[i];
        uint64_t k = b->keys[i], e = b->elems[i];
        b->tophash[i] = b->tophash[j];
        b->keys[i] = b->keys[j];
        b->elems[i] = b->elems[j];
        b->tophash[j] = t;
        b->keys[j] = k;
        b->elems[j] = e;
        return 0;
    }
    return -1;
}
