"""Every command the README and docs/ name exists: `mapbench SUB --flag` and `tox -e ENV`.

The pages are read, not rendered: each code span and fenced code block is cut into shell
segments (at pipes, `&&`, `;` and line ends; a `\\|` inside a span is an alternative, as
in `[--fast\\|--rigorous]`, not a pipe), quoted arguments are blanked, and in each segment
`mapbench SUB` must be a subcommand of the CLI's parser and every flag after it one that
SUB's parser accepts, by its full name. `tox -e A,B` must name envs of tox.ini, and flags
after `tox -e bench --` go to the command tox.ini runs with `{posargs}` (`mapbench bench`).
A span that is only flags (`--statistic median`, `-- --rounds N`) names no command: each
of its long flags must be an option of some subcommand (or one of OTHER_TOOLS' flags).
"""
from __future__ import annotations

import argparse
import configparser
import re
from pathlib import Path

import pytest

from mapbench.benchmarks.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"(`+)(.+?)\1", re.S)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
SEGMENT_SPLIT = re.compile(r"\|\||&&|[|;\n]")
MAPBENCH = re.compile(r"(?<![\w./-])mapbench\s+([a-z][\w-]*)")
TOX = re.compile(r"(?<![\w./-])tox\s+-e\s+([\w.,-]+)")
FLAG = re.compile(r"(?<![\w-])(--[a-z][\w-]*|-[a-zA-Z])(?![\w-])")
ALT = "\0"          # stands for `\|` (an alternative in a synopsis) while segments are cut
# Flags the pages name in a span of their own that belong to a tool mapbench drives.
OTHER_TOOLS = {"--native": "py-spy"}


def code_texts(markdown: str) -> list[str]:
    """The text of every fenced code block (comments dropped) and every inline code span."""
    texts = []
    for block in FENCE.findall(markdown):
        texts.extend(re.sub(r"(^|\s)#.*", "", line) for line in block.splitlines())
    for _, span in SPAN.findall(FENCE.sub("", markdown)):
        texts.append(span.replace("\n", " "))
    return texts


def segments(text: str) -> list[str]:
    """One shell command per item: pipes and `&&` cut, quoted arguments blanked."""
    text = QUOTED.sub("ARG", text.replace("\\|", ALT))
    return [s.replace(ALT, " ") for s in SEGMENT_SPLIT.split(text)]


def mentions(markdown: str) -> list[tuple[str, str, list[str]]]:
    """(tool, name, flags) for each command named: ("mapbench", SUB, flags after it) or
    ("tox", ENV, flags after its `--`), or ("any", "", flags) for a span of flags alone."""
    found = []
    for text in code_texts(markdown):
        for seg in segments(text):
            if seg.strip().startswith("-"):
                found.append(("any", "", [f for f in FLAG.findall(seg) if f.startswith("--")]))
                continue
            m = MAPBENCH.search(seg)
            if m:
                found.append(("mapbench", m.group(1), FLAG.findall(seg[m.end():])))
            t = TOX.search(seg)
            if t:
                rest = seg[t.end():]
                passed = rest.split(" -- ", 1)[1] if " -- " in f"{rest} " else ""
                for env in t.group(1).split(","):
                    found.append(("tox", env, FLAG.findall(passed)))
    return found


def cli_options(parser: argparse.ArgumentParser) -> dict[str, set[str]]:
    """Subcommand -> every option string its parser accepts."""
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: {o for action in sub._actions for o in action.option_strings}
            for name, sub in subs.choices.items()}


def tox_envs(ini: Path) -> dict[str, str | None]:
    """tox env -> the mapbench subcommand that receives its {posargs} (None: not mapbench)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ini)
    names = {n.strip() for n in config.get("tox", "envlist", fallback="").split(",") if n.strip()}
    names |= {s.split(":", 1)[1] for s in config.sections() if s.startswith("testenv:")}
    envs = {}
    for name in names:
        commands = config.get(f"testenv:{name}", "commands", fallback=config.get("testenv", "commands"))
        target = re.search(r"^\s*mapbench\s+([\w-]+).*\{posargs\}", commands, re.M)
        envs[name] = target.group(1) if target else None
    return envs


def problems(markdown: str, options: dict[str, set[str]], envs: dict[str, str | None]) -> list[str]:
    """What the page names that the CLI or tox.ini does not have, one line each."""
    out = []
    known = set().union(*options.values()) | set(OTHER_TOOLS)
    for tool, name, flags in mentions(markdown):
        if tool == "any":
            out.extend(f"{flag}: no subcommand has this option" for flag in flags if flag not in known)
            continue
        if tool == "tox":
            if name not in envs:
                out.append(f"tox -e {name}: no such env in tox.ini")
                continue
            if not flags:
                continue
            if envs[name] is None:
                out.append(f"tox -e {name} -- {' '.join(flags)}: its posargs do not go to mapbench")
                continue
            tool, name = "mapbench", envs[name]
        if name not in options:
            out.append(f"mapbench {name}: no such subcommand")
            continue
        out.extend(f"mapbench {name} {flag}: no such option" for flag in flags if flag not in options[name])
    return out


@pytest.fixture(scope="module")
def cli():
    return cli_options(build_parser()), tox_envs(ROOT / "tox.ini")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_and_flag_named_exists(page, cli):
    options, envs = cli
    assert problems(page.read_text(), options, envs) == []


def test_the_readme_names_commands_at_all(cli):
    """The check is only worth something if it finds the README's commands."""
    named = {(tool, name) for tool, name, _ in mentions((ROOT / "README.md").read_text()) if tool != "any"}
    assert {("tox", "bench"), ("tox", "tests"), ("tox", "asan")} <= named
    assert {("mapbench", sub) for sub in cli[0]} <= named, "every subcommand is in the README's table"


def test_the_check_catches_what_does_not_exist(cli):
    options, envs = cli
    page = """
| `mapbench bench [--fast\\|--no-such-flag] [--only REGEX]` | a row |

```sh
mapbench fold perf.txt | mapbench top - --sort cum --bogus 3   # a comment --ignored
tox -e tests,nope
```

`tox -e bench -- --rounds 20 --nor-this`, `mapbench frobnicate`, `--statistic quiet`,
`--statistik median`, `-- --no-counts`, and
`mapbench history A..B --bench-args "--not-history --fast"` (quoted: bench's flags).
"""
    assert sorted(problems(page, options, envs)) == sorted([
        "tox -e nope: no such env in tox.ini",
        "mapbench bench --no-such-flag: no such option",
        "mapbench top --bogus: no such option",
        "mapbench bench --nor-this: no such option",
        "mapbench frobnicate: no such subcommand",
        "--statistik: no subcommand has this option",
    ])


LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to -."""
    heads = re.findall(r"^#+ (.+)$", FENCE.sub("", markdown), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(page):
    """Nothing points to a file or section that moved away."""
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text())):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text()):
            broken.append(target)
    assert broken == []
