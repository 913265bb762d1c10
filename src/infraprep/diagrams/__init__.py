"""Generated whiteboard diagrams (SVG, committed): each is drawn from the calculators or simulators.

Every diagram is a function ``draw(path)`` registered with :func:`diagram` under a name and the
round whose ``whiteboard/diagrams/`` folder holds it. ``make diagrams`` (``python -m
infraprep.diagrams``) regenerates them all; ``--check`` regenerates into a temporary folder and fails
when any committed file differs, which a test runs so diagrams never go stale.

Determinism: the SVG backend writes no date, a fixed hash salt, and text as text (``svg.fonttype =
none``), so the same code and matplotlib version give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DIAGRAMS", "RC_PARAMS", "Diagram", "diagram", "figure", "save"]

# Every diagram renders under these settings (also when a module draws through another renderer,
# e.g. the schedule simulator's Gantt chart), so the bytes do not depend on which diagram ran first.
RC_PARAMS = {"svg.hashsalt": "infraprep", "svg.fonttype": "none", "font.size": 9}


@dataclass(frozen=True)
class Diagram:
    name: str
    round: int
    draw: Callable[[Path], None]
    summary: str


DIAGRAMS: dict[str, Diagram] = {}


def diagram(name: str, round_number: int, summary: str):
    """Register ``draw(path)`` as diagram ``name`` of a round."""

    def register(draw: Callable[[Path], None]) -> Callable[[Path], None]:
        if name in DIAGRAMS:
            raise ValueError(f"duplicate diagram {name}")
        DIAGRAMS[name] = Diagram(name, round_number, draw, summary)
        return draw

    return register


def figure(width: float, height: float):
    """A matplotlib Figure (no pyplot state) with the deterministic SVG settings applied."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(RC_PARAMS)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def save(fig, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
