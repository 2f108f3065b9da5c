"""The pieces of a commit's build that decide where its build backend comes from."""
import importlib.metadata
import os
import sys
import sysconfig

import pytest

from mapbench.benchmarks.history import commit_build
from mapbench.benchmarks.history.commit_build import BuildError, declared_requirements, lacking_here


def test_declared_requirements_read_from_pyproject_or_pep518_default(tmp_path):
    assert declared_requirements(tmp_path) == ["setuptools>=40.8.0", "wheel"]   # no pyproject
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert declared_requirements(tmp_path) == ["setuptools>=40.8.0", "wheel"]   # no [build-system]
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools>=68", "cffi>=1.16"]\n')
    assert declared_requirements(tmp_path) == ["setuptools>=68", "cffi>=1.16"]


@pytest.mark.parametrize("text, says", [
    ("[build-system\nthis is not toml", "pyproject.toml is not valid TOML"),
    ('[build-system]\nrequires = "setuptools"\n', "requires is not a list of strings"),
    ('[build-system]\nrequires = ["setuptools >>> 3"]\n', "build requirement 'setuptools >>> 3'"),
])
def test_a_bad_declaration_is_a_one_line_reason(tmp_path, text, says):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(BuildError, match=says):
        declared_requirements(tmp_path)


def test_lacking_here_compares_versions_of_what_is_installed():
    paths = commit_build.visible_paths()
    pytest_version = importlib.metadata.version("pytest")
    assert lacking_here([f"pytest=={pytest_version}", "pytest>=1"], paths) == []
    assert lacking_here(["pytest<1", "no-such-distribution-here"], paths) == ["pytest<1", "no-such-distribution-here"]
    assert lacking_here(["no-such-distribution-here; python_version < '3'"], paths) == []  # not for us
    assert lacking_here(["pytest[testing]"], paths) == ["pytest[testing]"]          # pip resolves extras
    assert lacking_here(["pytest"], []) == ["pytest"]                               # nowhere to look


def test_visible_paths_are_site_packages_not_stdlib_nor_pythonpath(tmp_path, monkeypatch):
    extra = tmp_path / "on-pythonpath"
    extra.mkdir()
    monkeypatch.setenv("PYTHONPATH", str(extra))
    monkeypatch.setattr(sys, "path", [*sys.path, str(extra)])
    paths = commit_build.visible_paths()
    assert os.path.realpath(sysconfig.get_paths()["purelib"]) in paths
    assert os.path.realpath(sysconfig.get_paths()["stdlib"]) not in paths
    assert str(extra) not in paths
