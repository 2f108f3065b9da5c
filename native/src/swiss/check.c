/*
 * check.c: swiss_check_invariants, the invariants S1, S2, S3, S5 and S6 of swiss.h
 * checked in code, after Go 1.24's checkInvariants (internal/runtime/maps/
 * table_debug.go: every full slot is found by a lookup of its key, used, growthLeft
 * and the tombstones agree with the control bytes, a table has an EMPTY slot) plus
 * what Go leaves unchecked: the directory (S1), the control bytes' H2 and the map's
 * count. Also swiss_debug_corrupt, the test hook that breaks one invariant on purpose.
 *
 * The checker only reads, and reads a table only after checking its shape (capacity,
 * lengthMask), so a broken map gives a message rather than a crash. Cost: one hash and
 * one probe walk per full slot.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_report.h"
#include "group.h"

/* Write the first violation into why (one line) and return its invariant number n
 * (S<n>). */
static int fail(char *why, size_t why_len, int invariant, const char *fmt, ...) {
    static const char *const names[] = {[1] = "directory", [2] = "table counts",
                                        [3] = "probing", [5] = "control bytes", [6] = "map count"};
    va_list ap;
    va_start(ap, fmt);
    check_reportv(why, why_len, "S", invariant, names[invariant], fmt, ap);
    va_end(ap);
    return invariant;
}

static inline bool is_full(uint8_t c) { return (c & CTRL_EMPTY) == 0; }

static uint16_t max_growth(const swiss_table *t) {
    return t->capacity <= SWISS_GROUP_SLOTS
               ? (uint16_t)(t->capacity - 1)
               : (uint16_t)(t->capacity * SWISS_MAX_AVG_GROUP_LOAD / SWISS_GROUP_SLOTS);
}

/* The small map's group: S5 for each full slot, S2's "no tombstones", S6's count. */
static int check_small(const swiss_map *m, char *why, size_t why_len) {
    const swiss_group *g = m->dirPtr;
    uint64_t full = 0;
    for (unsigned s = 0; s < SWISS_GROUP_SLOTS; s++) {
        uint8_t c = g->ctrl[s];
        if (c == CTRL_EMPTY) continue;
        if (c == CTRL_DELETED)
            return fail(why, why_len, 2, "small group slot %u: a tombstone (the small map "
                        "keeps none)", s);
        if (!is_full(c))
            return fail(why, why_len, 5, "small group slot %u: control byte 0x%02x is neither "
                        "EMPTY, DELETED nor full", s, c);
        uint64_t key = g->slots[s].key;
        uint8_t want = h2(hash64(key, m->seed));
        if (c != want)
            return fail(why, why_len, 5, "small group slot %u: control byte H2 0x%02x, but key "
                        "%llu has H2 0x%02x", s, c, (unsigned long long)key, want);
        for (unsigned r = 0; r < s; r++)
            if (is_full(g->ctrl[r]) && g->slots[r].key == key)
                return fail(why, why_len, 5, "small group: key %llu in slot %u and again in "
                            "slot %u", (unsigned long long)key, r, s);
        full++;
    }
    if (m->used != full)
        return fail(why, why_len, 6, "map used %llu but the small group has %llu full slots",
                    (unsigned long long)m->used, (unsigned long long)full);
    return 0;
}

/* The slot (group gi, slot s) of a full key: its H2, its table (S5), and that a lookup
 * probing from H1 reaches it before any group with an EMPTY slot and finds no earlier
 * slot holding the key (S3). */
