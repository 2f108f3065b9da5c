"""The benchmark matrix: exact names, sizes, fixed loops, --only filtering."""
import re

import pytest

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.timing.suite import BEST_PREFETCH

D = BEST_PREFETCH
N = r"n=(\d+)"
M = r"(map=swiss/)?"  # the Swiss map; no map= is the classic map, as in runs from before it
PATTERNS = [
    rf"^iterate/{M}storage=(stack|heap|pool)/prefetch=(\d+)/{N}$",
    rf"^iterate/storage=stack/prefetch=0/snapshot=atomic/{N}$",
    rf"^iterate/{M}storage=stack/prefetch=auto/{N}$",
    rf"^iterinit/{M}storage=(stack|heap|pool)/{N}$",
    rf"^iterate-growing/{M}{N}$",
    rf"^insert/{M}hint=(0|1)/{N}$",
    rf"^lookup/{M}(hit|miss)/{N}$",
    rf"^delete/{M}{N}$",
    rf"^roofline/{M}{N}$",
    rf"^python-iterate/(items|batched)/{N}$",
    rf"^dict-iterate/{N}$",
    rf"^iterate-inserting/map=(classic|swiss)/per=(1|2|4|8)/{N}$",
    rf"^iterate-after-delete/map=(classic|swiss)/deleted=(50|90|99)(/copied)?/{N}$",
    rf"^copy-after-delete/map=(classic|swiss)/deleted=(50|90|99)/{N}$",
    rf"^iterate-load/map=(classic|swiss)/fill=(after-grow|before-grow)/{N}$",
]
# The range-loop questions name both maps, at a few sizes of their own.
QUESTIONS = ("iterate-inserting/", "iterate-after-delete/", "copy-after-delete/", "iterate-load/")


def test_quick_names_follow_the_patterns_and_cover_every_variant_at_every_size():
    names = [b.name for b in matrix.build_matrix(D)]
    assert len(names) == len(set(names))
    for name in names:
        assert sum(bool(re.match(p, name)) for p in PATTERNS) == 1, name
    sizes = {int(name.rsplit("=", 1)[1]) for name in names}
    assert sizes == {2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22}
    for n in sizes:
        # storage is asked without prefetch, prefetch on the stack iterator (heap and pool
        # with prefetch: --full)
        expected = {f"iterate/storage={s}/prefetch=0/n={n}" for s in ("stack", "heap", "pool")}
        expected.add(f"iterate/storage=stack/prefetch={D}/n={n}")
        expected |= {f"iterate/storage=stack/prefetch=0/snapshot=atomic/n={n}",
                     f"iterate/storage=stack/prefetch=auto/n={n}",
                     f"iterate-growing/n={n}", f"delete/n={n}", f"roofline/n={n}",
                     f"insert/hint=0/n={n}", f"insert/hint=1/n={n}",
                     f"lookup/hit/n={n}", f"lookup/miss/n={n}"}
        if n <= matrix.PYTHON_MAX_N:
            expected |= {f"dict-iterate/n={n}", f"python-iterate/items/n={n}",
                         f"python-iterate/batched/n={n}"}
        expected |= {f"iterinit/storage={s}/n={n}" for s in ("stack", "heap", "pool")}
        # the Swiss map, quick: stack iterators without prefetch and with the default
        # (auto: the Swiss map's own distance), lookups and roofline at every size; the
        # families that build a fresh map per loop (insert without hint) up to 2^18
        swiss = {f"iterate/storage=stack/prefetch={p}/n={n}" for p in ("0", "auto")}
        swiss |= {f"iterinit/storage=stack/n={n}", f"roofline/n={n}",
                  f"lookup/hit/n={n}", f"lookup/miss/n={n}"}
        if n <= 2 ** 18:
            swiss |= {f"iterate-growing/n={n}", f"insert/hint=0/n={n}", f"delete/n={n}"}
        expected |= {nm.replace("/", "/map=swiss/", 1) for nm in swiss}
        for kind in ("classic", "swiss"):
            if n == 2 ** 10:          # one size each in quick: tox -e bench's time budget
                expected |= {f"iterate-inserting/map={kind}/per={p}/n={n}" for p in (1, 2, 4, 8)}
            if n == 2 ** 14:
                for d in (50, 90, 99):
                    expected |= {f"iterate-after-delete/map={kind}/deleted={d}{c}/n={n}" for c in ("", "/copied")}
                    expected.add(f"copy-after-delete/map={kind}/deleted={d}/n={n}")
                expected |= {f"iterate-load/map={kind}/fill={f}/n={n}" for f in ("after-grow", "before-grow")}
        assert {nm for nm in names if nm.endswith(f"/n={n}")} == expected


