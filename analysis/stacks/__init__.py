"""Stacks: profiler output (perf script, py-spy, speedscope, pprof) to folded stacks and back,
and pprof's `top` table over them."""
