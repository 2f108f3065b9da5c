"""A reader of Go's benchmark text format written from its spec, for the export tests.

Go proposal 14313 (golang.org/design/14313-benchmark-format), as golang.org/x/perf/benchfmt
reads it:
  - a configuration line is `key: value`: the key starts with a lower-case letter and holds
    no space and no upper-case letter; one or more spaces or tabs follow the colon; it sets
    the configuration of every result after it;
  - a result line splits on white space into an even number of fields, at least four: a name
    that starts with `Benchmark` followed by an upper-case letter (or nothing), the
    iteration count (a decimal integer), then value/unit pairs (value: a float);
  - `Unit <unit> <key>=<value>...` declares a unit's metadata (benchfmt's extension);
  - every other line is ignored.
A name is `Benchmark<Name>[/<part>...][-<gomaxprocs>]`; a part `key=value` is a name key
(benchstat's `/key`), `.fullname` is the name without `Benchmark` and without the -N suffix.
"""
import re
from dataclasses import dataclass, field

KEY_RE = re.compile(r"^[a-z][^\sA-Z]*$")
GOMAXPROCS_RE = re.compile(r"^(?P<name>.*?)-(?P<procs>\d+)$")


@dataclass
class Result:
    name: str
    iterations: int
    values: dict
    config: dict

    @property
    def fullname(self) -> str:
        base = self.name[len("Benchmark"):]
        m = GOMAXPROCS_RE.match(base)
        return m["name"] if m else base

    @property
    def keys(self) -> dict:
        return dict(p.split("=", 1) for p in self.fullname.split("/")[1:] if "=" in p)

    def row_without(self, key: str) -> str:
        """.fullname less the name key `key` (benchstat drops a key another projection uses)."""
        return "/".join(p for p in self.fullname.split("/") if not p.startswith(f"{key}="))


@dataclass
class File:
    results: list = field(default_factory=list)
    units: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)


def _float(text):
    try:
        return float(text)
    except ValueError:
        return None


def _result(fields, config):
    if len(fields) < 4 or len(fields) % 2:
        return None
    name = fields[0]
    if not name.startswith("Benchmark") or (len(name) > 9 and not name[9].isupper()):
        return None
    if not fields[1].isdigit():
        return None
    values = {}
    for value, unit in zip(fields[2::2], fields[3::2]):
        number = _float(value)
        if number is None:
            return None
        values[unit] = number
    return Result(name, int(fields[1]), values, dict(config))


def parse(text: str) -> File:
    out, config = File(), {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        if sep and KEY_RE.match(key) and rest[:1] in (" ", "\t"):
            config[key] = rest.strip()
            continue
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "Unit":
            out.units[fields[1]] = dict(f.split("=", 1) for f in fields[2:] if "=" in f)
            continue
        result = _result(fields, config)
        if result is None:
            out.ignored.append(line)
        else:
            out.results.append(result)
    return out
