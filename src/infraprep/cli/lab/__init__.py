"""``infraprep lab NAME``: labs that run the real thing on real engines. One module per lab registers on ``app``.

Lab modules import heavy libraries (torch, numba, triton, numpy, matplotlib) inside the command
functions only, so that start-up stays light (tests/cli/test_startup.py).
"""


import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help="Labs: real implementations on real engines, measured side by side.")


@app.callback()
def _group() -> None:
    # A callback keeps this a group even while it has a single command (typer would collapse it).
    pass

# Each module registers its commands on `app` when imported (keep this list sorted).
from infraprep.cli.lab import (  # noqa: E402,F401
    allreduce,
    attention,
    bypass,
    checkpoint,
    fp8,
    fusion,
    litmus,
    lockfree,
    matmul,
    paging,
    serve_bench,
    train,
    zerocopy,
)
