"""``infraprep calc NAME``: the calculators. One module per topic registers its commands on ``app``."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True,
    help="Calculators: derive the numbers a candidate writes on the whiteboard, with the derivation shown.",
)

# Each module registers its commands on `app` when imported (keep this list sorted).
from infraprep.cli.calc import catalog, collectives  # noqa: E402,F401
