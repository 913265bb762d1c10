"""Progress chart: mastery per competency (by round) and attempts per day by kind (matplotlib, Agg)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from infraprep.errors import InvalidValue
from infraprep.practice.progress import THRESHOLD, ProgressReport
from infraprep.store.attempts import ATTEMPT_KINDS, Attempt

__all__ = ["plot_progress"]


def plot_progress(report: ProgressReport, attempts: list[Attempt], path: Path) -> Path:
    """Write the chart to ``path`` (.svg, .png or .pdf by extension)."""
    if path.suffix.lower() not in (".svg", ".png", ".pdf"):
        raise InvalidValue("--plot", str(path), "a file ending in .svg, .png or .pdf")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (bars, days) = plt.subplots(1, 2, figsize=(13, 7), gridspec_kw={"width_ratios": [3, 2]})
    comps = report.competencies
    colors = plt.get_cmap("tab10")
    bars.barh(range(len(comps)), [p.score or 0.0 for p in comps],
              color=[colors(p.competency.round - 1) for p in comps])
    bars.set_yticks(range(len(comps)), [p.competency.id + (" ✓" if p.mastered else "") for p in comps], fontsize=8)
    bars.invert_yaxis()
    bars.axvline(THRESHOLD, color="black", linestyle="--", linewidth=1)
    bars.set_xlim(0, 1)
    bars.set_xlabel(f"mastery (mean of the last graded attempts; mastered at ≥ {THRESHOLD:.0%} from ≥ 2 kinds)")
    bars.set_title("Competencies")
    per_day = {kind: Counter() for kind in ATTEMPT_KINDS}
    for a in attempts:
        per_day[a.kind][datetime.fromtimestamp(a.created_at).date()] += 1
    all_days = sorted({d for c in per_day.values() for d in c})
    bottom = [0] * len(all_days)
    for kind in ATTEMPT_KINDS:
        heights = [per_day[kind][d] for d in all_days]
        days.bar([d.isoformat() for d in all_days], heights, bottom=bottom, label=kind)
        bottom = [b + h for b, h in zip(bottom, heights)]
    days.set_title(f"Attempts per day (streak: {report.streak_days} day(s); reviews due: {report.reviews_due})")
    days.tick_params(axis="x", rotation=60, labelsize=7)
    days.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    plt.close(fig)
    return path
