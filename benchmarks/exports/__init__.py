"""Exports: read a run folder (or a whole store) and write its results in the formats other
tools read: Go's benchmark text for benchstat, Bencher Metric Format, speedscope profiles and
an asv results tree. Reads the store, never writes into it (the formatting is in
mapbench.analysis.exports)."""
