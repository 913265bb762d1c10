"""The study home and per-round views: what the candidate has done and what to do next."""

from __future__ import annotations

import time
from dataclasses import dataclass

from infraprep.content.loader import Content
from infraprep.content.model import Question
from infraprep.content.spine import ROUNDS, Round
from infraprep.practice.progress import CompetencyProgress, competency_progress
from infraprep.store.attempts import Attempt, list_attempts
from infraprep.store.db import Store
from infraprep.store.state import due_cards, hints_revealed

__all__ = ["Home", "QuestionStatus", "RoundStatus", "Suggestion", "question_status", "study_home"]


@dataclass(frozen=True)
class Suggestion:
    command: str
    reason: str

    def to_dict(self) -> dict:
        return {"command": self.command, "reason": self.reason}


@dataclass(frozen=True)
class RoundStatus:
    round: Round
    questions: int
    attempted: int  # questions with at least one attempt
    mastered: int  # competencies mastered, of 4
    competencies: tuple[CompetencyProgress, ...]
    due: int

    def to_dict(self) -> dict:
        return {
            "round": self.round.number,
            "slug": self.round.slug,
            "focus": self.round.focus,
            "courses": list(self.round.courses),
            "minutes": self.round.minutes,
            "questions": self.questions,
            "attempted": self.attempted,
            "competencies_mastered": self.mastered,
            "competencies": len(self.competencies),
            "reviews_due": self.due,
        }


@dataclass(frozen=True)
class Home:
    rounds: tuple[RoundStatus, ...]
    due: tuple[str, ...]
    suggestion: Suggestion

    def to_dict(self) -> dict:
        return {
            "rounds": [r.to_dict() for r in self.rounds],
            "reviews_due": len(self.due),
            "next": self.suggestion.to_dict(),
        }


@dataclass(frozen=True)
class QuestionStatus:
    question: Question
    attempts: int
    last_grade: str | None
    hints_revealed: int

    @property
    def label(self) -> str:
        if self.attempts:
            return f"{self.attempts}× last {self.last_grade or 'ungraded'}"
        return f"{self.hints_revealed} hint(s) seen" if self.hints_revealed else "unseen"

    def to_dict(self) -> dict:
        return {
            "id": self.question.id,
            "title": self.question.title,
            "competencies": list(self.question.competencies),
            "difficulty": self.question.difficulty,
            "kind": self.question.kind,
            "attempts": self.attempts,
            "last_grade": self.last_grade,
            "hints_revealed": self.hints_revealed,
            "status": self.label,
        }


def question_status(store: Store, question: Question, attempts: list[Attempt]) -> QuestionStatus:
    mine = [a for a in attempts if a.item_id == question.id]
    return QuestionStatus(
        question=question,
        attempts=len(mine),
        last_grade=mine[-1].grade if mine else None,
        hints_revealed=hints_revealed(store, question.id),
    )


def study_home(content: Content, store: Store, now: float | None = None) -> Home:
    """The seven rounds' status, reviews due now and the suggested next activity."""
    now = time.time() if now is None else now
    attempts = list_attempts(store)
    progress = competency_progress(attempts)
    due = tuple(due_cards(store, now))
    attempted_items = {a.item_id for a in attempts}
    rounds = []
    for rnd in ROUNDS:
        qs = content.of_round(rnd.number)
        comps = tuple(p for p in progress if p.competency.round == rnd.number)
        rounds.append(
            RoundStatus(
                round=rnd,
                questions=len(qs),
                attempted=sum(q.id in attempted_items for q in qs),
                mastered=sum(p.mastered for p in comps),
                competencies=comps,
                due=sum(1 for card in due if card.startswith(f"r{rnd.number}-")),
            )
        )
    return Home(tuple(rounds), due, _suggest(content, progress, attempted_items, due))


def _suggest(content: Content, progress: list[CompetencyProgress], attempted: set[str], due: tuple[str, ...]) -> Suggestion:
    """Due reviews first; else an unseen question of the least-practised unmastered competency."""
    if due:
        return Suggestion(f"infraprep question {due[0]}", f"{len(due)} review(s) due; the oldest is {due[0]}")
    open_comps = sorted((p for p in progress if not p.mastered), key=lambda p: (p.attempts, p.score or 0.0))
    for p in open_comps:
        questions = content.of_competency(p.competency.id)
        unseen = [q for q in questions if q.id not in attempted]
        pick = (unseen or list(questions) or [None])[0]
        if pick is not None:
            why = "not yet practised" if p.attempts == 0 else f"mastery {p.score or 0:.0%} over {p.attempts} attempt(s)"
            return Suggestion(f"infraprep question {pick.id}", f"{p.competency.id} ({p.competency.en}): {why}")
    return Suggestion("infraprep progress", "every competency is mastered: keep reviewing")
