"""Frame colours for flame graphs: a hue family per layer, a shade per function name.

A frame's layer is guessed from its name alone (the folded format keeps nothing
else), in this order, first match wins:

  kernel   - `_[k]` suffix (stackcollapse-perf.pl --kernel) or a well-known kernel
             entry / mm / scheduler name (`entry_SYSCALL_64`, `asm_*`, `__x64_sys_*` ...)
  python   - a py-spy frame `func (file.py:line)`, perf's `py::` trampolines,
             the interpreter loop `_PyEval_*`
  map      - our native map code: mapiterinit, mapiternext, mapaccess*, mapassign*,
             mapdelete*, hash64, evacuate, growWork, the timed `kernel_*` drivers,
             calibration_spin, cffi wrappers, anything naming `_mapbench_native`
  runtime  - libpython and libc: `[unknown]`, `[module.so]`, `Py*`/`_Py*`, libc symbols,
             py-spy's `0x7f.. (libc.so.6)` address frames
  other    - everything else (user C code such as `main`)

The shade inside the family comes from CRC-32 of the UTF-8 bytes of the name, not
from Python's per-process randomised `hash()`, so a name has the same colour in
every run and the same input gives a byte-identical SVG.
"""
from __future__ import annotations

import colorsys
import re
import zlib

LAYERS = ("map", "python", "runtime", "kernel", "other")

# (hue low, hue high) in degrees, saturation, (lightness low, lightness high)
_FAMILIES = {
    "map": ((0.0, 28.0), 0.85, (0.50, 0.62)),      # red-orange: the code under test
    "python": ((88.0, 140.0), 0.55, (0.45, 0.60)),  # green
    "runtime": ((42.0, 58.0), 0.70, (0.55, 0.68)),  # sand yellow
    "kernel": ((188.0, 218.0), 0.55, (0.55, 0.68)),  # aqua blue
    "other": ((262.0, 295.0), 0.35, (0.62, 0.72)),  # lavender
}

# Search matches are painted in this colour; no family above comes near it.
HIGHLIGHT = "rgb(230,0,230)"

_FILE_LINE_SUFFIX = re.compile(r" \([^()]*\)$")   # py-spy / pprof style " (file:line)"
_PY_FILE = re.compile(r"\.pyw?:\d+\)$|\.pyw?\)$")
_OFFSET = re.compile(r"\+0x[0-9a-fA-F]+$|@plt$")

_MAP_NAMES = re.compile(
    r"(mapiter\w*|mapaccess\w*|mapassign\w*|mapdelete\w*|hash64|evacuate\w*|iter_pool_\w+"
    r"|growWork|hashGrow|makemap\w*|map_(fill|destroy|half_grow)|gen_(acquire|release)"
    r"|calibration_spin|_cffi_f_\w+"
    r"|kernel_(iterate|iter_init|iterate_growing|insert|lookup|delete|roofline)\w*)"
)

_RUNTIME = re.compile(
    r"\[unknown\]|\[[^\]]*\]|_?Py[A-Z_]\w*|0x[0-9a-fA-F]+( .*)?"
    r"|__libc_\w+|__GI_\w+|_dl_\w+|_start|_{0,2}clone3?|start_thread|_{0,2}pthread_\w+|pthread_\w+"
    r"|malloc|free|calloc|realloc|cfree|_int_\w+|_{0,2}mem(cpy|move|set|cmp)\w*|__str\w+|str(len|cmp|ncmp|chr|cpy)"
    r"|_{0,2}(open|read|write|close|getdents|lseek|mmap|munmap|brk|sbrk)(64)?(_nocancel)?"
    # CPython's static internals (libpython without module names in the folded text)
    r"|builtin_\w+|cfunction_\w+|method_vectorcall\w*|\w+_vectorcall\w*|gen_\w+|gc_\w+|type_call"
    r"|slot_tp_\w+|\w+_dealloc|\w+iter_next|\w+_iternext|unicode\w*|dict_\w+|list_\w+|long_\w+"
    r"|float_\w+|tuple_\w+|frame_\w+|object_\w+|save_errno_only|call_function\w*"
)
_RUNTIME_SUBSTR = ("libpython", "libc.so", "libc-", "ld-linux", "libm.so", "libpthread", "python3")

