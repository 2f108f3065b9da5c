/*
 * layout.c: the layout of hmap, bmap and hiter as this compiler laid them out
 * (offsetof/sizeof), and the facts of the build (compiler, flags, sanitizers).
 */
#include "map.h"

#define FIELD(T, F) {#T, #F, offsetof(T, F), sizeof(((T *)0)->F), sizeof(T)}

static const layout_field fields[] = {
    FIELD(hmap, count),       FIELD(hmap, flags),     FIELD(hmap, B),
    FIELD(hmap, noverflow),   FIELD(hmap, hash0),     FIELD(hmap, buckets),
    FIELD(hmap, oldbuckets),  FIELD(hmap, nevacuate), FIELD(hmap, extra),
    FIELD(bmap, tophash),     FIELD(bmap, keys),      FIELD(bmap, elems),
    FIELD(bmap, overflow),
    FIELD(hiter, key),        FIELD(hiter, elem),     FIELD(hiter, h),
    FIELD(hiter, bptr),       FIELD(hiter, slots),    FIELD(hiter, writes),
    FIELD(hiter, checking),   FIELD(hiter, offset),   FIELD(hiter, wrapped),
    FIELD(hiter, B),          FIELD(hiter, pos),      FIELD(hiter, prefetch),
    FIELD(hiter, glen),       FIELD(hiter, oldslots), FIELD(hiter, buckets),
    FIELD(hiter, gen),
    FIELD(hiter, oldgen),     FIELD(hiter, startBucket), FIELD(hiter, bucket),
};

_Static_assert(sizeof(bmap) == 144, "bucket must be laid out as Go's: 144 bytes");
_Static_assert(offsetof(hiter, key) == 0, "hiter.key must be first");
_Static_assert(sizeof(hiter) == 96, "Go's hiter is 12 words");
_Static_assert(sizeof(hmap) == 48, "Go's hmap is 48 bytes on 64-bit machines");

size_t layout_fields(const layout_field **out) {
    *out = fields;
    return sizeof(fields) / sizeof(fields[0]);
}

#ifndef MAPBENCH_CFLAGS
#define MAPBENCH_CFLAGS ""
#endif

const char *build_compiler(void) {
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

const char *build_cflags(void) { return MAPBENCH_CFLAGS; }

bool build_sanitized(void) {
#if defined(__SANITIZE_ADDRESS__)
    return true;
#else
    return false;
#endif
}
