"""Statistics: two runs' timings joined by benchmark name, with significance, and the noise of a machine."""