static int check_slot(const swiss_map *m, const swiss_table *t, uint64_t ti, uint64_t gi,
                      unsigned s, char *why, size_t why_len) {
    const swiss_group *g = &t->groups[gi];
    uint64_t key = g->slots[s].key, hash = hash64(key, m->seed);
    if (g->ctrl[s] != h2(hash))
        return fail(why, why_len, 5, "table %llu group %llu slot %u: control byte H2 0x%02x, "
                    "but key %llu has H2 0x%02x", (unsigned long long)ti,
                    (unsigned long long)gi, s, g->ctrl[s], (unsigned long long)key, h2(hash));
    uint64_t entries = 1ull << (m->globalDepth - t->localDepth);
    uint64_t entry = m->globalDepth ? hash >> (64 - m->globalDepth) : 0;
    if (entry < (uint64_t)t->index || entry >= (uint64_t)t->index + entries)
        return fail(why, why_len, 5, "table %llu group %llu slot %u: key %llu belongs to "
                    "directory entry %llu, not to this table's [%lld, %llu)",
                    (unsigned long long)ti, (unsigned long long)gi, s,
                    (unsigned long long)key, (unsigned long long)entry, (long long)t->index,
                    (unsigned long long)((uint64_t)t->index + entries));
    probe_seq p = probe_start(hash, t->lengthMask);
    for (uint64_t n = 0; n <= t->lengthMask; n++, probe_next(&p)) {
        const swiss_group *q = &t->groups[p.offset];
        for (unsigned r = 0; r < SWISS_GROUP_SLOTS; r++) {
            if (q == g && r == s) return 0;
            if (is_full(q->ctrl[r]) && q->slots[r].key == key)
                return fail(why, why_len, 3, "table %llu: key %llu in group %llu slot %u and "
                            "again in group %llu slot %u", (unsigned long long)ti,
                            (unsigned long long)key, (unsigned long long)p.offset, r,
                            (unsigned long long)gi, s);
        }
        if (match_empty(ctrl_word(q)))
            return fail(why, why_len, 3, "table %llu group %llu slot %u: the probe sequence of "
                        "key %llu stops at group %llu (an EMPTY slot) before reaching it",
                        (unsigned long long)ti, (unsigned long long)gi, s,
                        (unsigned long long)key, (unsigned long long)p.offset);
    }
    return fail(why, why_len, 3, "table %llu group %llu slot %u: the probe sequence of key "
                "%llu never visits its group", (unsigned long long)ti, (unsigned long long)gi,
                s, (unsigned long long)key);
}

/* Table t, first at directory entry ti: its shape, its slots, and S2's counts. */
static int check_table(const swiss_map *m, const swiss_table *t, uint64_t ti, char *why,
                       size_t why_len) {
    uint16_t cap = t->capacity;
    if (cap < SWISS_GROUP_SLOTS || cap > SWISS_MAX_TABLE_CAPACITY || (cap & (cap - 1)) != 0 ||
        t->lengthMask + 1 != cap / SWISS_GROUP_SLOTS || t->groups == NULL || t->refs == 0)
        return fail(why, why_len, 2, "table %llu: capacity %u, lengthMask %llu, groups %p, "
                    "refs %llu do not make a table", (unsigned long long)ti, cap,
                    (unsigned long long)t->lengthMask, (void *)t->groups,
                    (unsigned long long)t->refs);
    uint64_t full = 0, deleted = 0, empty = 0;
    for (uint64_t gi = 0; gi <= t->lengthMask; gi++) {
        for (unsigned s = 0; s < SWISS_GROUP_SLOTS; s++) {
            uint8_t c = t->groups[gi].ctrl[s];
            if (c == CTRL_EMPTY) {
                empty++;
            } else if (c == CTRL_DELETED) {
                deleted++;
            } else if (!is_full(c)) {
                return fail(why, why_len, 5, "table %llu group %llu slot %u: control byte 0x%02x "
                            "is neither EMPTY, DELETED nor full", (unsigned long long)ti,
                            (unsigned long long)gi, s, c);
            } else {
                int r = check_slot(m, t, ti, gi, s, why, why_len);
                if (r) return r;
                full++;
            }
        }
    }
    if (t->used != full)
        return fail(why, why_len, 2, "table %llu: used %u but %llu full slots",
                    (unsigned long long)ti, t->used, (unsigned long long)full);
    uint16_t max = max_growth(t);
    if ((uint64_t)t->used + deleted > max || t->growthLeft != max - t->used - deleted)
        return fail(why, why_len, 2, "table %llu: growthLeft %u, want %lld (capacity %u "
                    "allows %u inserts, less used %u and %llu tombstones)",
                    (unsigned long long)ti, t->growthLeft,
                    (long long)max - t->used - (long long)deleted, cap, max, t->used,
                    (unsigned long long)deleted);
    if (empty == 0)
        return fail(why, why_len, 3, "table %llu: no EMPTY slot, so a probe for an absent key "
                    "never ends", (unsigned long long)ti);
    return 0;
}

