"""Only what pyproject.toml cannot say: the wheel carries the repository's specs, fixtures and
``schemathesis.toml`` (the settings of ``mockserver contract``) as ``mockserver/_data/``, while they
stay at the root, where tools, docs, Schemathesis and the tests find them. MANIFEST.in puts them in
the sdist; ``mockserver.engine.paths`` reads the packaged copies, or in a checkout or an editable
install the root's own."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: Root folders and files the package carries, as ``mockserver/_data/<name>``.
SHIPPED = ("specs", "fixtures", "schemathesis.toml")


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the root's own
        target = Path(self.build_lib, "mockserver", "_data")
        shutil.rmtree(target, ignore_errors=True)  # nothing left over from an earlier build
        target.mkdir(parents=True)
        for name in SHIPPED:
            if Path(name).is_dir():
                shutil.copytree(name, target / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
            else:
                shutil.copy2(name, target / name)


setup(cmdclass={"build_py": BuildPy})
