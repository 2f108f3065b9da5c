"""cffi (API mode) builder for the native maps: compiles native/src/{common,classic,swiss}/*.c
into the extension module ``mapbench.native._mapbench_native``.

The headers are the single source of what Python sees: the cdef is the declarations
between their ``cffi-cdef`` markers (cdef_from_headers; common.h states the rules), and
the module's C source includes the same headers, so every wrapped function has its
prototype.

``pip install .`` runs it through setup.py's ``cffi_modules``. Flags are portable
(no -march): ``-std=c11 -O2 -g -fno-omit-frame-pointer`` so perf can unwind the C
frames, and ``-fvisibility=hidden`` so calls inside the module are direct rather than
through the PLT (only the module's init function is exported; symbols stay in .symtab
for perf). With ``MAPBENCH_SANITIZE=1`` in the build environment it adds AddressSanitizer
and UBSan (see native/run_sanitized.py for running Python against that build).
"""

import os
import pathlib
import re

from cffi import FFI

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src"
# By map: what every map shares (the counting allocator, the hash, the kernels' timing),
# then the classic Go 1.19 map and the Go 1.24 Swiss map, each with its iterator,
# kernels, layout introspection and invariant checker (check.c, always compiled: it costs
# nothing until a test calls it). count_region.c holds the callgrind client requests of
# the count pass (valgrind's BSD-licensed headers are vendored under common/vendor/);
# clocks.c the three clocks of the clock study. fold/fold_perf.c is not a map: it is the
# C parser behind `mapbench fold` on perf script text (its header says why it is here).
SOURCES = ["common/alloc.c", "common/hash.c", "common/timing.c", "common/count_region.c",
           "common/clocks.c", "common/keys.c",
           "classic/map.c", "classic/check.c", "classic/iter.c", "classic/kernels.c",
           "classic/layout.c", "classic/range_kernels.c",
           "swiss/map.c", "swiss/check.c", "swiss/table_alloc.c", "swiss/iter.c",
           "swiss/kernels.c", "swiss/layout.c", "swiss/range_kernels.c",
           "fold/fold_perf.c"]
INCLUDE_DIRS = ["common", "classic", "swiss", "fold"]

CFLAGS = ["-std=c11", "-O2", "-g", "-fno-omit-frame-pointer", "-fvisibility=hidden"]
SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]

# The headers whose declarations between the cffi-cdef markers make the cdef, in an order
# where every type is declared before its use; the module's C source includes them all,
# so each wrapped function has its prototype.
CDEF_HEADERS = ["common/common.h", "common/count_region.h", "classic/map.h", "swiss/swiss.h",
                "fold/fold_perf.h"]

BEGIN, END = "/* cffi-cdef: begin */", "/* cffi-cdef: end */"
OPAQUE_FROM_HERE = "/* cffi-cdef: opaque from here */"
_DEFINE = re.compile(r"#define\s+(\w+)\s+\S")


def _misplaced(path, number, why, text):
    raise ValueError(f"{path}:{number}: {why}: {text}")


def cdef_from_headers(paths):
    """The cdef text: the lines between BEGIN and END of each header, in order. cffi
    strips the comments; `#define NAME value` becomes `#define NAME ...` (cffi asks the
    compiler for the value); the fields of a struct below OPAQUE_FROM_HERE become `...;`
    (a partial struct whose size cffi asks the compiler for). A marker out of place, or
    any other preprocessor line or an inline function inside, is a ValueError naming
    the header and line."""
    out = []
    for path in paths:
        inside = opaque = False
        for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
            text = line.strip()
            if text == BEGIN:
                if inside:
                    _misplaced(path, number, "cffi-cdef begins again before its end", text)
                inside = True
            elif text == END:
                if not inside or opaque:
                    _misplaced(path, number, "cffi-cdef ends without a begin" if not inside
                               else "cffi-cdef ends inside an opaque struct", text)
                inside = False
            elif not inside:
                continue
            elif opaque:                        # a private field: left out until the `}`
                if text.startswith("}"):
                    out += ["    ...;", line]
                    opaque = False
            elif text == OPAQUE_FROM_HERE:
                opaque = True
            elif text.startswith("#"):
                define = _DEFINE.match(text)
                if not define:
                    _misplaced(path, number, "cffi takes no preprocessor line but #define NAME value", text)
                out.append(f"#define {define.group(1)} ...")
            elif text.startswith(("static", "inline")):
                _misplaced(path, number, "cffi cannot take an inline function", text)
            else:
                out.append(line)
        if inside:
            raise ValueError(f"{path}: cffi-cdef begins and never ends")
    return "\n".join(out) + "\n"


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
    ffi.cdef(cdef_from_headers(SRC / name for name in CDEF_HEADERS))
    cflags_literal = " ".join(compile_args).replace('"', "")
    ffi.set_source(
        "mapbench.native._mapbench_native",
        # The flags go into the generated source too, so switching MAPBENCH_SANITIZE
        # changes that file and setuptools rebuilds everything instead of reusing build/.
        "".join('#include "%s"\n' % pathlib.PurePath(name).name for name in CDEF_HEADERS)
        + "/* mapbench build flags: %s */\n" % cflags_literal,
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
