"""A drill (one generated or authored item) and the grade of an answer to it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Drill", "Grade"]


@dataclass(frozen=True)
class Drill:
    """One item to answer.

    Numeric drills: ``dimension`` is one of :data:`infraprep.practice.answers.DIMENSIONS`,
    ``expected`` is in SI base units, ``unit`` is the display unit a bare answer is read in, and
    ``tolerance`` is the relative error accepted for full marks (half marks within twice it).
    Choice drills: ``dimension == "choice"``, ``choices`` lists the options and ``expected`` is the
    index of the right one. Order drills: ``dimension == "order"``, ``choices`` are shown shuffled as
    given and ``order`` is the correct sequence of their indices.
    """

    prompt: str
    dimension: str
    expected: float = 0.0
    unit: str = ""
    tolerance: float = 0.02
    explain: str = ""
    choices: tuple[str, ...] = ()
    order: tuple[int, ...] = ()
    template: str = ""  # filled in by registry.generate
    competency: str = ""
    seed: int | None = None

    @property
    def round(self) -> int:
        return int(self.competency[1])

    @property
    def item_id(self) -> str:
        return self.template if self.seed is None else f"{self.template}#{self.seed}"

    def to_dict(self) -> dict:
        return {
            "id": self.item_id,
            "template": self.template,
            "competency": self.competency,
            "prompt": self.prompt,
            "dimension": self.dimension,
            "unit": self.unit,
            "tolerance": self.tolerance,
            "choices": list(self.choices),
        }


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer. ``score`` is 1 (right), 0.5 (close) or 0 (wrong or unreadable)."""

    drill: Drill
    answer: str
    score: float
    verdict: str  # "correct", "close", "wrong", "unreadable"
    expected_text: str
    given: float | None = None
    relative_error: float | None = None
    message: str = ""
    detail: dict = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict:
        return {
            **self.drill.to_dict(),
            "answer": self.answer,
            "score": self.score,
            "verdict": self.verdict,
            "expected": self.expected_text,
            "given": self.given,
            "relative_error": self.relative_error,
            "message": self.message,
            "explain": self.drill.explain if not self.correct else "",
        }
