"""How time is measured: the pyperf suite and its workers, the run engine's interleaved rounds, CPU pick, calibration."""
