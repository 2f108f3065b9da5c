"""Thin command-line layers over the analysis transforms (one module a subcommand).

Each module defines `register(subparsers)`, which adds its parser and sets
`func=run`, and `run(args) -> int` (the exit status).
"""
