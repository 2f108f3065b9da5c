"""cffi (API mode) builder for the native maps: compiles native/src/{common,classic,swiss}/*.c
into the extension module ``mapbench.native._mapbench_native``.

``pip install .`` runs it through setup.py's ``cffi_modules``. Flags are portable
(no -march): ``-std=c11 -O2 -g -fno-omit-frame-pointer`` so perf can unwind the C
frames, and ``-fvisibility=hidden`` so calls inside the module are direct rather than
through the PLT (only the module's init function is exported; symbols stay in .symtab
for perf). With ``MAPBENCH_SANITIZE=1`` in the build environment it adds AddressSanitizer
and UBSan (see native/run_sanitized.py for running Python against that build).
"""

import os
import pathlib

from cffi import FFI

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src"
# By map: what every map shares (the counting allocator, the hash, the kernels' timing),
# then the classic Go 1.19 map and the Go 1.24 Swiss map, each with its iterator,
# kernels and layout introspection. count_region.c holds the callgrind client requests of
# the count pass (valgrind's BSD-licensed headers are vendored under common/vendor/);
# clocks.c the three clocks of the clock study.
SOURCES = ["common/alloc.c", "common/hash.c", "common/timing.c", "common/count_region.c",
           "common/clocks.c", "common/keys.c",
           "classic/map.c", "classic/iter.c", "classic/kernels.c", "classic/layout.c",
           "swiss/map.c", "swiss/table_alloc.c", "swiss/iter.c", "swiss/kernels.c", "swiss/layout.c"]
INCLUDE_DIRS = ["common", "classic", "swiss"]

CFLAGS = ["-std=c11", "-O2", "-g", "-fno-omit-frame-pointer", "-fvisibility=hidden"]
SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]

