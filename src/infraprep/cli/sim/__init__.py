"""``infraprep sim NAME``: simulators of the dynamics. One module per simulator registers on ``app``.

Simulator modules import numpy/matplotlib inside the command functions only (start-up stays light).
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Simulators: discrete-event and Monte Carlo models of the dynamics.")

# Each module registers its commands on `app` when imported (keep this list sorted).
from infraprep.cli.sim import ecmp, pfc  # noqa: E402,F401
