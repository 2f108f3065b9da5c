/*
 * alloc.c: the counting allocator. Every byte the map, its generations and heap or
 * pooled iterators allocate goes through mb_malloc/mb_calloc/mb_free, so a kernel can
 * report Go's allocs/op and B/op. "bytes" is the total requested, never decremented.
 *
 * Counts live in per-thread blocks. Only its thread writes a block, with a relaxed load
 * and store (no lock-prefixed add: the three a heap iterator's calloc + free used to
 * pay were a fifth of its init); alloc_totals sums every block with relaxed loads, and
 * alloc_thread_counts reads the caller's own, so a kernel's delta is not polluted by
 * other threads. INVARIANT: a block is in the `blocks` list from its first use on, never
 * freed, and written by at most one thread at a time: a thread takes a block on its
 * first allocation (one left by a thread that exited, else a new one) and gives it back
 * when it exits (a pthread key destructor). The totals keep the counts of threads that
 * exited, since their blocks stay in the list.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct count_block {
    _Atomic uint64_t allocs, frees, bytes;
    _Atomic int unowned;       /* 1 once its thread exited: the next new thread takes it */
    struct count_block *next;  /* fixed once the block is in the list */
} count_block;

static count_block *_Atomic blocks;
static MB_TLS count_block *mine;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void give_back(void *b) {
    mine = NULL; /* runs on the exiting thread: a later allocation there takes a block again */
    atomic_store_explicit(&((count_block *)b)->unowned, 1, memory_order_release);
}

static void make_exit_key(void) {
    if (pthread_key_create(&exit_key, give_back) != 0) abort();
}

static count_block *take_block(void) {
    pthread_once(&exit_key_once, make_exit_key);
    count_block *b = atomic_load_explicit(&blocks, memory_order_acquire);
    for (; b != NULL; b = b->next) {
        int expected = 1;
        if (atomic_compare_exchange_strong(&b->unowned, &expected, 0)) break;
    }
    if (b == NULL) {
        b = calloc(1, sizeof(*b)); /* bookkeeping, not counted */
        if (b == NULL) abort();
        b->next = atomic_load_explicit(&blocks, memory_order_relaxed);
        while (!atomic_compare_exchange_weak_explicit(&blocks, &b->next, b, memory_order_release,
                                                      memory_order_relaxed)) {
        }
    }
    pthread_setspecific(exit_key, b);
    mine = b;
    return b;
}

static inline count_block *my_block(void) {
    count_block *b = mine;
    return __builtin_expect(b != NULL, 1) ? b : take_block();
}

/* One writer per block: a relaxed load and store, not a read-modify-write. */
static inline void bump(_Atomic uint64_t *c, uint64_t by) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
                          memory_order_relaxed);
}

static void count_alloc(size_t bytes) {
    count_block *b = my_block();
    bump(&b->allocs, 1);
    bump(&b->bytes, bytes);
}

void *mb_malloc(size_t size) {
    void *p = malloc(size);
    if (p) count_alloc(size);
    return p;
}

/* Small blocks: malloc + memset, not calloc. glibc's calloc (2.36, Debian 12) skips
 * the per-thread cache that malloc takes small blocks from, and costs ~130
 * instructions more than malloc's fast path: a heap iterator's calloc + free was 315
 * of its set-up's 510 (callgrind). Go's new(hiter) is mallocgc from the per-P cache,
 * zeroed: so is this. Large blocks keep calloc (fresh mmap'd pages are already zero). */
enum { CALLOC_VIA_MALLOC_MAX = 512 };

void *mb_calloc(size_t n, size_t size) {
    void *p;
    if (size != 0 && n <= CALLOC_VIA_MALLOC_MAX / size) {
        p = malloc(n * size);
        __asm__("" : "+r"(p)); /* else the compiler turns malloc + memset back into calloc */
        if (p) memset(p, 0, n * size);
    } else {
        p = calloc(n, size);
    }
    if (p) count_alloc(n * size);
    return p;
}

/* Zeroed memory aligned to `align` (a power of two), freed with mb_free: a small struct
 * read on every use that must not straddle two cache lines (swiss_table's header). */
void *mb_calloc_aligned(size_t align, size_t size) {
    size_t rounded = (size + align - 1) & ~(align - 1); /* C11: a multiple of align */
    void *p = aligned_alloc(align, rounded);
    if (!p) return NULL;
    memset(p, 0, rounded);
    count_alloc(size);
    return p;
}

void mb_free(void *p) {
    if (!p) return;
    mb_count_free();
    free(p);
}

/* For memory a map takes from elsewhere than malloc (swiss/table_alloc.c). */
void mb_count_alloc(size_t bytes) { count_alloc(bytes); }

void mb_count_free(void) { bump(&my_block()->frees, 1); }

static alloc_counts read_block(count_block *b) {
    alloc_counts c = {atomic_load_explicit(&b->allocs, memory_order_relaxed),
                      atomic_load_explicit(&b->frees, memory_order_relaxed),
                      atomic_load_explicit(&b->bytes, memory_order_relaxed)};
    return c;
}

alloc_counts alloc_totals(void) {
    alloc_counts total = {0, 0, 0};
    for (count_block *b = atomic_load_explicit(&blocks, memory_order_acquire); b; b = b->next) {
        alloc_counts c = read_block(b);
        total.allocs += c.allocs;
        total.frees += c.frees;
        total.bytes += c.bytes;
    }
    return total;
}

alloc_counts alloc_thread_counts(void) { return read_block(my_block()); }
