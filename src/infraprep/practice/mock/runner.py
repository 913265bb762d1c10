"""The mock-interview state machine, driven one input line at a time.

Every line changes the state and the state is saved before the next prompt, so a Ctrl-C or SIGKILL
loses at most the line being typed; ``infraprep mock resume`` rebuilds the runner from the saved
state. Time counts only while a runner is live (``elapsed_s`` is saved with every line).

Answer phase, per item part (a question's prompt, then each follow-up; a drill's single answer)::

    text      appended to your notes for this part
    .         ends this part (next follow-up or next item)
    /next     skips to the next item
    /end      ends answering and goes to scoring
    /time     shows the time left

Scoring phase, per competency the session touched: a score 1-4 (the rubric's anchors are shown),
then one line of free text (empty or ``-`` for none).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from infraprep.content.loader import Content
from infraprep.content.rubric import Rubric
from infraprep.practice.drills.grading import grade
from infraprep.practice.drills.registry import generate

__all__ = ["COMMANDS", "MockRunner", "Prompt", "new_state"]

COMMANDS = (".", "/next", "/end", "/time")


def new_state(round_number: int, minutes: int, seed: int, items: list[dict]) -> dict:
    return {
        "round": round_number,
        "minutes": minutes,
        "seed": seed,
        "items": items,
        "item": 0,
        "part": 0,
        "notes": [[] for _ in items],  # per item: per part: lines
        "drill_results": {},
        "phase": "answer",
        "score_index": 0,
        "score_step": "score",
        "scores": {},
        "elapsed_s": 0.0,
    }


@dataclass
class Prompt:
    title: str
    body: str
    hint: str = ""
    anchors: tuple[str, ...] = ()


@dataclass
class MockRunner:
    """Wraps the saved ``state``; ``save(state)`` is called after every change."""

    state: dict
    content: Content
    rubric: Rubric
    save: Callable[[dict], None]
    clock: Callable[[], float] = time.monotonic
    _t0: float = field(init=False)
    _base: float = field(init=False)

    def __post_init__(self) -> None:
        self._t0, self._base = self.clock(), self.state["elapsed_s"]

    # -- time -------------------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        return self._base + self.clock() - self._t0

    @property
    def remaining(self) -> float:
        return max(0.0, self.state["minutes"] * 60 - self.elapsed)

    # -- structure --------------------------------------------------------------------------------
    def _parts(self, index: int) -> list[str]:
        item = self.state["items"][index]
        if item["kind"] == "drill":
            return ["answer"]
        question = self.content.question(item["id"])
        return ["prompt", *[f"follow-up {k}" for k in range(1, len(question.followups) + 1)]]

    def competencies(self) -> list[str]:
        seen: list[str] = []
        for item in self.state["items"]:
            comps = [self._drill(item).competency] if item["kind"] == "drill" else self.content.question(item["id"]).competencies
            seen += [c for c in comps if c not in seen]
        return seen

    def _drill(self, item: dict):
        return generate(item["template"], item["seed"])

    @property
    def done(self) -> bool:
        return self.state["phase"] == "done"

    # -- what to show -------------------------------------------------------------------------------
    def prompt(self) -> Prompt:
        s = self.state
        if s["phase"] == "answer":
            item = s["items"][s["item"]]
            label = f"Item {s['item'] + 1}/{len(s['items'])}"
            if item["kind"] == "drill":
                drill = self._drill(item)
                unit = f" (a bare number is read in {drill.unit})" if drill.unit else ""
                return Prompt(f"{label} · numeric · {drill.competency}", drill.prompt, f"one line: your answer{unit}")
            question = self.content.question(item["id"])
            if s["part"] == 0:
                return Prompt(f"{label} · {question.id} · {question.title}", question.prompt,
                              "type your answer; '.' alone ends it, /next skips, /end goes to scoring")
            return Prompt(f"{label} · {question.id} · follow-up {s['part']}/{len(question.followups)}",
                          question.followups[s["part"] - 1], "'.' alone ends this follow-up")
        if s["phase"] == "score":
            cid = self.competencies()[s["score_index"]]
            if s["score_step"] == "score":
                return Prompt(f"Score {cid} (1-4)", "How did this competency go? Anchors:", "a number 1-4",
                              self.rubric.anchors[cid])
            return Prompt(f"Notes on {cid}", "One line of free text (empty or - for none).", "")
        return Prompt("Done", "The mock is complete.")

    # -- input --------------------------------------------------------------------------------------
    def handle(self, line: str) -> list[str]:
        """Apply one input line; returns messages to show. Saves the state."""
        s = self.state
        messages: list[str] = []
        text = line.rstrip("\n")
        if s["phase"] == "answer":
            if self.remaining <= 0:
                messages.append("Time is up: on to scoring.")
                self._to_scoring()
            else:
                messages += self._answer(text)
        elif s["phase"] == "score":
            messages += self._score(text)
        s["elapsed_s"] = self.elapsed
        self.save(s)
        return messages

    def _answer(self, text: str) -> list[str]:
        s = self.state
        item = s["items"][s["item"]]
        command = text.strip()
        if command == "/time":
            return [f"{self.remaining / 60:.1f} minutes left"]
        if command == "/end":
            self._to_scoring()
            return ["On to scoring."]
        if command == "/next":
            self._next_item()
            return []
        if item["kind"] == "drill":
            if not command:
                return []
            result = grade(self._drill(item), command)
            s["drill_results"][str(s["item"])] = {"answer": command, "verdict": result.verdict, "score": result.score,
                                                  "expected": result.expected_text, "message": result.message}
            self._notes().append(command)
            self._next_item()
            return [result.message]
        if command == ".":
            s["part"] += 1
            if s["part"] >= len(self._parts(s["item"])):
                self._next_item()
            return []
        self._notes().append(text)
        return []

    def _notes(self) -> list[str]:
        s = self.state
        parts = s["notes"][s["item"]]
        while len(parts) <= s["part"]:
            parts.append([])
        return parts[s["part"]]

    def _next_item(self) -> None:
        s = self.state
        s["item"], s["part"] = s["item"] + 1, 0
        if s["item"] >= len(s["items"]):
            self._to_scoring()

    def _to_scoring(self) -> None:
        s = self.state
        s["phase"], s["score_index"], s["score_step"] = "score", 0, "score"
        s["item"] = min(s["item"], len(s["items"]) - 1)

    def _score(self, text: str) -> list[str]:
        s = self.state
        cid = self.competencies()[s["score_index"]]
        if s["score_step"] == "score":
            if text.strip() not in ("1", "2", "3", "4"):
                return ["Enter a score from 1 to 4."]
            s["scores"][cid] = {"score": int(text.strip()), "note": ""}
            s["score_step"] = "note"
            return []
        s["scores"][cid]["note"] = "" if text.strip() in ("", "-") else text.strip()
        s["score_step"], s["score_index"] = "score", s["score_index"] + 1
        if s["score_index"] >= len(self.competencies()):
            s["phase"] = "done"
        return []
