"""The candidate's SQLite store: WAL mode, a schema version, forward-only migrations.

Invariants:

* every write runs inside :meth:`Store.transaction` (``BEGIN IMMEDIATE`` … ``COMMIT``), so a process
  killed at any moment leaves either the whole write or none of it (SQLite's WAL guarantees this for
  process crashes; ``synchronous=NORMAL`` may lose the last commits on power loss, never integrity);
* ``PRAGMA user_version`` equals the number of migrations applied; opening a store applies the
  missing ones in order, each in its own transaction, and refuses a store from a newer infraprep;
* concurrent writers wait on the lock (``busy_timeout``) instead of failing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infraprep.errors import InfraprepError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store"]

MIGRATIONS: tuple[str, ...] = (
    # 1: attempts, review cards, sessions, per-question state.
    """
    CREATE TABLE attempts (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('question', 'drill', 'kata', 'mock')),
        item_id     TEXT NOT NULL,
        competency  TEXT NOT NULL,
        round       INTEGER NOT NULL CHECK (round BETWEEN 1 AND 7),
        score       REAL CHECK (score IS NULL OR (score >= 0 AND score <= 1)),
        grade       TEXT,
        duration_s  REAL,
        created_at  REAL NOT NULL,
        detail      TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX attempts_competency ON attempts (competency, created_at);
    CREATE INDEX attempts_item ON attempts (item_id, created_at);
    CREATE TABLE review_cards (
        card_id     TEXT PRIMARY KEY,
        state       TEXT NOT NULL,
        due         REAL NOT NULL,
        updated_at  REAL NOT NULL
    );
    CREATE INDEX review_cards_due ON review_cards (due);
    CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        round       INTEGER,
        started_at  REAL NOT NULL,
        ended_at    REAL,
        state       TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE question_state (
        question_id    TEXT PRIMARY KEY,
        hints_revealed INTEGER NOT NULL DEFAULT 0 CHECK (hints_revealed >= 0),
        updated_at     REAL NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class Store:
    """An open store. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: Path | str, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; we open them explicitly.
        self.conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise InfraprepError(f"{self.path}: not a usable infraprep store ({exc})") from None

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        with self.transaction():
            current = self.version
        if current > SCHEMA_VERSION:
            raise InfraprepError(
                f"{self.path}: schema version {current} is newer than this infraprep ({SCHEMA_VERSION}); upgrade infraprep"
            )
        for number in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction() as conn:
                if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue  # another process migrated while we waited for the lock
                for statement in MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taking the lock up front (``BEGIN IMMEDIATE``)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
