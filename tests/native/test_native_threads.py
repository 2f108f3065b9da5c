"""Several Python threads hammering one map (and iterating it while others write)
never crash the interpreter and never trip the native misuse checks: the wrapper
serialises every native call. Runs in a subprocess that must exit 0, for each kind."""

import subprocess
import sys
import textwrap

import pytest

from mapbench.native import KINDS

HAMMER = textwrap.dedent("""
    import random, sys, threading
    from mapbench.native import Map, kernels

    m = Map(seed=1, kind=sys.argv[1])
    errors = []

    def worker(tid):
        rnd = random.Random(tid)
        try:
            for step in range(1500):
                op = rnd.random()
                k = rnd.randrange(4000)
                if op < 0.4:
                    m[k] = step
                elif op < 0.6:
                    try:
                        del m[k]
                    except KeyError:
                        pass
                elif op < 0.8:
                    m.get(k)
                elif op < 0.95:
                    for i, key in enumerate(m):
                        if i > 50:
                            break
                else:
                    kernels.iterate(m, 1, storage=rnd.choice(["stack", "heap", "pool"]))
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    keys = list(m)
    assert len(keys) == len(set(keys)) == len(m), "inconsistent map"
    if errors:
        print(errors[:3])
        sys.exit(1)
""")


@pytest.mark.parametrize("kind", KINDS)
def test_thread_hammer_exits_cleanly(kind):
    proc = subprocess.run([sys.executable, "-c", HAMMER, kind], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
