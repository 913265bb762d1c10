"""Load every round's bank and look questions up by id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from infraprep.content.model import Bank, Problem, Question
from infraprep.content.parser import parse_bank
from infraprep.content.paths import content_root, questions_path
from infraprep.content.spine import ROUNDS, get_round
from infraprep.errors import UnknownName

__all__ = ["Content", "load_content", "load_round"]


@dataclass(frozen=True)
class Content:
    """All seven banks under one content root."""

    root: Path
    banks: tuple[Bank, ...]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for bank in self.banks for q in bank.questions)

    @cached_property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for bank in self.banks for p in bank.problems)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def question(self, qid: str) -> Question:
        """The question with this id; :class:`UnknownName` suggests the nearest ids."""
        try:
            return self._by_id[qid.strip()]
        except KeyError:
            raise UnknownName("question", qid, self._by_id) from None

    def of_competency(self, cid: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if cid in q.competencies)

    def of_round(self, number: int) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.round == number)


def load_round(number: int | str, root: Path | None = None) -> Bank:
    """Parse one round's bank (only that file: what ``infraprep round N`` needs to start fast)."""
    rnd = get_round(number)
    return parse_bank(questions_path(rnd, root), rnd.number)


def load_content(root: Path | None = None) -> Content:
    """Parse all seven banks under ``root`` (default: :func:`content_root`)."""
    root = root or content_root()
    return Content(root, tuple(parse_bank(questions_path(r, root), r.number) for r in ROUNDS))
