"""Parse a round's ``questions.md`` into :class:`~infraprep.content.model.Question` objects.

The file must read well as plain Markdown on a code host, so the format is ordinary Markdown with
a few fixed shapes::

    ## r3-q01 · Per-GPU memory under ZeRO-1          <- heading: stable id · title

    `r3.memory-formula` `r3.comm-volume` · difficulty 2 · derivation     <- metadata line

    The prompt, one or more paragraphs.

    **Hints**                                        <- sections, each optional except Hints
    1. first hint (revealed first)
    2. second hint
    **Follow-ups**
    - the interviewer's next probe
    **Pitfalls**
    - a common mistake
    **Answer:** [solutions/r3-q01.md](solutions/r3-q01.md)

Text before the first ``## `` heading is the bank's preamble. The parser never raises on bad
content: every defect becomes a :class:`Problem` naming file and line, so the linter can report all
of them at once; :func:`parse_bank` callers that need clean content check ``bank.problems``.
"""

from __future__ import annotations

import re
from pathlib import Path

from infraprep.content.model import KINDS, Bank, Problem, Question

__all__ = ["ID_PATTERN", "links_in", "parse_bank", "parse_text"]

ID_PATTERN = re.compile(r"r([1-7])-q(\d{2,3})")
_HEADING = re.compile(r"^##\s+(?P<id>\S+)\s+·\s+(?P<title>\S.*?)\s*$")
_META_COMPETENCY = re.compile(r"`([^`]+)`")
_DIFFICULTY = re.compile(r"^difficulty\s+(\S+)$")
_SECTION = re.compile(r"^\*\*(?P<name>[^*]+?)(?P<colon>:)?\*\*\s*(?P<rest>.*)$")
_ITEM = re.compile(r"^(?:\d+[.)]|[-*])\s+(?P<text>.*)$")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_LIST_SECTIONS = {"Hints": "hints", "Follow-ups": "followups", "Pitfalls": "pitfalls"}


def parse_bank(path: Path, round_number: int) -> Bank:
    """Read and parse one ``questions.md``; a missing file is a problem, not an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Bank(round_number, path, (), (Problem(path, 1, "questions.md is missing"),))
    except UnicodeDecodeError as exc:
        return Bank(round_number, path, (), (Problem(path, 1, f"not UTF-8: {exc.reason}"),))
    return parse_text(text, path, round_number)


def parse_text(text: str, path: Path, round_number: int) -> Bank:
    """Parse the text of a bank (see module docstring for the format)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    questions: list[Question] = []
    problems: list[Problem] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        question = _parse_question(lines, start, end, path, round_number, problems)
        if question is not None:
            questions.append(question)
    if not starts:
        problems.append(Problem(path, 1, "no questions: expected '## rN-qNN · Title' headings"))
    return Bank(round_number, path, tuple(questions), tuple(problems))


def _parse_question(
    lines: list[str], start: int, end: int, path: Path, round_number: int, problems: list[Problem]
) -> Question | None:
    heading = _HEADING.match(lines[start])
    if not heading or not ID_PATTERN.fullmatch(heading["id"]):
        problems.append(Problem(path, start + 1, "heading must read '## rN-qNN · Title' (N = round, NN = 01..999)"))
        return None
    qid, title = heading["id"], heading["title"]
    meta_index = _next_nonblank(lines, start + 1, end)
    if meta_index is None:
        problems.append(Problem(path, start + 1, f"{qid}: metadata line missing after the heading"))
        return None
    meta = _parse_meta(lines[meta_index], path, meta_index + 1, qid, problems)
    if meta is None:
        return None
    competencies, difficulty, kind = meta
    prompt_lines: list[str] = []
    lists: dict[str, list[str]] = {"hints": [], "followups": [], "pitfalls": []}
    answer: str | None = None
    current: list[str] | None = None  # the list section being filled, None while in the prompt
    after_answer: list[str] = []  # sentinel: the answer line ends the question
    for i in range(meta_index + 1, end):
        line = lines[i]
        section = _SECTION.match(line.strip())
        if section and (section["name"] in _LIST_SECTIONS or section["name"] == "Answer"):
            if section["name"] == "Answer":
                links = _LINK.findall(section["rest"])
                if not links:
                    problems.append(Problem(path, i + 1, f"{qid}: '**Answer:**' must be followed by a [link](solutions/...)"))
                answer = links[0] if links else None
                current = after_answer
            else:
                current = lists[_LIST_SECTIONS[section["name"]]]
            continue
        if section and not section["rest"] and not section["colon"]:
            valid = ", ".join([*_LIST_SECTIONS, "Answer:"])
            problems.append(Problem(path, i + 1, f"{qid}: unknown section '**{section['name']}**' (valid: {valid})"))
            continue
        if current is None:
            prompt_lines.append(line)
            continue
        if not line.strip():
            continue
        if current is after_answer:
            problems.append(Problem(path, i + 1, f"{qid}: text after the '**Answer:**' line (it must come last)"))
            continue
        item = _ITEM.match(line.strip())
        if item:
            current.append(item["text"].strip())
        elif current and line[:1].isspace():
            current[-1] += " " + line.strip()  # indented continuation of the previous item
        else:
            problems.append(Problem(path, i + 1, f"{qid}: expected a list item ('1. ' or '- ') in this section"))
    prompt = "\n".join(prompt_lines).strip()
    if not prompt:
        problems.append(Problem(path, start + 1, f"{qid}: prompt is empty"))
    return Question(
        id=qid,
        round=round_number,
        title=title,
        competencies=competencies,
        difficulty=difficulty,
        kind=kind,
        prompt=prompt,
        hints=tuple(lists["hints"]),
        followups=tuple(lists["followups"]),
        pitfalls=tuple(lists["pitfalls"]),
        answer=answer,
        path=path,
        line=start + 1,
        meta_line=meta_index + 1,
    )


def _parse_meta(
    line: str, path: Path, lineno: int, qid: str, problems: list[Problem]
) -> tuple[tuple[str, ...], int, str] | None:
    parts = [p.strip() for p in line.split("·")]
    shape = "'`comp.id` · difficulty 1-3 · kind'"
    if len(parts) != 3:
        problems.append(Problem(path, lineno, f"{qid}: metadata must read {shape}"))
        return None
    competencies = tuple(_META_COMPETENCY.findall(parts[0]))
    if not competencies or _META_COMPETENCY.sub("", parts[0]).strip(" ,"):
        problems.append(Problem(path, lineno, f"{qid}: competencies must be backticked ids, e.g. `r3.memory-formula`"))
        return None
    difficulty_match = _DIFFICULTY.match(parts[1])
    if not difficulty_match or difficulty_match[1] not in ("1", "2", "3"):
        problems.append(Problem(path, lineno, f"{qid}: difficulty must be 1, 2 or 3, got {parts[1]!r}"))
        return None
    if parts[2] not in KINDS:
        problems.append(Problem(path, lineno, f"{qid}: kind {parts[2]!r} is not one of {', '.join(KINDS)}"))
        return None
    return competencies, int(difficulty_match[1]), parts[2]


def _next_nonblank(lines: list[str], start: int, end: int) -> int | None:
    for i in range(start, end):
        if lines[i].strip():
            return i
    return None


def links_in(text: str) -> list[tuple[int, str]]:
    """Every Markdown link target in ``text`` with its 1-based line number."""
    return [(n, target) for n, line in enumerate(text.splitlines(), 1) for target in _LINK.findall(line)]
