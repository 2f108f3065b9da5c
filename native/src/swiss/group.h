/*
 * group.h: a group's control word and the bitsets that match it (Go: group.go). A
 * bitset has bit 8*i + 7 set for each matching slot i; first() is the lowest such slot.
 * Portable SWAR on the 64-bit word, as Go's generic code (Go's amd64 build turns the
 * same operations into SSE2, still 8 slots wide).
 */
#ifndef MAPBENCH_SWISS_GROUP_H
#define MAPBENCH_SWISS_GROUP_H

#include <string.h>

#include "swiss.h"

enum {
    CTRL_EMPTY = 0x80,   /* 0b10000000 */
    CTRL_DELETED = 0xFE, /* 0b11111110 */
};

#define BITSET_LSB 0x0101010101010101ull
#define BITSET_MSB 0x8080808080808080ull
#define BITSET_EMPTY (BITSET_LSB * CTRL_EMPTY)

typedef uint64_t bitset;

static inline uint64_t h1(uint64_t h) { return h >> 7; }
static inline uint8_t h2(uint64_t h) { return (uint8_t)(h & 0x7f); }

static inline uint64_t ctrl_word(const swiss_group *g) {
    uint64_t w;
    memcpy(&w, g->ctrl, sizeof(w));
    return w;
}

static inline void ctrl_set_empty(swiss_group *g) {
    uint64_t w = BITSET_EMPTY;
    memcpy(g->ctrl, &w, sizeof(w));
}

static inline unsigned bitset_first(bitset b) { return (unsigned)__builtin_ctzll(b) >> 3; }
static inline bitset bitset_remove_first(bitset b) { return b & (b - 1); }
static inline bitset bitset_remove_below(bitset b, unsigned i) {
    return b & ~((1ull << (8 * i)) - 1);
}

/* Slots whose control byte equals h. May report a false positive in a byte above a
 * true match (the borrow of the subtraction), exactly as Go's: callers compare keys. */
static inline bitset match_h2(uint64_t w, uint8_t h) {
    uint64_t v = w ^ (BITSET_LSB * h);
    return ((v - BITSET_LSB) & ~v) & BITSET_MSB;
}

/* EMPTY (0x80) but not DELETED (0xFE): the high bit set and bit 1 clear. */
static inline bitset match_empty(uint64_t w) { return (w & ~(w << 6)) & BITSET_MSB; }
static inline bitset match_empty_or_deleted(uint64_t w) { return w & BITSET_MSB; }
static inline bitset match_full(uint64_t w) { return ~w & BITSET_MSB; }

/* Triangular probing over groups (table.go probeSeq): offset, offset+1, offset+3, ...
 * visits every group of a power-of-two table once. */
typedef struct probe_seq {
    uint64_t mask;
    uint64_t offset;
    uint64_t index;
} probe_seq;

static inline probe_seq probe_start(uint64_t hash, uint64_t mask) {
    probe_seq s = {mask, h1(hash) & mask, 0};
    return s;
}

static inline void probe_next(probe_seq *s) {
    s->index++;
    s->offset = (s->offset + s->index) & s->mask;
}

#endif
