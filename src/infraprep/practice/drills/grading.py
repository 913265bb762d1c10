"""Grade an answer against a drill: numeric with a stated relative tolerance, choice, or order."""

from __future__ import annotations

import re

from infraprep.errors import InvalidValue
from infraprep.practice.answers import format_answer, parse_answer
from infraprep.practice.drills.model import Drill, Grade

__all__ = ["grade"]

CLOSE_FACTOR = 2.0  # within CLOSE_FACTOR × tolerance earns half marks: right method, rounding slip


def grade(drill: Drill, answer: str) -> Grade:
    if drill.dimension == "choice":
        return _grade_choice(drill, answer)
    if drill.dimension == "order":
        return _grade_order(drill, answer)
    expected_text = format_answer(drill.expected, drill.dimension, drill.unit)
    try:
        given = parse_answer(answer, drill.dimension, drill.unit)
    except InvalidValue as exc:
        return Grade(drill, answer, 0.0, "unreadable", expected_text, message=f"could not read the answer: expected {exc.valid}")
    error = abs(given - drill.expected) / abs(drill.expected) if drill.expected else abs(given)
    if error <= drill.tolerance:
        verdict, score = "correct", 1.0
    elif error <= CLOSE_FACTOR * drill.tolerance:
        verdict, score = "close", 0.5
    else:
        verdict, score = "wrong", 0.0
    message = f"{verdict}: expected {expected_text} (±{drill.tolerance:.0%}); you gave {format_answer(given, drill.dimension, drill.unit)}, off by {error:.1%}"
    return Grade(drill, answer, score, verdict, expected_text, given, error, message)


def _letters(n: int) -> list[str]:
    return [chr(ord("a") + i) for i in range(n)]


def _grade_choice(drill: Drill, answer: str) -> Grade:
    letters = _letters(len(drill.choices))
    right = letters[int(drill.expected)]
    expected_text = f"{right}) {drill.choices[int(drill.expected)]}"
    picked = answer.strip().lower().rstrip(")")
    if picked.isdigit() and 1 <= int(picked) <= len(letters):
        picked = letters[int(picked) - 1]
    if picked not in letters:
        return Grade(drill, answer, 0.0, "unreadable", expected_text, message=f"answer with one of {', '.join(letters)}")
    ok = picked == right
    return Grade(drill, answer, float(ok), "correct" if ok else "wrong", expected_text,
                 message=("correct" if ok else f"wrong: the answer is {expected_text}"))


def _grade_order(drill: Drill, answer: str) -> Grade:
    letters = _letters(len(drill.choices))
    tokens = [t for t in re.split(r"[\s,;>-]+", answer.strip().lower()) if t]
    picked = [letters[int(t) - 1] if t.isdigit() and 1 <= int(t) <= len(letters) else t for t in tokens]
    right = [letters[i] for i in drill.order]
    expected_text = " ".join(right)
    if sorted(picked) != sorted(letters):
        return Grade(drill, answer, 0.0, "unreadable", expected_text,
                     message=f"give every item once, in order, e.g. {' '.join(letters)}")
    in_place = sum(a == b for a, b in zip(picked, right))
    score = 1.0 if picked == right else (0.5 if in_place >= len(right) - 2 else 0.0)
    verdict = {1.0: "correct", 0.5: "close", 0.0: "wrong"}[score]
    return Grade(drill, answer, score, verdict, expected_text,
                 message=f"{verdict}: the order is {expected_text} ({in_place}/{len(right)} in place)")