_KERNEL = re.compile(
    r"(entry_SYSCALL\w*|asm_\w+|__x64_sys_\w+|__ia32_sys_\w+|__do_sys_\w+|do_syscall_\w+"
    r"|syscall_exit\w*|exc_page_fault|_{0,2}handle_mm_fault|do_user_addr_fault|do_anonymous_page"
    r"|do_fault|do_read_fault|finish_fault|_raw_spin\w*|native_\w+|_{0,2}schedule\w*"
    r"|sysvec_\w+|__sysvec_\w+|irqentry_\w+|_{0,2}irq_\w+|__do_softirq|__softirq\w*|ret_from_fork\w*"
    r"|clear_page\w*|_{0,2}alloc_pages\w*|alloc_pages\w*|__alloc_frozen_pages\w*|get_page_from_freelist"
    r"|__rmqueue\w*|vma_alloc_folio\w*|_{0,2}mem_cgroup_\w+|charge_memcg|memcg\d?_\w+|_{0,2}folio_\w+"
    r"|ext4_\w+|__ext4_\w+|vfs_\w+|ksys_\w+|__sys_\w+|copy_user\w*|_copy_(to|from)_user|rep_movs\w*"
    r"|finish_task_switch\w*|try_to_wake_up|__wake_up\w*|futex_\w+|do_futex|hrtimer_\w+|tick_\w+"
    r"|iterate_dir|path_openat|link_path_walk|walk_component|lookup_fast|__d_lookup\w*|do_filp_open"
    r"|do_sys_open\w*|htree_\w+|__check_block_validity\w*|__pte_offset_map\w*|flush_tlb\w*"
    r"|zap_\w+|unmap_\w+|exit_mmap|do_exit|do_group_exit|__list_del_entry\w*|kmem_cache_\w+"
    r"|__kmalloc\w*|kfree|perf_\w+|rcu_\w+|smp_call\w*|handle_softirqs|irq_exit\w*)(\.\w+)*"
)


def strip_annotations(name: str) -> str:
    """The bare symbol: without a trailing ` (file:line)` and without `+0x..` offsets."""
    bare = _FILE_LINE_SUFFIX.sub("", name)
    return _OFFSET.sub("", bare)


def layer_of(name: str) -> str:
    """The layer ("map", "python", "runtime", "kernel", "other") a frame name belongs to."""
    if name.endswith("_[k]"):
        return "kernel"
    if _PY_FILE.search(name) or name.startswith(("py::", "_PyEval_")) or name == "<module>":
        return "python"
    bare = strip_annotations(name)
    if "_mapbench_native" in name or _MAP_NAMES.fullmatch(bare):
        return "map"
    if _RUNTIME.fullmatch(name) or _RUNTIME.fullmatch(bare) or any(s in name for s in _RUNTIME_SUBSTR):
        return "runtime"
    if bare.endswith(("_[j]", "_[i]")):
        return "other"
    if _KERNEL.fullmatch(bare):
        return "kernel"
    return "other"


def name_hash(name: str) -> int:
    """A 32-bit hash of the name that is the same in every process."""
    return zlib.crc32(name.encode("utf-8", "surrogatepass"))


def frame_fill(name: str) -> str:
    """The fill colour (`rgb(r,g,b)`) of a frame: its layer's hue family, shaded by name."""
    (hue_lo, hue_hi), saturation, (light_lo, light_hi) = _FAMILIES[layer_of(name)]
    h = name_hash(name)
    hue_frac = (h & 0xFFFF) / 0xFFFF
    light_frac = (h >> 16) / 0xFFFF
    hue = (hue_lo + (hue_hi - hue_lo) * hue_frac) / 360.0
    light = light_lo + (light_hi - light_lo) * light_frac
    r, g, b = colorsys.hls_to_rgb(hue, light, saturation)
    return f"rgb({round(r * 255)},{round(g * 255)},{round(b * 255)})"


def diff_fill(delta: float, max_delta: float) -> str:
    """FlameGraph's differential scale: red grew, blue shrank, white unchanged.

    The further |delta| is from zero relative to the largest change shown, the deeper
    the colour; any non-zero change is at least a light tint (channel 210).
    """
    if max_delta <= 0 or delta == 0:
        return "rgb(255,255,255)"
    tint = int(210 * (max_delta - abs(delta)) / max_delta)
    if delta > 0:
        return f"rgb(255,{tint},{tint})"
    return f"rgb({tint},{tint},255)"
