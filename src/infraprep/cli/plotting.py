"""``--plot FILE`` support: matplotlib with the Agg backend, imported only when a plot is asked for."""


from pathlib import Path

from infraprep.errors import InvalidValue

__all__ = ["check_plot_path", "new_figure", "save_figure"]

FORMATS = (".svg", ".png")


def check_plot_path(path: str | None) -> None:
    """Fail before the work starts if ``path`` has no supported extension or its folder is missing."""
    if path is None:
        return
    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise InvalidValue("--plot", path, "a file name ending in .svg or .png")
    if not p.parent.exists():
        raise InvalidValue("--plot", path, f"a path in an existing folder ({p.parent} does not exist)")


def new_figure(rows: int = 1, cols: int = 1, size: tuple[float, float] = (8, 4.5)):
    """A matplotlib figure and its axes on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(rows, cols, figsize=size, layout="constrained")


def save_figure(fig, path: str) -> None:
    """Write SVG or PNG by extension and release the figure."""
    import matplotlib.pyplot as plt

    check_plot_path(path)
    fig.savefig(path, format=Path(path).suffix.lower()[1:], dpi=120)
    plt.close(fig)
