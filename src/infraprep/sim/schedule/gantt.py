"""Gantt charts of pipeline timelines (matplotlib, Agg; imported inside the function).

One row per rank (rank 0 on top), time to the right; each operation is a cell coloured by kind and
labelled with its microbatch (a prime marks DualPipe's reverse direction, ``c1`` an interleaved
chunk). Blank space is bubble. The output is SVG or PNG by the file's extension, and deterministic
(no timestamp, fixed SVG ids), so generated whiteboard diagrams diff cleanly.

    >>> from infraprep.sim.schedule import save_gantt            # doctest: +SKIP
    >>> save_gantt("dualpipe", pp=8, microbatches=20, path="round-3/whiteboard/dualpipe.svg")
"""

from __future__ import annotations

from pathlib import Path

from infraprep.calc.bubble import PipelineConfig, StageTimes
from infraprep.errors import InvalidValue
from infraprep.sim.schedule.ops import KINDS
from infraprep.sim.schedule.timeline import Timeline, simulate

__all__ = ["COLORS", "MAX_DRAWN", "render_gantt", "save_gantt"]

# Face colour per kind; F&B cells are drawn as an F half over a B half.
COLORS = {"F": "#4C78A8", "B": "#54A24B", "Bi": "#88D27A", "W": "#F58518"}
_REVERSE = {"F": "#9ECAE9", "B": "#2E6B2A"}  # DualPipe's reverse direction
_MAX_LABELLED = 1200  # above this many cells, labels would be unreadable
MAX_DRAWN = 20_000  # above this many cells a chart takes minutes and shows nothing legible


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InvalidValue("--plot", str(path), "a file name ending in .svg or .png")
    if not path.parent.is_dir():
        raise InvalidValue("--plot", str(path), "a file in an existing directory")
    return suffix


def render_gantt(timeline: Timeline, path: str | Path, title: str | None = None) -> Path:
    """Draw ``timeline`` to ``path`` (``.svg`` or ``.png``) and return the path."""
    path = Path(path)
    suffix = _suffix(path)
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.transforms import offset_copy

    ranks = timeline.ranks
    cells = sum(len(r) for r in timeline.slots)
    if cells > MAX_DRAWN:
        raise InvalidValue("--plot", str(path), f"a timeline of at most {MAX_DRAWN} operations to draw "
                           f"(this one has {cells}: fewer stages or microbatches)")
    width = min(24.0, max(8.0, timeline.makespan / max(min(s.end - s.start for r in timeline.slots for s in r), 1e-9)
                          * 0.22))
    fig = Figure(figsize=(width, 0.45 * ranks + 1.4))
    ax = fig.subplots()
    label = cells <= _MAX_LABELLED
    fontsize = 7 if cells <= 400 else 5
    for rank, slots in enumerate(timeline.slots):
        y = ranks - 1 - rank
        for slot in slots:
            op, x, w = slot.op, slot.start, slot.end - slot.start
            if op.kind == "FB":
                f_pass = op.forward
                b_pipe = next(p[1] for p in op.passes if p[0] == "B")
                ax.broken_barh([(x, w)], (y + 0.42, 0.42), facecolors=_face("F", f_pass[1]), edgecolor="black",
                               linewidth=0.6)
                ax.broken_barh([(x, w)], (y, 0.42), facecolors=_face("B", b_pipe), edgecolor="black", linewidth=0.6)
            else:
                pipe = op.passes[0][1]
                ax.broken_barh([(x, w)], (y, 0.84), facecolors=_face(op.kind, pipe), edgecolor="black",
                               linewidth=0.4)
            if label:
                text = op.label + _chunk(timeline, op)
                light = op.kind in ("Bi", "W") or (op.kind == "F" and op.passes[0][1] == 1)
                ax.text(x + w / 2, y + 0.42, text, ha="center", va="center", fontsize=fontsize,
                        color="black" if light else "white", clip_on=True)
    ax.set_yticks([ranks - 1 - r + 0.42 for r in range(ranks)], [f"rank {r}" for r in range(ranks)])
    ax.set_xlim(0, timeline.makespan)
    ax.set_ylim(-0.1, ranks)
    ax.set_xlabel("time (units of the pass times given)")
    c = timeline.config
    ax.set_title(title or (f"{c.schedule}: pp={c.pp}, m={c.microbatches}"
                           + (f", v={c.chunks}" if c.chunks > 1 else "")
                           + f" — bubble {timeline.bubble_time:.4g} of makespan {timeline.makespan:.4g}"),
                 fontsize=10, loc="left")
    kinds = sorted({s.op.kind for r in timeline.slots for s in r}, key=KINDS.index)
    names = {"F": "F forward", "B": "B full backward", "Bi": "B input gradient", "W": "W weight gradient",
             "FB": "F&B overlapped (F over B)"}
    handles = [Patch(facecolor=COLORS.get(k, COLORS["F"]), edgecolor="black", hatch="//" if k == "FB" else None,
                     label=names[k]) for k in kinds]
    if any(s.op.passes[0][1] == 1 for r in timeline.slots for s in r):
        handles.append(Patch(facecolor=_REVERSE["F"], edgecolor="black", label="reverse direction (′)"))
    below_axis = offset_copy(ax.transAxes, fig=fig, y=-34, units="points")  # under the x label
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below_axis,
              ncol=len(handles), fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    with matplotlib.rc_context({"svg.hashsalt": "infraprep", "svg.fonttype": "none"}):
        metadata = {"Date": None} if suffix == ".svg" else {"Software": None}
        fig.savefig(path, format=suffix[1:], metadata=metadata, dpi=150, bbox_inches="tight")
    return path


def _face(kind: str, pipe: int) -> str:
    if pipe and kind in _REVERSE:
        return _REVERSE[kind]
    return COLORS[kind]


def _chunk(timeline: Timeline, op) -> str:
    v = timeline.config.chunks
    if v == 1:
        return ""
    return f"c{op.passes[0][2] // timeline.config.pp}"


def save_gantt(
    schedule: str,
    pp: int,
    microbatches: int,
    path: str | Path,
    chunks: int = 1,
    times: StageTimes | None = None,
    title: str | None = None,
) -> Path:
    """One call from a schedule's name to a diagram file: simulate, then :func:`render_gantt`."""
    _suffix(Path(path))
    config = PipelineConfig(schedule, pp, microbatches, chunks, times or StageTimes())
    return render_gantt(simulate(config), path, title)
