"""Comparing two runs: which pass each benchmark came from, the counted side of the verdict."""
