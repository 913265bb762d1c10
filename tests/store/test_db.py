"""The store: migrations, transactions, concurrent writers, and SIGKILL at random moments."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from infraprep.errors import InfraprepError, InvalidValue
from infraprep.store import SCHEMA_VERSION, Attempt, Store, list_attempts, record_attempt
from infraprep.store.state import due_cards, hints_revealed, put_card, reveal_hint


def test_new_store_is_wal_and_current(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.version == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(tmp_path / "s.db") as store:  # reopening migrates nothing
        assert store.version == SCHEMA_VERSION


def test_store_from_a_newer_infraprep_is_refused(tmp_path):
    Store(tmp_path / "s.db").close()
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(InfraprepError, match="newer than this infraprep"):
        Store(tmp_path / "s.db")


def test_garbage_file_is_a_clear_error(tmp_path):
    (tmp_path / "s.db").write_bytes(b"not a database" * 100)
    with pytest.raises(InfraprepError, match="not a usable infraprep store"):
        Store(tmp_path / "s.db")


def test_attempts_round_trip_and_filters(tmp_path):
    with Store(tmp_path / "s.db") as store:
        record_attempt(store, Attempt("question", "r3-q01", "r3.memory-formula", 3, 0.8, "good", created_at=2.0))
        record_attempt(store, Attempt("drill", "mem-1", "r3.memory-formula", 3, 1.0, created_at=1.0, detail={"a": 1}))
        record_attempt(store, Attempt("kata", "spsc", "r1.lockfree", 1, None, created_at=3.0))
        got = list_attempts(store, competency="r3.memory-formula")
        assert [(a.kind, a.created_at, a.detail) for a in got] == [("drill", 1.0, {"a": 1}), ("question", 2.0, {})]
        assert [a.item_id for a in list_attempts(store, kind="kata")] == ["spsc"]


def test_attempt_validation():
    with pytest.raises(InvalidValue, match="kind='exam'"):
        Attempt("exam", "x", "r1.lockfree", 1, 0.5)
    with pytest.raises(InvalidValue, match="score=1.5"):
        Attempt("drill", "x", "r1.lockfree", 1, 1.5)


def test_failed_transaction_leaves_nothing(tmp_path):
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError):
            with store.transaction() as conn:
                conn.execute(
                    "INSERT INTO attempts (kind, item_id, competency, round, created_at) VALUES ('drill','x','c',1,0)"
                )
                raise RuntimeError("boom")
        assert list_attempts(store) == []


def test_hints_and_cards(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert hints_revealed(store, "r1-q01") == 0
        assert [reveal_hint(store, "r1-q01", 2) for _ in range(3)] == [1, 2, 2]
        put_card(store, "a", "{}", due=10.0)
        put_card(store, "b", "{}", due=5.0)
        put_card(store, "a", "{}", due=20.0)
        assert due_cards(store, now=15.0) == ["b"]
        assert due_cards(store, now=25.0) == ["b", "a"]


WRITER = textwrap.dedent(
    """
    import sys
    from infraprep.store import Attempt, Store, record_attempt
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(path)
    print("ready", flush=True)
    for i in range(count):
        record_attempt(store, Attempt("drill", f"{tag}-{i}", "r1.lockfree", 1, 0.5, detail={"pad": "x" * 2000}))
    print("done", flush=True)
    """
)


def _spawn(path, tag, count):
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, str(count)], stdout=subprocess.PIPE)


def test_two_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    writers = [_spawn(path, tag, 300) for tag in ("a", "b")]
    for w in writers:
        assert w.wait(timeout=120) == 0
    with Store(path) as store:
        items = {a.item_id for a in list_attempts(store)}
    assert items == {f"{tag}-{i}" for tag in "ab" for i in range(300)}


def test_sigkill_at_random_moments_never_corrupts(tmp_path):
    path = tmp_path / "s.db"
    rng = random.Random(20261128)
    kills, grew, previous = 0, 0, 0
    for _ in range(25):
        writer = _spawn(path, f"k{kills}", 100_000)
        if rng.random() < 0.2:  # now and then during start-up: imports, open, migrations
            time.sleep(rng.uniform(0.0, 0.2))
        else:  # mostly while rows are being committed
            writer.stdout.readline()  # "ready": the store is open
            time.sleep(rng.uniform(0.0, 0.3))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        kills += writer.returncode == -signal.SIGKILL
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        try:
            count = conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
        except sqlite3.OperationalError:  # killed before the first migration committed
            count = 0
        conn.close()
        grew += count > previous  # the writer was killed while committing rows, not during start-up
        previous = max(previous, count)
    assert kills >= 20
    assert grew >= 15
    with Store(path) as store:  # still opens, and every committed row is whole
        rows = list_attempts(store)
    assert rows and all(a.detail == {"pad": "x" * 2000} for a in rows)
