/*
 * layout.c: the layout of the Swiss map's structs (swiss_map, swiss_table, swiss_group,
 * swiss_iter) as this compiler laid them out, next to the classic map's (classic/layout.c).
 */
#include "swiss.h"

#define FIELD(T, F) {#T, #F, offsetof(T, F), sizeof(((T *)0)->F), sizeof(T)}

static const layout_field fields[] = {
    FIELD(swiss_map, used),           FIELD(swiss_map, seed),
    FIELD(swiss_map, dirPtr),         FIELD(swiss_map, dirLen),
    FIELD(swiss_map, globalDepth),    FIELD(swiss_map, globalShift),
    FIELD(swiss_map, writing),        FIELD(swiss_map, grewWhileIterating),
    FIELD(swiss_map, liveIters),      FIELD(swiss_map, clearSeq),
    FIELD(swiss_table, used),         FIELD(swiss_table, capacity),
    FIELD(swiss_table, growthLeft),   FIELD(swiss_table, localDepth),
    FIELD(swiss_table, index),        FIELD(swiss_table, groups),
    FIELD(swiss_table, lengthMask),   FIELD(swiss_table, refs),
    FIELD(swiss_table, writes),
    FIELD(swiss_group, ctrl),         FIELD(swiss_group, slots),
    FIELD(swiss_iter, key),           FIELD(swiss_iter, elem),
    FIELD(swiss_iter, m),             FIELD(swiss_iter, entryOffset),
    FIELD(swiss_iter, dirOffset),     FIELD(swiss_iter, clearSeq),
    FIELD(swiss_iter, globalDepth),   FIELD(swiss_iter, prefetch),
    FIELD(swiss_iter, tabWrites),
    FIELD(swiss_iter, dirIdx),        FIELD(swiss_iter, tab),
    FIELD(swiss_iter, group),         FIELD(swiss_iter, entryIdx),
    FIELD(swiss_iter, match),
};

_Static_assert(sizeof(swiss_group) == 136, "a group must be laid out as Go's: 8 + 8 * 16 bytes");
_Static_assert(sizeof(swiss_map) == 48, "Go's maps.Map is 48 bytes on 64-bit machines");
_Static_assert(offsetof(swiss_iter, key) == 0, "swiss_iter.key must be first");
_Static_assert(offsetof(swiss_iter, elem) == 8, "swiss_iter.elem must be second");
_Static_assert(sizeof(swiss_iter) == 96, "maps.Iter is 12 words");
_Static_assert(sizeof(swiss_table) == 40, "Go's table (32 bytes) plus refs and writes");

size_t swiss_layout_fields(const layout_field **out) {
    *out = fields;
    return sizeof(fields) / sizeof(fields[0]);
}
