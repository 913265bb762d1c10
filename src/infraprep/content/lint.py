"""``infraprep lint``: every defect in the round content, as ``file:line: message``.

Checks, each with a fixture in ``tests/content/test_lint.py``:

* parse errors (bad heading, metadata, section) — from :mod:`infraprep.content.parser`;
* a round folder without ``questions.md``, ``solutions/``, ``whiteboard/`` or ``mock-interviews/``;
* a question id whose round differs from its file's round, and duplicate ids across banks;
* unknown competency ids;
* no hints;
* a missing answer link, a missing answer file, or an answer under :data:`MIN_ANSWER_WORDS` words;
* a broken relative link in any Markdown file of a round;
* coverage: a competency with fewer than ``min_per_competency`` questions;
* kata manifests (``solutions/katas/*/kata.json``: fields, competency, files present);
* authored drills (``drills.md``) and the mock rubric (``mock-interviews/rubric.md``: four anchors
  for each of the round's competencies).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from infraprep.content.drills import parse_drills
from infraprep.content.katas import load_katas
from infraprep.content.loader import Content, load_content
from infraprep.content.model import Problem
from infraprep.content.parser import ID_PATTERN, links_in
from infraprep.content.rubric import parse_rubric
from infraprep.content.spine import COMPETENCIES, COMPETENCY_IDS, ROUNDS
from infraprep.errors import nearest

__all__ = ["MIN_ANSWER_WORDS", "ROUND_FOLDERS", "lint"]

ROUND_FOLDERS = ("solutions", "whiteboard", "mock-interviews")
MIN_ANSWER_WORDS = 40
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.IGNORECASE)


def lint(root: Path | None = None, min_per_competency: int = 1) -> list[Problem]:
    """All problems under ``root``, sorted by file and line (empty list when clean)."""
    content = load_content(root)
    problems = list(content.problems)
    problems += _structure(content)
    problems += _questions(content)
    problems += _links(content)
    problems += _coverage(content, min_per_competency)
    problems += _drills(content)
    problems += load_katas(content.root)[1]
    for rnd in ROUNDS:
        problems += parse_rubric(content.root / rnd.slug / "mock-interviews" / "rubric.md", rnd)[1]
    return sorted(set(problems))


def _structure(content: Content) -> list[Problem]:
    problems = []
    for rnd in ROUNDS:
        folder = content.root / rnd.slug
        for name in ROUND_FOLDERS:
            if not (folder / name).is_dir():
                problems.append(Problem(folder / "questions.md", 1, f"round folder lacks {name}/"))
    return problems


def _questions(content: Content) -> list[Problem]:
    problems = []
    seen = Counter(q.id for q in content.questions)
    for q in content.questions:
        id_round = int(ID_PATTERN.fullmatch(q.id)[1])
        if id_round != q.round:
            problems.append(Problem(q.path, q.line, f"{q.id}: id says round {id_round} but the file is round {q.round}"))
        if seen[q.id] > 1:
            problems.append(Problem(q.path, q.line, f"{q.id}: duplicate question id ({seen[q.id]} questions use it)"))
        for cid in q.competencies:
            if cid not in COMPETENCY_IDS:
                near = nearest(cid, COMPETENCY_IDS)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                problems.append(Problem(q.path, q.meta_line, f"{q.id}: unknown competency id {cid!r}{hint}"))
        if not q.hints:
            problems.append(Problem(q.path, q.line, f"{q.id}: no hints (add a '**Hints**' list)"))
        problems += _answer(q)
    return problems


def _answer(q) -> list[Problem]:
    if not q.answer:
        return [Problem(q.path, q.line, f"{q.id}: no model answer ('**Answer:** [..](solutions/...)' missing)")]
    path = q.answer_path
    if not path.is_file():
        return [Problem(q.path, q.line, f"{q.id}: answer file {q.answer} does not exist")]
    words = len(re.findall(r"\w+", _body(path.read_text(encoding="utf-8"))))
    if words < MIN_ANSWER_WORDS:
        return [Problem(path, 1, f"{q.id}: answer has {words} words; a model answer needs at least {MIN_ANSWER_WORDS}")]
    return []


def _body(markdown: str) -> str:
    """The text of a Markdown file without its headings (an answer of headings only is empty)."""
    return "\n".join(line for line in markdown.splitlines() if not line.lstrip().startswith("#"))


def _links(content: Content) -> list[Problem]:
    problems = []
    for rnd in ROUNDS:
        folder = content.root / rnd.slug
        if not folder.is_dir():
            continue
        for md in sorted(folder.rglob("*.md")):
            for line, target in links_in(md.read_text(encoding="utf-8")):
                if _EXTERNAL.match(target):
                    continue
                if not (md.parent / target.split("#", 1)[0]).exists():
                    problems.append(Problem(md, line, f"broken link: {target}"))
    return problems


def _drills(content: Content) -> list[Problem]:
    """Authored drill items (``drills.md``): parse errors, unknown competencies, ids clashing."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for rnd in ROUNDS:
        items, found = parse_drills(content.root / rnd.slug / "drills.md")
        problems += found
        for item in items:
            if item.competency not in COMPETENCY_IDS:
                problems.append(Problem(item.path, item.line, f"{item.id}: unknown competency id {item.competency!r}"))
            if int(item.id[1]) != rnd.number:
                problems.append(Problem(item.path, item.line, f"{item.id}: id says round {item.id[1]} but the file is round {rnd.number}"))
            if item.id in seen:
                problems.append(Problem(item.path, item.line, f"{item.id}: duplicate drill id"))
            seen.add(item.id)
    return problems


def _coverage(content: Content, minimum: int) -> list[Problem]:
    counts = Counter(cid for q in content.questions for cid in q.competencies)
    problems = []
    for comp in COMPETENCIES:
        if counts[comp.id] < minimum:
            path = content.root / ROUNDS[comp.round - 1].slug / "questions.md"
            problems.append(
                Problem(path, 1, f"coverage: competency {comp.id} has {counts[comp.id]} question(s), needs at least {minimum}")
            )
    return problems
