"""The house rules, read from the source: rooms, arrows, no circles, one home per fact."""
import ast
import re
from pathlib import Path

from tests.house.import_graph import FOLDERS, ROOT, cycles, graph, modules

BENCHMARKS = FOLDERS["mapbench.benchmarks"]
ROOMS = ("catalog", "timing", "counts", "peers", "profiling", "store", "comparison", "history",
         "report", "studies", "exports", "commands")
RUN_FOLDER_FILES = re.compile(r"^(bench|meta|peers|counts|profile|cachemiss|cache_levels|history|calibration)"
                              r"\.json$|^lines\.json\.gz$|^(summary|cachemiss)\.md$|^report\.html$")


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_benchmarks_has_no_module_outside_a_room():
    loose = sorted(p.name for p in BENCHMARKS.glob("*.py") if p.name not in ("cli.py", "__init__.py"))
    assert loose == []
    rooms = sorted(p.name for p in BENCHMARKS.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert set(rooms) <= set(ROOMS), rooms


def test_every_room_says_its_job_at_the_top_of_its_init():
    for room in ROOMS:
        doc = ast.get_docstring(ast.parse((BENCHMARKS / room / "__init__.py").read_text()))
        assert doc and len(doc) > 20, room


def test_arrows_point_down():
    """native imports nothing of ours; names nothing; analysis only itself and names;
    the rooms of benchmarks never import commands or the cli."""
    for name, imported in graph().items():
        if name.startswith("mapbench.native"):
            assert all(i.startswith("mapbench.native") for i in imported), (name, imported)
        elif name == "mapbench.names":
            assert imported == set()
        elif name.startswith("mapbench.analysis"):
            assert all(i.startswith("mapbench.analysis") or i == "mapbench.names" for i in imported), (name, imported)
        elif name.startswith("mapbench.benchmarks.") and not name.startswith(("mapbench.benchmarks.commands",
                                                                              "mapbench.benchmarks.cli")):
            assert not any(i.startswith(("mapbench.benchmarks.commands", "mapbench.benchmarks.cli"))
                           for i in imported), (name, imported)


def _string_literals(path: Path):
    tree = ast.parse(path.read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_run_folder_file_names_are_spelled_only_in_the_store():
    found = []
    for name, path in modules().items():
        if name.startswith("mapbench.benchmarks.store") or not name.startswith("mapbench.benchmarks"):
            continue
        found += [f"{path.relative_to(ROOT)}:{line}: {value}" for line, value in _string_literals(path)
                  if RUN_FOLDER_FILES.match(value)]
    assert found == []


def test_the_literal_finder_sees_a_file_name(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""bench.json in a docstring is prose."""\nPATH = "bench.json"\n')
    assert [v for _, v in _string_literals(probe) if RUN_FOLDER_FILES.match(v)] == ["bench.json"]
