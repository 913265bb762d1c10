"""``--plot FILE``: throughput of every transfer on a log axis, with the memcpy bandwidth marked."""

from __future__ import annotations

from pathlib import Path

from infraprep.errors import InvalidValue
from infraprep.labs.zerocopy.lab import ZeroCopyReport

__all__ = ["check_plot_path", "plot_zerocopy"]

_FORMATS = (".svg", ".png", ".pdf")


def check_plot_path(path: Path) -> None:
    """The format comes from the extension; anything else is an error before any work is done."""
    if path.suffix.lower() not in _FORMATS:
        raise InvalidValue("--plot", str(path), f"a file name ending in {', '.join(_FORMATS)}")


def plot_zerocopy(report: ZeroCopyReport, path: Path) -> None:
    """Horizontal bars of bytes/s (decimal GB/s), log scale; a vertical line at memcpy."""
    check_plot_path(path)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(reversed(report.transfers))
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text (searchable, selectable)
        _draw(report, rows, plt, path)


def _draw(report: ZeroCopyReport, rows, plt, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
    colours = ["tab:green" if t.shares_memory else "tab:red" for t in rows]
    ax.barh([f"{t.name} ({t.scope})" for t in rows], [t.bytes_per_s / 1e9 for t in rows], color=colours)
    ax.axvline(report.memcpy_bytes_per_s / 1e9, color="black", linestyle="--",
               label=f"memcpy {report.memcpy_bytes_per_s / 1e9:.1f} GB/s")
    ax.set_xscale("log")
    ax.set_xlabel("GB/s to a usable object (log; green = same memory, red = copied)")
    ax.set_title(f"Moving {report.nbytes / 2**20:.0f} MiB (best of {report.reps})")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
