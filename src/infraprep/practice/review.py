"""Spaced repetition with FSRS (the ``fsrs`` library): one card per question or drill template.

A self-grade (again/hard/good/easy) is both an attempt (for mastery) and a review (for scheduling).
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

from infraprep.errors import InvalidValue
from infraprep.store.db import Store
from infraprep.store.state import get_card, put_card

__all__ = ["GRADES", "is_question_card", "review"]

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


def is_question_card(card_id: str) -> bool:
    """Question cards are named by question id (``r3-q01``); every other card is a drill template."""
    from infraprep.content.parser import ID_PATTERN

    return ID_PATTERN.fullmatch(card_id) is not None
