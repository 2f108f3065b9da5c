/*
 * map.c: creation, lookup, insert, delete, growth and evacuation, following Go 1.19's
 * runtime/map.go and map_fast64.go (see map.h for the data structure and the
 * ownership invariants). Line references are to go1.19.8.
 */
#define _DEFAULT_SOURCE /* madvise */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "map.h"

static void fatal(const char *msg) {
    fprintf(stderr, "mapbench: fatal error: %s\n", msg);
    abort();
}

static inline uint8_t tophash(uint64_t hash) {
    uint8_t top = (uint8_t)(hash >> 56);
    if (top < MIN_TOP_HASH) top += MIN_TOP_HASH;
    return top;
}

/* overLoadFactor (map.go 1085): count > 8 && count > 6.5 * 2^B. */
static inline bool overLoadFactor(uint64_t count, uint8_t B) {
    return count > BUCKET_CNT &&
           count > (uint64_t)LOAD_FACTOR_NUM * (bucketShift(B) / LOAD_FACTOR_DEN);
}

/* tooManyOverflowBuckets (map.go 1092): noverflow >= 2^min(B, 15). */
static inline bool tooManyOverflowBuckets(uint16_t noverflow, uint8_t B) {
    if (B > 15) B = 15;
    return noverflow >= (uint16_t)(1u << (B & 15));
}

/* ---- generations ---------------------------------------------------------------- */

/* Go 1.19's heap asks for transparent huge pages on memory it uses (sysHugePageOS:
 * madvise(MADV_HUGEPAGE) on the whole 2 MiB pages inside the range), so big bucket
 * arrays get them there; do the same here, or large maps pay TLB misses Go does not. */
