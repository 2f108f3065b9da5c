"""mapbench: a benchmark and profiling suite for a native Go-style hash map and its iterator.

The repository keeps its rooms as top-level folders (native/, benchmarks/, analysis/);
installed, they are the subpackages of this one name (pyproject.toml maps the folders),
so `pip install .` adds a single import name to site-packages:

    mapbench.native      the systems under test (C via cffi) and their Python API
    mapbench.benchmarks  what is measured and how: the suite, collectors, commands
    mapbench.analysis    pure transforms of artifacts into views

This folder holds only the namespace's own files; it lives under src/ so that a source
checkout on sys.path (python -m pytest from the repository root) never shadows the
installed package, whose compiled module the checkout does not have.
"""
