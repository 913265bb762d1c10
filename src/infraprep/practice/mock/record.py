"""Finish a mock: the Markdown record in the workspace, attempts in the store; and the history."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from infraprep.content.spine import get_round
from infraprep.practice.mock.runner import MockRunner
from infraprep.practice.review import review, rubric_grade
from infraprep.practice.workspace import Workspace
from infraprep.store.attempts import Attempt, list_attempts, record_attempt
from infraprep.store.db import Store
from infraprep.store.sessions import end_session, list_sessions

__all__ = ["MockSummary", "finish", "history", "score_to_fraction"]


def score_to_fraction(score: int) -> float:
    """Rubric 1-4 as an attempt score 0-1: 1 → 0, 2 → 1/3, 3 → 2/3, 4 → 1."""
    return (score - 1) / 3


def _markdown(runner: MockRunner, session_id: int, when: datetime) -> str:
    s, content = runner.state, runner.content
    rnd = get_round(s["round"])
    used = s["elapsed_s"] / 60
    lines = [f"# Mock interview — {rnd.title}", "",
             f"{when:%Y-%m-%d %H:%M} · session {session_id} · {used:.1f} of {s['minutes']} minutes", ""]
    for k, item in enumerate(s["items"]):
        notes = s["notes"][k] if k < len(s["notes"]) else []
        if item["kind"] == "drill":
            drill = runner._drill(item)
            result = s["drill_results"].get(str(k))
            lines += [f"## {k + 1}. Numeric · {drill.competency}", "", drill.prompt, "",
                      f"**Answer:** {result['answer']} — {result['message']}" if result else "**Answer:** (not answered)", ""]
            continue
        q = content.question(item["id"])
        lines += [f"## {k + 1}. {q.id} · {q.title}", "", q.prompt, "", "**Your answer**", ""]
        lines += (notes[0] if notes else []) or ["(none)"]
        for j, follow in enumerate(q.followups, 1):
            lines += ["", f"**Follow-up {j}:** {follow}", ""]
            lines += (notes[j] if j < len(notes) else []) or ["(none)"]
        lines += ["", f"Model answer: `infraprep question {q.id} --answer`", ""]
    lines += ["## Scores", "", "| competency | score | anchor | notes |", "|---|---|---|---|"]
    for cid, entry in s["scores"].items():
        anchor = runner.rubric.anchors[cid][entry["score"] - 1]
        lines.append(f"| `{cid}` | {entry['score']}/4 | {anchor} | {entry['note']} |")
    return "\n".join(lines) + "\n"


def finish(runner: MockRunner, store: Store, workspace: Workspace, session_id: int, now: float | None = None) -> Path:
    """Write the record, store one ``mock`` attempt per scored competency, close the session."""
    now = time.time() if now is None else now
    s = runner.state
    when = datetime.fromtimestamp(now)
    folder = workspace.round_dir(get_round(s["round"])) / "mock-interviews"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"mock-{when:%Y%m%d-%H%M%S}-s{session_id}.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(_markdown(runner, session_id, when), encoding="utf-8")
    tmp.replace(path)
    for cid, entry in s["scores"].items():
        record_attempt(store, Attempt("mock", f"mock-{session_id}", cid, s["round"], score_to_fraction(entry["score"]),
                                      grade=str(entry["score"]), duration_s=s["elapsed_s"], created_at=now,
                                      detail={"session": session_id, "note": entry["note"], "record": path.name}))
    for item in s["items"]:  # each question of the mock is reviewed at the grade its competencies earned
        if item["kind"] == "question" and s["scores"]:
            comps = [c for c in runner.content.question(item["id"]).competencies if c in s["scores"]]
            if comps:
                mean = sum(s["scores"][c]["score"] for c in comps) / len(comps)
                review(store, item["id"], rubric_grade(mean), datetime.fromtimestamp(now, timezone.utc))
    s["record"] = str(path)
    end_session(store, session_id, s, now)
    return path


@dataclass(frozen=True)
class MockSummary:
    session: int
    round: int
    started_at: float
    minutes_used: float
    scores: dict[str, int]
    record: str | None

    @property
    def mean(self) -> float | None:
        return sum(self.scores.values()) / len(self.scores) if self.scores else None

    def to_dict(self) -> dict:
        return {"session": self.session, "round": self.round, "started_at": self.started_at,
                "minutes_used": self.minutes_used, "scores": self.scores, "mean": self.mean, "record": self.record}


def history(store: Store) -> list[MockSummary]:
    """Finished mocks, oldest first, with their rubric scores (from the attempts they stored)."""
    by_session: dict[int, dict[str, int]] = {}
    for a in list_attempts(store, kind="mock"):
        by_session.setdefault(a.detail["session"], {})[a.competency] = int(a.grade)
    return [
        MockSummary(s.id, s.round, s.started_at, s.state["elapsed_s"] / 60, by_session.get(s.id, {}), s.state.get("record"))
        for s in list_sessions(store, "mock")
        if s.ended_at is not None
    ]
