"""Exports: a run's results in the formats other tools read (benchstat text, Bencher Metric
Format, speedscope, asv results). Pure transforms: export records in, text or dicts out."""
