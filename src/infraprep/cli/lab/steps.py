"""A progress bar on stderr for labs made of steps; silent in ``--json`` mode.

The work reports each step as ``on_step(label, done, total)`` before starting it; this module turns
those calls into a rich progress bar that disappears when the work ends, so stdout stays clean.
"""


from collections.abc import Iterator
from contextlib import contextmanager

from infraprep.cli.output import error_console
from infraprep.labs.steps import OnStep

__all__ = ["step_progress"]


@contextmanager
def step_progress(title: str, enabled: bool = True) -> Iterator[OnStep | None]:
    """Yields an ``on_step`` callback driving a transient bar on stderr, or None when disabled.

    The bar appears at the first step, so work that fails validation before starting prints nothing.
    """
    if not enabled:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=error_console, transient=True)
    task = None

    def on_step(label: str, done: int, total: int) -> None:
        nonlocal task
        if task is None:
            progress.start()
            task = progress.add_task(title, total=total)
        progress.update(task, description=f"{title}: {label}", completed=done, total=total)

    try:
        yield on_step
    finally:
        if task is not None:
            progress.stop()
