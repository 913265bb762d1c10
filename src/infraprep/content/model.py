"""Typed content: a question, a round's bank, and a problem found while reading them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KINDS", "Bank", "Problem", "Question"]

KINDS = ("concept", "derivation", "design", "coding")


@dataclass(frozen=True, order=True)
class Problem:
    """A defect in content, printed ``file:line: message`` like a compiler diagnostic."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Question:
    """One question of a round's bank, as parsed from ``questions.md``.

    ``answer`` is the Markdown link target as written (relative to ``path``'s folder); ``line`` is the
    line of its ``## id · title`` heading, ``meta_line`` the line of its metadata.
    """

    id: str
    round: int
    title: str
    competencies: tuple[str, ...]
    difficulty: int
    kind: str
    prompt: str
    hints: tuple[str, ...]
    followups: tuple[str, ...]
    pitfalls: tuple[str, ...]
    answer: str | None
    path: Path
    line: int
    meta_line: int

    @property
    def answer_path(self) -> Path | None:
        if not self.answer:
            return None
        return (self.path.parent / self.answer.split("#", 1)[0]).resolve()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "round": self.round,
            "title": self.title,
            "competencies": list(self.competencies),
            "difficulty": self.difficulty,
            "kind": self.kind,
            "prompt": self.prompt,
            "hints": list(self.hints),
            "followups": list(self.followups),
            "pitfalls": list(self.pitfalls),
            "answer": self.answer,
        }


@dataclass(frozen=True)
class Bank:
    """A round's question bank and the problems met while parsing it (empty when clean)."""

    round: int
    path: Path
    questions: tuple[Question, ...]
    problems: tuple[Problem, ...] = field(default=())
