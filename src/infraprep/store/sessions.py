"""Sessions (mock interviews and other timed activities): state saved as JSON after every input line."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from infraprep.store.db import Store

__all__ = ["Session", "create_session", "end_session", "get_session", "list_sessions", "open_sessions", "save_state"]


@dataclass(frozen=True)
class Session:
    id: int
    kind: str
    round: int | None
    started_at: float
    ended_at: float | None
    state: dict


def _row(row) -> Session:
    return Session(row["id"], row["kind"], row["round"], row["started_at"], row["ended_at"], json.loads(row["state"]))


def create_session(store: Store, kind: str, round_number: int | None, state: dict, now: float | None = None) -> int:
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO sessions (kind, round, started_at, state) VALUES (?, ?, ?, ?)",
            (kind, round_number, time.time() if now is None else now, json.dumps(state)),
        )
        return int(cursor.lastrowid)


def save_state(store: Store, session_id: int, state: dict) -> None:
    """Replace the session's state in one transaction (called after every line the user types)."""
    with store.transaction() as conn:
        conn.execute("UPDATE sessions SET state = ? WHERE id = ?", (json.dumps(state), session_id))


def end_session(store: Store, session_id: int, state: dict, now: float | None = None) -> None:
    with store.transaction() as conn:
        conn.execute(
            "UPDATE sessions SET state = ?, ended_at = ? WHERE id = ?",
            (json.dumps(state), time.time() if now is None else now, session_id),
        )


def get_session(store: Store, session_id: int) -> Session | None:
    row = store.conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    return _row(row) if row else None


def open_sessions(store: Store, kind: str) -> list[Session]:
    """Unfinished sessions of ``kind``, newest first."""
    rows = store.conn.execute(
        "SELECT * FROM sessions WHERE kind = ? AND ended_at IS NULL ORDER BY started_at DESC, id DESC", (kind,)
    )
    return [_row(r) for r in rows]


def list_sessions(store: Store, kind: str) -> list[Session]:
    """All sessions of ``kind``, oldest first."""
    rows = store.conn.execute("SELECT * FROM sessions WHERE kind = ? ORDER BY started_at, id", (kind,))
    return [_row(r) for r in rows]