CDEF = """
typedef struct bmap bmap;
typedef struct hmap hmap;
typedef struct hiter { uint64_t *key; uint64_t *elem; ...; } hiter;

typedef struct { uint64_t allocs; uint64_t frees; uint64_t bytes; } alloc_counts;
typedef struct {
    int64_t count; uint32_t B; uint32_t noverflow; bool growing; bool same_size_grow;
    uint32_t flags; uint32_t hash0; uint64_t nevacuate; uint64_t buckets;
    uint64_t oldbuckets; uint64_t bucket_bytes; uint64_t array_bytes;
    uint64_t overflow_malloced;
} map_stats;
typedef struct {
    double seconds; uint64_t elements; uint64_t checksum; uint64_t allocs;
    uint64_t alloc_bytes; int32_t error;
} kernel_result;
typedef struct {
    const char *type; const char *name; size_t offset; size_t size; size_t type_size;
} layout_field;

alloc_counts alloc_totals(void);
void fastrand_seed(uint64_t seed);
uint64_t hash64(uint64_t key, uint64_t seed);

hmap *makemap(uint64_t hint, uint32_t seed, bool random_seed);
void map_destroy(hmap *h);
int mapaccess(hmap *h, uint64_t key, uint64_t *out);
int mapassign(hmap *h, uint64_t key, uint64_t value);
int mapdelete(hmap *h, uint64_t key);

#define PREFETCH_AUTO 65535
uint16_t prefetch_for(uint8_t B);
int mapiterinit(hiter *it, hmap *h, uint16_t prefetch, bool atomic_snapshot);
int mapiternext(hiter *it);
void mapiterrelease(hiter *it);
size_t mapiter_batch(hiter *it, bool advance_first, uint64_t *keys, uint64_t *vals,
                     size_t cap, int *err);
size_t mapiter_fill(hiter *it, hiter *saved, bool advance_first, uint64_t *keys,
                    uint64_t *vals, size_t cap, int *err);
int mapiter_rewind(hiter *it, hiter *saved, size_t steps);
bool iter_pool_check_zeroed(void);

void map_debug_set_writing(hmap *h, bool on);
void map_debug_tophash_census(const hmap *h, uint64_t *counts);
map_stats map_get_stats(const hmap *h);
void map_fill(hmap *h, uint64_t n, uint64_t key_seed);
uint64_t stream_key(uint64_t seed, uint64_t i);
void map_half_grow(hmap *h);

void set_inject_slowdown_pct(uint32_t pct);
void set_inject_work_pct(uint32_t pct);
void count_set_armed(bool on);
void count_set_instrumented(bool on);
void count_dump(const char *name);
unsigned count_running_on_valgrind(void);
void clocks_read(uint64_t out[3]);
uint64_t fold_entry(uint64_t k, uint64_t v);
kernel_result kernel_iterate(hmap *h, uint64_t loops, int storage, uint16_t prefetch,
                             bool atomic_snapshot);
kernel_result kernel_iter_init(hmap *h, uint64_t loops, int storage);
kernel_result kernel_iterate_growing(uint64_t n, uint64_t loops, int storage,
                                     uint16_t prefetch, uint64_t seed);
kernel_result kernel_insert(uint64_t n, uint64_t loops, bool hint, uint64_t seed);
kernel_result kernel_lookup(hmap *h, uint64_t loops, bool hit);
kernel_result kernel_delete(uint64_t n, uint64_t loops, uint64_t seed);
kernel_result kernel_roofline(uint64_t nbytes, uint64_t loops);

typedef struct swiss_map swiss_map;
typedef struct swiss_iter { uint64_t *key; uint64_t *elem; ...; } swiss_iter;
typedef struct {
    uint64_t count; uint64_t tables; uint32_t global_depth; uint64_t dir_len;
    uint64_t groups; uint64_t capacity; uint64_t tombstones; uint64_t growth_left;
    uint64_t min_growth_left; uint64_t group_bytes; bool small; bool grew_while_iterating; uint32_t live_iterators;
    uint64_t seed;
} swiss_stats;

swiss_map *swiss_new(uint64_t hint, uint64_t seed, bool random_seed);
void swiss_destroy(swiss_map *m);
int swiss_get(swiss_map *m, uint64_t key, uint64_t *out);
int swiss_put(swiss_map *m, uint64_t key, uint64_t value);
int swiss_delete(swiss_map *m, uint64_t key);
int swiss_iter_init(swiss_iter *it, swiss_map *m, uint16_t prefetch);
uint16_t swiss_prefetch_for(uint64_t used);
int swiss_iter_next(swiss_iter *it);
void swiss_iter_release(swiss_iter *it);
size_t swiss_iter_batch(swiss_iter *it, bool advance_first, uint64_t *keys, uint64_t *vals,
                        size_t cap, int *err);
size_t swiss_iter_fill(swiss_iter *it, swiss_iter *saved, bool advance_first, uint64_t *keys,
                       uint64_t *vals, size_t cap, int *err);
int swiss_iter_rewind(swiss_iter *it, swiss_iter *saved, size_t steps);
bool swiss_iter_pool_check_zeroed(void);
swiss_stats swiss_get_stats(const swiss_map *m);
void swiss_fill(swiss_map *m, uint64_t n, uint64_t key_seed);
uint64_t swiss_len(const swiss_map *m);
void swiss_debug_set_writing(swiss_map *m, bool on);
void swiss_debug_ctrl_census(const swiss_map *m, uint64_t *counts);
kernel_result swiss_kernel_iterate(swiss_map *m, uint64_t loops, int storage, uint16_t prefetch);
kernel_result swiss_kernel_iter_init(swiss_map *m, uint64_t loops, int storage);
kernel_result swiss_kernel_iterate_growing(uint64_t n, uint64_t loops, int storage,
                                           uint16_t prefetch, uint64_t seed);
kernel_result swiss_kernel_insert(uint64_t n, uint64_t loops, bool hint, uint64_t seed);
kernel_result swiss_kernel_lookup(swiss_map *m, uint64_t loops, bool hit);
kernel_result swiss_kernel_delete(uint64_t n, uint64_t loops, uint64_t seed);

size_t layout_fields(const layout_field **out);
size_t swiss_layout_fields(const layout_field **out);
const char *build_compiler(void);
const char *build_cflags(void);
bool build_sanitized(void);
"""


def _flags():
    sanitize = os.environ.get("MAPBENCH_SANITIZE", "") not in ("", "0")
    compile_args = CFLAGS + (SANITIZE_FLAGS if sanitize else [])
    link_args = SANITIZE_FLAGS if sanitize else []
    return compile_args, link_args


def _relative(path):
    # setuptools wants source paths relative to the project root (the cwd of the build).
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def make_builder(absolute=False):
    """absolute=True for ffibuilder.compile(tmpdir=...), which changes directory."""
    where = str if absolute else _relative
    compile_args, link_args = _flags()
    ffi = FFI()
    ffi.cdef(CDEF)
    cflags_literal = " ".join(compile_args).replace('"', "")
    ffi.set_source(
        "mapbench.native._mapbench_native",
        # The flags go into the generated source too, so switching MAPBENCH_SANITIZE
        # changes that file and setuptools rebuilds everything instead of reusing build/.
        '#include "map.h"\n#include "swiss.h"\n/* mapbench build flags: %s */\n' % cflags_literal,
        sources=[where(SRC / name) for name in SOURCES],
        include_dirs=[where(SRC / name) for name in INCLUDE_DIRS],
        define_macros=[("MAPBENCH_CFLAGS", '"%s"' % cflags_literal)],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
    )
    return ffi


ffibuilder = make_builder()

if __name__ == "__main__":  # a local build into ./build, for experiments
    make_builder(absolute=True).compile(tmpdir="build", verbose=True)
