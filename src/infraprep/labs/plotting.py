"""``--plot FILE`` for the labs: the format comes from the extension; matplotlib's Agg backend.

matplotlib is imported inside :func:`pyplot` only, so nothing the CLI loads at start-up pulls it in.
"""

from __future__ import annotations

from pathlib import Path

from infraprep.errors import InvalidValue

__all__ = ["PLOT_FORMATS", "check_plot_path", "pyplot"]

PLOT_FORMATS = (".svg", ".png", ".pdf")


def check_plot_path(path: Path) -> Path:
    """Refuse a bad ``--plot`` before any work is done: unknown extension or missing directory."""
    path = Path(path)
    if path.suffix.lower() not in PLOT_FORMATS:
        raise InvalidValue("--plot", str(path), f"a file name ending in {', '.join(PLOT_FORMATS)}")
    if not path.parent.is_dir():
        raise InvalidValue("--plot", str(path), "a file in an existing directory")
    return path


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
