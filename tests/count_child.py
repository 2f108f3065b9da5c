"""One benchmark counted by the count pass's own `run_group`, from a given interpreter (a
venv of the test's making): for the tests of what the counted process's address layout
depends on (tests/benchmarks/test_count_layout.py, test_history_venv_layout.py)."""
import json
import subprocess

COUNT = """
import json, sys, tempfile
from pathlib import Path
from mapbench.benchmarks.counts import count_pass
prefix, _ = count_pass.aslr_prefix()
with tempfile.TemporaryDirectory() as tmp:
    got, bad = count_pass.run_group([sys.argv[1]], Path(tmp) / "g", prefix=prefix,
                                    valgrind=count_pass.find_tool("valgrind"),
                                    env=count_pass.child_env(None))
print(json.dumps(got))
"""


def count_in(python, bench: str, cwd=None) -> dict:
    """count_pass.run_group's record of `bench`, counted from `python`."""
    done = subprocess.run([str(python), "-c", COUNT, bench], capture_output=True, text=True,
                          timeout=600, cwd=cwd)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got[bench]["totals"]["Ir"] > 0
    return got[bench]
