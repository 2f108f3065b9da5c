"""Counters: hardware counters (perf stat) and simulated cache events (cachegrind) per element."""
