"""Thin command-line layers over the benchmarks room (one module a subcommand).

Each module defines `register(subparsers)`, which adds its parser and sets
`func=run`, and `run(args) -> int` (the exit status).
"""
