"""The cffi cdef read from the headers' cffi-cdef markers (native/build_map.py): what a
marked header gives cffi, the errors a misplaced marker or an unparsable line gives, and
that the internal declarations beside the marked ones stay out of the module."""

import pytest
from cffi import FFI

from mapbench.native import build_map
from mapbench.native._ffi import lib

B, E, O = build_map.BEGIN, build_map.END, build_map.OPAQUE_FROM_HERE

HEADER = f"""#ifndef TOY_H
#define TOY_H
#include <stdint.h>
{B}
typedef struct toy toy;
typedef struct toy_iter {{
    uint64_t *key;   /* public */
    {O}
    toy *t;          /* private */
    uint64_t i;
}} toy_iter;
#define TOY_AUTO UINT16_MAX
/* a comment
 * over two lines */
toy *toy_new(uint64_t hint);
{E}
void toy_private(toy *t);
static inline int toy_inline(void) {{ return 1; }}
{B}
int toy_next(toy_iter *it);
{E}
#endif
"""


def extract(tmp_path, text):
    header = tmp_path / "toy.h"
    header.write_text(text)
    return build_map.cdef_from_headers([header])


def test_marked_declarations_reach_cffi_and_nothing_else(tmp_path):
    cdef = extract(tmp_path, HEADER)
    assert "toy_private" not in cdef and "toy_inline" not in cdef and "#include" not in cdef
    assert "#define TOY_AUTO ..." in cdef                   # the compiler gives the value
    ffi = FFI()
    ffi.cdef(cdef)                                          # cffi takes it as it is
    typedefs, structs, _ = ffi.list_types()
    assert typedefs == ["toy", "toy_iter"] and structs == ["toy", "toy_iter"]
    # The fields below the opaque marker are left out: a partial struct (`...;`).
    iter_decl = cdef[cdef.index("typedef struct toy_iter"):cdef.index("} toy_iter;")]
    assert "key" in iter_decl and "...;" in iter_decl and "private" not in iter_decl


@pytest.mark.parametrize("text, why", [
    (f"{B}\nint f(void);\n", "begins and never ends"),
    (f"int f(void);\n{E}\n", "toy.h:2: cffi-cdef ends without a begin"),
    (f"{B}\n{B}\n{E}\n", "toy.h:2: cffi-cdef begins again"),
    (f"{B}\n#include <stdint.h>\n{E}\n", "toy.h:2: cffi takes no preprocessor line"),
    (f"{B}\n#define EMPTY\n{E}\n", "toy.h:2: cffi takes no preprocessor line"),
    (f"{B}\nstatic inline int f(void) {{ return 0; }}\n{E}\n", "toy.h:2: cffi cannot take an inline"),
    (f"{B}\ntypedef struct s {{\n int a;\n {O}\n int b;\n{E}\n", "toy.h:6: cffi-cdef ends inside"),
])
def test_misplaced_markers_and_unparsable_lines_name_the_line(tmp_path, text, why):
    with pytest.raises(ValueError, match=why):
        extract(tmp_path, text)


def test_unmarked_declarations_stay_out_of_the_module():
    # Internal functions (the re-lookup, the pools, growth, the per-thread counts) sit next
    # to marked ones in the same sections of the headers.
    for name in ("mapaccessK", "iter_pool_get", "hashGrow", "swiss_get_with_key",
                 "swiss_iter_pool_get", "alloc_thread_counts", "calibration_spin"):
        assert not hasattr(lib, name), name
    assert lib.PREFETCH_AUTO == 0xFFFF and hasattr(lib, "iter_pool_check_zeroed")
