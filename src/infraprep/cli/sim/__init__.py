"""``infraprep sim NAME``: simulators of the dynamics. One module per simulator registers on ``app``.

Simulator modules import numpy/matplotlib inside the command functions only (start-up stays light).
"""


import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help="Simulators: discrete-event and Monte Carlo models of the dynamics.")


@app.callback()
def _group() -> None:
    # A callback keeps this a group even while it has a single command (typer would collapse it).
    pass

# Each module registers its commands on `app` when imported (keep this list sorted).
from infraprep.cli.sim import ecmp, failures, gang, pfc, pipelines, schedule, serve  # noqa: E402,F401