def test_full_covers_even_powers_and_sweeps_prefetch_on_stack_only():
    names = [b.name for b in matrix.build_matrix(D, full=True)]
    sizes = {int(name.rsplit("=", 1)[1]) for name in names}
    assert sizes == {2 ** e for e in range(8, 25, 2)}
    stack = {int(m.group(1)) for nm in names
             if (m := re.match(r"^iterate/storage=stack/prefetch=(\d+)/n=256$", nm))}
    assert stack == {0, D, *matrix.PREFETCH_SWEEP}
    heap = {int(m.group(1)) for nm in names
            if (m := re.match(r"^iterate/storage=heap/prefetch=(\d+)/n=256$", nm))}
    assert heap == {0, D}
    # --full: every Swiss variant at every size
    swiss = {nm.replace("/map=swiss/", "/", 1) for nm in names if "/map=swiss/" in nm}
    classic_kernels = {nm for nm in names if "map=" not in nm and "snapshot" not in nm
                       and not nm.startswith(("python-", "dict-"))}
    assert {nm for nm in swiss if not nm.startswith(QUESTIONS)} == classic_kernels
    questions = {nm for nm in names if nm.startswith(QUESTIONS)}
    assert {nm.replace("map=classic/", "map=swiss/") for nm in questions} <= questions
    assert {int(nm.rsplit("=", 1)[1]) for nm in questions if nm.startswith("iterate-inserting/")} == \
        {2 ** 8, 2 ** 10, 2 ** 12, 2 ** 14}


def test_names_round_trip_through_parse_name():
    for bench in matrix.build_matrix(D, full=True):
        again = matrix.parse_name(bench.name)
        assert again == bench and again.name == bench.name


@pytest.mark.parametrize("bad", ["iterate/storage=stack", "bogus/n=4", "iterate/n=x", "", "n=4"])
def test_parse_name_rejects_non_suite_names(bad):
    with pytest.raises(InputError):
        matrix.parse_name(bad)


def test_loops_are_fixed_powers_of_two_that_do_at_least_the_family_work():
    for bench in matrix.build_matrix(D, full=True):
        loops = bench.loops
        assert loops >= 1 and loops & (loops - 1) == 0
        work = matrix.WORK_PER_VALUE[bench.family]
        assert loops * bench.elements_per_loop >= min(work, bench.elements_per_loop)
        if loops > 1:                       # the smallest power of two that reaches the work
            assert (loops // 2) * bench.elements_per_loop < work
    assert matrix.parse_name("iterinit/storage=heap/n=1024").elements_per_loop == 1
    assert matrix.parse_name("iterate/storage=heap/prefetch=0/n=1024").elements_per_loop == 1024


def test_only_filters_by_regex_search():
    all_ = matrix.build_matrix(D)
    chosen = matrix.select(all_, r"^iterate/storage=stack/prefetch=0/n=1024$")
    assert [b.name for b in chosen] == ["iterate/storage=stack/prefetch=0/n=1024"]
    lookups = matrix.select(all_, "lookup/")
    assert len(lookups) == 16 and all(b.family == "lookup" for b in lookups)  # 8 per map
    assert matrix.select(all_, None) == all_


@pytest.mark.parametrize("bad", ["(", "no-such-benchmark"])
def test_only_with_a_bad_or_empty_regex_is_an_input_error(bad):
    with pytest.raises(InputError):
        matrix.select(matrix.build_matrix(D), bad)


def test_workers_go_to_the_quietest_cpu_and_ties_go_to_the_last():
    from mapbench.benchmarks.timing.cpu_pick import quietest_cpu
    assert quietest_cpu([0, 1], probe={0: 1.0, 1: 1.8}.get) == 0      # cpu1 slowed by the host
    assert quietest_cpu([0, 1], probe={0: 1.8, 1: 1.0}.get) == 1
    assert quietest_cpu([0, 1, 2], probe={0: 1.0, 1: 1.02, 2: 1.5}.get) == 1   # within 5%: later


def test_the_cpu_probe_restores_the_callers_affinity():
    import os

    from mapbench.benchmarks.timing.cpu_pick import probe_cpu
    before = os.sched_getaffinity(0)
    cpu = max(before)
    assert probe_cpu(cpu, rounds=2) > 0
    assert os.sched_getaffinity(0) == before
