"""`mapbench cachemiss FILE|-`: a cache-miss summary from `perf stat -x,` CSV or cachegrind/callgrind output.

The input kind is detected from its content. Per-element numbers need `--elements N` (the
elements the measured code processed); without it the table shows whole-program numbers
per one element, i.e. the totals. Every number is labelled with its source.
"""
from __future__ import annotations

import json
import re

from mapbench.analysis.counters import cachemiss
from mapbench.analysis.counters import cachegrind_out
from mapbench.analysis.render import cachemiss_tables
from mapbench.analysis.counters import perf_stat_csv
from mapbench.analysis.commands.streams import add_max_input_argument, read_nonempty, write_output
from mapbench.analysis.input_limit import DEFAULT_MAX_INPUT
from mapbench.analysis.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "cachemiss", help="cache-miss summary from perf stat -x, CSV or cachegrind/callgrind output",
        description=__doc__.splitlines()[0])
    p.add_argument("input", metavar="FILE", help="perf stat -x, CSV, cachegrind.out.* or callgrind.out.*, or - for stdin")
    p.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    p.add_argument("--elements", type=int, default=1, metavar="N",
                   help="elements the measured code processed, for misses per element (default 1: totals)")
    p.add_argument("--functions", metavar="REGEX",
                   help="cachegrind/callgrind: count only functions whose name matches (e.g. 'kernel_|mapiter')")
    p.add_argument("--name", default=None, help="configuration name shown in the table")
    p.add_argument("--format", choices=("md", "json"), default="md")
    add_max_input_argument(p)
    p.set_defaults(func=run)


def _read(path: str, limit: int = DEFAULT_MAX_INPUT) -> str:
    return read_nonempty(path, limit).decode("utf-8", errors="replace")


def summarize(text: str, elements: int, functions: str | None = None, name: str | None = None) -> dict:
    """One configuration dict (see mapbench.analysis.counters.cachemiss) from either kind of input."""
    if elements <= 0:
        raise InputError("--elements must be a positive number")
    config = {"name": name} if name else {}
    if cachegrind_out.looks_like_cachegrind(text):
        profile = cachegrind_out.parse_cachegrind(text)
        selected = None
        if functions:
            try:
                pattern = re.compile(functions)
            except re.error as exc:
                raise InputError(f"--functions: bad regex: {exc}") from None
            selected = sorted(f for f in profile.self_costs if pattern.search(f))
            if not selected:
                raise InputError(f"--functions: no function matches {functions!r}")
        if not config:
            config = {"name": profile.cmd or profile.tool}
        return cachemiss.config_from_cachegrind(config, profile, elements, functions=selected)
    if perf_stat_csv.looks_like_perf_stat(text):
        if functions:
            raise InputError("--functions applies to cachegrind/callgrind output, not to perf stat counters")
        rows = perf_stat_csv.parse_perf_stat_csv(text)
        config = cachemiss.config_from_perf(config or {"name": "perf stat"}, rows, elements)
        if not config["hardware_counters"]:
            missing = ", ".join(f"{r.event} ({r.status})" for r in rows if not r.counted)
            raise InputError(f"no hardware counter gave a number ({missing}); this CPU or VM "
                             "exposes none: `mapbench profile` falls back to cachegrind's simulation")
        return config
    raise InputError("neither `perf stat -x,` CSV nor cachegrind/callgrind output")


def run(args) -> int:
    config = summarize(_read(args.input, args.max_input), args.elements, args.functions, args.name)
    if args.format == "json":
        out = json.dumps(config, indent=2, sort_keys=True) + "\n"
    else:
        out = cachemiss_tables.summary_table([config])
        table = cachemiss_tables.attribution_table(config)
        if table:
            out += "\n" + table
    write_output(args.output, out)
    return 0