static void advise_huge_pages(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t beg = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)p + n) & ~(huge - 1);
    if (beg < end) madvise((void *)beg, end - beg, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

/* makeBucketArray (map.go 345): 2^b buckets, plus 2^(b-4) preallocated overflow buckets
 * for b >= 4 (rounded up to whole 8 KiB pages above 32 KiB, like Go's roundupsize; the
 * small size classes are not modelled). The last spare bucket's overflow pointer is a
 * non-nil sentinel (the array base) that marks the end of the free list. */
static bucket_gen *gen_new(uint8_t b) {
    uintptr_t base = bucketShift(b), nbuckets = base;
    if (b >= 4) {
        nbuckets += bucketShift(b - 4);
        size_t sz = nbuckets * sizeof(bmap);
        if (sz > 32768) {
            size_t up = (sz + 8191) & ~(size_t)8191;
            nbuckets = up / sizeof(bmap);
        }
    }
    bucket_gen *g = mb_calloc(1, sizeof(*g));
    if (!g) return NULL;
    g->array = mb_calloc(nbuckets, sizeof(bmap));
    if (!g->array) {
        mb_free(g);
        return NULL;
    }
    advise_huge_pages(g->array, nbuckets * sizeof(bmap));
    g->nbuckets = base;
    g->nalloc = nbuckets;
    g->refs = 1;
    if (nbuckets != base) g->array[nbuckets - 1].overflow = g->array;
    return g;
}

static bmap *gen_first_spare(bucket_gen *g) {
    return g->nalloc != g->nbuckets ? &g->array[g->nbuckets] : NULL;
}

/* The last reference went (gen_release in map.h): free the array and its overflow. */
void gen_free(bucket_gen *g) {
    for (size_t i = 0; i < g->noverflow_alloc; i++) mb_free(g->overflow[i]);
    mb_free(g->overflow);
    mb_free(g->array);
    mb_free(g);
}

static void gen_track_overflow(bucket_gen *g, bmap *ovf) {
    if (g->noverflow_alloc == g->overflow_cap) {
        size_t cap = g->overflow_cap ? 2 * g->overflow_cap : 8;
        bmap **v = mb_malloc(cap * sizeof(*v));
        if (!v) fatal("out of memory");
        if (g->noverflow_alloc) memcpy(v, g->overflow, g->noverflow_alloc * sizeof(*v));
        mb_free(g->overflow);
        g->overflow = v;
        g->overflow_cap = cap;
    }
    g->overflow[g->noverflow_alloc++] = ovf;
}

/* ---- map lifetime ---------------------------------------------------------------- */

hmap *makemap(uint64_t hint, uint32_t seed, bool random_seed) {
    /* Go: a hint whose array would exceed maxAlloc is treated as 0. */
    if (hint > ((uint64_t)1 << 44)) hint = 0;
    hmap *h = mb_calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->extra = mb_calloc(1, sizeof(*h->extra));
    if (!h->extra) {
        mb_free(h);
        return NULL;
    }
    h->hash0 = random_seed ? fastrand() : seed;
    uint8_t B = 0;
    while (overLoadFactor(hint, B)) B++;
    h->B = B;
    if (B != 0) {
        bucket_gen *g = gen_new(B);
        if (!g) {
            map_destroy(h);
            return NULL;
        }
        h->extra->gen = g;
        h->buckets = g->array;
        h->extra->nextOverflow = gen_first_spare(g);
    }
    return h;
}

void map_destroy(hmap *h) {
    if (!h) return;
    gen_release(h->extra->gen);
    gen_release(h->extra->oldgen);
    mb_free(h->extra);
    mb_free(h);
}

/* ---- overflow buckets ------------------------------------------------------------ */

/* incrnoverflow (map.go 227): exact while B < 16, then with probability 1/2^(B-15). */
static void incrnoverflow(hmap *h) {
    if (h->B < 16) {
        h->noverflow++;
        return;
    }
    uint32_t mask = (1u << (h->B - 15)) - 1;
    if ((fastrand() & mask) == 0) h->noverflow++;
}

/* newoverflow (map.go 246): take the next preallocated bucket, else malloc one. */
static bmap *newoverflow(hmap *h, bmap *b) {
    mapextra *x = h->extra;
    bmap *ovf = x->nextOverflow;
    if (ovf) {
        if (ovf->overflow == NULL) {
            x->nextOverflow = ovf + 1;
        } else {
            ovf->overflow = NULL; /* the end-of-list sentinel */
            x->nextOverflow = NULL;
        }
    } else {
        ovf = mb_calloc(1, sizeof(bmap));
        if (!ovf) fatal("out of memory");
        gen_track_overflow(x->gen, ovf);
    }
    incrnoverflow(h);
    b->overflow = ovf;
    return ovf;
}

/* ---- growth ---------------------------------------------------------------------- */

/* hash_grow: hashGrow with the choice made by the caller (map.go 1041). Only allocates:
 * the entries move later, in growWork. */
void hash_grow(hmap *h, bool bigger) {
    if (!bigger) h->flags |= FLAG_SAME_SIZE_GROW;
    bucket_gen *g = gen_new((uint8_t)(h->B + bigger));
    if (!g) fatal("out of memory");
    uint8_t flags = h->flags & ~(FLAG_ITERATOR | FLAG_OLD_ITERATOR);
    if (h->flags & FLAG_ITERATOR) flags |= FLAG_OLD_ITERATOR;
    h->B += bigger;
    h->flags = flags | FLAG_GROWING;
    h->oldbuckets = h->buckets;
    h->buckets = g->array;
    h->nevacuate = 0;
    h->noverflow = 0;
    h->extra->oldgen = h->extra->gen;
    h->extra->gen = g;
    h->extra->nextOverflow = gen_first_spare(g);
}

MB_NOINLINE void hashGrow(hmap *h) {
    hash_grow(h, overLoadFactor((uint64_t)h->count + 1, h->B));
}

/* advanceEvacuationMark (map.go 1266): when every old bucket is done, drop the old
 * array (the map's reference; an iterator may still hold its own). */
static void advanceEvacuationMark(hmap *h, uintptr_t newbit) {
    h->nevacuate++;
    uintptr_t stop = h->nevacuate + 1024;
    if (stop > newbit) stop = newbit;
    while (h->nevacuate != stop && evacuated(&h->oldbuckets[h->nevacuate])) h->nevacuate++;
    if (h->nevacuate == newbit) {
        h->oldbuckets = NULL;
        gen_release(h->extra->oldgen);
        h->extra->oldgen = NULL;
        h->flags &= ~(FLAG_SAME_SIZE_GROW | FLAG_GROWING);
    }
}

typedef struct evacDst {
    bmap *b;
    unsigned i;
} evacDst;

/* evacuate (map_fast64.go 376): move old bucket `oldbucket` and its overflow chain to
 * X (same index) or Y (index + old size). The old tophash becomes EVACUATED_X/Y or
 * EVACUATED_EMPTY; old keys and values stay readable for iterators. */
MB_NOINLINE void evacuate(hmap *h, uintptr_t oldbucket) {
    bmap *b = &h->oldbuckets[oldbucket];
    uintptr_t newbit = noldbuckets(h);
    if (!evacuated(b)) {
        evacDst xy[2];
        xy[0].b = &h->buckets[oldbucket];
        xy[0].i = 0;
        bool same = sameSizeGrow(h);
        /* INVARIANT 8. No iterator holds a group or bucket this fills (a new bucket is
         * entered only once its old bucket is evacuated), but a count too many only
         * sends iterators to re-read live tophash bytes: harmless, once per bucket. */
        h->extra->gen->writes++;
        if (!same) {
            xy[1].b = &h->buckets[oldbucket + newbit];
            xy[1].i = 0;
        }
        for (; b != NULL; b = b->overflow) {
            for (unsigned i = 0; i < BUCKET_CNT; i++) {
                uint8_t top = b->tophash[i];
                if (isEmpty(top)) {
                    b->tophash[i] = EVACUATED_EMPTY;
                    continue;
                }
                if (top < MIN_TOP_HASH) fatal("bad map state");
                unsigned useY = 0;
                if (!same) {
                    uint64_t hash = hash64(b->keys[i], h->hash0);
                    if (hash & newbit) useY = 1;
                }
                b->tophash[i] = (uint8_t)(EVACUATED_X + useY);
                evacDst *dst = &xy[useY];
                if (dst->i == BUCKET_CNT) {
                    dst->b = newoverflow(h, dst->b);
                    dst->i = 0;
                }
                dst->b->tophash[dst->i] = top;
                dst->b->keys[dst->i] = b->keys[i];
                dst->b->elems[dst->i] = b->elems[i];
                dst->i++;
            }
        }
    }
    if (oldbucket == h->nevacuate) advanceEvacuationMark(h, newbit);
}

/* growWork (map_fast64.go 365): the old bucket backing the one about to be written,
 * then one more at nevacuate. */
MB_NOINLINE void growWork(hmap *h, uintptr_t bucket) {
    evacuate(h, bucket & oldbucketmask(h));
    if (growing(h)) evacuate(h, h->nevacuate);
}

/* ---- lookup ---------------------------------------------------------------------- */

/* The bucket chain that holds key now: the old bucket while it is not evacuated. */
static inline bmap *lookup_bucket(const hmap *h, uint64_t hash) {
    uintptr_t m = bucketMask(h->B);
    bmap *b = &h->buckets[hash & m];
    if (h->oldbuckets) {
        if (!sameSizeGrow(h)) m >>= 1;
        bmap *ob = &h->oldbuckets[hash & m];
        if (!evacuated(ob)) b = ob;
    }
    return b;
}

/* mapaccess2_fast64 (map_fast64.go 53): B == 0 scans the single bucket without hashing;
 * keys are compared directly, the tophash only checked for non-empty. */
MB_NOINLINE int mapaccess(hmap *h, uint64_t key, uint64_t *out) {
    if (h->count == 0) return 0;
    if (h->flags & FLAG_HASH_WRITING) return -MAP_ERR_READ_WRITE;
    bmap *b = h->B == 0 ? h->buckets : lookup_bucket(h, hash64(key, h->hash0));
    for (; b != NULL; b = b->overflow) {
        for (unsigned i = 0; i < BUCKET_CNT; i++) {
            if (b->keys[i] == key && !isEmpty(b->tophash[i])) {
                *out = b->elems[i];
                return 1;
            }
        }
    }
    return 0;
}

/* mapaccessK (map.go 518): the generic path the iterator uses to re-find a key that
 * was evacuated after the iteration started; compares tophash, then the key. */
MB_NOINLINE bool mapaccessK(hmap *h, uint64_t key, uint64_t **k, uint64_t **e) {
    if (h->count == 0) return false;
    uint64_t hash = hash64(key, h->hash0);
    uint8_t top = tophash(hash);
    for (bmap *b = lookup_bucket(h, hash); b != NULL; b = b->overflow) {
        for (unsigned i = 0; i < BUCKET_CNT; i++) {
            if (b->tophash[i] != top) {
                if (b->tophash[i] == EMPTY_REST) return false;
                continue;
            }
            if (b->keys[i] == key) {
                *k = &b->keys[i];
                *e = &b->elems[i];
                return true;
            }
        }
    }
    return false;
}

/* ---- insert ---------------------------------------------------------------------- */

/* mapassign_fast64 (map_fast64.go 93). */
MB_NOINLINE int mapassign(hmap *h, uint64_t key, uint64_t value) {
    if (h->flags & FLAG_HASH_WRITING) return -MAP_ERR_CONCURRENT_WRITES;
    uint64_t hash = hash64(key, h->hash0);
    /* Set hashWriting after hashing, as Go does (the hasher may panic there). */
    h->flags ^= FLAG_HASH_WRITING;
    if (h->buckets == NULL) {
        bucket_gen *g = gen_new(0);
        if (!g) fatal("out of memory");
        h->extra->gen = g;
        h->buckets = g->array;
    }
    bmap *insertb;
    unsigned inserti;
again:;
    uintptr_t bucket = hash & bucketMask(h->B);
    if (growing(h)) growWork(h, bucket);
    bmap *b = &h->buckets[bucket];
    insertb = NULL;
    inserti = 0;
    for (;;) {
        for (unsigned i = 0; i < BUCKET_CNT; i++) {
            if (isEmpty(b->tophash[i])) {
                if (insertb == NULL) {
                    insertb = b;
                    inserti = i;
                }
                if (b->tophash[i] == EMPTY_REST) goto bucketloop_done;
                continue;
            }
            if (b->keys[i] != key) continue;
            insertb = b;
            inserti = i;
            goto done;
        }
        bmap *ovf = b->overflow;
        if (ovf == NULL) break;
        b = ovf;
    }
bucketloop_done:
    /* Not found. Grow if this insert would overload the table (never mid-grow). */
    if (!growing(h) && (overLoadFactor((uint64_t)h->count + 1, h->B) ||
                        tooManyOverflowBuckets(h->noverflow, h->B))) {
        hashGrow(h);
        goto again;
    }
    if (insertb == NULL) {
        insertb = newoverflow(h, b);
        inserti = 0;
    }
    insertb->tophash[inserti] = tophash(hash);
    insertb->keys[inserti] = key;
    h->count++;
    h->extra->gen->writes++; /* INVARIANT 8: an iterator may have this slot ahead of it */
done:
    insertb->elems[inserti] = value;
    if ((h->flags & FLAG_HASH_WRITING) == 0) return -MAP_ERR_CONCURRENT_WRITES;
    h->flags &= ~FLAG_HASH_WRITING;
    return MAP_OK;
}

/* ---- delete ---------------------------------------------------------------------- */

/* mapdelete_fast64 (map_fast64.go 270): the slot becomes EMPTY_ONE; if nothing follows
 * it in the chain, it and the run of EMPTY_ONE before it become EMPTY_REST. */
MB_NOINLINE int mapdelete(hmap *h, uint64_t key) {
    if (h->count == 0) return 0;
    if (h->flags & FLAG_HASH_WRITING) return -MAP_ERR_CONCURRENT_WRITES;
    uint64_t hash = hash64(key, h->hash0);
    h->flags ^= FLAG_HASH_WRITING;
    int found = 0;
    uintptr_t bucket = hash & bucketMask(h->B);
    if (growing(h)) growWork(h, bucket);
    bmap *bOrig = &h->buckets[bucket];
    for (bmap *b = bOrig; b != NULL; b = b->overflow) {
        for (unsigned i = 0; i < BUCKET_CNT; i++) {
            if (key != b->keys[i] || isEmpty(b->tophash[i])) continue;
            b->tophash[i] = EMPTY_ONE;
            if (i == BUCKET_CNT - 1) {
                if (b->overflow != NULL && b->overflow->tophash[0] != EMPTY_REST) goto notLast;
            } else if (b->tophash[i + 1] != EMPTY_REST) {
                goto notLast;
            }
            for (;;) {
                b->tophash[i] = EMPTY_REST;
                if (i == 0) {
                    if (b == bOrig) break; /* beginning of the initial bucket: done */
                    bmap *c = b;           /* find the previous bucket of the chain */
                    for (b = bOrig; b->overflow != c; b = b->overflow) {
                    }
                    i = BUCKET_CNT - 1;
                } else {
                    i--;
                }
                if (b->tophash[i] != EMPTY_ONE) break;
            }
        notLast:
            h->count--;
            /* Go reseeds an emptied map so attackers cannot keep a bad seed. */
            if (h->count == 0) h->hash0 = fastrand();
            found = 1;
            goto search_done;
        }
    }
search_done:
    if ((h->flags & FLAG_HASH_WRITING) == 0) return -MAP_ERR_CONCURRENT_WRITES;
    h->flags &= ~FLAG_HASH_WRITING;
    return found;
}

/* ---- helpers for the wrapper, kernels and tests ---------------------------------- */

void map_debug_set_writing(hmap *h, bool on) {
    if (on)
        h->flags |= FLAG_HASH_WRITING;
    else
        h->flags &= ~FLAG_HASH_WRITING;
}

/* Test hook: how many slots of the current array (bucket chains included) hold each
 * tophash value; counts must have 256 entries. */
void map_debug_tophash_census(const hmap *h, uint64_t *counts) {
    if (h->buckets == NULL) return;
    for (uintptr_t i = 0; i < bucketShift(h->B); i++)
        for (const bmap *b = &h->buckets[i]; b != NULL; b = b->overflow)
            for (unsigned s = 0; s < BUCKET_CNT; s++) counts[b->tophash[s]]++;
}

map_stats map_get_stats(const hmap *h) {
    map_stats s;
    memset(&s, 0, sizeof(s));
    s.count = h->count;
    s.B = h->B;
    s.noverflow = h->noverflow;
    s.growing = growing(h);
    s.same_size_grow = sameSizeGrow(h);
    s.flags = h->flags;
    s.hash0 = h->hash0;
    s.nevacuate = h->nevacuate;
    s.buckets = h->buckets ? bucketShift(h->B) : 0;
    s.oldbuckets = growing(h) ? noldbuckets(h) : 0;
    s.bucket_bytes = s.buckets * sizeof(bmap);
    if (h->extra->gen) {
        s.array_bytes = h->extra->gen->nalloc * sizeof(bmap);
        s.overflow_malloced = h->extra->gen->noverflow_alloc;
    }
    return s;
}

void map_fill(hmap *h, uint64_t n, uint64_t key_seed) {
    for (uint64_t i = 0; i < n; i++) mapassign(h, stream_key(key_seed, i), i);
}

/* Start a doubling grow and evacuate the first half of the old buckets, leaving the
 * grow half done (for iteration during a grow). Reads and iteration never evacuate,
 * so the state stays until the next write. */
void map_half_grow(hmap *h) {
    if (h->buckets == NULL || growing(h)) return;
    hash_grow(h, true);
    uintptr_t half = noldbuckets(h) / 2;
    for (uintptr_t ob = 0; ob < half; ob++) evacuate(h, ob);
}
