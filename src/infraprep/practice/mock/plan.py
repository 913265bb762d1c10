"""Pick a mock interview's items: a design or derivation prompt (two for the capstone) weighted toward
weak and unseen competencies, plus a numeric drill (or a coding question) for another competency."""

from __future__ import annotations

import random

from infraprep.content.loader import Content
from infraprep.practice.drills.registry import all_templates, generate
from infraprep.practice.progress import competency_progress
from infraprep.store.attempts import Attempt

__all__ = ["plan_mock"]


def _weight(mastery: float | None, seen: bool) -> float:
    """Weak competencies weigh up to 3×, unseen questions get +2: practice what you do not know."""
    return 1.0 + 2.0 * (1.0 - (mastery or 0.0)) + (0.0 if seen else 2.0)


def _weighted_pick(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    chosen, items, weights = [], list(items), list(weights)
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(i))
        weights.pop(i)
    return chosen


def plan_mock(content: Content, attempts: list[Attempt], round_number: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    mastery = {p.competency.id: p.score for p in competency_progress(attempts)}
    seen = {a.item_id for a in attempts}
    questions = content.of_round(round_number)
    kinds = ("design",) if round_number == 7 else ("design", "derivation")
    pool = [q for q in questions if q.kind in kinds] or list(questions)
    weights = [_weight(min((mastery.get(c) or 0.0) for c in q.competencies), q.id in seen) for q in pool]
    main = _weighted_pick(rng, pool, weights, 2 if round_number == 7 else 1)
    items = [{"kind": "question", "id": q.id} for q in main]
    covered = {c for q in main for c in q.competencies}
    numeric = []
    for tpl in all_templates():
        if tpl.round == round_number:
            drill = generate(tpl.id, rng.randrange(1 << 30))
            if drill.dimension not in ("choice", "order"):
                numeric.append(drill)
    if numeric:
        weights = [_weight(mastery.get(d.competency), False) * (0.3 if d.competency in covered else 1.0) for d in numeric]
        (drill,) = _weighted_pick(rng, numeric, weights, 1)
        items.append({"kind": "drill", "template": drill.template, "seed": drill.seed})
    else:
        coding = [q for q in questions if q.kind == "coding" and q not in main]
        if coding:
            items.append({"kind": "question", "id": rng.choice(coding).id})
    return items
