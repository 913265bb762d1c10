"""A drill session: pick templates, generate drills from a seed, grade answers, record attempts."""

from __future__ import annotations

import random

from infraprep.content.spine import get_competency, get_round
from infraprep.errors import InfraprepError
from infraprep.practice.drills.grading import grade
from infraprep.practice.drills.model import Drill, Grade
from infraprep.practice.drills.registry import Template, all_templates, generate
from infraprep.practice.review import review
from infraprep.store.attempts import Attempt, record_attempt
from infraprep.store.db import Store

__all__ = ["RATING", "choose", "grade_and_record", "record", "select_templates"]

# How a drill verdict feeds spaced repetition (FSRS ratings).
RATING = {"correct": "good", "close": "hard", "wrong": "again", "unreadable": "again"}


def select_templates(round_number: int | None = None, competency: str | None = None) -> list[Template]:
    """Templates matching the filter; an unknown round or competency is an error with suggestions."""
    if competency is not None:
        get_competency(competency)
    if round_number is not None:
        get_round(round_number)
    chosen = [
        t
        for t in all_templates()
        if (competency is None or t.competency == competency) and (round_number is None or t.round == round_number)
    ]
    if not chosen:
        where = competency or f"round {round_number}"
        raise InfraprepError(f"no drills for {where} yet; try another round or competency")
    return chosen


def choose(templates: list[Template], count: int, seed: int) -> list[Drill]:
    """``count`` drills spread across competencies (round-robin in a seeded order)."""
    rng = random.Random(seed)
    by_comp: dict[str, list[Template]] = {}
    for t in templates:
        by_comp.setdefault(t.competency, []).append(t)
    comps = sorted(by_comp)
    rng.shuffle(comps)
    for group in by_comp.values():
        rng.shuffle(group)
    drills = []
    for k in range(count):
        group = by_comp[comps[k % len(comps)]]
        tpl = group[(k // len(comps)) % len(group)]
        drills.append(generate(tpl.id, rng.randrange(1 << 30)))
    return drills


def record(store: Store, result: Grade, duration_s: float | None = None) -> None:
    """Store the attempt and feed the template's review card."""
    drill = result.drill
    record_attempt(
        store,
        Attempt(
            "drill",
            drill.item_id,
            drill.competency,
            drill.round,
            result.score,
            grade=result.verdict,
            duration_s=duration_s,
            detail={"template": drill.template, "answer": result.answer, "expected": result.expected_text},
        ),
    )
    review(store, drill.template, RATING[result.verdict])


def grade_and_record(store: Store, drill: Drill, answer: str, duration_s: float | None = None) -> Grade:
    result = grade(drill, answer)
    record(store, result, duration_s)
    return result
