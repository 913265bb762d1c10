"""Authored drill items for conceptual competencies, parsed from a round's ``drills.md``.

Format (plain Markdown, one item per ``##`` heading)::

    ## r1-d01 · What an acquire load pairs with

    `r1.memory-order` · choice

    The prompt.

    - [ ] a wrong option
    - [x] the right option (exactly one)
    - [ ] another wrong option

    **Why:** the explanation shown after a miss.

An ``order`` item lists its steps as a numbered list **in the correct order**; the drill shows them
shuffled and the candidate answers with the sequence. Defects become :class:`Problem` entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from infraprep.content.model import Problem

__all__ = ["DRILL_KINDS", "AuthoredDrill", "parse_drills"]

DRILL_KINDS = ("choice", "order")
_HEADING = re.compile(r"^##\s+(?P<id>r[1-7]-d\d{2,3})\s+·\s+(?P<title>\S.*?)\s*$")
_META = re.compile(r"^`(?P<comp>[^`]+)`\s+·\s+(?P<kind>\w+)\s*$")
_OPTION = re.compile(r"^- \[(?P<mark>[ xX])\]\s+(?P<text>\S.*)$")
_STEP = re.compile(r"^\d+[.)]\s+(?P<text>\S.*)$")
_WHY = re.compile(r"^\*\*Why:\*\*\s*(?P<text>.*)$")


@dataclass(frozen=True)
class AuthoredDrill:
    id: str
    title: str
    competency: str
    kind: str
    prompt: str
    items: tuple[str, ...]  # options (choice) or steps in the correct order (order)
    answer: int  # index of the right option (choice); 0 for order
    why: str
    path: Path
    line: int


def parse_drills(path: Path) -> tuple[list[AuthoredDrill], list[Problem]]:
    """All items of one ``drills.md`` and the problems found (a missing file is no items)."""
    if not path.is_file():
        return [], []
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    drills: list[AuthoredDrill] = []
    problems: list[Problem] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        item = _parse_item(lines, start, end, path, problems)
        if item:
            drills.append(item)
    return drills, problems


def _parse_item(lines: list[str], start: int, end: int, path: Path, problems: list[Problem]) -> AuthoredDrill | None:
    heading = _HEADING.match(lines[start])
    if not heading:
        problems.append(Problem(path, start + 1, "drill heading must read '## rN-dNN · Title'"))
        return None
    did = heading["id"]
    body = [(i, lines[i].strip()) for i in range(start + 1, end) if lines[i].strip()]
    if not body or not _META.match(body[0][1]):
        problems.append(Problem(path, start + 1, f"{did}: metadata must read '`comp.id` · choice|order'"))
        return None
    meta = _META.match(body[0][1])
    if meta["kind"] not in DRILL_KINDS:
        problems.append(Problem(path, body[0][0] + 1, f"{did}: kind {meta['kind']!r} is not one of {', '.join(DRILL_KINDS)}"))
        return None
    prompt, options, steps, why = [], [], [], ""
    for _, text in body[1:]:
        if (m := _OPTION.match(text)) and meta["kind"] == "choice":
            options.append((m["mark"].lower() == "x", m["text"]))
        elif (m := _STEP.match(text)) and meta["kind"] == "order":
            steps.append(m["text"])
        elif m := _WHY.match(text):
            why = m["text"]
        elif not options and not steps:
            prompt.append(text)
    line = start + 1
    if not prompt:
        problems.append(Problem(path, line, f"{did}: prompt is empty"))
    if not why:
        problems.append(Problem(path, line, f"{did}: '**Why:**' explanation missing"))
    if meta["kind"] == "choice":
        right = [i for i, (ok, _) in enumerate(options) if ok]
        if len(options) < 3 or len(right) != 1:
            problems.append(Problem(path, line, f"{did}: a choice item needs ≥ 3 options with exactly one [x]"))
            return None
        items, answer = tuple(text for _, text in options), right[0]
    else:
        if len(steps) < 3:
            problems.append(Problem(path, line, f"{did}: an order item needs ≥ 3 numbered steps"))
            return None
        items, answer = tuple(steps), 0
    return AuthoredDrill(did, heading["title"], meta["comp"], meta["kind"], " ".join(prompt), items, answer, why, path, line)
