"""Profiling a run: the workload process and one collector per tool (perf, py-spy, pyinstrument, valgrind), the profile pass."""
