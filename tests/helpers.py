"""Helpers shared by tests (import as ``from tests.helpers import ...``)."""

from __future__ import annotations

import os
import subprocess
import sys


def cli_env(**overrides: str) -> dict[str, str]:
    """The environment for timing the CLI as a user runs it: bytecode caching on.

    A sandbox may export PYTHONDONTWRITEBYTECODE=1, which makes every start recompile every module it
    imports (about 0.1 s of CPU here for `calc plan`); an installed program has its .pyc files, so
    timed runs drop the variable and the first (warm-up) run writes the cache.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(overrides)
    return env


def cpu_seconds(cmd: list[str], env) -> float:
    """User + system CPU time of one run of ``cmd``; ``cmd`` may be ``infraprep`` arguments alone.

    On this shared 2-core machine a busy neighbour inflates wall time far more than the work a run
    does, so start-up budgets are measured in CPU seconds of the child.
    """
    if cmd and cmd[0] != sys.executable and not os.path.isabs(cmd[0]):
        cmd = [sys.executable, "-m", "infraprep", *cmd]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return usage.ru_utime + usage.ru_stime
