"""``infraprep calc NAME``: the calculators. One module per topic registers its commands on ``app``."""


import typer

app = typer.Typer(add_completion=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Calculators: derive the numbers a candidate writes on the whiteboard, with the derivation shown.",
)


@app.callback()
def _group() -> None:
    # A callback keeps this a group even while it has a single command (typer would collapse it).
    pass

# Each module registers its commands on `app` when imported (keep this list sorted).
from infraprep.cli.calc import bubble, catalog, comm, flops, kvcache, memory, plan, reliability, storage, topology  # noqa: E402,F401
