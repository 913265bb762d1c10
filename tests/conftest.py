"""Shared fixtures: an isolated workspace per test and an in-process CLI runner."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("COLUMNS", "200")  # before rich's console exists: no wrapping inside asserted text

from infraprep.cli.app import main  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_workspace(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own INFRAPREP_HOME and runs outside any workspace."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("INFRAPREP_HOME", str(home / "ws"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))
    monkeypatch.chdir(home)
    return home / "ws"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys):
    """Run ``infraprep ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
