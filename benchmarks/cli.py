"""`mapbench`: one console script, thin subcommands that delegate to the room that owns the work."""
from __future__ import annotations

import argparse
import importlib
import sys

from mapbench.analysis.errors import InputError, StoreBusy, WriteError

# (module, subcommand) in the order `mapbench --help` lists them. A module that is
# not there yet is skipped, so a partial checkout still has a working CLI.
SUBCOMMAND_MODULES = [
    "mapbench.benchmarks.commands.bench",
    "mapbench.benchmarks.commands.profile",
    "mapbench.benchmarks.commands.peers",
    "mapbench.benchmarks.commands.compare",
    "mapbench.benchmarks.commands.list_lines",
    "mapbench.benchmarks.commands.history",
    "mapbench.benchmarks.commands.bisect",
    "mapbench.benchmarks.commands.calibrate",
    "mapbench.benchmarks.commands.report",
    "mapbench.benchmarks.commands.export",
    "mapbench.analysis.commands.fold",
    "mapbench.analysis.commands.flamegraph",
    "mapbench.analysis.commands.pprof",
    "mapbench.analysis.commands.top",
    "mapbench.analysis.commands.cachemiss",
]


def _modules_for(command: str | None) -> list[str]:
    """The one module named like `command` (fold -> ...commands.fold), else all of them.

    Importing every subcommand costs about a second and tens of MB (numpy, the history
    and report rooms); `mapbench fold` in a pipe should not pay that."""
    named = [m for m in SUBCOMMAND_MODULES if m.rsplit(".", 1)[1].replace("_", "-") == command]
    return named or SUBCOMMAND_MODULES


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mapbench",
        description="Benchmark and profile a Go-style hash map and its iterator.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in _modules_for(command):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register(subparsers)
    return parser


def _use_native_folder() -> None:
    """Fold perf script text in C (native/src/fold) from here on; Python's folder where the
    compiled module does not load (the two fold byte for byte alike; tests run both). The
    module is loaded at the first fold, not here: most commands never fold, and a native
    module that refuses to load (a bad MAPBENCH_INJECT_* value) must fail only the work
    that needs it, as one line from that work."""
    from mapbench.analysis.stacks.fold_perf import use_engine

    def load_native_folder():
        try:
            from mapbench.native.perf_folder import PerfFolder
        except ImportError:
            return None
        except Exception as exc:          # the native module refused to load (its own reason)
            print(f"mapbench: note: the C folder did not load ({exc}); folding in Python",
                  file=sys.stderr)
            return None
        return PerfFolder

    load_native_folder.lazy_engine = True
    use_engine(load_native_folder)


def main(argv: list[str] | None = None) -> int:
    _use_native_folder()
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words[0] if words and not words[0].startswith("-") else None)
    args = parser.parse_args(argv)
    prog = f"mapbench {args.command}"
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except StoreBusy as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except WriteError as exc:
        # The file it was replacing is intact (atomic writes); so is everything else.
        print(f"{prog}: error: {exc}; files written before are intact", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"{prog}: error: no such file: {exc.filename}", file=sys.stderr)
        return 2
    except IsADirectoryError as exc:
        print(f"{prog}: error: is a folder, not a file: {exc.filename}", file=sys.stderr)
        return 2
    except PermissionError as exc:
        print(f"{prog}: error: permission denied: {exc.filename}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`mapbench fold ... | head`): not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; files already written are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
