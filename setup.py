# setuptools reads everything else from pyproject.toml; cffi's build hook has no
# pyproject key, so the compiled module is declared here.
from setuptools import setup

setup(cffi_modules=["native/build_map.py:ffibuilder"])
