"""A round's mock-interview rubric, parsed from ``mock-interviews/rubric.md``.

Format: one ``## comp.id · Name`` heading per competency of the round, followed by a numbered list
of exactly four anchors — what a 1, 2, 3 and 4 answer sounds like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from infraprep.content.model import Problem
from infraprep.content.paths import round_dir
from infraprep.content.spine import Round, competencies_of
from infraprep.errors import InfraprepError

__all__ = ["Rubric", "load_rubric", "parse_rubric"]

_HEADING = re.compile(r"^##\s+(?P<id>r[1-7]\.[a-z0-9-]+)\s+·\s+\S")
_ANCHOR = re.compile(r"^(?P<n>[1-4])\.\s+(?P<text>\S.*)$")


@dataclass(frozen=True)
class Rubric:
    round: int
    anchors: dict[str, tuple[str, str, str, str]]  # competency id -> anchors for scores 1..4
    path: Path


def parse_rubric(path: Path, rnd: Round) -> tuple[Rubric, list[Problem]]:
    """The rubric and its problems: every competency of the round needs four anchors, 1 to 4."""
    if not path.is_file():
        return Rubric(rnd.number, {}, path), [Problem(path, 1, "rubric.md is missing")]
    anchors: dict[str, list[str]] = {}
    lines_of: dict[str, int] = {}
    current = None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if m := _HEADING.match(line):
            current = m["id"]
            anchors[current], lines_of[current] = [], n
        elif current and (m := _ANCHOR.match(line.strip())):
            anchors[current].append(m["text"])
    problems = []
    for comp in competencies_of(rnd.number):
        got = anchors.get(comp.id)
        if got is None:
            problems.append(Problem(path, 1, f"rubric has no section for {comp.id}"))
        elif len(got) != 4:
            problems.append(Problem(path, lines_of[comp.id], f"{comp.id}: needs 4 anchors (1-4), found {len(got)}"))
    for cid in anchors:
        if cid not in {c.id for c in competencies_of(rnd.number)}:
            problems.append(Problem(path, lines_of[cid], f"{cid} is not a competency of round {rnd.number}"))
    good = {cid: tuple(a) for cid, a in anchors.items() if len(a) == 4}
    return Rubric(rnd.number, good, path), problems


def load_rubric(rnd: Round, root: Path | None = None) -> Rubric:
    """The round's rubric; an incomplete one is an error (run ``infraprep lint``)."""
    rubric, problems = parse_rubric(round_dir(rnd, root) / "mock-interviews" / "rubric.md", rnd)
    if problems:
        raise InfraprepError(f"{problems[0]} (run `infraprep lint`)")
    return rubric
