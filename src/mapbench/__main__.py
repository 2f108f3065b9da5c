"""`python -m mapbench ...` is the `mapbench` console script."""
from mapbench.benchmarks.cli import main

raise SystemExit(main())
