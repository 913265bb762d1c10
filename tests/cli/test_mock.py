"""Mock interviews end to end: start, SIGKILL mid-session, resume, finish, record, history."""

import os
import signal
import subprocess
import sys
import time

from infraprep.content.loader import load_content
from infraprep.practice.drills import generate
from infraprep.practice.mock import plan_mock
from infraprep.practice.workspace import find_workspace
from infraprep.store import list_attempts, open_sessions
from infraprep.store.state import get_card


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def notes_saved(expected):
    def check():
        with find_workspace().open_store() as store:
            pending = open_sessions(store, "mock")
            return bool(pending) and pending[0].state["notes"][0][:1] == [expected]
    return check


def test_sigkill_then_resume_then_finish(cli, tmp_path, isolated_workspace):
    find_workspace()  # create the workspace before the child uses it
    child = subprocess.Popen(
        [sys.executable, "-m", "infraprep", "mock", "start", "--round", "3", "--seed", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "INFRAPREP_HOME": str(isolated_workspace)},
    )
    child.stdin.write("ZeRO-1 shards optimizer states\nso 31.4 GB per GPU\n")
    child.stdin.flush()
    assert wait_for(notes_saved(["ZeRO-1 shards optimizer states", "so 31.4 GB per GPU"]))
    child.stdin.write("this line is being typed when the process dies")  # no newline: never submitted
    child.stdin.flush()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    # The same seed and (empty) history give the same plan: score 3 for each competency it touches.
    content = load_content()
    plan = plan_mock(content, [], 3, seed=1)
    competencies = []
    for item in plan:
        comps = (generate(item["template"], item["seed"]).competency,) if item["kind"] == "drill" else \
            content.question(item["id"]).competencies
        competencies += [c for c in comps if c not in competencies]
    question = content.question(plan[0]["id"])
    script = tmp_path / "rest.txt"
    script.write_text("and ZeRO-3 shards parameters too\n.\n/end\n3\nclear derivation\n" + "3\n-\n" * (len(competencies) - 1))
    result = cli("mock", "resume", "--script", str(script))
    assert result.code == 0, result.err
    assert "Mock finished" in result.out

    with find_workspace().open_store() as store:
        assert open_sessions(store, "mock") == []
        attempts = list_attempts(store, kind="mock")
        assert get_card(store, question.id)  # the mock's question was reviewed at its rubric grade
    assert [a.competency for a in attempts] == competencies and all(a.score == 2 / 3 for a in attempts)
    records = list((isolated_workspace / "round-3-distributed-training" / "mock-interviews").glob("mock-*.md"))
    assert len(records) == 1
    text = records[0].read_text()
    assert "ZeRO-1 shards optimizer states\nso 31.4 GB per GPU\nand ZeRO-3 shards parameters too" in text
    assert "being typed" not in text and f"| `{competencies[0]}` | 3/4 |" in text and "clear derivation" in text
    assert f"## 1. {question.id} · {question.title}" in text

    history = cli("mock", "history", "--json").json()
    assert [h["scores"] for h in history] == [dict.fromkeys(competencies, 3)]


def test_script_that_stops_early_leaves_a_resumable_session(cli, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("only one line\n")
    result = cli("mock", "start", "--round", "5", "--seed", "2", "--script", str(script))
    assert result.code == 0 and "infraprep mock resume" in result.out
    assert cli("mock", "resume", "--session", "99").code == 2


def test_resume_without_a_session_is_a_clear_error(cli):
    result = cli("mock", "resume")
    assert result.code == 2 and "no unfinished mock to resume" in result.err
