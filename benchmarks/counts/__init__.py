"""Exact counts: the callgrind count pass and its worker, hardware counts where perf has them, their summary and calibration."""
