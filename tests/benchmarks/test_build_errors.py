"""The error line that matters in a failed pip build, from real pip output captured on
this machine (pip 23.2.1 in a plain venv, pip 26.3 in tox's env)."""
from mapbench.benchmarks.history.build_errors import first_error

# pip 23.2.1, plain venv (setuptools 65.5, no `wheel`), --no-build-isolation of mapbench:
# the failure issue 17 reports, whose note used to be pip's last two lines.
NO_BDIST_WHEEL = """\
  error: subprocess-exited-with-error
  
  × Preparing metadata (pyproject.toml) did not run successfully.
  │ exit code: 1
  ╰─> [4 lines of output]
      /v/lib/python3.11/site-packages/setuptools/config/pyprojecttoml.py:108: _BetaConfiguration: Support for `[tool.setuptools]` in `pyproject.toml` is still *beta*.
        warnings.warn(msg, _BetaConfiguration)
      creating '/tmp/pip-modern-metadata-cm_wq3o9/mapbench-0.1.0.dist-info'
      error: invalid command 'bdist_wheel'
      [end of output]
  
  note: This error originates from a subprocess, and is likely not a problem with pip.
error: metadata-generation-failed

× Encountered error while generating package metadata.
╰─> See above for output.

note: This is an issue with the package mentioned above, not pip.
hint: See above for details.
"""

# pip 26.3: a C extension with a syntax error; gcc's line comes before distutils' summary.
GCC = """\
  error: subprocess-exited-with-error
  
  × Building wheel for toyc (pyproject.toml) did not run successfully.
  │ exit code: 1
  ╰─> [9 lines of output]
      running build_ext
      building 'toyc' extension
      gcc -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -Werror=format -fPIC -c toyc.c -o build/temp.linux-x86_64-cpython-311/toyc.o
      toyc.c: In function ‘f’:
      toyc.c:1:23: error: expected ‘;’ before ‘}’ token
          1 | int f(void) { return 1 }
            |                       ^~
      error: Command '['gcc', '-c', 'toyc.c']' returned non-zero exit status 1.
      [end of output]
  
  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for toyc
error: failed-wheel-build-for-install

× Failed to build installable wheels for some pyproject.toml based projects
╰─> toyc
"""

NO_DISTRIBUTION = """\
ERROR: Could not find a version that satisfies the requirement historytoy-stamp>=3 (from versions: none)
ERROR: No matching distribution found for historytoy-stamp>=3
"""

TRACEBACK_IN_BOX = """\
  ╰─> [5 lines of output]
      Traceback (most recent call last):
        File "<string>", line 2, in <module>
          from historytoy_stamp import stamp3
      ImportError: cannot import name 'stamp3' from 'historytoy_stamp'
      [end of output]
note: This is an issue with the package mentioned above, not pip.
"""


def test_the_backend_error_not_pips_closing_hint():
    assert first_error(NO_BDIST_WHEEL) == "error: invalid command 'bdist_wheel'"


def test_the_compilers_first_error_not_the_command_line_with_werror():
    assert first_error(GCC) == "toyc.c:1:23: error: expected ‘;’ before ‘}’ token"


def test_pips_own_first_error_without_a_box():
    assert first_error(NO_DISTRIBUTION) == ("Could not find a version that satisfies the requirement "
                                            "historytoy-stamp>=3 (from versions: none)")


def test_a_python_exception_inside_the_box():
    assert first_error(TRACEBACK_IN_BOX) == "ImportError: cannot import name 'stamp3' from 'historytoy_stamp'"


def test_a_box_without_an_error_line_gives_its_last_line_and_no_output_says_so():
    assert first_error("  ╰─> [2 lines of output]\n      step one\n      it stopped here\n"
                       "      [end of output]\nhint: See above for details.\n") == "it stopped here"
    assert first_error("") == "no output"
    assert first_error("/v/bin/python: No module named pip\n") == "/v/bin/python: No module named pip"
    assert len(first_error("error: " + "x" * 1000)) == 400
