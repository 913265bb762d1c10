"""Start-up stays light: no heavy library is imported, and the common commands answer fast."""

import os
import subprocess
import sys

import pytest

from tests.helpers import cli_env, cpu_seconds

HEAVY = ("torch", "numpy", "matplotlib", "numba", "triton", "networkx", "fsrs")


def imported_modules(*args: str, env) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "infraprep", *args], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize("args", [("--help",), ("round", "3"), ("rounds",), ("lint",), ("calc", "hardware"), ("mock", "--help")])
def test_no_heavy_imports(args, isolated_workspace):
    env = {**os.environ, "INFRAPREP_HOME": str(isolated_workspace)}
    loaded = imported_modules(*args, env=env)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


@pytest.mark.parametrize("args", [("--help",), ("round", "3")])
def test_answers_in_under_0_3_s(args, isolated_workspace):
    env = cli_env(INFRAPREP_HOME=str(isolated_workspace))
    exe = [sys.executable, "-m", "infraprep", *args]
    subprocess.run(exe, env=env, capture_output=True, check=True)  # warm caches, create workspace
    best = min(cpu_seconds(exe, env) for _ in range(5))
    assert best < 0.3, f"{args}: {best:.3f} s of CPU"
