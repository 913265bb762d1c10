"""``infraprep lab NAME``: labs that run the real thing on real engines. One module per lab registers on ``app``.

Lab modules import heavy libraries (torch, numba, triton, numpy, matplotlib) inside the command
functions only, so that start-up stays light (tests/cli/test_startup.py).
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Labs: real implementations on real engines, measured side by side.")

# Each module registers its commands on `app` when imported (keep this list sorted).
from infraprep.cli.lab import allreduce, bypass  # noqa: E402,F401
