/*
 * table_alloc.c: where the groups of full-size tables live (1024 slots = 128 groups =
 * 17408 bytes). A big Swiss map is thousands of such tables; from malloc they land on
 * 4 KiB pages scattered over the heap, and every lookup and every table the iterator
 * enters pays a TLB miss that the classic map's bucket array, advised MADV_HUGEPAGE
 * as Go 1.19 does, does not (measured at 2^22 entries: lookups about 1.3x slower).
 * So, for a fair comparison of the two designs, full-size tables are cut from 2 MiB
 * aligned chunks of anonymous memory advised MADV_HUGEPAGE, the way the classic map's
 * arrays get huge pages. Smaller tables (the first doublings of each table) come from
 * malloc.
 *
 * A chunk: its header in the first cache line, then SLOTS_PER_CHUNK slots. INVARIANT:
 * a chunk with a free slot is on the `partial` list; `used` counts its slots in use; a
 * chunk that becomes empty is unmapped unless it is the only chunk with room. One mutex
 * guards it all (maps on different threads allocate concurrently; a table allocation
 * happens once per ~450 inserts into a big map). Every slot goes through the counting
 * allocator's books as one allocation of TABLE_BYTES.
 *
 * Under AddressSanitizer every table comes from malloc, so a use after free of a
 * table (an iterator outliving its reference) is still caught.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "swiss.h"

enum {
    TABLE_BYTES = SWISS_MAX_TABLE_CAPACITY / SWISS_GROUP_SLOTS * sizeof(swiss_group),
    CHUNK_BYTES = 2 << 20,
    SLOT_OFFSET = 64, /* the header's cache line */
    SLOTS_PER_CHUNK = (CHUNK_BYTES - SLOT_OFFSET) / TABLE_BYTES,
};

typedef struct chunk {
    struct chunk *next, *prev; /* on the partial list */
    void *free;                /* freed slots, linked through their first word */
    uint32_t used;
    uint32_t bumped;           /* slots handed out at least once */
    bool listed;
} chunk;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static chunk *partial;

static void unlink_chunk(chunk *c) {
    if (c->prev) c->prev->next = c->next; else partial = c->next;
    if (c->next) c->next->prev = c->prev;
    c->next = c->prev = NULL;
    c->listed = false;
}

static void push_chunk(chunk *c) {
    c->prev = NULL;
    c->next = partial;
    if (partial) partial->prev = c;
    partial = c;
    c->listed = true;
}

static chunk *new_chunk(void) {
    /* Twice the size, then trim to a 2 MiB aligned chunk. */
    char *raw = mmap(NULL, 2 * CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    uintptr_t start = ((uintptr_t)raw + CHUNK_BYTES - 1) & ~(uintptr_t)(CHUNK_BYTES - 1);
    if ((char *)start > raw) munmap(raw, (size_t)((char *)start - raw));
    char *end = (char *)start + CHUNK_BYTES;
    if (end < raw + 2 * CHUNK_BYTES) munmap(end, (size_t)(raw + 2 * CHUNK_BYTES - end));
#ifdef MADV_HUGEPAGE
    madvise((void *)start, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
    chunk *c = (chunk *)start; /* fresh anonymous memory: zeroed */
    return c;
}

static void *slab_alloc(void) {
    pthread_mutex_lock(&lock);
    chunk *c = partial;
    if (!c) {
        c = new_chunk();
        if (!c) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        push_chunk(c);
    }
    void *p;
    if (c->free) {
        p = c->free;
        c->free = *(void **)p;
    } else {
        p = (char *)c + SLOT_OFFSET + (size_t)c->bumped * TABLE_BYTES;
        c->bumped++;
    }
    if (++c->used == SLOTS_PER_CHUNK) unlink_chunk(c);
    pthread_mutex_unlock(&lock);
    return p;
}

static void slab_free(void *p) {
    chunk *c = (chunk *)((uintptr_t)p & ~(uintptr_t)(CHUNK_BYTES - 1));
    pthread_mutex_lock(&lock);
    *(void **)p = c->free;
    c->free = p;
    c->used--;
    if (!c->listed) push_chunk(c);
    if (c->used == 0 && (c->next || c->prev)) { /* empty, and not the only one with room */
        unlink_chunk(c);
        munmap(c, CHUNK_BYTES);
    }
    pthread_mutex_unlock(&lock);
}

swiss_group *swiss_groups_alloc(uint64_t ngroups) {
#if !defined(__SANITIZE_ADDRESS__)
    if (ngroups * sizeof(swiss_group) == TABLE_BYTES) {
        swiss_group *g = slab_alloc();
        if (g) mb_count_alloc(TABLE_BYTES);
        return g;
    }
#endif
    return mb_malloc(ngroups * sizeof(swiss_group));
}

void swiss_groups_free(swiss_group *g, uint64_t ngroups) {
    if (!g) return;
#if !defined(__SANITIZE_ADDRESS__)
    if (ngroups * sizeof(swiss_group) == TABLE_BYTES) {
        slab_free(g);
        mb_count_free();
        return;
    }
#endif
    mb_free(g);
}
