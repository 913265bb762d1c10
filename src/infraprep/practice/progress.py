"""Mastery per competency, and the README checkboxes that mirror it.

The mastery rule (documented in the README; constants below):

* look at the competency's last :data:`WINDOW` (5) **graded** attempts of any kind;
* it is *mastered* when there are at least :data:`MIN_ATTEMPTS` (3) of them, their mean score is at
  least :data:`THRESHOLD` (0.8), and they come from at least :data:`MIN_KINDS` (2) kinds of activity
  (question, drill, kata, mock) — recall alone, or drills alone, is not mastery;
* self-grades map to scores by :data:`GRADE_SCORES` (again 0, hard 0.4, good 0.8, easy 1.0).

Mastery can be lost: new poor attempts push old good ones out of the window, and ``progress`` then
unticks the box.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from infraprep.content.spine import COMPETENCIES, Competency
from infraprep.store.attempts import Attempt

__all__ = [
    "GRADE_SCORES",
    "MIN_ATTEMPTS",
    "MIN_KINDS",
    "THRESHOLD",
    "WINDOW",
    "CompetencyProgress",
    "ProgressReport",
    "competency_progress",
    "progress_report",
    "sync_readme",
]

GRADE_SCORES = {"again": 0.0, "hard": 0.4, "good": 0.8, "easy": 1.0}
WINDOW = 5
MIN_ATTEMPTS = 3
THRESHOLD = 0.8
MIN_KINDS = 2


@dataclass(frozen=True)
class CompetencyProgress:
    competency: Competency
    attempts: int  # all attempts, graded or not
    by_kind: dict[str, int]
    window_scores: tuple[float, ...]  # the last WINDOW graded scores, oldest first
    window_kinds: tuple[str, ...]

    @property
    def score(self) -> float | None:
        """Mean of the window's scores, or None before any graded attempt."""
        return sum(self.window_scores) / len(self.window_scores) if self.window_scores else None

    @property
    def mastered(self) -> bool:
        return (
            len(self.window_scores) >= MIN_ATTEMPTS
            and self.score is not None
            and self.score >= THRESHOLD
            and len(set(self.window_kinds)) >= MIN_KINDS
        )

    def to_dict(self) -> dict:
        return {
            "id": self.competency.id,
            "round": self.competency.round,
            "zh": self.competency.zh,
            "en": self.competency.en,
            "attempts": self.attempts,
            "by_kind": self.by_kind,
            "mastery": self.score,
            "mastered": self.mastered,
        }


def competency_progress(attempts: list[Attempt]) -> list[CompetencyProgress]:
    """Progress for all 28 competencies from the given attempts (any order)."""
    ordered = sorted(attempts, key=lambda a: (a.created_at, a.id or 0))
    result = []
    for comp in COMPETENCIES:
        mine = [a for a in ordered if a.competency == comp.id]
        graded = [a for a in mine if a.score is not None][-WINDOW:]
        result.append(
            CompetencyProgress(
                competency=comp,
                attempts=len(mine),
                by_kind=dict(Counter(a.kind for a in mine)),
                window_scores=tuple(a.score for a in graded),
                window_kinds=tuple(a.kind for a in graded),
            )
        )
    return result


_CHECKBOX = re.compile(r"^(?P<pre>\s*- \[)(?P<mark>[ xX])(?P<post>\].*\(`(?P<id>[a-z0-9.-]+)`\)\s*)$")


def sync_readme(readme: Path, mastered: set[str]) -> list[str]:
    """Tick the checkbox of each mastered competency and untick the others; returns changed ids.

    Only lines of the form ``- [ ] … (`comp.id`)`` are touched; the rest of the candidate's README
    is left byte for byte. A missing README is left missing.
    """
    if not readme.is_file():
        return []
    changed = []
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        match = _CHECKBOX.match(line.rstrip("\n"))
        if not match:
            continue
        want = "x" if match["id"] in mastered else " "
        if match["mark"].lower() != want:
            lines[i] = f"{match['pre']}{want}{match['post']}" + ("\n" if line.endswith("\n") else "")
            changed.append(match["id"])
    if changed:
        tmp = readme.with_suffix(".md.tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        tmp.replace(readme)
    return changed


@dataclass(frozen=True)
class ProgressReport:
    """Everything ``infraprep progress`` shows."""

    competencies: list[CompetencyProgress]
    attempts_by_kind: dict[str, int]
    reviews_due: int
    streak_days: int

    @property
    def weakest(self) -> list[CompetencyProgress]:
        """Up to three unmastered competencies: the lowest scored first, then the never-graded ones."""
        open_ = [p for p in self.competencies if not p.mastered]
        return sorted(open_, key=lambda p: (p.score is None, p.score or 0.0, p.attempts))[:3]

    def to_dict(self) -> dict:
        return {
            "rule": {"window": WINDOW, "min_attempts": MIN_ATTEMPTS, "threshold": THRESHOLD, "min_kinds": MIN_KINDS},
            "competencies": [p.to_dict() for p in self.competencies],
            "attempts_by_kind": self.attempts_by_kind,
            "reviews_due": self.reviews_due,
            "streak_days": self.streak_days,
            "weakest": [p.competency.id for p in self.weakest],
        }


def progress_report(attempts: list[Attempt], reviews_due: int) -> ProgressReport:
    from infraprep.practice.streak import streak_days

    return ProgressReport(
        competencies=competency_progress(attempts),
        attempts_by_kind=dict(Counter(a.kind for a in attempts)),
        reviews_due=reviews_due,
        streak_days=streak_days([a.created_at for a in attempts]),
    )
