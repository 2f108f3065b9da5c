"""Flame graphs: folded stacks to self-contained interactive SVGs, plain and differential."""
