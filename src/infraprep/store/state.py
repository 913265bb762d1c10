"""Small per-item state: hints revealed per question, and spaced-repetition cards."""

from __future__ import annotations

import time

from infraprep.store.db import Store

__all__ = ["due_cards", "get_card", "hints_revealed", "put_card", "reveal_hint"]


def hints_revealed(store: Store, question_id: str) -> int:
    row = store.conn.execute("SELECT hints_revealed FROM question_state WHERE question_id = ?", (question_id,)).fetchone()
    return row[0] if row else 0


def reveal_hint(store: Store, question_id: str, available: int) -> int:
    """Reveal one more hint (capped at ``available``); returns how many are now revealed."""
    with store.transaction() as conn:
        row = conn.execute("SELECT hints_revealed FROM question_state WHERE question_id = ?", (question_id,)).fetchone()
        count = min((row[0] if row else 0) + 1, available)
        conn.execute(
            "INSERT INTO question_state (question_id, hints_revealed, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (question_id) DO UPDATE SET hints_revealed = excluded.hints_revealed,"
            " updated_at = excluded.updated_at",
            (question_id, count, time.time()),
        )
    return count


def get_card(store: Store, card_id: str) -> str | None:
    """The serialized scheduler state of a review card, or None if never reviewed."""
    row = store.conn.execute("SELECT state FROM review_cards WHERE card_id = ?", (card_id,)).fetchone()
    return row[0] if row else None


def put_card(store: Store, card_id: str, state: str, due: float) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO review_cards (card_id, state, due, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (card_id) DO UPDATE SET state = excluded.state, due = excluded.due,"
            " updated_at = excluded.updated_at",
            (card_id, state, due, time.time()),
        )


def due_cards(store: Store, now: float | None = None) -> list[str]:
    """Ids of cards due at ``now`` (default: the current time), earliest due first."""
    now = time.time() if now is None else now
    return [row[0] for row in store.conn.execute("SELECT card_id FROM review_cards WHERE due <= ? ORDER BY due", (now,))]
