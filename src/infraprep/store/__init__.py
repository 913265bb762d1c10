"""The candidate's SQLite store (WAL): attempts, review cards, sessions, per-question state."""

from infraprep.store.attempts import ATTEMPT_KINDS, Attempt, list_attempts, record_attempt
from infraprep.store.db import SCHEMA_VERSION, Store
from infraprep.store.sessions import (
    Session,
    create_session,
    end_session,
    get_session,
    list_sessions,
    open_sessions,
    save_state,
)
from infraprep.store.state import due_cards, get_card, hints_revealed, put_card, reveal_hint

__all__ = [
    "ATTEMPT_KINDS",
    "SCHEMA_VERSION",
    "Attempt",
    "Session",
    "Store",
    "create_session",
    "due_cards",
    "end_session",
    "get_session",
    "get_card",
    "hints_revealed",
    "list_attempts",
    "list_sessions",
    "open_sessions",
    "put_card",
    "record_attempt",
    "reveal_hint",
    "save_state",
]
