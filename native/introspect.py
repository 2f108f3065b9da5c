"""Facts about the compiled map: struct layouts as the compiler laid them out, the
build (compiler, flags, sanitizers), and the counting allocator's process totals."""

from ._ffi import ffi, lib

CACHE_LINE = 64


def layout():
    """{struct: {"size": bytes, "fields": [...], ...}} from offsetof/sizeof, for the
    classic map ("hmap", "bmap", "hiter") and the Swiss map ("swiss_map", "swiss_table",
    "swiss_group", "swiss_iter").

    A field's cache_line (and last_cache_line) is its offset // 64, assuming the struct
    starts on a cache-line boundary. Buckets sit at multiples of 144 bytes in their
    array, so only every 4th bucket (576 = 9 * 64) starts on one; groups at multiples
    of 136 bytes, so every 8th (1088 = 17 * 64)."""
    result = {}
    for fields in (lib.layout_fields, lib.swiss_layout_fields):
        out_ptr = ffi.new("layout_field **")
        n = fields(out_ptr)
        for i in range(n):
            f = out_ptr[0][i]
            kind = ffi.string(f.type).decode()
            entry = result.setdefault(kind, {"size": f.type_size, "fields": []})
            entry["fields"].append({
                "name": ffi.string(f.name).decode(),
                "offset": f.offset,
                "size": f.size,
                "cache_line": f.offset // CACHE_LINE,
                "last_cache_line": (f.offset + f.size - 1) // CACHE_LINE,
            })
    for entry in result.values():
        entry["cache_lines"] = -(-entry["size"] // CACHE_LINE)
        entry["words"] = entry["size"] // 8
    return result


def build_info():
    """{"compiler": str, "cflags": [str], "sanitized": bool} of the compiled module."""
    return {
        "compiler": ffi.string(lib.build_compiler()).decode(),
        "cflags": ffi.string(lib.build_cflags()).decode().split(),
        "sanitized": bool(lib.build_sanitized()),
    }


def alloc_totals():
    """Process-wide counting-allocator totals: allocs, frees, bytes (requested)."""
    c = lib.alloc_totals()
    return {"allocs": c.allocs, "frees": c.frees, "bytes": c.bytes}


def hash64(key, seed):
    """The map's hash function (wyhash's 64-bit integer hash), for tests and docs."""
    return lib.hash64(key, seed)


def seed_fastrand(seed):
    """Fix this thread's fastrand state (iteration start positions, random map seeds)."""
    lib.fastrand_seed(seed)
