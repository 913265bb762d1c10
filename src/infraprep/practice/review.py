"""Spaced repetition with FSRS (the ``fsrs`` library): one card per question or drill template.

A self-grade (again/hard/good/easy) is both an attempt (for mastery) and a review (for scheduling).
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

from infraprep.errors import InvalidValue
from infraprep.store.db import Store
from infraprep.store.state import get_card, put_card

__all__ = ["GRADES", "is_kata_card", "is_question_card", "kata_card", "review", "rubric_grade"]

GRADES = ("again", "hard", "good", "easy")


def review(store: Store, card_id: str, grade: str, when: datetime | None = None) -> datetime:
    """Apply one review to ``card_id``; returns when it is next due."""
    from fsrs import Card, Rating, Scheduler  # imported here: only grading needs it

    if grade not in GRADES:
        raise InvalidValue("grade", grade, f"one of {', '.join(GRADES)}")
    when = when or datetime.now(timezone.utc)
    scheduler = Scheduler(enable_fuzzing=False)
    saved = get_card(store, card_id)
    card = Card.from_json(saved) if saved else Card(card_id=zlib.crc32(card_id.encode()))
    card, _log = scheduler.review_card(card, getattr(Rating, grade.capitalize()), when)
    put_card(store, card_id, card.to_json(), card.due.timestamp())
    return card.due


KATA_PREFIX = "kata:"


def kata_card(kata_id: str) -> str:
    """The review card of a kata (checked by running it again, not by answering a prompt)."""
    return KATA_PREFIX + kata_id


def is_kata_card(card_id: str) -> bool:
    return card_id.startswith(KATA_PREFIX)


def rubric_grade(score: float) -> str:
    """A mock's rubric score 1-4 (or a mean of several) as a review grade: 1 again, 2 hard, 3 good, 4 easy."""
    return GRADES[min(3, max(0, round(score) - 1))]


def is_question_card(card_id: str) -> bool:
    """Question cards are named by question id (``r3-q01``); kata cards ``kata:ID``; the rest are drill templates."""
    from infraprep.content.parser import ID_PATTERN

    return ID_PATTERN.fullmatch(card_id) is not None
