"""Start-up stays light: no heavy library is imported, and the common commands answer fast."""

import os
import subprocess
import sys
import time

import pytest

HEAVY = ("torch", "numpy", "matplotlib", "numba", "triton", "networkx", "fsrs")


def imported_modules(*args: str, env) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "infraprep", *args], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize("args", [("--help",), ("round", "3"), ("rounds",), ("lint",)])
def test_no_heavy_imports(args, isolated_workspace):
    env = {**os.environ, "INFRAPREP_HOME": str(isolated_workspace)}
    loaded = imported_modules(*args, env=env)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


@pytest.mark.parametrize("args", [("--help",), ("round", "3")])
def test_answers_in_under_0_3_s(args, isolated_workspace):
    env = {**os.environ, "INFRAPREP_HOME": str(isolated_workspace)}
    exe = [sys.executable, "-m", "infraprep"]
    subprocess.run(exe + list(args), env=env, capture_output=True, check=True)  # warm caches, create workspace
    best = float("inf")
    for _ in range(5):  # best of five: this 2-core machine is shared with other work
        start = time.perf_counter()
        subprocess.run(exe + list(args), env=env, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    assert best < 0.3, f"{args}: {best:.3f} s"