int swiss_check_invariants(const swiss_map *m, char *why, size_t why_len) {
    if (why && why_len) why[0] = '\0';
    if (m->dirLen == 0) {
        if (m->dirPtr == NULL)
            return m->used == 0 ? 0
                                : fail(why, why_len, 6, "used %llu but the map has no group",
                                       (unsigned long long)m->used);
        return check_small(m, why, why_len);
    }
    /* S1: the directory's shape, then each table's run of entries. */
    if (m->dirPtr == NULL || m->globalDepth > 63 || m->dirLen != (int64_t)1 << m->globalDepth ||
        m->globalShift != 64 - m->globalDepth)
        return fail(why, why_len, 1, "directory of %lld entries at %p with globalDepth %u and "
                    "globalShift %u", (long long)m->dirLen, m->dirPtr, m->globalDepth,
                    m->globalShift);
    uint64_t used = 0;
    for (uint64_t i = 0; i < (uint64_t)m->dirLen;) {
        const swiss_table *t = swiss_directory_at(m, i);
        if (t == NULL) return fail(why, why_len, 1, "directory entry %llu is NULL", (unsigned long long)i);
        if (t->localDepth > m->globalDepth)
            return fail(why, why_len, 1, "directory entry %llu: table localDepth %u exceeds "
                        "globalDepth %u", (unsigned long long)i, t->localDepth, m->globalDepth);
        if (t->index != (int64_t)i)
            return fail(why, why_len, 1, "directory entry %llu: its table's index is %lld, not "
                        "the first entry that holds it", (unsigned long long)i,
                        (long long)t->index);
        uint64_t entries = 1ull << (m->globalDepth - t->localDepth);
        if (i % entries != 0)
            return fail(why, why_len, 1, "directory entry %llu: a table of localDepth %u must "
                        "start at a multiple of %llu entries", (unsigned long long)i,
                        t->localDepth, (unsigned long long)entries);
        for (uint64_t j = i + 1; j < i + entries; j++)
            if (swiss_directory_at(m, j) != t)
                return fail(why, why_len, 1, "directory entry %llu: holds another table than "
                            "the table at entry %llu, whose localDepth %u spans %llu entries",
                            (unsigned long long)j, (unsigned long long)i, t->localDepth,
                            (unsigned long long)entries);
        int r = check_table(m, t, i, why, why_len);
        if (r) return r;
        used += t->used;
        i += entries;
    }
    if (m->used != used)
        return fail(why, why_len, 6, "map used %llu but its tables' used sum to %llu",
                    (unsigned long long)m->used, (unsigned long long)used);
    return 0;
}

/* ---- test hook: break one invariant ---------------------------------------------- */

/* The first group of the map (the small group, else the tables in directory order)
 * whose first two full slots have different control bytes; NULL if none. */
static swiss_group *two_h2(swiss_map *m, unsigned *i, unsigned *j) {
    uint64_t ntables = m->dirLen == 0 ? (m->dirPtr != NULL) : (uint64_t)m->dirLen;
    for (uint64_t d = 0; d < ntables; d++) {
        swiss_table *t = m->dirLen ? swiss_directory_at(m, d) : NULL;
        if (t && t->index != (int64_t)d) continue; /* seen at its first entry */
        uint64_t ngroups = t ? t->lengthMask + 1 : 1;
        for (uint64_t gi = 0; gi < ngroups; gi++) {
            swiss_group *g = t ? &t->groups[gi] : m->dirPtr;
            int first = -1;
            for (unsigned s = 0; s < SWISS_GROUP_SLOTS; s++) {
                if (!is_full(g->ctrl[s])) continue;
                if (first < 0) {
                    first = (int)s;
                    continue;
                }
                if (g->ctrl[s] == g->ctrl[first]) break;
                *i = (unsigned)first;
                *j = s;
                return g;
            }
        }
    }
    return NULL;
}

/* Each corruption is its own inverse, so a test can undo it and destroy the map:
 *   "h2"          swap the control bytes of the first two full slots of a group (S5)
 *   "used"        flip the low bit of the first table's used (S2)
 *   "growth_left" flip the low bit of the first table's growthLeft (S2)
 *   "map_used"    flip the low bit of the map's used (S6)
 *   "directory"   swap the first and the last directory entries (S1)
 * Returns 0, or -1 for an unknown name or a map with no place for it. */
int swiss_debug_corrupt(swiss_map *m, const char *what) {
    if (strcmp(what, "map_used") == 0) {
        m->used ^= 1;
        return 0;
    }
    if (strcmp(what, "h2") == 0) {
        unsigned i = 0, j = 0;
        swiss_group *g = two_h2(m, &i, &j);
        if (g == NULL) return -1;
        uint8_t c = g->ctrl[i];
        g->ctrl[i] = g->ctrl[j];
        g->ctrl[j] = c;
        return 0;
    }
    if (m->dirLen == 0) return -1;
    swiss_table *first = swiss_directory_at(m, 0);
    if (strcmp(what, "used") == 0) {
        first->used ^= 1;
        return 0;
    }
    if (strcmp(what, "growth_left") == 0) {
        first->growthLeft ^= 1;
        return 0;
    }
    if (strcmp(what, "directory") == 0) {
        uint64_t last = (uint64_t)m->dirLen - 1;
        swiss_table *t = swiss_directory_at(m, last);
        if (t == first) return -1;
        ((swiss_table **)m->dirPtr)[0] = t;
        ((swiss_table **)m->dirPtr)[last] = first;
        return 0;
    }
    return -1;
}
