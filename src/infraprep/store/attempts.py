"""Attempts: one row per graded (or ungraded) try at a question, drill, kata or mock item."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from infraprep.errors import InvalidValue
from infraprep.store.db import Store

__all__ = ["ATTEMPT_KINDS", "Attempt", "list_attempts", "record_attempt"]

ATTEMPT_KINDS = ("question", "drill", "kata", "mock")


@dataclass(frozen=True)
class Attempt:
    """A try at one item. ``score`` is 0-1 (None when ungraded); ``created_at`` is epoch seconds."""

    kind: str
    item_id: str
    competency: str
    round: int
    score: float | None
    grade: str | None = None
    duration_s: float | None = None
    created_at: float = field(default_factory=time.time)
    detail: dict = field(default_factory=dict)
    id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ATTEMPT_KINDS:
            raise InvalidValue("kind", self.kind, f"one of {', '.join(ATTEMPT_KINDS)}")
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise InvalidValue("score", self.score, "a fraction between 0 and 1")
        if not 1 <= self.round <= 7:
            raise InvalidValue("round", self.round, "1 to 7")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "item_id": self.item_id,
            "competency": self.competency,
            "round": self.round,
            "score": self.score,
            "grade": self.grade,
            "duration_s": self.duration_s,
            "created_at": self.created_at,
            "detail": self.detail,
        }


def record_attempt(store: Store, attempt: Attempt) -> int:
    """Insert one attempt in its own transaction; returns its row id."""
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO attempts (kind, item_id, competency, round, score, grade, duration_s, created_at, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                attempt.kind,
                attempt.item_id,
                attempt.competency,
                attempt.round,
                attempt.score,
                attempt.grade,
                attempt.duration_s,
                attempt.created_at,
                json.dumps(attempt.detail, sort_keys=True),
            ),
        )
        return int(cursor.lastrowid)


def list_attempts(
    store: Store, *, competency: str | None = None, item_id: str | None = None, kind: str | None = None
) -> list[Attempt]:
    """Attempts matching every filter given, oldest first."""
    where, args = [], []
    for column, value in (("competency", competency), ("item_id", item_id), ("kind", kind)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    sql = "SELECT * FROM attempts" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at, id"
    return [
        Attempt(
            kind=row["kind"],
            item_id=row["item_id"],
            competency=row["competency"],
            round=row["round"],
            score=row["score"],
            grade=row["grade"],
            duration_s=row["duration_s"],
            created_at=row["created_at"],
            detail=json.loads(row["detail"]),
            id=row["id"],
        )
        for row in store.conn.execute(sql, args)
    ]
